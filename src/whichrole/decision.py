"""How the evidence decides: each role's score, the lead and the runner-up, how sure, the flavour.

With trained weights (``rules/weights.yaml``) the scores are each role's probability from the fired
rules and the signals' matrix cells; without, the declared weights' sums. The candidate side reads
the same maths.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable, NamedTuple, Optional

from .rulebook import Rule, Rulebook
from .weights import flavour_of, role_of, softmax


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
    share = 1.0 / sum(math.exp((s - top) / t.temperature) for s in scores.values())
    coverage = min(1.0, total / t.full_evidence) ** 0.5
    return round(share * coverage, 2)


# A probability trained on a few hundred labelled postings is never certainty.
MOST_SURE = 0.99


class Decision(NamedTuple):
    scores: dict[str, float]
    lead: Optional[str]
    runner: Optional[str]
    confidence: float


def decide(fired: list[Rule], values: dict[str, float], rulebook: Rulebook) -> Decision:
    """The leading role, the runner-up and how sure, from the fired rules and the signals' ``values``
    (``Rulebook.matrix_values``): by the trained weights where the rulebook has them (the scores are
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
    model = weights.roles
    logits, support = model.logits_and_support(fired, _role_of(rulebook), dict(values))
    least = rulebook.catalogue.thresholds.speaks_from
    spoken_for = {role for role, amount in support.items() if amount > 0 and amount >= least}
    probabilities = softmax(logits, model.temperature)
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
    """How much a fired rule counts toward the verdict: its trained weight (for its role, or else
    for its flavour), or its declared weight in a rulebook with no trained weights."""
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
