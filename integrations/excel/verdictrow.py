"""What an annotated workbook shows of one verdict.

It is made in the process that classified the requisition (a worker, for a big sheet), from the
verdict in brief (the parts of a Verdict a sheet does not show are never worked out), and sent
back as plain values: a tuple of strings crosses between processes for a fraction of what a
pickled Verdict costs.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

from whichrole.model import Requisition
from whichrole.render import full_rationale
from whichrole.verdict import Brief, Verdict

# The verdict columns, by the headers of Verdict.cells().
VERDICT_HEADERS = ("Recommended role", "Flavour", "Confidence", "Runner-up", "Title check", "Warnings",
                   "Rationale", "Interview focus")


class VerdictRow(NamedTuple):
    cells: tuple                # the verdict columns, in VERDICT_HEADERS order
    label: str                  # the role, with its flavour
    confidence: float
    title_check: str
    conflated: str              # what the conflation warnings say; "" when there are none
    questions: Optional[str]    # what to ask when there is too little to decide; None otherwise
    rationale: str              # every rule that fired, with its source

    @property
    def is_mismatch(self) -> bool:
        return self.title_check.startswith("mismatch")

    @classmethod
    def of(cls, requisition: Requisition, verdict: Brief | Verdict) -> "VerdictRow":
        cells = verdict.cells()
        says_too_little = verdict.role is None or any(w.id == "low_information" for w in verdict.warnings)
        return cls(cells=tuple(cells[header] for header in VERDICT_HEADERS), label=verdict.label,
                   confidence=verdict.confidence, title_check=verdict.title_check,
                   conflated=" ".join(w.text for w in verdict.warnings if w.id.startswith("conflated")),
                   questions=" ".join(q.text for q in verdict.questions) if says_too_little else None,
                   rationale=full_rationale(verdict))
