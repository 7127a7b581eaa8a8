"""How much each fired rule counts: weights trained from labelled postings.

A rule's YAML says what it is evidence *for* (a role, a flavour, a warning) and how strong its
author declared it; ``rules/weights.yaml`` says how much its firing counts toward the probability
of that role, as trained by ``whichrole rules train`` (a multinomial logistic model over rule firings,
each weight constrained to the sign its rule declares, so a rule only ever counts for what it says).
Classifying needs only this module: the training itself (numpy, scipy) lives in ``training.py``.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .facts import VERDICT_STEMS
from .files import write_text

if TYPE_CHECKING:
    from .rulebook import Rule

WEIGHTS_FILE = "weights.yaml"


class Model(BaseModel):
    """A multinomial logistic model: a class's logit is its bias, plus the weights of the fired rules
    that speak for it, plus each signal's level times the signal's matrix cell for the class (for
    or against it), divided by the temperature."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    bias: dict[str, float]
    weights: dict[str, dict[str, float]] = Field(description="class -> rule id -> weight")
    matrix: dict[str, dict[str, float]] = Field(default_factory=dict,
                                                description="signal -> class -> weight per unit of signal_value")
    temperature: float = Field(default=1.0, gt=0)

    def model_post_init(self, _context) -> None:
        self._weight = {rule: w for rules in self.weights.values() for rule, w in rules.items()}

    def weight(self, rule: "Rule") -> float:
        """The trained weight; a rule added since the training counts its declared weight until retrained."""
        return self._weight.get(rule.id, rule.then.weight)

    def logits(self, fired: Iterable["Rule"], class_of: Callable[["Rule"], Optional[str]],
               values: Optional[dict[str, float]] = None) -> dict[str, float]:
        """Each class's logit. ``values`` are the signals' values as the matrix reads them
        (``Rulebook.matrix_values``)."""
        return self.logits_and_support(fired, class_of, values)[0]

    def logits_and_support(self, fired: Iterable["Rule"], class_of: Callable[["Rule"], Optional[str]],
                           values: Optional[dict[str, float]] = None) -> tuple[dict[str, float], dict[str, float]]:
        """Each class's logit, and what speaks for it: the same sums without the bias and with
        only the matrix cells for it, not those against it."""
        logits = dict(self.bias)
        support: dict[str, float] = defaultdict(float)
        for rule in fired:
            cls = class_of(rule)
            if cls:
                weight = self.weight(rule)
                support[cls] += weight
                if cls in logits:
                    logits[cls] += weight
        for signal, value in (values or {}).items():
            for cls, weight in self.matrix.get(signal, {}).items():
                logits[cls] += weight * value
                if weight > 0:
                    support[cls] += weight * value
        return logits, support

    def probabilities(self, fired: Iterable["Rule"], class_of: Callable[["Rule"], Optional[str]],
                      values: Optional[dict[str, float]] = None) -> dict[str, float]:
        """Each class's probability."""
        return softmax(self.logits(fired, class_of, values), self.temperature)


def save(weights: "Weights", path: Path) -> None:
    """Write the weights as YAML, atomically, with a header saying where they come from."""
    p = weights.provenance
    header = (f"# Trained by 'whichrole rules train' from {p.labelled_file} (sha256 {p.sha256[:16]}..., "
              f"{p.postings} postings) on {p.trained_on}.\n"
              "# How much each rule's firing counts toward its role (or flavour); the rules themselves are\n"
              "# in the other files of this folder. Retrain after changing rules: 'whichrole rules check' says when.\n")
    body = yaml.safe_dump(weights.model_dump(exclude_none=True), sort_keys=False, allow_unicode=True, width=100)
    write_text(path, header + body)


def softmax(logits: dict[str, float], temperature: float = 1.0) -> dict[str, float]:
    top = max(logits.values())
    exps = {k: math.exp((v - top) / temperature) for k, v in logits.items()}
    total = sum(exps.values())
    return {k: e / total for k, e in exps.items()}


class CrossValidated(BaseModel):
    """Out-of-fold figures of the settings the weights were trained with."""

    model_config = ConfigDict(extra="forbid")

    folds: int
    repeats: int = 1
    accuracy: float
    accuracy_spread: float = Field(description="standard deviation of the per-fold accuracy")
    peer_accuracy: Optional[float] = Field(default=None, description="the bag-of-words peer on the same folds")
    expected_calibration_error: float
    flavour_accuracy: Optional[float] = None
    conflation_precision: Optional[float] = None
    conflation_recall: Optional[float] = None


class Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labelled_file: str
    sha256: str
    postings: int
    trained_on: str
    settings: dict[str, Union[int, float]]
    cross_validated: Optional[CrossValidated] = None
    skipped: int = Field(default=0, description="labelled postings that could not be read, left out")
    never_fired: list[str] = Field(default_factory=list,
                                   description="rules that fired on none of the labelled postings")


class Weights(BaseModel):
    """The trained models of a rulebook and where they come from."""

    model_config = ConfigDict(extra="forbid")

    provenance: Provenance
    roles: Model
    flavours: dict[str, Model] = Field(default_factory=dict, description="role -> model over its flavours")
    fingerprints: dict[str, str] = Field(description="rule id -> fingerprint of what it was trained as")
    matrix_fingerprint: Optional[str] = Field(default=None, description="the signals and prior cells the matrix "
                                              "was trained with")

    def stale(self, rules: Iterable["Rule"]) -> tuple[list[str], list[str], list[str]]:
        """Rules trained as something they no longer are; rules with no trained weight; trained rules
        the rulebook no longer has."""
        by_id = {rule.id: rule for rule in rules}
        changed = [rid for rid, fp in self.fingerprints.items() if rid in by_id and fingerprint(by_id[rid]) != fp]
        fittable = [rid for rid, rule in by_id.items() if role_of(rule) or flavour_of(rule)]
        missing = [rid for rid in fittable if rid not in self.fingerprints]
        gone = [rid for rid in self.fingerprints if rid not in by_id]
        return changed, missing, gone


def fingerprint(rule: "Rule") -> str:
    """What a trained weight depends on: the rule's condition, what it speaks for, and its declared weight."""
    said = {"when": rule.when.model_dump(), "role": rule.then.role, "flavour": rule.then.flavour,
            "declared": rule.then.weight}  # the training pulls toward a share of it, and keeps its sign
    return hashlib.sha256(json.dumps(said, sort_keys=True).encode()).hexdigest()[:12]


def reads_verdict(rule: "Rule") -> bool:
    """A rule reading the first stage's verdict cannot be evidence for the verdict itself (it would
    count the verdict twice)."""
    return any(c.name.startswith(VERDICT_STEMS) for group in rule.conditions for c in group)


def role_of(rule: "Rule") -> Optional[str]:
    """The role a rule's firing counts for in the role model, if any."""
    return rule.then.role if rule.then.role and rule.then.weight and not reads_verdict(rule) else None


def flavour_of(rule: "Rule") -> Optional[str]:
    """The flavour a rule's firing counts for in its role's flavour model, if any."""
    return rule.then.flavour if rule.then.role and rule.then.weight > 0 else None

