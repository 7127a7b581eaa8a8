"""The second stage's facts: what the first stage's rules made of a requisition (each role's
score, the lead and the runner-up, the margin, whether the title agrees), added to its signals for
the second-stage rules (conflation, title checks, too little to decide) to read.
"""
from __future__ import annotations

from functools import lru_cache

from .decision import decide, ranking, role_scores
from .facts import (CONFIDENCE, LEAD, MARGIN, RUNNER, SCORE, SUBSTANTIAL, TITLE, TITLE_MATCHES, TITLE_MISMATCH,
                    TOTAL, WORK, WORK_MARGIN, Fact)
from .rulebook import Rule, Rulebook


def title_roles(facts: dict[str, float], rulebook: Rulebook) -> list[str]:
    """The roles the title names (the ``title:<role>`` signals), sorted."""
    return [role for role, name in _title_signals(rulebook) if name in facts]


@lru_cache(maxsize=8)
def _title_signals(rulebook: Rulebook) -> tuple[tuple[str, str], ...]:
    return tuple((role, TITLE.stem + role) for role in sorted(rulebook.roles))


@lru_cache(maxsize=8)
def _stage2_names(rulebook: Rulebook, fact: Fact) -> tuple[str, ...]:
    return tuple(fact.stem + role for role in rulebook.roles)


def second_stage_facts(facts: dict[str, float], fired: list[Rule], rulebook: Rulebook) -> dict[str, float]:
    """What the second-stage rules see: the signals plus the first stage's evidence."""
    roles = list(rulebook.roles)
    scores = role_scores(fired, roles)
    order = ranking(scores)
    stage2 = dict(facts)
    stage2.update(zip(_stage2_names(rulebook, SCORE), scores.values()))
    total = sum(scores.values())
    decision = decide(fired, rulebook.matrix_values(facts), rulebook)
    if decision.lead:
        stage2[LEAD.stem + decision.lead] = 1
        if decision.runner:
            stage2[RUNNER.stem + decision.runner] = 1
        named = title_roles(facts, rulebook)
        if named:
            stage2[TITLE_MATCHES.name if decision.lead in named else TITLE_MISMATCH.name] = 1
    stage2[TOTAL.name] = round(total, 2)
    stage2[MARGIN.name] = round(scores[order[0]] - scores[order[1]], 2)
    stage2[CONFIDENCE.name] = decision.confidence
    work = role_scores([rule for rule in fired if not rule.reads_title], roles) if any(
        rule.reads_title for rule in fired) else scores
    stage2.update(zip(_stage2_names(rulebook, WORK), work.values()))
    work_order = ranking(work)
    stage2[SUBSTANTIAL.name] = sum(1 for s in work.values() if s >= rulebook.catalogue.thresholds.substantial)
    stage2[WORK_MARGIN.name] = round(work[work_order[0]] - work[work_order[1]], 2)
    return stage2
