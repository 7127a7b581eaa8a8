"""The compiled matcher: every term of the lexicon in one Aho-Corasick automaton.

It finds what ``words.ReferenceMatcher`` finds, in one pass of compiled code over the text.
The text is not stemmed: each term is compiled in every surface form its stems stand for
("pipeline", "pipelines"). Words are joined with two spaces and each form is looked for as
" w1  w2 ", so a match starts and ends on word boundaries and leaves the second space of the
gap to the next match; leftmost-longest matching then picks, from left to right, the longest
term at each word not already matched, as the reference does.
"""
from __future__ import annotations

from itertools import product

import ahocorasick_rs

from .words import Term, surface_forms


class Scanner:
    def __init__(self, table: list[Term]):
        patterns, self.term_of = [], []
        for number, term in enumerate(table):
            for forms in product(*map(surface_forms, term.words)):
                patterns.append(f" {'  '.join(forms)} ".encode())
                self.term_of.append(number)
        # Bytes, as a words.Splitter gives them: offsets need no conversion to characters.
        self.automaton = ahocorasick_rs.BytesAhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def find(self, words: list[bytes]) -> tuple[list[tuple[int, int, int]], bytes]:
        """(key, start, end) of each term found in ``words`` (as a ``words.Splitter`` gives them), where
        ``term_of[key]`` is the term's number and start and end are offsets in the bytes
        searched; and those bytes."""
        text = b" " + b"  ".join(words) + b" "
        return self.automaton.find_matches_as_indexes(text), text

    @staticmethod
    def words_between(text: bytes, end: int, start: int) -> int:
        return text.count(b" ", end, start) >> 1  # two spaces per word
