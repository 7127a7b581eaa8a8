"""For the candidate rulebook too, durable_rules and the pure-Python reference fire the same rules."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from rule_facts import facts_strategy
from whichrole.candidate import Fitter, Profile
from whichrole.candidate.rulebook import load_candidate_rulebook
from whichrole.candidate.signals import profile_facts
from whichrole.engine import DurableEngine, ReferenceEngine

BOOK = load_candidate_rulebook()
STAGES = {n: (DurableEngine(BOOK.stage(n)), ReferenceEngine(BOOK.stage(n))) for n in (1, 2)}

PROFILES = [
    "phd=yes papers=3 engineering=strong mix=20/40/20/20 years=6 org=frontier_lab",
    "phd=yes papers=5 interests=science mix=60/30/5/5 org=research_lab",
    "engineering=strong interests=infra org=frontier_lab",
    "engineering=strong interests=infra org=big_tech",
    "engineering=strong interests=infra degree=master level=junior",
    "engineering=solid research=none mix=5/20/60/15",
    "engineering=solid interests=llm org=saas,startup mix=0/15/60/25",
    "interests=analysis mix=10/40/10/40 engineering=basic",
    "phd=yes papers=10 level=principal interests=science,production years=15 engineering=solid org=big_tech",
    "org=frontier_lab",
    "PhD with four papers, love the science, aiming at a frontier lab or an academic group",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=facts_strategy(BOOK, max_size=30), stage=st.sampled_from([1, 2]))
def test_random_facts_fire_the_same_candidate_rules(facts, stage):
    durable, reference = STAGES[stage]
    assert durable.fire(facts) == reference.fire(facts)


@pytest.fixture(scope="module")
def fitters():
    return Fitter(engine="durable"), Fitter(engine="reference")


def test_profiles_fire_the_same_rules(fitters):
    durable, reference = fitters
    fired = {1: 0, 2: 0}
    for line in PROFILES:
        facts = profile_facts(Profile.build(line), BOOK)
        first, second = durable.stages.fire(facts)
        assert (first, second) == reference.stages.fire(facts), line
        fired[1] += bool(first)
        fired[2] += bool(second)
    assert fired[1] == len(PROFILES) and fired[2] >= 5


def test_fits_agree(fitters):
    durable, reference = fitters
    for line in PROFILES:
        a, b = durable.fit(line), reference.fit(line)
        assert a.model_dump(exclude={"engine"}) == b.model_dump(exclude={"engine"}), line
