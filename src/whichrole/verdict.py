"""The answer: which role, how sure, and why, assembled from the rules that fired.

A requisition's verdict is built in brief (``brief``: what annotate and audit keep), and made
whole on demand (``Brief.verdict``: what would change it, where it sits on the continuum, its
signals). The pieces come from ``decision`` (scores and how sure), ``reasons`` (what it says for
itself) and ``why_not``; ``render`` turns it into text, Slack blocks and Excel cells.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from pydantic import BaseModel, Field

from .decision import MOST_SURE, choose_flavour, decide, role_scores
from .evidence import title_roles
from .reasons import (Answer, Finding, Reason, headline_reasons, matrix_reasons, quote_of, rule_finding, rule_reason,
                      three_answers, unique_findings)
from .rulebook import Rule, Rulebook
from .why_not import WhyNot, why_not


class Headline:
    """What a Verdict and a Brief say alike: the role as a label, and the reasons that agree with it."""

    __slots__ = ()

    @property
    def top_reasons(self) -> list[Reason]:
        """The strongest reasons for the headline."""
        return [r for r in headline_reasons(self.rationale, self.role, self.flavour) if r.weight > 0][:3]

    @property
    def reasons_against(self) -> list[Reason]:
        """What in the work counts most against the headline."""
        return [r for r in headline_reasons(self.rationale, self.role, self.flavour) if r.weight < 0][:2]

    @property
    def label(self) -> str:
        return f"{self.role_name} ({self.flavour_name})" if self.flavour_name else self.role_name

    def cells(self) -> dict[str, object]:
        from .render.excel import as_cells
        return as_cells(self)


class Verdict(Headline, BaseModel):
    role: Optional[str] = Field(description="catalogue id of the role; None when too little to decide")
    role_name: str
    flavour: Optional[str] = None
    flavour_name: Optional[str] = None
    confidence: float = Field(ge=0, le=1)
    scores: dict[str, float]
    runner_up: Optional[str] = None
    runner_up_name: Optional[str] = None
    continuum: Optional[float] = Field(default=None, description="0 = research end, 1 = engineering end")
    title: Optional[str] = None
    title_roles: list[str] = Field(default_factory=list)
    title_check: str
    answers: list[Answer] = Field(default_factory=list, description="the three questions, as the requisition answers them")
    rationale: list[Reason]
    why_not: Optional[WhyNot] = None
    warnings: list[Finding] = Field(default_factory=list)
    questions: list[Finding] = Field(default_factory=list)
    interview_focus: list[str] = Field(default_factory=list)
    signals: dict[str, float] = Field(default_factory=dict)
    rulebook_version: str
    engine: str

    def text(self) -> str:
        from .render.text import as_text
        return as_text(self)

    def blocks(self) -> list[dict]:
        from .render.slack import as_blocks
        return as_blocks(self)


@dataclass(slots=True)
class Brief(Headline):
    """A verdict in brief: every field of it but those only a rendered verdict shows (what would
    make it the runner-up, where the work sits on the continuum, the signals), which ``verdict()``
    adds. What annotate and audit keep of a verdict is read from this: they never pay for the rest.
    Read it, do not change it: its scores and interview focus are shared with other briefs (a
    Verdict has copies of its own)."""

    role: Optional[str]
    role_name: str
    flavour: Optional[str]
    flavour_name: Optional[str]
    confidence: float
    scores: dict[str, float]
    runner_up: Optional[str]
    runner_up_name: Optional[str]
    title: Optional[str]
    title_roles: list[str]
    title_check: str
    answers: list[Answer]
    rationale: list[Reason]
    warnings: list[Finding]
    questions: list[Finding]
    interview_focus: list[str]
    engine: str
    # What the rest of the verdict is worked out from.
    facts: dict[str, float] = field(repr=False)
    fired: list[Rule] = field(repr=False)
    rulebook: Rulebook = field(repr=False)

    def verdict(self) -> Verdict:
        """The whole Verdict, validated: it owns its fields, whatever its reader does with them."""
        rulebook = self.rulebook
        evidence = role_scores(self.fired, list(rulebook.roles))
        return Verdict(
            **{name: getattr(self, name) for name in BRIEF_FIELDS},
            continuum=continuum_position(self.role, self.scores, rulebook),
            why_not=why_not(self.runner_up, self.scores, evidence, self.role, self.facts, self.fired, rulebook),
            signals=dict(sorted(self.facts.items())),
            rulebook_version=rulebook.version,
        )


# The fields a Brief gives its Verdict as they are.
BRIEF_FIELDS = tuple(name for name in Verdict.model_fields if name in Brief.__dataclass_fields__)


def brief(title: Optional[str], facts: dict[str, float], fired: list[Rule], rulebook: Rulebook, engine: str,
          quotes: Optional[dict[str, list[str]]] = None) -> Brief:
    """The verdict on what fired, in brief; ``quotes`` are the words that raised each signal."""
    roles = rulebook.roles
    quotes = quotes or {}
    values = rulebook.matrix_values(facts)
    scores, lead, runner, sure = decide(fired, values, rulebook)
    flavour = choose_flavour(lead, fired, values, rulebook)
    reasons = [rule_reason(rulebook, r.id, quote_of(r, facts, quotes)) for r in fired if r.then.role]
    reasons += matrix_reasons(values, lead, runner, rulebook, quotes)
    rationale = sorted((reason for reason in reasons if reason.weight),
                       key=lambda r: (r.role != lead, r.weight < 0, -abs(r.weight)))
    warnings = unique_findings(rule_finding(rulebook, r.id, "warning") for r in fired if r.then.warning)
    questions = unique_findings(rule_finding(rulebook, r.id, "question") for r in fired if r.then.question)
    named = title_roles(facts, rulebook)
    return Brief(
        role=lead,
        role_name=roles[lead].name if lead else "Undetermined",
        flavour=flavour,
        flavour_name=roles[lead].flavours[flavour] if flavour else None,
        confidence=capped(sure, warnings, rulebook),
        scores=scores,
        runner_up=runner,
        runner_up_name=roles[runner].name if runner else None,
        title=title,
        title_roles=named,
        title_check=title_check(title, named, lead, rulebook),
        answers=three_answers(facts, lead, rulebook, quotes),
        rationale=rationale,
        warnings=warnings,
        questions=questions,
        interview_focus=roles[lead].interview_focus if lead else [],
        engine=engine,
        facts=facts,
        fired=fired,
        rulebook=rulebook,
    )


def capped(confidence: float, warnings: list[Finding], rulebook: Rulebook) -> float:
    """The confidence a verdict may say: never certainty, and at or below the ``confidence_cap`` of
    its warnings (the work was read only in part)."""
    known = rulebook.catalogue.warnings
    caps = [known[w.id].confidence_cap for w in warnings if known[w.id].confidence_cap is not None]
    return min(confidence, MOST_SURE, *caps)


def title_check(title: Optional[str], named: list[str], lead: Optional[str], rulebook: Rulebook) -> str:
    """What the title reads as, and whether the work agrees ("mismatch" first when it does not)."""
    if not title:
        return "no title given"
    if not named:
        return "the title names no data/ML/AI role"
    roles = rulebook.roles
    reads = " / ".join(roles[r].name for r in named)
    if lead in named:
        return f"matches the work: the title reads as {reads}"
    return f"mismatch: the title reads as {reads}, the work is {roles[lead].name if lead else 'undecided'}"


def continuum_position(lead: Optional[str], scores: dict[str, float], rulebook: Rulebook) -> Optional[float]:
    """Where the work sits between research (0) and engineering (1), for a verdict whose role the
    continuum places; the roles it places, weighed by their evidence, set the point."""
    roles = rulebook.roles
    if not lead or roles[lead].continuum is None:
        return None
    placed = [(scores[r], roles[r].continuum) for r in roles if scores[r] > 0 and roles[r].continuum is not None]
    return round(sum(s * c for s, c in placed) / sum(s for s, _ in placed), 2)
