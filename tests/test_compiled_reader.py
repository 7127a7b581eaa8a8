"""The compiled reader finds the terms the reference matcher finds, and weighs them as the reference
reader does: the same evidence, to the last bit, and the same words quoted."""
import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from samples import CLEAR, GERMAN, UNICORN
from whichrole import load_rulebook
from whichrole.model import Requisition
from whichrole.signals import CompiledLexicon, extract
from whichrole.words import stem, surface_forms, tokens

BOOK = load_rulebook()
COMPILED = CompiledLexicon(BOOK, "compiled")
REFERENCE = CompiledLexicon(BOOK, "reference")
LEX = BOOK.lexicon

# Everything the lexicon names, as written there: phrases, headings and reading cues.
NAMED = sorted({p for entry in LEX.signals.values() for p in entry.phrases}
               | {h for section in LEX.sections.values() for h in section.headings}
               | set(LEX.negators) | set(LEX.not_needed) | set(LEX.not_negations)
               | set(LEX.others.cues) | set(LEX.others.until) | set(LEX.secondary.before) | set(LEX.secondary.after))
VOCABULARY = sorted({word for phrase in NAMED for word in phrase.replace("/", " ").split()})


def plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def inflect(phrase: str, which: list[bool]) -> str:
    """``phrase`` with the words ``which`` picks in the plural."""
    words = phrase.split()
    return " ".join(plural(w) if i < len(which) and which[i] else w for i, w in enumerate(words))


separators = st.sampled_from([" ", "  ", ", ", ". ", "; ", "\n", " - ", "/", ": ", "! ", " (", ") ", "\n\n", "\t",
                              " • ", "’", " – ", "\u00a0", "\u2003", "\u2028", "\x1e", "…"])
noise = st.text(alphabet=string.ascii_letters + string.digits + "+#'’-éüßİ€ \u3000\x85", min_size=1, max_size=12)
named = st.builds(inflect, st.sampled_from(NAMED), st.lists(st.booleans(), max_size=6))
pieces = st.one_of(named, named, st.sampled_from(VOCABULARY), st.sampled_from(VOCABULARY).map(plural),
                   named.map(str.upper), noise)
texts = st.lists(st.tuples(pieces, separators), max_size=60).map(lambda parts: "".join(a + b for a, b in parts))


def assert_same_reading(text: str) -> None:
    found = REFERENCE.matcher.find(REFERENCE.split(text))
    assert COMPILED.compiled.find(COMPILED.split.translated(text)) == found
    compiled_quotes, reference_quotes = {}, {}
    compiled, reference = COMPILED.read_counting(text, quotes=compiled_quotes), REFERENCE.read_counting(text, quotes=reference_quotes)
    assert compiled == reference and list(compiled[0]) == list(reference[0])
    assert compiled_quotes == reference_quotes
    assert COMPILED.read(text, LEX.title_weight) == REFERENCE.read(text, LEX.title_weight)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(texts)
@example("We maintain Feature Stores and ci/cd; RETRIEVAL-AUGMENTED GENERATION.")
@example("No PhD required. A PhD is not required; Python knowledge is not required")
@example("data  scientists, data\nscientist; dashboards DASHBOARD dashboard's")
def test_the_compiled_reader_reads_random_texts_as_the_reference_does(text):
    assert_same_reading(text)


def test_a_text_of_sentence_ends_is_read_however_many_words_they_make():
    # Each sentence end is a word of its own, with no space needed around it: as many words as bytes.
    assert_same_reading("!" * 5000 + " python " + "." * 5000 + "?!" * 3000)


# Requisitions as hiring managers write them, built from sentences of the usual kinds.
OPENINGS = ["About us: we are a small team building tools for clinics.", "Responsibilities:", "What you'll do",
            "Requirements", "Nice to have:", "Benefits include: health insurance and paid time off.",
            "In this role you will", "About the role"]
DUTIES = ["build {0} and {1} for the finance team", "you will not {0}", "own {0}; no {1} needed",
          "our platform team handles {0}, you focus on {1}", "exposure to {0} is a plus",
          "familiarity with {0} and {1}", "{0} is not required", "partner with engineers who own {0}",
          "we don't expect {0}", "{0}, {1} and {0} every day", "lead {0} end to end and report on {1}"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(OPENINGS + DUTIES), named, named), min_size=1, max_size=25),
       st.sampled_from(["\n", ". ", " "]))
def test_the_compiled_reader_reads_requisition_like_texts_as_the_reference_does(parts, joiner):
    text = joiner.join(template.format(a, b) for template, a, b in parts)
    assert_same_reading(text)


@pytest.mark.parametrize("title, description", [*CLEAR.values(), GERMAN, UNICORN])
def test_both_readers_give_the_same_facts_on_the_samples(title, description):
    requisition = Requisition.build({"title": title, "description": description})
    assert extract(requisition, BOOK, "compiled") == extract(requisition, BOOK, "reference")


@given(st.text(alphabet=string.ascii_lowercase + "+#", min_size=1, max_size=10))
def test_surface_forms_are_every_word_with_that_stem(word):
    base = stem(word)
    assert word in surface_forms(base)
    assert all(stem(form) == base for form in surface_forms(base))


def test_plurals_punctuation_and_case_fold_alike_in_text_and_phrase():
    assert tokens("Feature-Stores, CI/CD") == tokens("feature store ci cd")
    assert COMPILED.read("We maintain Feature Stores and ci/cd; RETRIEVAL-AUGMENTED GENERATION.").keys() \
        >= {"venue:ml_platform", "skill:rag", "skill:mlops"}


def spelled_out(text: str) -> list[str]:
    """The words of a text by the definition, character by character: runs of anything but
    ASCII punctuation, whitespace and the typographic separators."""
    from whichrole.words import OTHER_SEPARATORS
    separators = {chr(c) for c in range(128) if not chr(c).isalnum() and chr(c) not in "+#"} | set(OTHER_SEPARATORS)
    return [stem(w) for w in "".join(" " if ch in separators or ch.isspace() else ch for ch in text.lower()).split()]


@given(st.text(alphabet=string.ascii_letters + string.punctuation + "éüßİ€→½’‘“”–—•·…«»\u00a0\u200b\u2003\u2028\u3000\x85\t\n ",
               max_size=80))
@example("Data\u2003Science’s • ML\u00a0Ops… café’s İstanbul")
def test_words_split_as_defined_whatever_the_text_holds(text):
    assert tokens(text) == spelled_out(text)


@pytest.mark.parametrize("word", ["analyses", "hypotheses", "analysis", "syntheses"])
def test_greek_plurals_are_surface_forms_of_their_singular(word):
    assert word in surface_forms(stem(word))
