"""A Verdict as plain text, Slack Block Kit, and Excel cells (JSON is pydantic's own)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from .fields import FIELD
from .verdict import MOST_SURE

if TYPE_CHECKING:
    from .rulebook import Rulebook
    from .verdict import Brief, Finding, Verdict

# Slack's limits: 3,000 characters in a section's text, 50 blocks, 150 in a header.
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BLOCK_LIMIT = 50
# Excel: at most 32,767 characters a cell.
CELL_LIMIT = 32767
# The catalogue's ids the shown verdict is made consistent with.
TOO_LITTLE, LOW_CONFIDENCE, TITLE_MISMATCH, NOT_A_DATA_ROLE = "low_information", "low_confidence", "title_mismatch", \
    "out_of_scope"


def cut(text: str, limit: int) -> str:
    """Shorten at a word boundary, marking the cut, so a limit never rejects a message."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head[-40:]:
        head = head[: head.rindex(" ")]
    return head.rstrip() + "…"


def shown_confidence(confidence: float) -> float:
    """A verdict's confidence as a person reads it: never certainty, whichever version wrote the verdict."""
    return min(confidence, MOST_SURE)


def percent(confidence: float) -> str:
    return f"{shown_confidence(confidence):.0%}"


def says_too_little(v: "Verdict | Brief") -> bool:
    return v.role is None or any(w.id == TOO_LITTLE for w in v.warnings)


def shown_title_check(v: "Verdict | Brief") -> str:
    """The title check as it reads beside the rest of the verdict: a work too thinly described to
    decide is neither matched nor mismatched by its title; a title of no role is not "a data/ML/AI
    role" the work matches; a title the catalogue does not name is not said to be no data role."""
    check = v.title_check
    placed = placed_title(v.title)
    if placed and check.startswith("mismatch"):  # still a mismatch, said with where such a title belongs
        return f"{check}; the documents place the {placed[0]} nearest {placed[1]}"
    if placed:
        return f"the title names {placed[0]}, a role whichrole does not tell apart; the documents place it nearest {placed[1]}"
    verdict_on_title, _, reads = check.partition(": ")
    if verdict_on_title in ("matches the work", "mismatch") and says_too_little(v):
        return reads.split(", the work is ")[0] + "; the description says too little to check it against the work"
    if verdict_on_title == "matches the work" and v.role == NOT_A_DATA_ROLE:
        return "the title names no data/ML/AI role, nor does the work"
    if check == "the title names no data/ML/AI role":
        return "the title names none of the roles whichrole tells apart"
    return check


# Titles of roles whichrole does not tell apart, and where the documents its rules cite place them.
PLACED_TITLES = {
    "data analyst": ("Data Analyst", "the analytical Data Scientist"),
    "bi analyst": ("BI Analyst", "the analytical Data Scientist"),
    "business intelligence analyst": ("BI Analyst", "the analytical Data Scientist"),
    "analytics engineer": ("Analytics Engineer", "the Data Engineer"),
}


def placed_title(title: Optional[str]) -> Optional[tuple[str, str]]:
    """(the role, where the documents place it) for a title naming a role whichrole has none for."""
    words = " ".join(re.sub(r"[^a-z]+", " ", (title or "").lower()).split())
    return next((placed for phrase, placed in PLACED_TITLES.items() if re.search(rf"\b{phrase}\b", words)), None)


def is_mismatch(v: "Verdict | Brief") -> bool:
    return shown_title_check(v).startswith("mismatch")


def shown_warnings(v: "Verdict | Brief", rulebook: "Rulebook") -> list["Finding"]:
    """The warnings as they read beside the confidence and the title check shown: a confidence
    below the rulebook's low mark has its warning, one above it has none; a mismatch shown has its
    warning, and only a mismatch shown has one."""
    from .verdict import Finding

    low = shown_confidence(v.confidence) < rulebook.catalogue.thresholds.low_confidence and not says_too_little(v)
    mismatch = is_mismatch(v)
    shown = [w for w in v.warnings if (w.id != LOW_CONFIDENCE or low) and (w.id != TITLE_MISMATCH or mismatch)]
    known = rulebook.catalogue.warnings
    ids = {w.id for w in shown}
    if mismatch and TITLE_MISMATCH not in ids:
        shown.append(Finding(id=TITLE_MISMATCH, text=known[TITLE_MISMATCH].text,
                             severity=known[TITLE_MISMATCH].severity,
                             because=shown_title_check(v).removeprefix("mismatch: ").capitalize() + ".",
                             source="the title check"))
    if low and LOW_CONFIDENCE not in ids:
        shown.append(Finding(id=LOW_CONFIDENCE, text=known[LOW_CONFIDENCE].text,
                             severity=known[LOW_CONFIDENCE].severity,
                             because=f"The confidence, {percent(v.confidence)}, is below the rulebook's low mark.",
                             source="the confidence"))
    return shown


