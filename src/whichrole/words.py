"""Words: how text and the lexicon's phrases are split and folded, and the reference matcher.

Text is lower-cased and split into words (runs of letters, digits, '+' and '#'); a word's stem
folds plurals. The lexicon's phrases, headings and reading cues are *terms*: sequences of
stems. Matching a text finds, from left to right, the longest term starting at each word that
is not already part of a match. ``ReferenceMatcher`` does it word by word in Python and is the
definition; the compiled reader (``_reading.c``, see ``signals``) does the same in one pass of C,
over the bytes ``Splitter.translated`` gives, looking each word up among the surface forms of the
lexicon's stems.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

# Words are runs of letters, digits, '+' and '#' ("c++", "c#"); everything else separates them.
# Text is split as UTF-8 bytes: bytes.translate maps the ASCII separators at the same speed
# whatever the text holds (str.translate is many times slower once a text is not all ASCII),
# and the few other separators, and whitespace str.split() would see, are replaced first.
OTHER_SEPARATORS = "’‘“”–—•·…«»¡¿\u00a0\u200b\x85\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    map(chr, range(0x2000, 0x200b)))
# Where a sentence ends, the text gets this word: an ASCII control character ("end of text")
# that no text has and the separators leave alone; the reading rules see it as a term, and no
# phrase can span it.
SENTENCE_END = "\x03"
_MARK = SENTENCE_END.encode()
_SEPARATORS = bytes(code if code > 127 or chr(code).isalnum() or chr(code) in "+#" else 32 for code in range(256))


def without_separators(text: str) -> str:
    """``text`` with the separators beyond ASCII made spaces (a byte table maps the ASCII ones)."""
    if not text.isascii():
        for separator in OTHER_SEPARATORS:
            if separator in text:
                text = text.replace(separator, " ")
    return text


GREEK_PLURALS = ("lyses", "theses")


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Plural-insensitive form of a token, applied alike to text and phrases."""
    if token.endswith(GREEK_PLURALS):  # analyses, hypotheses: plurals of -sis
        return token[:-2] + "is"
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def surface_forms(stemmed: str) -> list[str]:
    """Every word whose stem is ``stemmed`` (a stem is its own stem): what a compiled matcher,
    which does not stem the text, has to look for."""
    forms = [stemmed]
    plural = stemmed + "s"
    if stem(plural) == stemmed:
        forms.append(plural)
    if stemmed.endswith("y"):
        plural = stemmed[:-1] + "ies"
        if stem(plural) == stemmed:
            forms.append(plural)
    if stemmed.endswith(tuple(ending[:-2] + "is" for ending in GREEK_PLURALS)):
        forms.append(stemmed[:-2] + "es")
    return forms


class Splitter:
    """Splits text into words: UTF-8, lower-cased, not stemmed, with the word SENTENCE_END where
    one of ``sentence_ends`` stood. A one-character ASCII end is mapped in the same pass as the
    separators; a longer one costs a pass of its own."""

    def __init__(self, sentence_ends: tuple[str, ...] = ()):
        table = bytearray(_SEPARATORS)
        self.replaced = []
        for end in sentence_ends:
            if len(end) == 1 and end.isascii():
                table[ord(end)] = _MARK[0]
            else:
                self.replaced.append(end)
        if sentence_ends:
            table[_MARK[0]] = _MARK[0]
        self.table = bytes(table)
        self.marks = bool(sentence_ends)

    def translated(self, text: str) -> bytes:
        """The text as UTF-8, lower-cased, every separator a space and every sentence end the byte
        of SENTENCE_END: its words are the runs of other bytes, each SENTENCE_END a word of its own."""
        text = text.lower()
        for end in self.replaced:
            text = text.replace(end, SENTENCE_END)
        return without_separators(text).encode().translate(self.table)

    def __call__(self, text: str) -> list[bytes]:
        found = self.translated(text)
        if self.marks:
            found = found.replace(_MARK, b" " + _MARK + b" ")  # a word of its own
        return found.split()


_WORDS = Splitter()


def tokens(text: str) -> list[str]:
    return [stem(word.decode()) for word in _WORDS(text)]


class PhraseTable:
    """Phrases indexed by their first two words, so each position of a text costs one lookup."""

    def __init__(self):
        self.single: dict[str, list] = {}
        self.multi: dict[tuple[str, str], list[tuple[tuple[str, ...], object]]] = defaultdict(list)
        self.multi_starts: set[str] = set()

    def add(self, words: tuple[str, ...], value) -> None:
        if len(words) == 1:
            self.single.setdefault(words[0], []).append(value)
        elif words:
            self.multi[(words[0], words[1])].append((tuple(words[2:]), value))
            self.multi[(words[0], words[1])].sort(key=lambda item: -len(item[0]))  # longest first
            self.multi_starts.add(words[0])

    def match(self, words: list[str], i: int) -> tuple[list, int]:
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

    def starts(self) -> frozenset[str]:
        """The words a phrase can start with: most words of a text are not one of them."""
        return frozenset(self.single) | self.multi_starts


@dataclass(frozen=True)
class Term:
    """One sequence of stems the lexicon names, and everything it stands for."""
    words: tuple[str, ...]
    signals: tuple[str, ...] = ()     # the signals it is a phrase of
    section: str | None = None        # the section it is a heading of
    cues: frozenset[str] = frozenset()  # the reading rules it is a cue of (see CompiledLexicon.weigh)


def terms(entries: list[tuple[str, str, str]]) -> list[Term]:
    """Terms from (text, role, name) entries, where role is 'signal', 'section' or 'cue': entries
    spelled alike once folded are one term."""
    merged: dict[tuple[str, ...], dict] = {}
    for text, role, name in entries:
        words = tuple(tokens(text)) if text != SENTENCE_END else (SENTENCE_END,)
        if not words:
            continue
        slot = merged.setdefault(words, {"signals": [], "section": None, "cues": set()})
        if role == "signal":
            if name not in slot["signals"]:
                slot["signals"].append(name)
        elif role == "section":
            slot["section"] = slot["section"] or name
        else:
            slot["cues"].add(name)
    return [Term(words, tuple(s["signals"]), s["section"], frozenset(s["cues"])) for words, s in merged.items()]


class ReferenceMatcher:
    """Terms found word by word: the definition the compiled reader is tested against."""

    def __init__(self, table: list[Term]):
        self.phrases = PhraseTable()
        for number, term in enumerate(table):
            self.phrases.add(term.words, number)
        self.can_start = self.phrases.starts()

    def find(self, words: list[bytes]) -> list[tuple[int, int, int]]:
        """(term, start, end) of each term found in ``words`` (as a ``Splitter`` gives them): the
        term's number, and the positions of its first word and of the word after its last."""
        words = [stem(word.decode()) for word in words]
        found, resume = [], 0  # a term consumes its words; matching resumes after it
        for i, word in enumerate(words):
            if i < resume or word not in self.can_start:
                continue
            numbers, length = self.phrases.match(words, i)
            if numbers:
                resume = i + length
                found.append((numbers[0], i, resume))
        return found
