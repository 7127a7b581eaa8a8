"""The answer for a candidate: the roles that fit, best first, each with why, the interview loop
to prepare for and how its pay compares; notes, questions, and where the organisation matters."""
from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field

from ..rulebook import Rule, Rulebook
from ..decision import confidence, ranking, role_scores
from ..reasons import Finding, Reason, rule_finding, rule_reason, unique_findings
from .profile import Profile
from .rulebook import Cited

SEVERITY_ORDER = ("high", "medium", "low", "info")


class Advice(BaseModel):
    text: str
    source: str


class RoleFit(BaseModel):
    role: str
    role_name: str
    score: float
    summary: str
    reasons: list[Reason] = Field(description="rules in favour, strongest first")
    against: list[Reason] = Field(default_factory=list, description="rules that count against it")
    interview_loop: list[Advice]
    pay: Optional[Advice] = Field(default=None, description="relative pay; None where no source gives it")


class OrgOutcome(BaseModel):
    """The best fit for someone aiming at these kinds of organisation only."""

    role: Optional[str]
    role_name: str
    orgs: list[str]
    wanted: list[str] = Field(default_factory=list, description="those of ``orgs`` the profile aims at")


class Fit(BaseModel):
    best: Optional[str] = Field(description="catalogue id of the best-fitting role; None when too little to tell")
    best_name: str
    confidence: float = Field(ge=0, le=1)
    ranking: list[RoleFit] = Field(description="every role with evidence for it, best first")
    scores: dict[str, float]
    notes: list[Finding] = Field(default_factory=list)
    questions: list[Finding] = Field(default_factory=list)
    by_organisation: list[OrgOutcome] = Field(default_factory=list)
    profile: Profile
    signals: dict[str, float] = Field(default_factory=dict)
    rulebook_version: str
    engine: str

    @property
    def organisation_matters(self) -> bool:
        """Whether aiming at a different kind of organisation changes the best fit."""
        return len(self.by_organisation) > 1

    def text(self) -> str:
        from .render import as_text
        return as_text(self)

    def blocks(self) -> list[dict]:
        from .render import as_blocks
        return as_blocks(self)


def best_role(scores: dict[str, float]) -> Optional[str]:
    lead = ranking(scores)[0]
    return lead if scores[lead] > 0 else None


def build_fit(profile: Profile, facts: dict[str, float], fired: list[Rule], rulebook: Rulebook,
              engine: str, by_organisation: list[OrgOutcome]) -> Fit:
    roles = rulebook.roles
    scores = role_scores(fired, list(roles))
    best = best_role(scores)

    def cite(doc: str, section: str) -> str:
        return rulebook.catalogue.sources[doc].cite(section)

    def advice(item: Cited) -> Advice:
        return Advice(text=item.text, source=cite(item.source.doc, item.source.section))

    def role_fit(role_id: str) -> RoleFit:
        role = roles[role_id]
        mine = [rule for rule in fired if rule.then.role == role_id]
        return RoleFit(
            role=role_id, role_name=role.name, score=scores[role_id], summary=role.summary,
            reasons=[rule_reason(rulebook, r.id) for r in sorted(mine, key=lambda r: -r.then.weight)
                     if r.then.weight > 0],
            against=[rule_reason(rulebook, r.id) for r in sorted(mine, key=lambda r: r.then.weight)
                     if r.then.weight < 0],
            interview_loop=[advice(item) for item in role.interview_loop],
            pay=advice(role.pay) if role.pay else None)

    def findings(kind: str) -> list[Finding]:
        found = unique_findings(rule_finding(rulebook, r.id, kind) for r in fired if getattr(r.then, kind))
        return sorted(found, key=lambda f: SEVERITY_ORDER.index(f.severity))

    return Fit(
        best=best,
        best_name=roles[best].name if best else "Undetermined",
        confidence=confidence(scores, rulebook),
        ranking=[role_fit(r) for r in ranking(scores) if scores[r] > 0],
        scores=scores,
        notes=findings("warning"),
        questions=findings("question"),
        by_organisation=by_organisation,
        profile=profile,
        signals=dict(sorted(facts.items())),
        rulebook_version=rulebook.version,
        engine=engine,
    )
