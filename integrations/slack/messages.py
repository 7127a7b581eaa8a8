"""The messages the app sends: a verdict with its buttons, the shared verdict, plain notices.

Every message goes through ``fit``, so that Slack's limits (50 blocks, 3,000 characters in a
section, about 13,000 characters in a message) cut a long answer cleanly instead of rejecting it.

Replies carry what users typed (a profile, a value that was refused), and Slack reads &, < and >
in a message's text and in mrkdwn as markup: a typed "<!channel>" would notify a whole channel.
So all the text of a reply is escaped here, and only the mentions this module writes itself stay live.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

from whichrole.render import cut, percent
from whichrole.render.slack import BLOCK_LIMIT, HEADER_LIMIT, SECTION_LIMIT
from whichrole.verdict import Verdict

# Slack rejects or truncates messages beyond about 13,000 characters of text; stay below it.
MESSAGE_TEXT_LIMIT = 12_000
# Slack shows at most 4,000 characters of a message's top-level text.
PLAIN_TEXT_LIMIT = 3_900
FIELD_LIMIT = 2_000        # each of a section's fields
ELEMENT_LIMIT = 10         # elements of a context block, fields of a section
SMALLEST_CUT = 200         # a section cut shorter than this says too little to keep

SHARE_ACTION = "whichrole_share"
REFINE_ACTION = "whichrole_refine"
SHORTENED = "_Shortened to fit in Slack; `whichrole classify --json` gives the whole answer._"


@dataclass
class Reply:
    """A message for Slack, and a plain-text version for when Slack refuses the blocks."""

    text: str
    blocks: Optional[list[dict]] = None
    plain: Optional[str] = None
    in_channel: bool = False

    def payload(self, plain: bool = False) -> dict:
        """The body for a response_url; chat.postMessage takes the same minus the response fields."""
        body: dict = {"response_type": "in_channel" if self.in_channel else "ephemeral",
                      # a new message, never one that replaces the message whose button was pressed
                      "replace_original": False}
        if plain or not self.blocks:
            body["text"] = cut(self.plain or self.text, PLAIN_TEXT_LIMIT)
        else:
            body["text"] = cut(self.text, PLAIN_TEXT_LIMIT)
            body["blocks"] = self.blocks
        return body


def escape(text: str) -> str:
    """Text shown as typed: Slack's three control characters as the entities it expects."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escaped(blocks: list[dict]) -> list[dict]:
    """A copy of ``blocks`` with every mrkdwn text escaped (plain_text is never read as markup)."""
    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                return {**node, "text": escape(node["text"])}
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node
    return walk(blocks)


def notice(text: str) -> Reply:
    """A plain message: usage, an error the user can act on, a service that did not answer."""
    return Reply(text=escape(text))


def verdict_reply(verdict: Verdict, key: str) -> Reply:
    """The private answer: the verdict, then Share in channel and Refine for the stored requisition."""
    buttons = {"type": "actions", "block_id": "whichrole_actions", "elements": [
        {"type": "button", "action_id": SHARE_ACTION, "style": "primary", "value": key,
         "text": {"type": "plain_text", "text": "Share in channel"}},
        {"type": "button", "action_id": REFINE_ACTION, "value": key,
         "text": {"type": "plain_text", "text": "Refine"}},
    ]}
    return Reply(text=summary(verdict), blocks=fit(escaped(verdict.blocks()), tail=[buttons]),
                 plain=escape(verdict.text()))


def shared_reply(verdict: Verdict, user_id: str) -> Reply:
    """The same verdict for everyone in the channel, saying who shared it, without buttons."""
    by = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by <@{user_id}> with /whichrole"}]}
    return Reply(text=summary(verdict), blocks=fit(escaped(verdict.blocks()), tail=[by]),
                 plain=escape(verdict.text()), in_channel=True)


def blocks_reply(blocks: list[dict], text: str) -> Reply:
    """Blocks made elsewhere (the candidate fit), held to the same limits."""
    return Reply(text=escape(cut(text.split("\n", 1)[0], PLAIN_TEXT_LIMIT)), blocks=fit(escaped(blocks)),
                 plain=escape(text))


def summary(verdict: Verdict) -> str:
    return escape(f"{verdict.label} · {percent(verdict.confidence)} sure")


def fit(blocks: list[dict], tail: Sequence[dict] = ()) -> list[dict]:
    """``blocks`` then ``tail`` within Slack's limits; what does not fit is cut at the end, and said so.

    ``tail`` (buttons, attribution) is always kept whole.
    """
    blocks = [clip(b) for b in blocks]
    tail = [clip(b) for b in tail]
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": SHORTENED}]}
    room = BLOCK_LIMIT - len(tail)
    budget = MESSAGE_TEXT_LIMIT - sum(text_size(b) for b in tail)
    if len(blocks) <= room and sum(text_size(b) for b in blocks) <= budget:
        return blocks + tail
    room -= 1
    budget -= text_size(note)
    kept, used = [], 0
    for block in blocks:
        size = text_size(block)
        if len(kept) < room and used + size <= budget:
            kept.append(block)
            used += size
            continue
        left = budget - used - (size - len(block.get("text", {}).get("text", "")))
        if len(kept) < room and block.get("type") == "section" and "text" in block and left >= SMALLEST_CUT:
            block["text"]["text"] = cut(block["text"]["text"], left)
            kept.append(block)
        break
    return kept + [note] + tail


def clip(block: dict) -> dict:
    """A copy of one block with each of its texts within that kind of text's limit."""
    block = copy.deepcopy(block)
    kind = block.get("type")
    if kind == "header" and "text" in block:
        block["text"]["text"] = cut(block["text"]["text"], HEADER_LIMIT)
    if kind == "section":
        if "text" in block:
            block["text"]["text"] = cut(block["text"]["text"], SECTION_LIMIT)
        if "fields" in block:
            block["fields"] = block["fields"][:ELEMENT_LIMIT]
            for item in block["fields"]:
                item["text"] = cut(item["text"], FIELD_LIMIT)
    if kind == "context":
        block["elements"] = block["elements"][:ELEMENT_LIMIT]
        for item in block["elements"]:
            if "text" in item:
                item["text"] = cut(item["text"], SECTION_LIMIT)
    return block


def text_size(block: dict) -> int:
    return sum(len(text) for text in _texts(block))


def _texts(node) -> Iterator[str]:
    """Every text object's text in a block, however deeply nested."""
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)
