"""What an annotated workbook shows of one verdict.

It is made in the process that classified the requisition (a worker, for a big sheet), from the
verdict in brief (the parts of a Verdict a sheet does not show are never worked out), and sent
back as plain values: a tuple of strings crosses between processes for a fraction of what a
pickled Verdict costs.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

from whichrole.model import Requisition
from whichrole.render import one_a_line, says_too_little, shown_confidence, shown_title_check
from whichrole.render.excel import VERDICT_HEADERS, full_rationale
from whichrole.verdict import Brief, Verdict

# What a row says when it has neither title nor description: its other answers alone are too
# little to name a role by.
NOTHING_TO_READ = ("Too little to decide: the row has neither a title nor a description; "
                   "its other answers alone point to {label}.")


class VerdictRow(NamedTuple):
    cells: tuple                # the verdict columns, in VERDICT_HEADERS order
    label: str                  # the role by its one name (its flavour has a column of its own)
    confidence: float
    title_check: str
    conflated: str              # what the conflation warnings say; "" when there are none
    questions: Optional[str]    # what to ask when there is too little to decide; None otherwise
    rationale: str              # every reason, with its source

    @property
    def is_mismatch(self) -> bool:
        return self.title_check.startswith("mismatch")

    @classmethod
    def of(cls, requisition: Requisition, verdict: Brief | Verdict) -> "VerdictRow":
        cells = verdict.cells()
        title_check = shown_title_check(verdict)
        questions = one_a_line(q.text for q in verdict.questions) if says_too_little(verdict) else None
        label = verdict.role_name
        if not (requisition.title or requisition.description):
            cells.update({"Recommended role": "Undetermined", "Flavour": "", "Confidence": None, "Runner-up": "",
                          "Warnings": NOTHING_TO_READ.format(label=label), "Interview focus": ""})
            label, questions = "Undetermined", questions or one_a_line(q.text for q in verdict.questions)
        return cls(cells=tuple(cells[header] for header in VERDICT_HEADERS), label=label,
                   confidence=shown_confidence(verdict.confidence), title_check=title_check,
                   conflated=one_a_line(w.text for w in verdict.warnings if w.id.startswith("conflated")),
                   questions=questions, rationale=full_rationale(verdict))
