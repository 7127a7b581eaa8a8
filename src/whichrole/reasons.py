"""What a verdict says for itself: the reason of each rule that fired, the matrix's reasons for and
against the lead, the warnings and questions, and the three questions' answers, with the words of
the requisition that raised each. Each is built once for each way a requisition can raise it and
shared by every verdict that gives it: read them, do not change them.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from .decision import counted_weight
from .rulebook import QUESTIONS, Rule, Rulebook


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


def matrix_reasons(values: dict[str, float], lead: Optional[str], runner: Optional[str], rulebook: Rulebook,
                   quotes: dict[str, list[str]]) -> list[Reason]:
    """What each signal of the work (its ``values``) contributes to the lead over the runner-up, by
    its trained matrix cells: positive for the lead, negative against it."""
    weights = rulebook.weights
    if weights is None or not lead:
        return []
    matrix, reasons = weights.roles.matrix, []
    for signal, value in values.items():
        cells = matrix.get(signal, {})
        contribution = value * (cells.get(lead, 0.0) - (cells.get(runner, 0.0) if runner else 0.0))
        if round(contribution, 2):
            reasons.append(_matrix_reason(rulebook, signal, lead, runner, round(contribution, 2),
                                          tuple(quotes.get(signal, ()))))
    return reasons


# Reasons are built once for each way a requisition can raise them, words quoted included, and
# shared by every verdict that gives them: a verdict gives a score of them.
@lru_cache(maxsize=16384)
def _matrix_reason(rulebook: Rulebook, signal: str, lead: str, runner: Optional[str], contribution: float,
                   quote: tuple[str, ...]) -> Reason:
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
                  source=source, where=f"matrix.yaml:{row.line}" if row else "weights.yaml", quote=list(quote))


def quote_of(rule: Rule, facts: dict[str, float], quotes: dict[str, list[str]]) -> tuple[str, ...]:
    """The words that raised the first of a rule's signals the requisition has: what its reason quotes."""
    for condition in rule.said:
        if condition.name in quotes and condition.holds(facts):
            return tuple(quotes[condition.name])
    return ()


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


@lru_cache(maxsize=16384)
def rule_reason(rulebook: Rulebook, rule_id: str, quote: tuple[str, ...] = ()) -> Reason:
    """A rule's reason, quoting ``quote``: the same in every verdict that quotes the same (see _matrix_reason)."""
    rule = rulebook.rule(rule_id)
    return Reason(rule=rule.id, role=rule.then.role, flavour=rule.then.flavour,
                  weight=round(counted_weight(rulebook, rule), 2), reads_title=rule.reads_title,
                  because=rule.because, source=rulebook.source_text(rule), where=f"{rule.file}:{rule.line}",
                  quote=list(quote))


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
