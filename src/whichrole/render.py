"""A Verdict as plain text, Slack Block Kit, and Excel cells (JSON is pydantic's own)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .verdict import Verdict

# Slack's limits: 3,000 characters in a section's text, 50 blocks, 150 in a header.
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BLOCK_LIMIT = 50
# Excel: at most 32,767 characters a cell.
CELL_LIMIT = 32767


def cut(text: str, limit: int) -> str:
    """Shorten at a word boundary, marking the cut, so a limit never rejects a message."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head[-40:]:
        head = head[: head.rindex(" ")]
    return head.rstrip() + "…"


def continuum_words(position: float) -> str:
    """A place on the research-engineering continuum, in words."""
    if position < 0.2:
        return "at the research end"
    if position < 0.45:
        return "between research and production, nearer research"
    if position <= 0.55:
        return "midway between research and production"
    if position < 0.8:
        return "between research and production, nearer production"
    return "at the production end"


QUESTION_LABELS = {"primary_output": "Primary output", "work_location": "Where the work lives",
                   "failure_mode": "What failure looks like"}


def quoted(words: list[str]) -> str:
    """The requisition's words that raised a reason, as the verdict quotes them."""
    return " (" + ", ".join(f"“{w}”" for w in words) + ")" if words else ""


def answer_words(answer) -> str:
    return f"{answer.answer}{quoted(answer.quote)}" if answer.answer else "not said"


def title_and_continuum(v: "Verdict") -> list[str]:
    """The title check and, for a role the continuum places, where the work sits on it."""
    facts = [f"Title check: {v.title_check}"]
    if v.continuum is not None:
        facts.append(f"Research↔engineering: {continuum_words(v.continuum)}")
    return facts


def as_text(v: "Verdict") -> str:
    lines = [f"{v.label} — confidence {v.confidence:.0%}"]
    if v.runner_up_name:
        lines.append(f"Runner-up: {v.runner_up_name}")
    lines.extend(title_and_continuum(v))
    for heading, reasons in (("Why:", v.top_reasons), ("Against it:", v.reasons_against)):
        if reasons:
            lines.append("")
            lines.append(heading)
            for reason in reasons:
                lines.append(f"  • {reason.because}{quoted(reason.quote)}")
                lines.append(f"    — {reason.source}")
    if v.answers:
        lines.append("")
        lines.append("The three questions:")
        lines.extend(f"  {QUESTION_LABELS.get(a.question, a.question)}: {answer_words(a)}" for a in v.answers)
    if v.why_not and v.why_not.rules:
        lines.append("")
        lines.append(f"What would make it {v.why_not.role_name}:")
        for missed in v.why_not.rules:
            need = ", and ".join(missed.missing) or "its conditions"
            lines.append(f"  • {need}")
    if v.warnings:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(f"  ! {w.text}" for w in v.warnings)
    if v.questions:
        lines.append("")
        lines.append("Ask the hiring manager:")
        lines.extend(f"  ? {q.text}" for q in v.questions)
    if v.interview_focus:
        lines.append("")
        lines.append("Interview focus:")
        lines.extend(f"  - {item}" for item in v.interview_focus)
    lines.append("")
    lines.append(f"rulebook {v.rulebook_version}")
    return "\n".join(lines)


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_LIMIT)}}


def as_blocks(v: "Verdict") -> list[dict]:
    """Block Kit for Slack: header, reasons with sources, warnings, runner-up, focus, questions."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": cut(f"{v.label} · {v.confidence:.0%} sure", HEADER_LIMIT)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(" · ".join(title_and_continuum(v)),
                                                                         SECTION_LIMIT)}]},
    ]
    if v.top_reasons:
        reasons = "\n".join(f"• {r.because}{quoted(r.quote)}\n   _{r.source}_" for r in v.top_reasons)
        blocks.append(_section(f"*Why*\n{reasons}"))
    if v.reasons_against:
        against = "\n".join(f"• {r.because}{quoted(r.quote)}" for r in v.reasons_against)
        blocks.append(_section(f"*Against it*\n{against}"))
    if v.answers:
        blocks.append(_section("*The three questions*\n" + "\n".join(
            f"• {QUESTION_LABELS.get(a.question, a.question)}: {answer_words(a)}" for a in v.answers)))
    if v.warnings:
        blocks.append(_section("*Warnings*\n" + "\n".join(f":warning: {w.text}" for w in v.warnings)))
    if v.runner_up_name:
        text = f"*Runner-up:* {v.runner_up_name}"
        if v.why_not and v.why_not.rules:
            missing = "; ".join(m for r in v.why_not.rules for m in r.missing[:1])
            text += f"\nIt would need: {missing}" if missing else ""
        blocks.append(_section(text))
    if v.interview_focus:
        blocks.append(_section("*Interview focus*\n" + "\n".join(f"• {f}" for f in v.interview_focus)))
    if v.questions:
        blocks.append(_section("*Ask the hiring manager*\n" + "\n".join(f"• {q.text}" for q in v.questions)))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"rulebook {v.rulebook_version}"}]})
    return blocks[:BLOCK_LIMIT]


def as_cells(v: "Verdict") -> dict[str, object]:
    """The columns an annotated workbook gets, by header."""
    return {
        "Recommended role": v.role_name,
        "Flavour": v.flavour_name or "",
        "Confidence": v.confidence,
        "Runner-up": v.runner_up_name or "",
        "Title check": v.title_check,
        "Warnings": "; ".join(w.text for w in v.warnings),
        "Rationale": cut(" | ".join(r.because for r in v.top_reasons), CELL_LIMIT),
        "Interview focus": "; ".join(v.interview_focus),
    }


def full_rationale(v: "Verdict") -> str:
    """Every fired rule with its source, for a cell note or a rationale sheet."""
    lines = [f"{r.because}{quoted(r.quote)} [{r.source}; {r.where}] ({r.weight:+g} {r.role})" for r in v.rationale]
    lines.extend(f"Warning: {w.text} [{w.source}]" for w in v.warnings)
    return cut("\n".join(lines), CELL_LIMIT)
