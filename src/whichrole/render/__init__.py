"""A Verdict as people read it: plain text (``text``), Slack Block Kit (``slack``) and Excel cells
(``excel``); JSON is pydantic's own.

What every surface shows alike lives here: the confidence as a percentage (never certainty), the
title check and the warnings made consistent with what is shown beside them, the three questions'
lines, the words quoted. Each surface module only lays them out.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from ..decision import MOST_SURE
from ..fields import FIELD

if TYPE_CHECKING:
    from ..reasons import Finding
    from ..rulebook import Rulebook
    from ..verdict import Brief, Verdict

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
    from ..reasons import Finding

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
    from ..rulebook import load_rulebook

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
    lines = [f"Title check: {shown_title_check(v)}"]
    if v.continuum is not None:
        lines.append(f"Research↔engineering: {continuum_words(v.continuum)}")
    return lines