def rulebook_of(v: "Verdict | Brief") -> "Rulebook":
    """The rulebook a verdict was made with: a Brief carries it; a Verdict, read back from JSON say,
    is taken to be the shipped rulebook's."""
    from .rulebook import load_rulebook

    return getattr(v, "rulebook", None) or load_rulebook()


def one_a_line(items) -> str:
    """Items of a list, one a line: a wrapped cell shows them as a list."""
    return "\n".join(items)


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


def quoted(words: list[str]) -> str:
    """The requisition's words that raised a reason, as the verdict quotes them."""
    return " (" + ", ".join(f"“{w}”" for w in words) + ")" if words else ""


def answer_line(answer) -> str:
    """One of the three questions and how the requisition answers it."""
    said = f"{answer.answer}{quoted(answer.quote)}" if answer.answer else "not said"
    return f"{FIELD[answer.question].asked_as}: {said}"


def title_and_continuum(v: "Verdict") -> list[str]:
    """The title check and, for a role the continuum places, where the work sits on it."""
    facts = [f"Title check: {shown_title_check(v)}"]
    if v.continuum is not None:
        facts.append(f"Research↔engineering: {continuum_words(v.continuum)}")
    return facts


def as_text(v: "Verdict") -> str:
    lines = [f"{v.label} — confidence {percent(v.confidence)}"]
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
        lines.extend(f"  {answer_line(a)}" for a in v.answers)
    if v.why_not and v.why_not.rules:
        lines.append("")
        lines.append(f"What would make it {v.why_not.role_name}:")
        for missed in v.why_not.rules:
            need = ", and ".join(missed.missing) or "its conditions"
            lines.append(f"  • {need}")
    warnings = shown_warnings(v, rulebook_of(v))
    if warnings:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(f"  ! {w.text}" for w in warnings)
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
        {"type": "header", "text": {"type": "plain_text", "text": cut(f"{v.label} · {percent(v.confidence)} sure", HEADER_LIMIT)}},
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
        blocks.append(_section("*The three questions*\n" + "\n".join(f"• {answer_line(a)}" for a in v.answers)))
    warnings = shown_warnings(v, rulebook_of(v))
    if warnings:
        blocks.append(_section("*Warnings*\n" + "\n".join(f":warning: {w.text}" for w in warnings)))
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


def as_cells(v: "Verdict | Brief") -> dict[str, object]:
    """The columns an annotated workbook gets, by header; each list one item a line."""
    return {
        "Recommended role": v.role_name,
        "Flavour": v.flavour_name or "",
        "Confidence": shown_confidence(v.confidence),
        "Runner-up": v.runner_up_name or "",
        "Title check": shown_title_check(v),
        "Warnings": one_a_line(w.text for w in shown_warnings(v, rulebook_of(v))),
        "Rationale": cut(one_a_line(r.because for r in v.top_reasons), CELL_LIMIT),
        "Interview focus": one_a_line(v.interview_focus),
    }


def full_rationale(v: "Verdict | Brief") -> str:
    """Every reason with its source and the role it points to, for a cell note or a rationale sheet."""
    roles = rulebook_of(v).roles
    lines = [f"{r.because}{quoted(r.quote)} ({r.source}; {'counts against' if r.weight < 0 else 'points to'} "
             f"{roles[r.role].name})" for r in v.rationale]
    lines.extend(f"Warning: {w.text} ({w.source})" for w in shown_warnings(v, rulebook_of(v)))
    return cut("\n".join(lines), CELL_LIMIT)
