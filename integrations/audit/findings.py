"""What the audit says about one requisition: its verdict in short, and the findings to act on.

Every finding about the work itself is a warning the rules raised (rules/catalogue.yaml names
them and gives their severity: conflated, title mismatch, too little information, low
confidence, not a data role, ...); the audit adds only what needs the requisition's dates
and identity, not its text: open for too long, and a Req ID used twice.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Optional

from whichrole.verdict import Verdict

# Weakest first: the order --fail-on and every report sort by.
SEVERITIES = ("info", "low", "medium", "high")

OPEN_TOO_LONG = "open_too_long"
DUPLICATE_ID = "duplicate_id"
AUDIT_POLICY = "whichrole audit policy (--max-open-days)"


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
    def of(cls, verdict: Verdict) -> "Assessment":
        return cls(
            role=verdict.role,
            label=verdict.label,
            confidence=verdict.confidence,
            runner_up=verdict.runner_up_name,
            title_check=verdict.title_check,
            reasons=tuple(r.because for r in verdict.top_reasons),
            questions=tuple(q.text for q in verdict.questions),
            findings=tuple(AuditFinding(w.id, w.severity, w.text, w.because, w.source) for w in verdict.warnings),
        )

    def detail_json(self) -> str:
        """What the store keeps besides the indexed columns."""
        return json.dumps({"runner_up": self.runner_up, "reasons": self.reasons, "questions": self.questions,
                           "findings": [asdict(f) for f in self.findings]}, ensure_ascii=False)

    @classmethod
    def from_row(cls, role: Optional[str], label: str, confidence: float, title_check: str,
                 detail: str) -> "Assessment":
        extra = json.loads(detail)
        return cls(role=role, label=label, confidence=confidence, runner_up=extra["runner_up"],
                   title_check=title_check, reasons=tuple(extra["reasons"]), questions=tuple(extra["questions"]),
                   findings=tuple(AuditFinding(**f) for f in extra["findings"]))


def open_too_long(opened: Optional[date], today: date, max_days: Optional[int]) -> Optional[AuditFinding]:
    if opened is None or max_days is None:
        return None
    days = (today - opened).days
    if days <= max_days:
        return None
    return AuditFinding(
        kind=OPEN_TOO_LONG, severity="medium",
        text=f"Open for {days} days (since {opened.isoformat()}), longer than {max_days}.",
        because="A requisition open this long usually asks for a profile the market does not supply; "
                "the title, the scope or the level may need another look.",
        source=AUDIT_POLICY)


def duplicate_id(req_id: str, first_seen: str) -> AuditFinding:
    return AuditFinding(
        kind=DUPLICATE_ID, severity="low",
        text=f"Req ID {req_id} is used twice; first seen at {first_seen}.",
        because="Two rows with one Req ID cannot both be tracked from one audit to the next.",
        source="whichrole audit")
