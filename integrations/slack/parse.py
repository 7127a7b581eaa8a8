"""The text after /whichrole: a subcommand, or a requisition given as key=value fields and free text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from whichrole.candidate.profile import KEYS as PROFILE_KEYS
from whichrole.fields import FIELD, FIELDS

# The requisition fields a user can give, under their short names and their own names.
FIELD_KEYS = {key: field.name for field in FIELDS if field.asked for key in (field.key, field.name)}

USAGE = """*How to use /whichrole*
• `/whichrole <a few words or the whole posting>`: which data/ML/AI role this is, how sure, and why.
• `/whichrole title="Data Scientist" output=deployed_model org=startup <text>`: add what you know. Fields: \
`title`, `output` (primary output), `where` (where the work lives), `failure` (what failure looks like), \
`org` (organisation archetype), `level`, `mix` (research/modeling/engineering/product %, e.g. `20/40/20/20`), \
`outcomes` (three things owned in six months, separated by `;`).
• `/whichrole form`: fill in a form instead.
• `/whichrole me years=5 engineering=strong phd=no <a few words about your work>`: which roles fit you, \
as a candidate (`me` and at least one profile field such as `years=`).
• `/whichrole help`: this message."""

# A subcommand is its keyword alone, or `me` and a profile; any other text, even one that starts
# with such a word ("Help marketing with data...", "Me and two others..."), is a requisition.
KEYWORDS = ("help", "form")
ME = "me"


def usage(values: dict[str, list[str]]) -> str:
    """The usage, with the values the rulebook understands for each field (``values`` by field name)."""
    lines = [f"`{FIELD[name].key}`: {', '.join(known)}" for name, known in values.items() if known]
    return USAGE + ("\n*Values*\n" + "\n".join(lines) if lines else "")

# Slack sends links and mentions as <target|label> and escapes &, < and > in command text.
_LINK = re.compile(r"<([^<>|]*)\|([^<>]*)>")
_BARE_LINK = re.compile(r"<([^<>]*)>")
# A field starts a word: name=, then a quoted value or one word.
_FIELD = re.compile(r"(?<!\S)([A-Za-z_]+)=")
_QUOTES = {'"': '"', "“": "”", "”": "”", "'": "'", "‘": "’", "’": "’"}


class CommandError(ValueError):
    """The command text cannot be read; the message is one line and names the field."""


@dataclass
class SlashCommand:
    kind: Literal["help", "form", "me", "classify"]
    fields: dict[str, str] = field(default_factory=dict)
    text: str = ""


def plain(text: str) -> str:
    """Command text as the user typed it: links and mentions as their labels, and the only three
    entities Slack escapes decoded (a general HTML unescape would also turn a typed '&lt' or '&copy'
    into symbols)."""
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _BARE_LINK.sub(lambda m: m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_command(text: str) -> SlashCommand:
    text = plain(text or "").strip()
    first, _, rest = text.partition(" ")
    rest = rest.strip()
    if not text:
        return SlashCommand("help")
    if text.lower() in KEYWORDS:
        return SlashCommand(text.lower())
    if first.lower() == ME and (not rest or _is_profile(rest)):
        return SlashCommand("me", text=rest)
    fields, description = parse_fields(text)
    if description:
        if "description" in fields:
            raise CommandError("description: given as a field and as free text; give it once")
        fields["description"] = description
    return SlashCommand("classify", fields=fields)


def _is_profile(text: str) -> bool:
    """Whether the words after `me` give a profile: at least one of the profile's own key=value fields."""
    return any(match.group(1).lower() in PROFILE_KEYS for match in _FIELD.finditer(text))


def parse_fields(text: str) -> tuple[dict[str, str], str]:
    """Known name=value fields anywhere in the text, and the rest of the text (the description).

    An unknown name (F1=0.9, ratio=3:1) is left in the text: requisitions contain such words.
    """
    fields: dict[str, str] = {}
    rest: list[str] = []
    kept_from = searched_to = 0
    while match := _FIELD.search(text, searched_to):
        key = match.group(1).lower()
        searched_to = match.end()
        if key not in FIELD_KEYS:
            continue
        name = FIELD_KEYS[key]
        value, end = _value(text, match.end(), key)
        if name in fields:
            raise CommandError(f"{key}: given twice")
        rest.append(text[kept_from:match.start()])
        fields[name] = value
        kept_from = searched_to = end
    rest.append(text[kept_from:])
    description = " ".join(part.strip() for part in rest if part.strip())
    return fields, description


def _value(text: str, start: int, key: str) -> tuple[str, int]:
    if start < len(text) and text[start] in _QUOTES:
        closing = _QUOTES[text[start]]
        end = text.find(closing, start + 1)
        if end < 0:
            raise CommandError(f"{key}: the quote after {key}= is never closed")
        return text[start + 1:end].strip(), end + 1
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    if end == start:
        raise CommandError(f"{key}: no value after {key}= (quote a value with spaces: {key}=\"…\")")
    return text[start:end], end
