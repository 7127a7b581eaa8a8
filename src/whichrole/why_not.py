"""What would change a verdict: the runner-up's rules nearest to firing, and what each lacks, said
in terms of the work (never the title, the length of the text or the stated mix).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from pydantic import BaseModel, ConfigDict

from .decision import counted_weight
from .rulebook import Rule, Rulebook


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


# A rule that lacks more than this many things is too far from this requisition to suggest: two
# already take a full-stack engineer's requisition to "running research, and statistics".
MOST_MISSING = 1


MOST_SHOWN = 3


def why_not(runner: Optional[str], scores: dict[str, float], evidence: dict[str, float], lead: str,
             facts: dict[str, float], fired: list[Rule], rulebook: Rulebook) -> Optional[WhyNot]:
    """The runner-up's rules that did not fire and are nearest to firing, and what each lacks; none
    for a runner-up with too little evidence (its rules' declared weights) for that to be worth saying."""
    if not runner or evidence[runner] < rulebook.catalogue.thresholds.why_not_from:
        return None
    fired_ids = {r.id for r in fired}
    return WhyNot.model_construct(
        role=runner, role_name=rulebook.roles[runner].name, gap=round(scores[lead] - scores[runner], 2),
        rules=_within_reach([r for r in _evidence_rules(rulebook, runner) if r.id not in fired_ids], facts, rulebook))


def _within_reach(rules: list[Rule], facts: dict[str, float], rulebook: Rulebook) -> list[MissedRule]:
    """Of ``rules`` (strongest first), those that more of the work described would fire: fewest
    things lacking first, none that only a longer text, another title or another mix would fire,
    none that something the requisition says rules out, none that lacks all another one lacks."""
    # What would change a verdict is said in terms of the work: the lexicon's signals. The derived
    # facts are not (what the title says, how long the text is, the stated activity mix, its language).
    not_the_work = rulebook.derived_facts()
    near = []
    for rule in rules:
        required, alternatives = rule.unmet(facts)
        _, _, ruled_out_by = rule.conditions
        lacking = len(required) + bool(alternatives)
        if (lacking > MOST_MISSING or any(c.name in not_the_work for c in (*required, *alternatives))
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
