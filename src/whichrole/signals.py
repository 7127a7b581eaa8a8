"""From a requisition to signals: the normalised facts the rules are written against.

Free text goes through the lexicon: its terms (phrases, section headings and the cues of the
reading rules, see ``words``) are found, and the reading rules weigh each: by the section it
stands in, not at all when negated, less when the sentence gives the work to someone else or
calls it a nice-to-have. The compiled reader (``_reading.c``) does both in one pass of C;
``ReferenceMatcher`` and ``CompiledLexicon.counted`` do the same word by word in Python, the
definition the property tests hold the compiled reader to. Structured fields map to signals through the
lexicon's ``fields`` table; a few signals are derived (title, activity mix, amount of
information). Each text signal gets a level 1-3 from how much weighted evidence stands behind it.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from functools import lru_cache
from operator import itemgetter

from .facts import HAS_TITLE, MIX, MIX_FIT, SIGNALS, STRUCTURED, TITLE, WORDS
from .language import language_facts
from .model import MAX_TEXT_CHARS, MIX_PARTS, STRUCTURED_FIELDS, ActivityMix, Requisition, RequisitionError
from . import _reading
from .rulebook import MAX_SIGNAL_LEVEL, Lexicon, Rulebook, field_key
from .words import SENTENCE_END, PhraseTable, ReferenceMatcher, Splitter, Term, surface_forms, terms, tokens

READERS = ("compiled", "reference")
SENTENCE_MARK = SENTENCE_END.encode()  # as a Splitter gives it
# The cues of the reading rules, as terms carry them.
NEGATOR, NEGATION_END, NOT_NEEDED, NOT_NEGATION, LIST_JOIN = (
    "negator", "negation_end", "not_needed", "not_negation", "list_join")
SENTENCE = "sentence"
OTHERS, HIRE, BEFORE, AFTER = "others", "hire", "before", "after"
# Each cue as the compiled reader's bit; a cue it does not act on (not_negation: a term that only
# keeps its words from reading as a negator) still makes its term no plain phrase.
CUE_BITS = {NEGATOR: _reading.NEGATOR, NEGATION_END: _reading.NEGATION_END, NOT_NEEDED: _reading.NOT_NEEDED,
            LIST_JOIN: _reading.LIST_JOIN, OTHERS: _reading.OTHERS, HIRE: _reading.HIRE, BEFORE: _reading.BEFORE,
            AFTER: _reading.AFTER, SENTENCE: _reading.SENTENCE}


class CompiledLexicon:
    """The lexicon compiled for one reader: the compiled one, or the reference."""

    def __init__(self, rulebook: Rulebook, reader: str = "compiled"):
        lex = rulebook.lexicon
        self.rulebook = rulebook
        self.levels = sorted(lex.levels)
        self.opening_weight = lex.opening_weight
        self.title_weight = lex.title_weight
        self.window = lex.negation_window
        self.not_needed_gap = lex.not_needed_gap
        self.others_weight = lex.others.weight
        self.secondary_weight = lex.secondary.weight
        self.sentence_ends = tuple(end.lower() for end in lex.sentence_ends)
        self.split = Splitter(self.sentence_ends)
        entries = [(phrase, "signal", signal) for signal, entry in lex.signals.items() for phrase in entry.phrases]
        entries += [(heading, "section", name) for name, section in lex.sections.items()
                    for heading in section.headings]
        for cue, texts in ((NEGATOR, lex.negators), (NEGATION_END, lex.negation_ends), (NOT_NEEDED, lex.not_needed),
                           (NOT_NEGATION, lex.not_negations), (LIST_JOIN, lex.list_joins), (OTHERS, lex.others.cues),
                           (HIRE, lex.others.until), (BEFORE, lex.secondary.before),
                           (AFTER, lex.secondary.after), (SENTENCE, [SENTENCE_END] if self.sentence_ends else [])):
            entries += [(text, "cue", cue) for text in texts]
        self.table = terms(entries)
        # Each term as the lexicon spells it (its words are folded: "kubernete"), for quoting.
        spelled: dict[tuple[str, ...], str] = {}
        for phrase, kind, _ in entries:
            if kind == "signal":
                spelled.setdefault(tuple(tokens(phrase)), phrase)
        self.quoted_as = [spelled.get(term.words) or " ".join(term.words) for term in self.table]
        weights = {name: section.weight for name, section in lex.sections.items()}
        self.signals_of = [t.signals for t in self.table]
        if reader not in READERS:
            raise ValueError(f"unknown reader {reader!r} ({' or '.join(READERS)})")
        self.compiled = compiled_reader(self.table, weights, lex) if reader == "compiled" else None
        if self.compiled is None:
            self.matcher = ReferenceMatcher(self.table)
            # What the reference reader needs of each term, by its number, without attribute look-ups.
            self.reads = [(number, term.signals, weights.get(term.section), term.cues)
                          for number, term in enumerate(self.table)]
            self.sentence_keys = frozenset(key for key, (_, _, _, cues) in enumerate(self.reads) if SENTENCE in cues)
            # By term, its number if it is nothing but a phrase, else None.
            self.plain = [number if signals and section is None and not cues else None
                          for number, signals, section, cues in self.reads]
        self.title_facts = lru_cache(maxsize=4096)(self.title_facts)
        self.patterns = [(re.compile(p, re.IGNORECASE), signal)
                         for signal, entry in lex.signals.items() for p in entry.patterns]
        self.titles = PhraseTable()
        for role_id, role in rulebook.roles.items():
            for alias in role.aliases:
                self.titles.add(tuple(tokens(alias)), TITLE.stem + role_id)

    def read(self, text: str, base_weight: float | None = None) -> dict[str, float]:
        """Weighted evidence per signal in ``text``; sections re-weigh what follows their heading
        unless ``base_weight`` fixes the weight (a title has no sections)."""
        return self.read_counting(text, base_weight)[0]

    def read_counting(self, text: str, base_weight: float | None = None,
                      quotes: dict[str, list[str]] | None = None) -> tuple[dict[str, float], int]:
        """The evidence in ``text`` and how many words it has; ``quotes``, if given, gets the words
        that raised each signal (see ``quote``), from the same reading."""
        if self.compiled is not None:
            tallies, words = self.compiled.read(self.split.translated(text), base_weight)
        else:
            split = self.split(text)
            counted = self.counted(self.matcher.find(split), base_weight)
            tallies = [(number, amount, times) for (number, amount), times in
                       Counter(zip(map(itemgetter(0), counted), map(itemgetter(1), counted))).items()]
            words = len(split) - (split.count(SENTENCE_MARK) if self.sentence_ends else 0)
        evidence = self.weigh(tallies, quotes)
        if self.patterns:
            lowered = text.lower()
            for pattern, signal in self.patterns:
                hits = len(pattern.findall(lowered))
                if hits:
                    evidence[signal] += hits * (self.opening_weight if base_weight is None else base_weight)
        return evidence, words

    def weigh(self, tallies: list[tuple[int, float, int]], quotes: dict[str, list[str]] | None = None) -> dict[str, float]:
        """The weighted evidence per signal of the (term, amount, times) a reader counted, in order of
        first appearance: summed per term and amount in that order, the same sums, to the last bit,
        whichever reader counted them."""
        evidence: dict[str, float] = defaultdict(float)
        signals_of = self.signals_of
        if quotes is not None:
            self.quote(tallies, quotes)
        for number, each, times in tallies:
            if each:
                for signal in signals_of[number]:
                    evidence[signal] += each * times
        return evidence

    def quote(self, tallies: list[tuple[int, float, int]], quotes: dict[str, list[str]], most: int = 2) -> None:
        """For each signal, the first phrases that counted for it (as the lexicon spells them): the
        words a verdict quotes for a reason. ``tallies`` are the (term, amount, times) counted, in
        order of first appearance: a phrase's first appearance is all a quote needs."""
        for number, amount, _ in tallies:
            if not amount:
                continue
            phrase = self.quoted_as[number]
            for signal in self.signals_of[number]:
                said = quotes.setdefault(signal, [])
                if phrase not in said and len(said) < most:
                    said.append(phrase)

    def counted(self, found: list[tuple[int, int, int]], base_weight: float | None) -> list[tuple]:
        """The reading rules as the reference reads them, over the terms the reference matcher found
        (at word positions), in text order: each phrase that counts, with what it counts.

        Most terms are plain phrases, which only count at the weight in force: they take the
        short way through the loop. Headings and cues change that weight, or re-weigh what
        the sentence said before them."""
        plain, reads, sentence_ends = self.plain, self.reads, self.sentence_keys
        weight = self.opening_weight if base_weight is None else base_weight
        amount = weight  # what a phrase counts here: weight, times the others and secondary factors
        counted: list[tuple] = []  # (term number, amount, end of the phrase), in text order
        sentence_start = 0  # where this sentence's phrases start in counted
        plus_start = plus_end = 0  # the phrases an 'after' cue re-weighs: not those a 'before' cue already did
        negation = None  # where the last negator of this sentence ended
        last_negator = None  # (start, end) of the negator just before, if it was the term just before
        negated_end = None  # where the last phrase a negator cancelled ended
        others = secondary = 1.0
        for key, start, end in found:
            number = plain[key]
            if number is not None and negation is None:
                if amount:
                    counted.append((number, amount, end))
                last_negator = None
                continue
            if key in sentence_ends:
                sentence_start = plus_start = plus_end = len(counted)
                negation, negated_end, last_negator, others, secondary = None, None, None, 1.0, 1.0
                amount = weight
                continue
            number, signals, section_weight, cues = reads[key]
            in_force = amount  # a cue naming another team is itself said at full weight: it is what follows that is theirs
            if cues:
                if NOT_NEEDED in cues and last_negator and last_negator[1] == start:
                    # "PhD is not required": cancels the phrases that ended just before the negator
                    for k in range(sentence_start, len(counted)):
                        n, _, ended = counted[k]
                        if ended <= last_negator[0] and last_negator[0] - ended <= self.not_needed_gap:
                            counted[k] = (n, 0.0, ended)
                last_negator = None
                if NEGATOR in cues:
                    negation = last_negator = (start, end)
                if NEGATION_END in cues:
                    negation = None
                if LIST_JOIN in cues and negated_end is not None and start == negated_end:
                    negation = (start, end)  # "no LLMs or RAG": the list goes on under its negator
                if OTHERS in cues:
                    others = self.others_weight
                if HIRE in cues:
                    others = 1.0
                if BEFORE in cues and secondary == 1.0:
                    secondary, plus_end = self.secondary_weight, len(counted)
                if AFTER in cues:  # "... is a plus" re-weighs what its sentence said so far
                    if secondary == 1.0:
                        plus_end = len(counted)
                    for k in range(plus_start, plus_end):
                        n, each, ended = counted[k]
                        counted[k] = (n, each * self.secondary_weight, ended)
                    plus_start = len(counted)
            else:
                last_negator = None
            if section_weight is not None and base_weight is None:
                weight = section_weight
            amount = weight * others * secondary
            own = in_force if OTHERS in cues else amount
            if not signals or not own:
                continue
            if negation:
                if start - negation[1] < self.window:
                    negated_end = end
                    continue
                negation = negated_end = None  # later phrases are farther still
            counted.append((number, own, end))
        return counted

    def title_roles(self, title: str) -> set[str]:
        words = tokens(title)
        found = set()
        for i in range(len(words)):
            found.update(self.titles.match(words, i)[0])
        return found

    def title_facts(self, title: str) -> tuple[tuple[tuple[str, float], ...], frozenset[str]]:
        """A title's weighted evidence and the roles it names; titles repeat, so they are read
        once (see __init__)."""
        return tuple(self.read(title, self.title_weight).items()), frozenset(self.title_roles(title))

    def level(self, amount: float) -> int:
        """How many of the levels' thresholds ``amount`` reaches."""
        return bisect_right(self.levels, amount)


