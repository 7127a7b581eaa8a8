"""durable_rules and the pure-Python reference must fire exactly the same rules."""
import threading

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from rule_facts import facts_strategy
from samples import CLEAR, GERMAN, UNICORN
from whichrole import load_rulebook
from whichrole.engine import DurableEngine, ReferenceEngine
from whichrole.model import Requisition

BOOK = load_rulebook()
STAGES = {n: (DurableEngine(BOOK.stage(n)), ReferenceEngine(BOOK.stage(n))) for n in (1, 2)}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=facts_strategy(BOOK, max_size=40), stage=st.sampled_from([1, 2]))
def test_random_facts_fire_the_same_rules(facts, stage):
    durable, reference = STAGES[stage]
    assert durable.fire(facts) == reference.fire(facts)


def requisitions():
    for title, description in [*CLEAR.values(), UNICORN, GERMAN]:
        yield {"title": title, "description": description}
        yield {"description": description}
    yield {"primary_output": "insight", "failure_mode": "misleading_analysis", "level": "principal"}
    yield {"mix": "20/40/20/20", "org_archetype": "big_tech_product"}
    yield {"title": "Data Scientist"}


def test_real_looking_requisitions_fire_the_same_rules(durable, reference):
    fired_somewhere = 0
    for value in requisitions():
        requisition = Requisition.build(value)
        assert durable.fired(requisition) == reference.fired(requisition), value
        fired_somewhere += bool(durable.fired(requisition)[1])
    assert fired_somewhere > 10


def test_verdicts_agree(durable, reference):
    for value in requisitions():
        a, b = durable.classify(value), reference.classify(value)
        assert a.model_dump(exclude={"engine"}) == b.model_dump(exclude={"engine"})


def test_fresh_sessions_keep_answers(monkeypatch):
    import whichrole.engine as engine_module

    monkeypatch.setattr(engine_module, "SESSION_FACTS", 5)
    monkeypatch.setattr(engine_module, "CACHE_SIZE", 0)
    durable = DurableEngine(BOOK.stage(1))
    reference = ReferenceEngine(BOOK.stage(1))
    from whichrole.signals import extract

    facts = [extract(Requisition.build(v), BOOK) for v in requisitions()]
    for _ in range(4):  # several session rotations, uncached
        for f in facts:
            assert durable.fire(f) == reference.fire(f)
    assert durable._session >= 4


def test_threads_get_the_answers_one_thread_gets(monkeypatch, reference):
    import whichrole.engine as engine_module
    from whichrole import Classifier

    monkeypatch.setattr(engine_module, "CACHE_SIZE", 0)  # every call reaches durable_rules
    uncached = Classifier(engine="durable")
    values = list(requisitions())
    expected = [reference.classify(v).role for v in values]
    wrong, errors = [], []

    def work():
        try:
            for _ in range(10):
                for value, role in zip(values, expected):
                    got = uncached.classify(value).role
                    if got != role:
                        wrong.append((value, got, role))
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and not wrong
    assert uncached.stages[0].cached_keys == 0


def test_a_fact_no_rule_matches_fires_nothing():
    durable, reference = STAGES[1]
    assert durable.fire({}) == reference.fire({}) == []
    assert durable.fire({"info:words": 3}) == []


@pytest.mark.parametrize("extra, compiles", [(0, True), (1, False)])
def test_the_alternatives_limit_is_durable_rules_own(extra, compiles):
    """rules check refuses what durable_rules cannot compile, and nothing it can."""
    from whichrole.rulebook import MAX_ALTERNATIVES, Rule

    rule = Rule.model_validate({
        "id": "wide", "when": {"all": ["skill:a"], "none": [f"skill:n{i}" for i in range(MAX_ALTERNATIVES + extra)]},
        "then": {"role": "data_scientist", "weight": 1}, "because": "A rule as wide as the limit allows.",
        "source": {"doc": "vector", "section": "x"}})
    if compiles:
        assert DurableEngine([rule]).fire({"skill:a": 1}) == ["wide"]
    else:
        with pytest.raises(Exception, match="error code: 113"):
            DurableEngine([rule])
