"""The Python API: a requisition in, a Verdict out."""
from __future__ import annotations

import copy
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from .engine import Stages
from .model import MAX_TEXT_CHARS, Requisition, RequisitionError
from .parallel import Keep, Outcome, choose_workers, verdicts_in_workers
from .rulebook import Rule, Rulebook, load_rulebook
from .signals import extract
from .reasons import Finding
from .verdict import Brief, Verdict, brief
from .weights import Weights

RequisitionLike = Union[str, dict, Requisition]
Fired = tuple[dict[str, float], list[str], list[str]]  # facts, then the rules each stage fired

TEXT_CUT = Finding(id="text_cut", severity="low",
                   text=f"Only the first {MAX_TEXT_CHARS:,} characters of the text were read.",
                   because="A requisition longer than that is most likely a pasted file rather than a job description.",
                   source="whichrole's input limits")


class Classifier:
    """One rulebook compiled for one engine; reuse it, compiling costs more than classifying."""

    def __init__(self, rules_dir: Optional[Path] = None, engine: str = "durable", trained: bool = True):
        self.rules_dir = Path(rules_dir) if rules_dir else None
        self.rulebook: Rulebook = load_rulebook(self.rules_dir, trained=trained)
        self.engine_name = engine
        self.stages = Stages(self.rulebook, engine)

    def fired(self, requisition: Requisition, quotes: Optional[dict[str, list[str]]] = None) -> Fired:
        """Facts and the ids of the rules each stage fired (what the engine tests compare); ``quotes``,
        if given, gets the words that raised each signal."""
        facts = extract(requisition, self.rulebook, quotes=quotes)
        return (facts, *self.stages.fire(facts))

    def facts_and_rules(self, requisition: Requisition) -> tuple[dict[str, float], list[Rule]]:
        """The first-stage facts of a requisition and the rules of both stages that fire on it
        (what the weights are fitted on)."""
        facts = extract(requisition, self.rulebook)
        return facts, self.stages.rules(facts)

    def with_weights(self, weights: Optional[Weights]) -> "Classifier":
        """The same compiled rules, counted with other weights (fitted on other postings)."""
        other = copy.copy(self)
        other.rulebook = replace(self.rulebook, weights=weights)
        other.stages = self.stages.counted_with(other.rulebook)
        return other

    def brief(self, requisition: Requisition) -> Brief:
        """The verdict on a requisition, in brief (``.verdict()`` makes it whole)."""
        quotes: dict[str, list[str]] = {}
        facts, first, second = self.fired(requisition, quotes)
        rules = [self.rulebook.rule(i) for i in (*first, *second)]
        made = brief(requisition.title, facts, rules, self.rulebook, self.engine_name, quotes)
        if len(requisition.text) > MAX_TEXT_CHARS:
            made.warnings.append(TEXT_CUT)
        return made

    def classify(self, value: RequisitionLike) -> Verdict:
        return self.brief(Requisition.build(value)).verdict()

    def verdicts(self, requisitions: Iterable[Optional[RequisitionLike]], workers: Optional[int] = 0,
                 keep: Optional[Keep] = None) -> Iterator[Outcome]:
        """A verdict for each requisition (what ``classify`` takes), in order, from ``workers``
        processes (0: this one; None: one per core, up to four, when there are enough
        requisitions), or what ``keep(requisition, brief)`` makes of the verdict in brief where it
        was made (a module-level function, so that a worker can be sent it): a Brief holds every
        field of the verdict but the few only a rendered one shows, and ``brief.verdict()`` is the
        whole Verdict. None stays None; an item that is no requisition, or one the rules cannot
        read, gives its RequisitionError."""
        requisitions = map(readable, requisitions)
        if workers is None:
            workers, requisitions = choose_workers(requisitions)
        if workers:
            yield from verdicts_in_workers(self, requisitions, workers, keep)
            return
        for requisition in requisitions:
            if not isinstance(requisition, Requisition):  # None, or why it is no requisition
                yield requisition
                continue
            try:
                made = self.brief(requisition)
            except RequisitionError as error:
                yield error
                continue
            yield keep(requisition, made) if keep else made.verdict()

    def classify_many(self, values: Iterable[RequisitionLike], workers: Optional[int] = 0) -> Iterator[Verdict]:
        """Verdicts in order; the first value that cannot be read raises its RequisitionError,
        which names the value by its place in ``values``, counting from 0."""
        for index, outcome in enumerate(self.verdicts(values, workers)):
            if not isinstance(outcome, Verdict):
                raise RequisitionError(f"item {index}: {outcome or 'None is no requisition'}")
            yield outcome


def readable(value: Optional[RequisitionLike]) -> Union[Requisition, RequisitionError, None]:
    """The requisition a value gives, or why it gives none; None stays None."""
    if value is None:
        return None
    try:
        return Requisition.build(value)
    except RequisitionError as error:
        return error


@lru_cache(maxsize=None)
def shared_classifier(rules_dir: Optional[Path] = None, engine: str = "durable") -> Classifier:
    """One shared Classifier per rulebook and engine: compiling costs more than using it."""
    return Classifier(rules_dir, engine)


def classify(value: RequisitionLike, *, rules_dir: Optional[Path] = None, engine: str = "durable") -> Verdict:
    """The verdict for free text, a mapping of requisition fields, or a Requisition."""
    return shared_classifier(rules_dir, engine).classify(value)


def classify_many(values: Iterable[RequisitionLike], *, rules_dir: Optional[Path] = None,
                  engine: str = "durable", workers: Optional[int] = 0) -> Iterator[Verdict]:
    """Verdicts in order, from ``workers`` processes (see Classifier.verdicts)."""
    return shared_classifier(rules_dir, engine).classify_many(values, workers)