def compiled_reader(table: list[Term], section_weights: dict[str, float], lexicon: Lexicon) -> _reading.Reader:
    """The terms in the compiled reader: each word of a term in every surface form its stem stands
    for (the text is not stemmed), the terms a trie of their words, and what each term is to the
    reading rules."""
    word_ids: dict[str, int] = {}
    vocabulary: dict[bytes, int] = {}
    children: dict[tuple[int, int], int] = {}
    edges, terminals = [], [-1]
    for number, term in enumerate(table):
        node = 0
        for word in term.words:
            word_id = word_ids.setdefault(word, len(word_ids))
            for form in surface_forms(word):
                vocabulary.setdefault(form.encode(), word_id)
            if (node, word_id) not in children:
                children[node, word_id] = len(terminals)
                edges.append((node, word_id, len(terminals)))
                terminals.append(-1)
            node = children[node, word_id]
        terminals[node] = number
    reading = []
    for term in table:
        bits = 0
        for cue in term.cues:
            bits |= CUE_BITS.get(cue, _reading.OTHER_CUE)
        reading.append((bits, section_weights.get(term.section), bool(term.signals)))
    return _reading.Reader(vocabulary, edges, terminals, reading, lexicon.opening_weight, lexicon.others.weight,
                           lexicon.secondary.weight, lexicon.negation_window, lexicon.not_needed_gap)


