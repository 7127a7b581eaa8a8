"""From a requisition to signals: the normalised facts the rules are written against.

Free text goes through the lexicon: a matcher finds its terms (phrases, section headings and
the cues of the reading rules, see ``words``), and one reader weighs what was found: by the
section it stands in, not at all when negated, less when the sentence gives the work to
someone else or calls it a nice-to-have. Structured fields map to signals through the
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
from .rulebook import MAX_SIGNAL_LEVEL, Rulebook, field_key
from .scanner import Scanner
from .words import SENTENCE_END, PhraseTable, ReferenceMatcher, Splitter, terms, tokens

MATCHERS = {"scanner": Scanner, "reference": ReferenceMatcher}
SENTENCE_MARK = SENTENCE_END.encode()  # as a Splitter gives it
# The cues of the reading rules, as terms carry them.
NEGATOR, NEGATION_END, NOT_NEEDED, NOT_NEGATION, LIST_JOIN = (
    "negator", "negation_end", "not_needed", "not_negation", "list_join")
SENTENCE = "sentence"
OTHERS, HIRE, BEFORE, AFTER = "others", "hire", "before", "after"


class CompiledLexicon:
    """The lexicon compiled for one matcher, and the reading rules that weigh what it finds."""

    def __init__(self, rulebook: Rulebook, matcher: str = "scanner"):
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
        self.matcher = MATCHERS[matcher](self.table)
        # What the reader needs of each term, by the matcher's key, without attribute look-ups.
        weights = {name: section.weight for name, section in lex.sections.items()}
        self.signals_of = [t.signals for t in self.table]
        self.reads = [(number, self.table[number].signals, weights.get(self.table[number].section),
                       self.table[number].cues) for number in self.matcher.term_of]
        self.sentence_keys = frozenset(key for key, (_, _, _, cues) in enumerate(self.reads) if SENTENCE in cues)
        self.title_facts = lru_cache(maxsize=4096)(self.title_facts)
        # By key, the term number of a phrase that is nothing but a phrase, else None.
        self.plain = [number if signals and section is None and not cues else None
                      for number, signals, section, cues in self.reads]
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
        words = self.split(text)
        evidence = self.weigh(*self.matcher.find(words), base_weight, quotes)
        if self.patterns:
            lowered = text.lower()
            for pattern, signal in self.patterns:
                hits = len(pattern.findall(lowered))
                if hits:
                    evidence[signal] += hits * (self.opening_weight if base_weight is None else base_weight)
        return evidence, len(words) - (words.count(SENTENCE_MARK) if self.sentence_ends else 0)

    def weigh(self, found: list[tuple[int, int, int]], searched, base_weight: float | None,
              quotes: dict[str, list[str]] | None = None) -> dict[str, float]:
        """The weighted evidence per signal of the terms a matcher found in ``searched``."""
        # Summed per term and amount, in order of first appearance: the same sums, and the same
        # floating-point results, whichever matcher found the terms.
        evidence: dict[str, float] = defaultdict(float)
        signals_of = self.signals_of
        counted = self.counted(found, searched, base_weight)
        tallies = Counter(zip(map(itemgetter(0), counted), map(itemgetter(1), counted)))
        if quotes is not None:
            self.quote(tallies, quotes)
        for (number, each), times in tallies.items():
            if each:
                for signal in signals_of[number]:
                    evidence[signal] += each * times
        return evidence

    def quote(self, tallies: Counter, quotes: dict[str, list[str]], most: int = 2) -> None:
        """For each signal, the first phrases that counted for it (as the lexicon spells them): the
        words a verdict quotes for a reason. ``tallies`` are the (term, amount) pairs counted, in
        order of first appearance: a phrase's first appearance is all a quote needs."""
        for number, amount in tallies:
            if not amount:
                continue
            phrase = self.quoted_as[number]
            for signal in self.signals_of[number]:
                said = quotes.setdefault(signal, [])
                if phrase not in said and len(said) < most:
                    said.append(phrase)

    def counted(self, found: list[tuple[int, int, int]], searched, base_weight: float | None) -> list[tuple]:
        """The reading rules, over the terms a matcher found in ``searched``, in text order: each
        phrase that counts, with what it counts.

        Most terms are plain phrases, which only count at the weight in force: they take the
        short way through the loop. Headings and cues change that weight, or re-weigh what
        the sentence said before them."""
        plain, reads, between, sentence_ends = self.plain, self.reads, self.matcher.words_between, self.sentence_keys
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
                        if ended <= last_negator[0] and between(searched, ended, last_negator[0]) <= self.not_needed_gap:
                            counted[k] = (n, 0.0, ended)
                last_negator = None
                if NEGATOR in cues:
                    negation = last_negator = (start, end)
                if NEGATION_END in cues:
                    negation = None
                if LIST_JOIN in cues and negated_end is not None and between(searched, negated_end, start) == 0:
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
                if between(searched, negation[1], start) < self.window:
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


@lru_cache(maxsize=8)
def compiled(rulebook: Rulebook, matcher: str = "scanner") -> CompiledLexicon:
    return CompiledLexicon(rulebook, matcher)


def extract(requisition: Requisition, rulebook: Rulebook, matcher: str = "scanner",
            quotes: dict[str, list[str]] | None = None) -> dict[str, float]:
    """The first-stage facts of a requisition: signal name -> level or number; ``quotes``, if
    given, gets the words of the text that raised each signal."""
    lexicon = compiled(rulebook, matcher)
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
