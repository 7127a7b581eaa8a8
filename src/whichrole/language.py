"""Which language a requisition is written in, told from its common function words.

The lexicon's phrases are written in one language (``languages.read`` in the lexicon: English);
a text in another is read only in part, and the rules say so. Function words ("und", "los",
"avec") stand in every sentence of their language and in few of another's, so a handful decide a
short ask, while a name or an address in another language, a few words, does not outweigh the
posting around it. A text largely in another script (Cyrillic, Greek, CJK, ...) is ``lang:other``.

The function words are counted by the compiled reader (``_reading.c``), each function word a
term of one word: the words ``_split`` gives are the definition, and a property test keeps the two
equal.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from . import _reading
from .facts import OTHER_LANGUAGE, WRITTEN_IN
from .rulebook import Languages, Rulebook
from .words import without_separators

# The opening of a text shows its language as well as the whole does, for a fraction of the time.
SAMPLE_CHARS = 2000
# ASCII characters other than letters separate words ("l'équipe" is "l", "équipe"), and so do
# the typographic ones postings use, as the reader splits a text (words.without_separators).
_BYTE_SEPARATORS = bytes(code if code > 127 or chr(code).isalpha() else 32 for code in range(256))


@dataclass(frozen=True)
class _Table:
    settings: Languages
    by_term: list[tuple[str, ...]]  # the reader's term -> the languages its word is a function word of
    reader: _reading.Reader  # each function word a term
    others: tuple[str, ...]  # the languages other than the one read, in the lexicon's order (a tie goes to the first)
    facts: dict[str, str]  # language -> the fact it gives
    other: Optional[str]  # the fact for a language or script the rules have no fact of their own for


def language_facts(text: str, rulebook: Rulebook) -> dict[str, float]:
    """``{"lang:<code>": 1}`` for a text not in the language the lexicon reads, else nothing."""
    table = _table(rulebook)
    if table is None:
        return {}
    settings = table.settings
    sample = text[:SAMPLE_CHARS].lower()
    if not sample.isascii():
        sample = without_separators(sample)
        if max(sample) > _LATIN_END and _other_script_share(_split(sample)) >= settings.other_script:
            return {table.other: 1} if table.other else {}
    hits, words = function_words(sample, table)
    if words >= settings.prose_min_words and sum(hits.values()) < settings.prose_share * words:
        return {table.other: 1} if table.other else {}
    best = max(table.others, key=hits.__getitem__, default=None)
    if best is None or hits[best] < settings.min_words or hits[best] <= settings.ahead * hits[settings.read]:
        return {}
    return {table.facts[best]: 1} if best in table.facts else {}


def function_words(sample: str, table: "_Table") -> tuple[dict[str, int], int]:
    """How many function words of each language a lower-cased sample has (its separators already
    blanked), and how many words in all: as counting the words ``_split`` gives would say."""
    tallies, words = table.reader.read(sample.encode().translate(_BYTE_SEPARATORS), 1.0)
    hits = dict.fromkeys(table.settings.words, 0)
    for term, _, count in tallies:
        for language in table.by_term[term]:
            hits[language] += count
    return hits, words


def _split(sample: str) -> list[str]:
    """The words of a lower-cased text: runs of letters, and of anything not ASCII but the
    typographic separators."""
    return without_separators(sample).encode().translate(_BYTE_SEPARATORS).decode().split()


def _other_script_share(words: list[str]) -> float:
    """The share of the text (in characters of its words) written in a script other than Latin."""
    total = sum(map(len, words))
    return sum(len(word) for word in words if not _is_latin(word[0])) / total if total else 0.0


_LATIN_END = "\u024f"  # a text with no letter beyond it is all in Latin script


def _is_latin(letter: str) -> bool:
    """Basic Latin to Latin Extended-B, and Latin Extended Additional (Vietnamese)."""
    return letter <= _LATIN_END or "\u1e00" <= letter <= "\u1eff"


@lru_cache(maxsize=8)
def _table(rulebook: Rulebook) -> Optional[_Table]:
    settings, derived = rulebook.lexicon.languages, rulebook.derived_facts()
    if settings is None:
        return None
    by_word: dict[str, tuple[str, ...]] = {}
    for language, words in settings.words.items():
        for word in dict.fromkeys(words):
            by_word[word] = (*by_word.get(word, ()), language)
    others = tuple(language for language in settings.words if language != settings.read)
    other = WRITTEN_IN.stem + OTHER_LANGUAGE if WRITTEN_IN.stem + OTHER_LANGUAGE in derived else None
    # A language the rules have no fact of its own for is one more language they do not read.
    facts = {language: WRITTEN_IN.stem + language if WRITTEN_IN.stem + language in derived else other
             for language in others}
    # Each function word a term of one word, read as plain phrases of a fixed weight: the reader's
    # counts are the words' counts.
    terms = len(by_word)
    reader = _reading.Reader({word.encode(): n for n, word in enumerate(by_word)},
                             [(0, n, n + 1) for n in range(terms)], [-1, *range(terms)], [(0, None, True)] * terms,
                             1.0, 1.0, 1.0, 0, 0)
    return _Table(settings, list(by_word.values()), reader, others, {k: v for k, v in facts.items() if v}, other)
