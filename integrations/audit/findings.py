"""What the audit says about one requisition: its verdict in short, and the findings to act on.

Every finding about the work itself is a warning the rules raised (rules/catalogue.yaml names
them and gives their severity: conflated, title mismatch, too little information, low
confidence, not a data role, ...); the audit adds only what needs the requisition's dates
and identity, not its text: open for too long, and a Req ID used twice.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Optional

from whichrole.render import rulebook_of, shown_confidence, shown_title_check, shown_warnings
from whichrole.verdict import Brief, Verdict

# Weakest first: the order --fail-on and every report sort by.
SEVERITIES = ("info", "low", "medium", "high")

OPEN_TOO_LONG = "open_too_long"
DUPLICATE_ID = "duplicate_id"
AUDIT_POLICY = "the audit's limit on days open (--max-open-days)"

# What each kind of finding is called where people read it: the catalogue's warnings and the
# audit's own. A kind not named here (a warning added to the catalogue) reads as its id in words.
KIND_NAMES = {
    "conflated": "Conflated", "conflated_ds_mle": "Data science and production ML in one",
    "conflated_three_jobs": "Three jobs in one", "ds_deploys_alone": "Data scientist deploys alone",
    "title_mismatch": "Title mismatch", "principal_blur": "Principal level", "low_information": "Too little to decide",
    "low_confidence": "Low confidence", "early_stage_generalist": "Early-stage generalist",
    "not_data_role": "Not a data/ML/AI role", "language_de": "In German", "language_es": "In Spanish",
    "language_fr": "In French", "language_other": "Not in a language whichrole reads",
    OPEN_TOO_LONG: "Open too long", DUPLICATE_ID: "Req ID used twice",
}


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind) or kind.replace("_", " ").capitalize()


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class AuditFinding:
    kind: str        # the warning's id in rules/catalogue.yaml, or one of the audit's own
    severity: str
    text: str
    because: str     # the rationale: the rule's own sentence
    source: str      # where that rule comes from


@dataclass(frozen=True)
class Assessment:
    """The part of a Verdict an audit keeps: the same text always gives the same assessment."""

    role: Optional[str]
    label: str
    confidence: float
    runner_up: Optional[str]
    title_check: str
    reasons: tuple[str, ...]
    questions: tuple[str, ...]
    findings: tuple[AuditFinding, ...]

    @classmethod
    def of(cls, verdict: Brief | Verdict) -> "Assessment":
        """What the workbook's cells say, said alike: the role by its one name (the flavour is no other
        role), the title check and warnings as shown there."""
        return cls.shared(verdict.role, verdict.role_name, shown_confidence(verdict.confidence), verdict.runner_up_name,
                          shown_title_check(verdict), [r.because for r in verdict.top_reasons],
                          [q.text for q in verdict.questions],
                          [AuditFinding(w.id, w.severity, w.text, w.because, w.source)
                           for w in shown_warnings(verdict, rulebook_of(verdict))])

    @classmethod
    def shared(cls, role: Optional[str], label: str, confidence: float, runner_up: Optional[str],
               title_check: str, reasons, questions, findings) -> "Assessment":
        """An assessment whose sentences are this process's one copy of each."""
        return cls(role=role, label=_shared(label), confidence=confidence, runner_up=runner_up,
                   title_check=_shared(title_check), reasons=tuple(map(_shared, reasons)),
                   questions=tuple(map(_shared, questions)),
                   findings=tuple(_finding(f.kind, f.severity, f.text, f.because, f.source) for f in findings))

    def __reduce__(self):
        # Worker processes send assessments back; rebuilt on arrival, they share the sentences again.
        return Assessment.shared, (self.role, self.label, self.confidence, self.runner_up, self.title_check,
                                   self.reasons, self.questions, self.findings)

    @cached_property
    def kinds(self) -> frozenset[str]:
        return frozenset(f.kind for f in self.findings)

    @cached_property
    def _hash(self) -> int:
        return hash((self.role, self.label, self.confidence, self.runner_up, self.title_check, self.reasons,
                     self.questions, self.findings))

    def __hash__(self) -> int:  # assessments are dictionary keys a hundred thousand times a run
        return self._hash

    def detail_json(self) -> str:
        """What the store keeps besides the indexed columns."""
        return json.dumps({"runner_up": self.runner_up, "reasons": self.reasons, "questions": self.questions,
                           "findings": [asdict(f) for f in self.findings]}, ensure_ascii=False)

    @classmethod
    def from_row(cls, role: Optional[str], label: str, confidence: float, title_check: str,
                 detail: str) -> "Assessment":
        extra = json.loads(detail)
        return cls.shared(role, label, confidence, extra["runner_up"], title_check, extra["reasons"],
                          extra["questions"], [AuditFinding(**f) for f in extra["findings"]])


def assess(requisition, verdict: Brief) -> Assessment:
    """What the audit keeps of a verdict (made where the verdict is, from its brief: see Classifier.verdicts)."""
    return Assessment.of(verdict)


# A hundred thousand assessments repeat a few hundred sentences: keep one copy of each.
_shared = sys.intern


@lru_cache(maxsize=4096)
def _finding(kind: str, severity: str, text: str, because: str, source: str) -> AuditFinding:
    return AuditFinding(kind, severity, text, because, source)


# Why each of the audit's own findings matters, and where it comes from: the history keeps only its
# kind, severity and sentence.
OWN_REASONS = {
    OPEN_TOO_LONG: ("A requisition open this long usually asks for a profile the market does not supply; "
                    "the title, the scope or the level may need another look.", AUDIT_POLICY),
    DUPLICATE_ID: ("Two rows with one Req ID cannot both be tracked from one audit to the next.", "whichrole audit"),
}


def own_finding(kind: str, severity: str, text: str) -> AuditFinding:
    because, source = OWN_REASONS.get(kind, (text, "whichrole audit"))
    return AuditFinding(kind=kind, severity=severity, text=text, because=because, source=source)


def open_too_long(opened: Optional[date], today: date, max_days: Optional[int]) -> Optional[AuditFinding]:
    if opened is None or max_days is None:
        return None
    days = (today - opened).days
    if days <= max_days:
        return None
    return own_finding(OPEN_TOO_LONG, "medium", f"Open for {days} days (since {opened.isoformat()}), longer than {max_days}.")


def duplicate_id(req_id: str, first_seen: str) -> AuditFinding:
    return own_finding(DUPLICATE_ID, "low", f"Req ID {req_id} is used twice; first seen at {first_seen}.")
