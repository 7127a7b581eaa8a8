"""The answer: which role, how sure, and why, built from the rules that fired."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, NamedTuple, Optional

from pydantic import BaseModel, ConfigDict, Field

from .rulebook import QUESTIONS, Rule, Rulebook
from .weights import flavour_of, role_of


class Reason(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared by every verdict the rule fires in

    rule: str
    role: Optional[str] = None
    flavour: Optional[str] = None
    weight: float = 0.0
    reads_title: bool = False
    because: str
    source: str
    where: str
    quote: list[str] = Field(default_factory=list, description="the words of the requisition that raised it")


class Answer(BaseModel):
    """One of the three questions, as the requisition answers it: the signal that answers it most
    strongly and the words that raised it, or no answer."""

    question: str
    text: str
    answer: Optional[str] = None
    signal: Optional[str] = None
    quote: list[str] = Field(default_factory=list)


class Finding(BaseModel):
    """A warning about the requisition, or a question for the hiring manager."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    severity: str
    because: str
    source: str


class MissedRule(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared by every verdict that misses the same

    rule: str
    because: str
    missing: list[str]


class WhyNot(BaseModel):
    role: str
    role_name: str
    gap: float
    rules: list[MissedRule]


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
        from .render import as_cells
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
        from .render import as_text
        return as_text(self)

    def blocks(self) -> list[dict]:
        from .render import as_blocks
        return as_blocks(self)


def headline_reasons(rationale: list[Reason], role: Optional[str], flavour: Optional[str]) -> list[Reason]:
    """The reasons that agree with the headline: the role's, none for another of its flavours, and
    one at most that reads the title (a second would repeat it, or seem to contradict it: titles are
    weak evidence, yet carry more when the description says little). The work's reasons come
    first, strongest first: the title check already says what the title reads as."""
    shown, title_read = [], False
    for reason in rationale:
        if reason.role != role or reason.flavour not in (None, flavour) or reason.reads_title and title_read:
            continue
        title_read = title_read or reason.reads_title
        shown.append(reason)
    return sorted(shown, key=lambda reason: reason.reads_title)  # stable: by weight within each


def role_scores(rules: list[Rule], roles: list[str]) -> dict[str, float]:
    scores = dict.fromkeys(roles, 0.0)
    for rule in rules:
        then = rule.then
        if then.role:
            scores[then.role] += then.weight
    return {role: round(score, 2) if score > 0 else 0.0 for role, score in scores.items()}


def ranking(scores: dict[str, float]) -> list[str]:
    """Roles by score; ties keep catalogue order (sorting is stable), so the same evidence always
    gives the same answer."""
    return sorted(scores, key=scores.__getitem__, reverse=True)


def confidence(scores: dict[str, float], rulebook: Rulebook) -> float:
    """How much the leader stands out (softmax share), damped when there is little evidence."""
    t = rulebook.catalogue.thresholds
    top = max(scores.values(), default=0.0)
    total = sum(scores.values())
    if top <= 0:
        return 0.0
    share = 1.0 / sum(math.exp((s - top) / t["temperature"]) for s in scores.values())
    coverage = min(1.0, total / t["full_evidence"]) ** 0.5
    return round(share * coverage, 2)


# A probability fitted on a few hundred labelled postings is never certainty.
MOST_SURE = 0.99


class Decision(NamedTuple):
    scores: dict[str, float]
    lead: Optional[str]
    runner: Optional[str]
    confidence: float


def decide(fired: list[Rule], values: dict[str, float], rulebook: Rulebook) -> Decision:
    """The leading role, the runner-up and how sure, from the fired rules and the signals' ``values``
    (``Rulebook.matrix_values``): by the fitted weights where the rulebook has them (the scores are
    then each role's probability), else by the declared weights' sums."""
    kept = tuple(sorted(values.items())) if rulebook.weights is not None else ()
    return _decision(tuple(rule.id for rule in fired if rule.then.role), kept, rulebook)


# A requisition is decided twice: on its first stage's evidence, which the second stage reads, and
# on both stages' for the verdict. Rules for no role do not change a decision, and the second stage
# seldom fires one for a role, so decisions are kept by the signals and the rules for a role that fired.
@lru_cache(maxsize=4096)
def _decision(evidence: tuple[str, ...], values: tuple[tuple[str, float], ...], rulebook: Rulebook) -> Decision:
    fired = [rulebook.rule(rule_id) for rule_id in evidence]
    weights = rulebook.weights
    if weights is None:
        scores = role_scores(fired, list(rulebook.roles))
        order = ranking(scores)
        lead = order[0] if scores[order[0]] > 0 else None
        runner = order[1] if lead and scores[order[1]] > 0 else None
        return Decision(scores, lead, runner, confidence(scores, rulebook))
    # A verdict names a role something in the requisition speaks for: a prior alone is no reason to
    # give, nor is a trace (a PhD counts a little toward another profession's jobs too).
    counts_for, matrix = _role_of(rulebook), weights.roles.matrix
    support: dict[str, float] = defaultdict(float)
    for rule in fired:
        if counts_for(rule):
            support[counts_for(rule)] += weights.roles.weight(rule)
    for signal, value in values:
        for role, weight in matrix.get(signal, {}).items():
            support[role] += max(weight, 0.0) * value
    least = rulebook.catalogue.thresholds.get("speaks_from", 0.0)
    spoken_for = {role for role, amount in support.items() if amount > 0 and amount >= least}
    probabilities = weights.roles.probabilities(fired, counts_for, dict(values))
    order = [role for role in ranking(probabilities) if role in spoken_for]
    if not order:  # too little to decide
        return Decision(dict.fromkeys(rulebook.roles, 0.0), None, None, 0.0)
    return Decision({role: round(probabilities.get(role, 0.0), 3) for role in rulebook.roles}, order[0],
                    order[1] if len(order) > 1 else None, round(probabilities[order[0]], 2))


@lru_cache(maxsize=8)
def _role_of(rulebook: Rulebook) -> Callable[[Rule], Optional[str]]:
    """``role_of``, looked up by rule id: worked out, it reads every condition of every fired rule,
    twice a requisition."""
    roles = {rule.id: role_of(rule) for rule in rulebook.rules}
    return lambda rule: roles[rule.id]


def counted_weight(rulebook: Rulebook, rule: Rule) -> float:
    """How much a fired rule counts toward the verdict: its fitted weight (for its role, or else
    for its flavour), or its declared weight in a rulebook with no fitted weights."""
    weights = rulebook.weights
    if weights is None:
        return rule.then.weight
    if role_of(rule):
        return weights.roles.weight(rule)
    flavours = weights.flavours.get(rule.then.role)
    return flavours.weight(rule) if flavours and flavour_of(rule) else 0.0


def choose_flavour(lead: Optional[str], fired: list[Rule], values: dict[str, float], rulebook: Rulebook) -> Optional[str]:
    roles = rulebook.roles
    if not lead or not roles[lead].flavours:
        return None
    mine = [rule for rule in fired if rule.then.role == lead]
    model = rulebook.weights.flavours.get(lead) if rulebook.weights else None
    if not any(flavour_of(rule) for rule in mine):  # a prior alone is no reason to name a flavour
        return None
    if model is not None:
        probabilities = model.probabilities(mine, flavour_of, values)
        return max(probabilities, key=probabilities.get)
    weights: dict[str, float] = {}
    for rule in mine:
        if rule.then.flavour:
            weights[rule.then.flavour] = weights.get(rule.then.flavour, 0) + rule.then.weight
    return max(weights, key=weights.get) if weights else None


def title_roles(facts: dict[str, float], rulebook: Rulebook) -> list[str]:
    """The roles the title names (the ``title:<role>`` signals), sorted."""
    return [role for role, name in _title_signals(rulebook) if name in facts]


@lru_cache(maxsize=8)
def _title_signals(rulebook: Rulebook) -> tuple[tuple[str, str], ...]:
    return tuple((role, "title:" + role) for role in sorted(rulebook.roles))


@lru_cache(maxsize=8)
def _stage2_names(rulebook: Rulebook, prefix: str) -> tuple[str, ...]:
    return tuple(prefix + role for role in rulebook.roles)


def second_stage_facts(facts: dict[str, float], fired: list[Rule], rulebook: Rulebook) -> dict[str, float]:
    """What the second-stage rules see: the signals plus the first stage's evidence."""
    roles = list(rulebook.roles)
    scores = role_scores(fired, roles)
    order = ranking(scores)
    t = rulebook.catalogue.thresholds
    stage2 = dict(facts)
    stage2.update(zip(_stage2_names(rulebook, "score:"), scores.values()))
    total = sum(scores.values())
    decision = decide(fired, rulebook.matrix_values(facts), rulebook)
    if decision.lead:
        stage2["lead:" + decision.lead] = 1
        if decision.runner:
            stage2["runner:" + decision.runner] = 1
        named = title_roles(facts, rulebook)
        if named:
            stage2["check:title_matches" if decision.lead in named else "check:title_mismatch"] = 1
    stage2["evidence:total"] = round(total, 2)
    stage2["evidence:margin"] = round(scores[order[0]] - scores[order[1]], 2)
    stage2["evidence:confidence"] = decision.confidence
    work = role_scores([rule for rule in fired if not rule.reads_title], roles) if any(
        rule.reads_title for rule in fired) else scores
    substantial = t["substantial"]
    stage2.update(zip(_stage2_names(rulebook, "work:"), work.values()))
    work_order = ranking(work)
    stage2["evidence:substantial"] = sum(1 for s in work.values() if s >= substantial)
    stage2["evidence:work_margin"] = round(work[work_order[0]] - work[work_order[1]], 2)
    return stage2


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
            why_not=_why_not(self.runner_up, self.scores, evidence, self.role, self.facts, self.fired, rulebook),
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
    reasons = [_quoted(rule_reason(rulebook, r.id), r, facts, quotes) for r in fired if r.then.role]
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


def matrix_reasons(values: dict[str, float], lead: Optional[str], runner: Optional[str], rulebook: Rulebook,
                   quotes: dict[str, list[str]]) -> list[Reason]:
    """What each signal of the work (its ``values``) contributes to the lead over the runner-up, by
    its fitted matrix cells: positive for the lead, negative against it."""
    weights = rulebook.weights
    if weights is None or not lead:
        return []
    matrix, reasons = weights.roles.matrix, []
    for signal, value in values.items():
        cells = matrix.get(signal, {})
        contribution = value * (cells.get(lead, 0.0) - (cells.get(runner, 0.0) if runner else 0.0))
        if round(contribution, 2):
            reason = _matrix_reason(rulebook, signal, lead, runner, round(contribution, 2))
            reasons.append(reason.model_copy(update={"quote": quotes[signal]}) if signal in quotes else reason)
    return reasons


@lru_cache(maxsize=4096)
def _matrix_reason(rulebook: Rulebook, signal: str, lead: str, runner: Optional[str], contribution: float) -> Reason:
    roles, row = rulebook.roles, rulebook.matrix.row(signal)
    means = rulebook.lexicon.signals[signal].means
    if contribution > 0:
        verb = f"counts for {roles[lead].name}" + (f" rather than {roles[runner].name}" if runner else "")
    else:
        verb = f"counts more for {roles[runner].name} than for {roles[lead].name}" if runner else \
            f"counts against {roles[lead].name}"
    source = (rulebook.catalogue.sources[row.source.doc].cite(row.source.section) if row
              else "fitted from the labelled postings (no document names this cell)")
    return Reason(rule=f"matrix:{signal}", role=lead, weight=contribution, because=f"{means[0].upper()}{means[1:]}: {verb}.",
                  source=source, where=f"matrix.yaml:{row.line}" if row else "weights.yaml")


def _quoted(reason: Reason, rule: Rule, facts: dict[str, float], quotes: dict[str, list[str]]) -> Reason:
    """A rule's reason with the words that raised the first of its signals the requisition has."""
    for condition in (*rule.conditions[0], *rule.conditions[1]):
        if condition.name in quotes and condition.holds(facts):
            return reason.model_copy(update={"quote": quotes[condition.name]})
    return reason


def three_answers(facts: dict[str, float], lead: Optional[str], rulebook: Rulebook,
                  quotes: dict[str, list[str]]) -> list[Answer]:
    """The three questions of the documents, each answered by its strongest signal, if any; of
    equally strong ones, the one the documents count most for the verdict's role."""
    matrix = rulebook.matrix
    answers = []
    for question in QUESTIONS:
        text = rulebook.catalogue.questions[question].text if question in rulebook.catalogue.questions else question
        present = [(facts[s], matrix.row(s).counts.get(lead, 0.0), s) for s in matrix.answering(question) if s in facts]
        if not present:
            answers.append(Answer(question=question, text=text))
            continue
        *_, signal = max(present)
        answers.append(Answer(question=question, text=text, answer=rulebook.lexicon.signals[signal].means,
                              signal=signal, quote=quotes.get(signal, [])))
    return answers


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


@lru_cache(maxsize=4096)
def rule_reason(rulebook: Rulebook, rule_id: str) -> Reason:
    """A rule's reason is the same in every verdict: built once (verdicts only read it)."""
    rule = rulebook.rule(rule_id)
    return Reason(rule=rule.id, role=rule.then.role, flavour=rule.then.flavour,
                  weight=round(counted_weight(rulebook, rule), 2), reads_title=rule.reads_title,
                  because=rule.because, source=rulebook.source_text(rule), where=f"{rule.file}:{rule.line}")


@lru_cache(maxsize=4096)
def rule_finding(rulebook: Rulebook, rule_id: str, kind: str) -> Finding:
    rule = rulebook.rule(rule_id)
    key = getattr(rule.then, kind)
    message = (rulebook.catalogue.warnings if kind == "warning" else rulebook.catalogue.questions)[key]
    return Finding(id=key, text=message.text, severity=message.severity,
                   because=rule.because, source=rulebook.source_text(rule))


def unique_findings(findings) -> list[Finding]:
    seen, kept = set(), []
    for item in findings:
        if item.id not in seen:
            seen.add(item.id)
            kept.append(item)
    return kept


# What would change a verdict is said in terms of the work. Conditions on these are not: what the
# title says, how long the text is or how many fields were filled in, and the stated activity mix
# (an answer of the hiring manager's, not a description of the work).
NOT_THE_WORK = ("title:", "info:", "mix:", "mixfit:")
# A rule that lacks more than this many things is too far from this requisition to suggest: two
# already take a full-stack engineer's requisition to "running research, and statistics".
MOST_MISSING = 1
MOST_SHOWN = 3


def _why_not(runner: Optional[str], scores: dict[str, float], evidence: dict[str, float], lead: str,
             facts: dict[str, float], fired: list[Rule], rulebook: Rulebook) -> Optional[WhyNot]:
    """The runner-up's rules that did not fire and are nearest to firing, and what each lacks; none
    for a runner-up with too little evidence (its rules' declared weights) for that to be worth saying."""
    # A rulebook without the why_not_from threshold says it for every runner-up.
    if not runner or evidence[runner] < rulebook.catalogue.thresholds.get("why_not_from", 0):
        return None
    fired_ids = {r.id for r in fired}
    return WhyNot.model_construct(
        role=runner, role_name=rulebook.roles[runner].name, gap=round(scores[lead] - scores[runner], 2),
        rules=_within_reach([r for r in _evidence_rules(rulebook, runner) if r.id not in fired_ids], facts, rulebook))


def _within_reach(rules: list[Rule], facts: dict[str, float], rulebook: Rulebook) -> list[MissedRule]:
    """Of ``rules`` (strongest first), those that more of the work described would fire: fewest
    things lacking first, none that only a longer text, another title or another mix would fire,
    none that something the requisition says rules out, none that lacks all another one lacks."""
    near = []
    for rule in rules:
        required, alternatives = rule.unmet(facts)
        _, _, ruled_out_by = rule.conditions
        lacking = len(required) + bool(alternatives)
        if (lacking > MOST_MISSING or any(c.name.startswith(NOT_THE_WORK) for c in (*required, *alternatives))
                or any(c.holds(facts) for c in ruled_out_by)):
            continue
        near.append((lacking, rule, required, alternatives))
    near.sort(key=lambda item: item[0])  # stable: equally near rules stay strongest first
    shown: list[MissedRule] = []
    lacking: list[set] = []
    for _, rule, required, alternatives in near:
        lacks = {*required, alternatives} if alternatives else set(required)
        if any(earlier <= lacks for earlier in lacking):
            continue
        lacking.append(lacks)
        shown.append(_missed_rule(rulebook, rule.id, required, alternatives))
        if len(shown) == MOST_SHOWN:
            break
    return shown


@lru_cache(maxsize=256)
def _evidence_rules(rulebook: Rulebook, role: str) -> list[Rule]:
    """A role's first-stage rules that give it evidence, strongest first."""
    return sorted((r for r in rulebook.stage(1) if r.then.role == role and counted_weight(rulebook, r) > 0),
                  key=lambda r: -counted_weight(rulebook, r))


@lru_cache(maxsize=4096)
def _missed_rule(rulebook: Rulebook, rule_id: str, required: tuple, alternatives: tuple) -> MissedRule:
    """A rule that did not fire and what it lacked: the same for every verdict that lacks the same."""
    rule = rulebook.rule(rule_id)
    missing = [rulebook.describe(c) for c in required]
    if alternatives:
        missing.append("one of: " + " / ".join(rulebook.describe(c) for c in alternatives))
    return MissedRule(rule=rule.id, because=rule.because, missing=missing)
