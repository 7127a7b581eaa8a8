"""A Verdict as Slack Block Kit, and the blocks every Slack message of whichrole is made of."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import answer_line, cut, percent, quoted, rulebook_of, shown_warnings, title_and_continuum

if TYPE_CHECKING:
    from ..verdict import Verdict

# Slack's limits: 3,000 characters in a section's text, 50 blocks, 150 in a header.
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BLOCK_LIMIT = 50


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_LIMIT)}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, SECTION_LIMIT)}]}


def listed(heading: str, items) -> dict:
    """A section of a bold heading and one bullet an item."""
    return section(f"*{heading}*\n" + "\n".join(f"• {item}" for item in items))


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": cut(text, HEADER_LIMIT)}}


def as_blocks(v: "Verdict") -> list[dict]:
    """Block Kit for Slack: header, reasons with sources, warnings, runner-up, focus, questions."""
    blocks: list[dict] = [header(f"{v.label} · {percent(v.confidence)} sure"),
                          context(" · ".join(title_and_continuum(v)))]
    if v.top_reasons:
        reasons = "\n".join(f"• {r.because}{quoted(r.quote)}\n   _{r.source}_" for r in v.top_reasons)
        blocks.append(section(f"*Why*\n{reasons}"))
    if v.reasons_against:
        against = "\n".join(f"• {r.because}{quoted(r.quote)}" for r in v.reasons_against)
        blocks.append(section(f"*Against it*\n{against}"))
    if v.answers:
        blocks.append(listed("The three questions", map(answer_line, v.answers)))
    warnings = shown_warnings(v, rulebook_of(v))
    if warnings:
        blocks.append(section("*Warnings*\n" + "\n".join(f":warning: {w.text}" for w in warnings)))
    if v.runner_up_name:
        text = f"*Runner-up:* {v.runner_up_name}"
        if v.why_not and v.why_not.rules:
            missing = "; ".join(m for r in v.why_not.rules for m in r.missing[:1])
            text += f"\nIt would need: {missing}" if missing else ""
        blocks.append(section(text))
    if v.interview_focus:
        blocks.append(listed("Interview focus", v.interview_focus))
    if v.questions:
        blocks.append(listed("Ask the hiring manager", (q.text for q in v.questions)))
    blocks.append(context(f"rulebook {v.rulebook_version}"))
    return blocks[:BLOCK_LIMIT]
