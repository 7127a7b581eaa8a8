"""The Python API: a requisition in, a Verdict out."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from .engine import Engine, make_engine
from .model import MAX_TEXT_CHARS, Requisition
from .rulebook import Rulebook, load_rulebook
from .signals import extract
from .verdict import Finding, Verdict, build_verdict, second_stage_facts

RequisitionLike = Union[str, dict, Requisition]

TEXT_CUT = Finding(id="text_cut", severity="low",
                   text=f"Only the first {MAX_TEXT_CHARS:,} characters of the text were read.",
                   because="A requisition longer than that is most likely a pasted file rather than a job description.",
                   source="whichrole's input limits")


class Classifier:
    """One rulebook compiled for one engine; reuse it, compiling costs more than classifying."""

    def __init__(self, rules_dir: Optional[Path] = None, engine: str = "durable"):
        self.rulebook: Rulebook = load_rulebook(Path(rules_dir) if rules_dir else None)
        self.engine_name = engine
        self.stages: list[Engine] = [make_engine(engine, self.rulebook.stage(n)) for n in (1, 2)]

    def fired(self, requisition: Requisition) -> tuple[dict[str, float], list[str], list[str]]:
        """Facts and the ids of the rules each stage fired (what the engine tests compare)."""
        facts = extract(requisition, self.rulebook)
        first = self.stages[0].fire(facts)
        stage2 = second_stage_facts(facts, [self.rulebook.rule(i) for i in first], self.rulebook)
        second = self.stages[1].fire(stage2)
        return facts, first, second

    def classify(self, value: RequisitionLike) -> Verdict:
        requisition = Requisition.build(value)
        facts, first, second = self.fired(requisition)
        rules = [self.rulebook.rule(i) for i in (*first, *second)]
        verdict = build_verdict(requisition.title, facts, rules, self.rulebook, self.engine_name)
        if len(requisition.text) > MAX_TEXT_CHARS:
            verdict.warnings.append(TEXT_CUT)
        return verdict

    def classify_many(self, values: Iterable[RequisitionLike]) -> Iterator[Verdict]:
        for value in values:
            yield self.classify(value)


@lru_cache(maxsize=None)
def classifier(rules_dir: Optional[Path] = None, engine: str = "durable") -> Classifier:
    """One shared Classifier per rulebook and engine: compiling costs more than using it."""
    return Classifier(rules_dir, engine)


def classify(value: RequisitionLike, *, rules_dir: Optional[Path] = None, engine: str = "durable") -> Verdict:
    """The verdict for free text, a mapping of requisition fields, or a Requisition."""
    return classifier(rules_dir, engine).classify(value)


def classify_many(values: Iterable[RequisitionLike], *, rules_dir: Optional[Path] = None,
                  engine: str = "durable") -> Iterator[Verdict]:
    return classifier(rules_dir, engine).classify_many(values)
