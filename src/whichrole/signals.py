"""From a requisition to signals: the normalised facts the rules are written against.

Free text goes through the lexicon (phrases and patterns per signal, weighed by the section
they stand in, ignored when negated); structured fields map to signals through the lexicon's
``fields`` table; a few signals are derived (title, activity mix, amount of information).
Each text signal gets a level 1-3 from how much weighted evidence stands behind it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Optional

from .language import language_facts
from .model import MAX_TEXT_CHARS, MIX_PARTS, STRUCTURED_FIELDS, ActivityMix, Requisition, RequisitionError
from .rulebook import MAX_SIGNAL_LEVEL, Rulebook

# Words are runs of letters, digits, '+' and '#' ("c++", "c#"); everything else separates them.
# str.translate + split is twice as fast as a regular expression on a 4 KB description.
_SEPARATORS = {code: " " for code in range(128) if not chr(code).isalnum() and chr(code) not in "+#"}
_SEPARATORS.update(dict.fromkeys(map(ord, "’‘“”–—•·…«»\u00a0\u200b"), " "))
SECTION = "section:"


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Plural-insensitive form of a token, applied alike to text and phrases."""
    if token.endswith(("lyses", "theses")):  # analyses, hypotheses: Greek plurals of -sis
        return token[:-2] + "is"
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    return list(map(stem, text.lower().translate(_SEPARATORS).split()))


class PhraseTable:
    """Phrases indexed by their first two words, so each position of a text costs one lookup."""

    def __init__(self):
        self.single: dict[str, list[str]] = {}
        self.multi: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self.multi_starts: set[str] = set()

    def add(self, phrase: str, value: str) -> None:
        words = tokens(phrase)
        if not words:
            return
        if len(words) == 1:
            self.single.setdefault(words[0], []).append(value)
        else:
            self.multi[(words[0], words[1])].append((tuple(words[2:]), value))
            self.multi[(words[0], words[1])].sort(key=lambda item: -len(item[0]))  # longest first
            self.multi_starts.add(words[0])

    def match(self, words: list[str], i: int) -> tuple[list[str], int]:
        """Every value of the longest phrase starting at ``i``, and its length in words."""
        if i + 1 < len(words) and words[i] in self.multi_starts:
            candidates = self.multi.get((words[i], words[i + 1]))
            if candidates:
                found, length = [], 0
                for rest, value in candidates:
                    if length and len(rest) + 2 < length:
                        break
                    if tuple(words[i + 2:i + 2 + len(rest)]) == rest:
                        found.append(value)
                        length = len(rest) + 2
                if found:
                    return found, length
        return self.single.get(words[i], []), 1


class CompiledLexicon:
    """The lexicon turned into phrase tables, so a text is read in one pass."""

    def __init__(self, rulebook: Rulebook):
        lex = rulebook.lexicon
        self.rulebook = rulebook
        self.levels = lex.levels
        self.negators = frozenset(stem(t) for t in lex.negators)
        self.window = lex.negation_window
        self.not_needed = frozenset(stem(t) for t in lex.not_needed)
        self.opening_weight = lex.opening_weight
        self.title_weight = lex.title_weight
        self.phrases = PhraseTable()
        for signal, entry in lex.signals.items():
            for phrase in entry.phrases:
                self.phrases.add(phrase, signal)
        self.patterns = [(re.compile(p, re.IGNORECASE), signal)
                         for signal, entry in lex.signals.items() for p in entry.patterns]
        # Headings share the table, so each position of a text is looked up once.
        self.section_weight = {}
        for name, section in lex.sections.items():
            self.section_weight[SECTION + name] = section.weight
            for heading in section.headings:
                self.phrases.add(heading, SECTION + name)
        self.titles = PhraseTable()
        for role_id, role in rulebook.roles.items():
            for alias in role.aliases:
                self.titles.add(alias, f"title:{role_id}")
        # The words a heading or phrase can start with: most words of a text are not one of them.
        self.starts = frozenset(self.phrases.single) | self.phrases.multi_starts

    def _negated(self, negations: list[int], words: list[str], i: int, length: int) -> bool:
        """'no PhD', 'without Spark' before the phrase; 'PhD not required' after it."""
        for j in negations:
            if i - self.window <= j < i:
                return True
            if i + length <= j <= i + length + 1 and j + 1 < len(words) and words[j + 1] in self.not_needed:
                return True
        return False

    def read(self, text: str, base_weight: float | None = None,
             words: Optional[list[str]] = None) -> dict[str, float]:
        """Weighted evidence per signal in ``text`` (already split into ``words``, if given);
        sections re-weigh what follows their heading."""
        words = tokens(text) if words is None else words
        evidence: dict[str, float] = defaultdict(float)
        weight = self.opening_weight if base_weight is None else base_weight
        resume = 0  # a phrase consumes its words; matching resumes after it
        can_start = self.starts
        starts = [i for i, word in enumerate(words) if word in can_start]
        negators = self.negators
        negations = [i for i, word in enumerate(words) if word in negators]
        for i in starts:
            if i < resume:
                continue
            found, length = self.phrases.match(words, i)
            if not found:
                continue
            resume = i + length
            if found[0].startswith(SECTION):
                if base_weight is None:  # a title has no sections
                    weight = self.section_weight[found[0]]
            elif weight and not (negations and self._negated(negations, words, i, length)):
                for signal in set(found):
                    evidence[signal] += weight
        if self.patterns:
            lowered = text.lower()
            for pattern, signal in self.patterns:
                hits = len(pattern.findall(lowered))
                if hits:
                    evidence[signal] += hits * (self.opening_weight if base_weight is None else base_weight)
        return evidence

    def title_roles(self, title: str) -> set[str]:
        words = tokens(title)
        found = set()
        for i in range(len(words)):
            found.update(self.titles.match(words, i)[0])
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
    text = requisition.text[:MAX_TEXT_CHARS]
    words = tokens(text)
    for signal, amount in lexicon.read(text, words=words).items():
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
    facts.update(language_facts(text, rulebook))
    if requisition.title:
        facts.update(dict.fromkeys(lexicon.title_roles(requisition.title), 1))
    if requisition.mix:
        facts.update(mix_signals(requisition.mix, rulebook))
    facts["info:words"] = len(words)
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
        key = field_key(value)
        if key not in table:
            raise RequisitionError(f"{field}: unknown value {value!r} (known: {', '.join(table)})")
        for signal in table[key]:
            facts[signal] = MAX_SIGNAL_LEVEL
    return facts


def field_key(value: str) -> str:
    """A structured field's value as the lexicon's ``fields`` table spells it ('Big tech' -> 'big_tech')."""
    return value.strip().lower().replace(" ", "_").replace("-", "_")


def mix_signals(mix: ActivityMix, rulebook: Rulebook) -> dict[str, float]:
    """A stated mix, and how close it is to each role's published profile (L1 distance)."""
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
