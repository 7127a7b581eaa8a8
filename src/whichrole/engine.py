"""Which rules fire on a set of facts: durable_rules, and a pure-Python reference of the same.

durable_rules is kept behind this module alone. What it needs:
facts rather than events, a unique id per fact, retraction after each use, at most 511 rules
per ruleset (here a few rules of one file each), sessions reset before ~46,000
facts, and every call serialised, because its rulesets are process-global and silently wrong
under threads.
"""
from __future__ import annotations

import bisect
import copy
import itertools
import re
import threading
from collections import OrderedDict, defaultdict
from functools import lru_cache
from typing import Iterable, Protocol

from .evidence import second_stage_facts
from .rulebook import Condition, Rule, Rulebook

# Rules per ruleset, each with its own cache of answers keyed on what its rules read. Few rules
# read few signals, so their keys recur across requisitions: with five, a stream of new
# requisitions calls into durable_rules a third less often than with one ruleset per file.
SHARD_SIZE = 5
SESSION_FACTS = 20_000
CACHE_SIZE = 50_000


class EngineUnavailable(RuntimeError):
    """durable_rules cannot be loaded here (a one-line reason)."""


class Engine(Protocol):
    name: str

    def fire(self, facts: dict[str, float]) -> list[str]: ...


class ReferenceEngine:
    """The meaning of the rules, in plain Python: the test oracle for the durable engine."""

    name = "reference"

    def __init__(self, rules: Iterable[Rule]):
        self.rules = list(rules)

    def fire(self, facts: dict[str, float]) -> list[str]:
        return [rule.id for rule in self.rules if rule.holds(facts)]


def _load_durable():
    try:
        from durable import engine as durable_engine
    except ImportError as error:  # 3.13 fails with 'undefined symbol: PyEval_CallObject'
        raise EngineUnavailable(
            f"the rules engine (durable_rules) cannot load on this Python: {str(error).splitlines()[0]}; "
            "whichrole needs CPython 3.10, 3.11 or 3.12") from None
    return durable_engine