@lru_cache(maxsize=8)
def compiled(rulebook: Rulebook, reader: str = "compiled") -> CompiledLexicon:
    return CompiledLexicon(rulebook, reader)


def extract(requisition: Requisition, rulebook: Rulebook, reader: str = "compiled",
            quotes: dict[str, list[str]] | None = None) -> dict[str, float]:
    """The first-stage facts of a requisition: signal name -> level or number; ``quotes``, if
    given, gets the words of the text that raised each signal."""
    lexicon = compiled(rulebook, reader)
    text = requisition.text[:MAX_TEXT_CHARS]
    evidence, words = lexicon.read_counting(text, quotes=quotes)
    if requisition.title:
        title_evidence, title_roles = lexicon.title_facts(requisition.title)
        for signal, amount in title_evidence:
            evidence[signal] += amount
    facts: dict[str, float] = {}
    for signal, amount in evidence.items():
        level = lexicon.level(amount)
        if level:
            facts[signal] = min(level, MAX_SIGNAL_LEVEL)
    facts.update(_field_signals(requisition, rulebook))
    facts.update(language_facts(text, rulebook))
    if requisition.title:
        facts.update(dict.fromkeys(title_roles, 1))
    if requisition.mix:
        facts.update(mix_signals(requisition.mix, rulebook))
    facts[WORDS.name] = words
    facts[SIGNALS.name] = sum(1 for name in facts if name in rulebook.lexicon.signals)
    facts[STRUCTURED.name] = sum(1 for f in STRUCTURED_FIELDS if getattr(requisition, f)) + bool(requisition.mix)
    if requisition.title:
        facts[HAS_TITLE.name] = 1
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


def mix_signals(mix: ActivityMix, rulebook: Rulebook) -> dict[str, float]:
    """A stated mix, and how close it is to each role's published profile (L1 distance)."""
    facts = {MIX.stem + part: getattr(mix, part) for part in MIX_PARTS}
    distances = sorted(
        (sum(abs(getattr(mix, p) - role.mix[p]) for p in MIX_PARTS), role_id)
        for role_id, role in rulebook.roles.items() if role.mix)
    if distances:
        nearest, role_id = distances[0]
        facts[MIX_FIT.stem + role_id] = 3
        for distance, other in distances[1:]:
            if distance - nearest <= rulebook.catalogue.thresholds.mix_close_points:
                facts[MIX_FIT.stem + other] = 2
    return facts
