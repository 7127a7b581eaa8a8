"""Rule examples: named requisitions kept beside the rules, in ``examples/*.yaml`` of a rules
directory, each saying which role its verdict must name and which rules must fire and must not.

They show a reader what each rule is for, and hold the rules to it: ``whichrole rules check``
runs every case and reports each one that no longer gives what it says, and each rule that no
case shows firing, as ``file:line: what``.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from pydantic import BaseModel, ConfigDict, Field

from .labelled import UNDETERMINED
from .model import Requisition
from .rulebook import LINE_KEY, Problem, Rulebook, checked_model, read_yaml

if TYPE_CHECKING:
    from .classifier import Classifier

EXAMPLES_DIR = "examples"


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    requisition: Requisition
    role: str = Field(description=f"a role of the catalogue, or {UNDETERMINED!r} for too little to decide")
    flavour: Optional[str] = None
    fires: list[str] = Field(default_factory=list)
    does_not_fire: list[str] = Field(default_factory=list)
    file: str = ""
    line: int = 0


class ExampleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cases: list[Example]


def read_examples(rules_dir: Path) -> tuple[list[Example], list[Problem]]:
    """The cases of every file in the rules directory's examples folder (none if it has no such folder)."""
    examples: list[Example] = []
    problems: list[Problem] = []
    for path in sorted((rules_dir / EXAMPLES_DIR).glob("*.yaml")):
        where = f"{EXAMPLES_DIR}/{path.name}"
        found: list[Problem] = []
        data = read_yaml(path, found)
        read = checked_model(ExampleFile, data, path, found) if data is not None else None
        problems += [replace(problem, file=where) for problem in found]  # they name the file alone
        if read is not None:
            examples += [case.model_copy(update={"file": where, "line": raw.get(LINE_KEY, 0)})
                         for case, raw in zip(read.cases, data["cases"])]
    return examples, problems


def example_problems(examples: list[Example], book: Rulebook) -> list[Problem]:
    """Cases that name what the rulebook does not have, names used twice, and rules no case shows firing."""
    problems: list[Problem] = []
    known_rules = {rule.id for rule in book.rules}
    seen: dict[str, Example] = {}
    for case in examples:
        def add(message: str) -> None:
            problems.append(Problem(case.file, case.line, f"{case.name}: {message}"))
        if case.name in seen:
            add(f"a case of that name comes first at {seen[case.name].file}:{seen[case.name].line}")
        seen[case.name] = case
        if case.role != UNDETERMINED and case.role not in book.roles:
            add(f"unknown role {case.role!r}")
        elif case.flavour and case.flavour not in getattr(book.roles.get(case.role), "flavours", {}):
            add(f"role {case.role} has no flavour {case.flavour!r}")
        for rule_id in sorted({*case.fires, *case.does_not_fire} - known_rules):
            add(f"unknown rule {rule_id!r}")
        for rule_id in sorted(set(case.fires) & set(case.does_not_fire)):
            add(f"{rule_id} must both fire and not fire")
    if examples:
        shown = {rule_id for case in examples for rule_id in case.fires}
        problems += [Problem(rule.file, rule.line, f"{rule.id}: no case in {EXAMPLES_DIR}/ shows it firing")
                     for rule in book.rules if rule.id not in shown]
    return problems


def differences(case: Example, classifier: "Classifier") -> list[str]:
    """What the verdict on the case's requisition gives that the case does not say; empty if all holds."""
    verdict = classifier.brief(case.requisition)
    fired = {rule.id for rule in verdict.fired}
    found = []
    role = verdict.role or UNDETERMINED
    if role != case.role:
        found.append(f"role {role}, expected {case.role}")
    if case.flavour and verdict.flavour != case.flavour:
        found.append(f"flavour {verdict.flavour}, expected {case.flavour}")
    missing = [rule_id for rule_id in case.fires if rule_id not in fired]
    if missing:
        found.append(f"did not fire: {', '.join(missing)}")
    unwanted = [rule_id for rule_id in case.does_not_fire if rule_id in fired]
    if unwanted:
        found.append(f"fired: {', '.join(unwanted)}")
    return found


def check_examples(classifier: "Classifier") -> list[Problem]:
    """Every problem of the examples beside the classifier's rulebook, each failing case's among them."""
    examples, problems = read_examples(classifier.rulebook.directory)
    problems += example_problems(examples, classifier.rulebook)
    for case in examples:
        found = differences(case, classifier)
        if found:
            problems.append(Problem(case.file, case.line, f"{case.name}: {'; '.join(found)}"))
    return problems