@lru_cache(maxsize=4096)
def property_name(signal: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", signal.replace(":", "__"))


def _test(condition: Condition) -> dict:
    prop = property_name(condition.name)
    op = {">=": "$gte", "<=": "$lte", ">": "$gt", "<": "$lt", "!=": "$neq"}.get(condition.op)
    return {op: {prop: condition.value}} if op else {prop: condition.value}


def _negate(condition: Condition) -> dict:
    """'not (x OP v)': x absent, or the opposite comparison holds."""
    opposite = {">=": "<", "<=": ">", ">": "<=", "<": ">=", "==": "!=", "!=": "=="}[condition.op]
    return {"$or": [{"$nex": {property_name(condition.name): 1}},
                    _test(Condition(condition.name, opposite, condition.value))]}


def to_durable(rule: Rule) -> dict:
    """One rule as a durable_rules JSON condition on the fact ``m``."""
    all_, any_, none_ = rule.conditions
    terms = [_test(c) for c in all_]
    if any_:
        terms.append(_test(any_[0]) if len(any_) == 1 else {"$or": [_test(c) for c in any_]})
    terms.extend(_negate(c) for c in none_)
    return {"all": [{"m": terms[0] if len(terms) == 1 else {"$and": terms}}]}


_LOCK = threading.RLock()
_names = itertools.count()


class _Shard:
    """One durable_rules ruleset: up to SHARD_SIZE rules of one rules file, with a cache of its
    own keyed only on what its rules read, so a shard about titles or the activity mix answers
    from its cache while a shard about skills is still learning."""

    def __init__(self, name: str, rules: list[Rule]):
        self.name = name
        self.rules = rules
        thresholds = defaultdict(set)
        for rule in rules:
            for group in rule.conditions:
                for condition in group:
                    thresholds[condition.name].add(condition.value)
        # A rule only asks on which side of its thresholds a value lies, so the cache key keeps
        # just that: facts that differ only in, say, an exact word count share one entry.
        self.cuts = {name: sorted(values) for name, values in thresholds.items()}
        self.cache: OrderedDict[frozenset, list[str]] = OrderedDict()
        # durable_rules crashes (not raises) when asked to delete a session it never saw.
        self.has_session = False


class DurableEngine:
    """The rules compiled into durable_rules rulesets; each fact asserted, collected, retracted."""

    name = "durable"

    def __init__(self, rules: Iterable[Rule]):
        durable = _load_durable()
        self._not_handled = durable.MessageNotHandledException

        class _Host(durable.Host):
            def _run(self):  # no background dispatch threads: every action runs inside our call
                pass

        self.rules = list(rules)
        self._fired: list[str] = []
        self._order = {rule.id: i for i, rule in enumerate(self.rules)}
        self._fact_ids = itertools.count(1)
        self._session = 0
        self._session_facts = 0
        by_file: dict[str, list[Rule]] = defaultdict(list)
        for rule in self.rules:
            by_file[rule.file].append(rule)
        self._shards = [_Shard(f"whichrole_{next(_names)}", group[start:start + SHARD_SIZE])
                        for group in by_file.values() for start in range(0, len(group), SHARD_SIZE)]
        # For each name, the shards that read it: one pass over the facts keys every shard.
        self._readers: dict[str, list[tuple[int, list[float]]]] = defaultdict(list)
        for index, shard in enumerate(self._shards):
            for name, cuts in shard.cuts.items():
                self._readers[name].append((index, cuts))
        definitions = {shard.name: {f"r_{i}": {**to_durable(rule), "run": self._action(rule.id)}
                                    for i, rule in enumerate(shard.rules)} for shard in self._shards}
        with _LOCK:
            self._host = _Host()
            self._host.register_rulesets(definitions)
            # What each shard fires on facts it reads none of (rules of 'none' conditions alone): most
            # requisitions leave most shards so. Asking each also warms it up: the first calls on a
            # fresh ruleset are the fragile ones.
            self._fire_on_nothing = [(index, fired) for index, shard in enumerate(self._shards)
                                     if (fired := self._run(shard, {}))]

    def _action(self, rule_id: str):
        def run(context):
            self._fired.append(rule_id)
        return run

    @property
    def cached_keys(self) -> int:
        return sum(len(shard.cache) for shard in self._shards)

    def _keys(self, facts: dict[str, float]) -> dict[int, frozenset]:
        """For each shard that reads any of the facts: each name it reads, with the side of each of its
        thresholds the value is on."""
        keys: dict[int, list] = defaultdict(list)
        read = self._readers
        for item in facts.items():
            if item[0] in read:  # most facts are read by no rule of a stage
                for index, entry in self._key_entries(item):
                    keys[index].append(entry)
        return {index: frozenset(key) for index, key in keys.items()}

    @lru_cache(maxsize=65536)  # an engine per rulebook stage: a few per process, kept for its life
    def _key_entries(self, item: tuple[str, float]) -> tuple[tuple[int, tuple], ...]:
        name, value = item
        entries = []
        for index, cuts in self._readers.get(name, ()):
            position = bisect.bisect_left(cuts, value)
            entries.append((index, (name, position, position < len(cuts) and cuts[position] == value)))
        return tuple(entries)

    def fire(self, facts: dict[str, float]) -> list[str]:
        keys = self._keys(facts)
        fired = [rule for index, rules in self._fire_on_nothing if index not in keys for rule in rules]
        with _LOCK:
            for index, key in keys.items():
                shard = self._shards[index]
                cached = shard.cache.get(key)
                if cached is None:
                    cached = self._run(shard, {property_name(name): facts[name] for name, _, _ in key})
                    shard.cache[key] = cached
                    if len(shard.cache) > CACHE_SIZE:
                        shard.cache.popitem(last=False)
                else:
                    shard.cache.move_to_end(key)
                fired.extend(cached)
        return sorted(fired, key=self._order.__getitem__)

    def _run(self, shard: _Shard, fact: dict) -> list[str]:
        self._rotate_session()
        fact = {**fact, "id": next(self._fact_ids), "sid": str(self._session)}
        self._fired = []
        try:
            state = self._host.assert_fact(shard.name, fact)
        except self._not_handled:
            return []
        shard.has_session = True
        if isinstance(state, dict) and state.get("exception"):
            raise RuntimeError(f"rule action failed: {state['exception']}")
        self._host.retract_fact(shard.name, fact)
        self._session_facts += 1
        # A rule whose 'any' holds in several ways fires once per way: count it once.
        # fire() puts the rules in rulebook order.
        return list(dict.fromkeys(self._fired))

    def _rotate_session(self) -> None:
        """A fresh session before durable_rules' fact bookkeeping goes wrong (durable_rules' own issue #376)."""
        if self._session_facts < SESSION_FACTS:
            return
        for shard in self._shards:
            if shard.has_session:
                self._host.delete_state(shard.name, str(self._session))
                shard.has_session = False
        self._session += 1
        self._session_facts = 0


def make_engine(kind: str, rules: Iterable[Rule]) -> Engine:
    if kind == "durable":
        return DurableEngine(rules)
    if kind == "reference":
        return ReferenceEngine(rules)
    raise ValueError(f"unknown engine {kind!r} (durable or reference)")


class Stages:
    """A rulebook's two stages, each compiled for one engine: the first reads the facts; the second
    reads them with what the first stage's rules made of them (``evidence``)."""

    def __init__(self, rulebook: Rulebook, kind: str):
        self.rulebook = rulebook
        self.engines: list[Engine] = [make_engine(kind, rulebook.stage(n)) for n in (1, 2)]

    def __getitem__(self, stage: int) -> Engine:
        return self.engines[stage]

    def counted_with(self, rulebook: Rulebook) -> "Stages":
        """The same compiled engines, the first stage's evidence counted by ``rulebook`` (the same
        rules with other weights)."""
        other = copy.copy(self)
        other.rulebook = rulebook
        return other

    def fire(self, facts: dict[str, float]) -> tuple[list[str], list[str]]:
        """The ids of the rules each stage fires (what the engine tests compare)."""
        first, second = self.engines
        fired_first = first.fire(facts)
        stage2 = second_stage_facts(facts, [self.rulebook.rule(i) for i in fired_first], self.rulebook)
        return fired_first, second.fire(stage2)

    def rules(self, facts: dict[str, float]) -> list[Rule]:
        """The rules of both stages that fire on ``facts``."""
        first, second = self.fire(facts)
        return [self.rulebook.rule(i) for i in (*first, *second)]
