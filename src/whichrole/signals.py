"""From a requisition to signals: the normalised facts the rules are written against.

Free text goes through the lexicon (phrases and patterns per signal, weighed by the section
they stand in, ignored when negated); structured fields map to signals through the lexicon's
``fields`` table; a few signals are derived (title, activity mix, amount of information).
Each text signal gets a level 1-3 from how much weighted evidence stands behind it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from .model import MIX_PARTS, STRUCTURED_FIELDS, Requisition, RequisitionError
from .rulebook import MAX_SIGNAL_LEVEL, Rulebook

_TOKEN = re.compile(r"[a-z0-9]+[+#]*")


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Plural-insensitive form of a token, applied alike to text and phrases."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(text.lower())]


@dataclass(frozen=True)
class _Phrase:
    rest: tuple[str, ...]   # tokens after the first
    signal: str


@dataclass(frozen=True)
class Hit:
    signal: str
    start: int  # token position
    weight: float


class CompiledLexicon:
    """The lexicon turned into a first-token index, so a text is read in one pass."""

    def __init__(self, rulebook: Rulebook):
        lex = rulebook.lexicon
        self.rulebook = rulebook
        self.levels = lex.levels
        self.negators = frozenset(stem(t) for t in lex.negators)
        self.window = lex.negation_window
        self.not_needed = frozenset(stem(t) for t in lex.not_needed)
        self.opening_weight = lex.opening_weight
        self.title_weight = lex.title_weight
        self.index: dict[str, list[_Phrase]] = defaultdict(list)
        for signal, entry in lex.signals.items():
            for phrase in entry.phrases:
                self._add(tokens(phrase), signal)
        self.patterns = [(re.compile(p, re.IGNORECASE), signal)
                         for signal, entry in lex.signals.items() for p in entry.patterns]
        self.headings: dict[str, list[_Phrase]] = defaultdict(list)
        self.section_weight = {}
        for name, section in lex.sections.items():
            self.section_weight[name] = section.weight
            for heading in section.headings:
                first, *rest = tokens(heading)
                self.headings[first].append(_Phrase(tuple(rest), name))
        self.title_index: dict[str, list[_Phrase]] = defaultdict(list)
        for role_id, role in rulebook.roles.items():
            for alias in role.aliases:
                first, *rest = tokens(alias)
                self.title_index[first].append(_Phrase(tuple(rest), f"title:{role_id}"))
        for table in (self.index, self.headings, self.title_index):
            for phrases in table.values():
                phrases.sort(key=lambda p: -len(p.rest))  # longest phrase wins at a position

    def _add(self, words: list[str], signal: str) -> None:
        if words:
            self.index[words[0]].append(_Phrase(tuple(words[1:]), signal))

    @staticmethod
    def _match(table, words: list[str], i: int) -> tuple[list[str], int]:
        """Every signal of the longest phrase starting at ``i`` (phrases are sorted longest first)."""
        found, length = [], 0
        for phrase in table.get(words[i], ()):
            n = len(phrase.rest)
            if length and n + 1 < length:
                break
            if tuple(words[i + 1:i + 1 + n]) == phrase.rest:
                found.append(phrase.signal)
                length = n + 1
        return found, length

    def _negated(self, words: list[str], i: int, length: int) -> bool:
        """'no PhD', 'without Spark' before the phrase; 'PhD not required' after it."""
        before = words[max(0, i - self.window):i]
        after = words[i + length:i + length + 3]
        return any(w in self.negators for w in before) or any(
            after[j] in self.negators and after[j + 1] in self.not_needed for j in range(len(after) - 1))

    def read(self, text: str, base_weight: float | None = None) -> dict[str, float]:
        """Weighted evidence per signal in ``text``; sections re-weigh what follows their heading."""
        words = tokens(text)
        evidence: dict[str, float] = defaultdict(float)
        weight = self.opening_weight if base_weight is None else base_weight
        i, n = 0, len(words)
        while i < n:
            if base_weight is None:
                sections, length = self._match(self.headings, words, i)
                if sections:
                    weight = self.section_weight[sections[0]]
                    i += length
                    continue
            signals, length = self._match(self.index, words, i)
            if signals:
                if weight and not self._negated(words, i, length):
                    for signal in set(signals):
                        evidence[signal] += weight
                i += length
            else:
                i += 1
        if self.patterns:
            lowered = text.lower()
            for pattern, signal in self.patterns:
                found = len(pattern.findall(lowered))
                if found:
                    evidence[signal] += found * (weight if base_weight is not None else 1.0)
        return evidence

    def title_roles(self, title: str) -> set[str]:
        words = tokens(title)
        found = set()
        for i in range(len(words)):
            found.update(self._match(self.title_index, words, i)[0])
        return found

    def level(self, amount: float) -> int:
        level = 0
        for threshold in self.levels:
            if amount >= threshold:
                level += 1
        return level


@lru_cache(maxsize=8)
def compiled(rulebook: Rulebook) -> CompiledLexicon:
    return CompiledLexicon(rulebook)


def extract(requisition: Requisition, rulebook: Rulebook) -> dict[str, float]:
    """The first-stage facts of a requisition: signal name -> level or number."""
    lexicon = compiled(rulebook)
    evidence: dict[str, float] = defaultdict(float)
    for signal, amount in lexicon.read(requisition.text).items():
        evidence[signal] += amount
    if requisition.title:
        for signal, amount in lexicon.read(requisition.title, lexicon.title_weight).items():
            evidence[signal] += amount
    facts: dict[str, float] = {}
    for signal, amount in evidence.items():
        level = lexicon.level(amount)
        if level:
            facts[signal] = min(level, MAX_SIGNAL_LEVEL)
    facts.update(_field_signals(requisition, rulebook))
    if requisition.title:
        facts.update(dict.fromkeys(lexicon.title_roles(requisition.title), 1))
    if requisition.mix:
        facts.update(_mix_signals(requisition, rulebook))
    words = len(requisition.text.split())
    facts["info:words"] = words
    facts["info:signals"] = sum(1 for name in facts if name in rulebook.lexicon.signals)
    facts["info:structured"] = sum(1 for f in STRUCTURED_FIELDS if getattr(requisition, f)) + bool(requisition.mix)
    if requisition.title:
        facts["info:has_title"] = 1
    return facts


def _field_signals(requisition: Requisition, rulebook: Rulebook) -> dict[str, float]:
    facts = {}
    for field, table in rulebook.lexicon.fields.items():
        value = getattr(requisition, field)
        if not value:
            continue
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        if key not in table:
            raise RequisitionError(f"{field}: unknown value {value!r} (known: {', '.join(table)})")
        for signal in table[key]:
            facts[signal] = MAX_SIGNAL_LEVEL
    return facts


def _mix_signals(requisition: Requisition, rulebook: Rulebook) -> dict[str, float]:
    """The stated mix, and how close it is to each role's published profile (L1 distance)."""
    mix = requisition.mix
    facts = {f"mix:{part}": getattr(mix, part) for part in MIX_PARTS}
    distances = sorted(
        (sum(abs(getattr(mix, p) - role.mix[p]) for p in MIX_PARTS), role_id)
        for role_id, role in rulebook.roles.items() if role.mix)
    if distances:
        nearest, role_id = distances[0]
        facts[f"mixfit:{role_id}"] = 3
        for distance, other in distances[1:]:
            if distance - nearest <= rulebook.catalogue.thresholds["mix_close_points"]:
                facts[f"mixfit:{other}"] = 2
    return facts
