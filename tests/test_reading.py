"""The reading rules: what a sentence says about who does the work, and whether it must be done.

Each rule is data in rules/lexicon.yaml; each sentence is read by the compiled reader and by the
reference, which must agree.
"""
import pytest

from whichrole import load_rulebook
from whichrole.signals import CompiledLexicon

BOOK = load_rulebook()
LEX = BOOK.lexicon
READERS = [CompiledLexicon(BOOK, "compiled"), CompiledLexicon(BOOK, "reference")]


@pytest.fixture(params=READERS, ids=["compiled", "reference"])
def reader(request):
    return request.param


def evidence(reader, text: str, signal: str) -> float:
    """The weighted evidence for ``signal`` in a responsibilities section saying ``text``."""
    return reader.read("Responsibilities\n" + text).get(signal, 0.0)


@pytest.mark.parametrize("text, signal", [
    ("You won't be training models.", "output:predictive_model"),
    ("You will not train models.", "output:predictive_model"),
    ("We don't expect you to train models.", "output:predictive_model"),
    ("This role doesn't train models.", "output:predictive_model"),
    ("The job isn't about training models.", "output:predictive_model"),
    ("There is no need to train models.", "output:predictive_model"),
    ("Deep learning knowledge is not required.", "skill:deep_learning"),
    ("A PhD isn't needed.", "skill:phd"),
])
def test_negations_with_contractions_do_not_count(reader, text, signal):
    assert evidence(reader, text.replace("n't", "").replace(" not", "").replace("no need to", "you"), signal) > 0
    assert evidence(reader, text, signal) == 0.0


def test_a_phrase_then_not_required_does_not_count(reader):
    assert evidence(reader, "Spark knowledge is not required.", "venue:warehouse") == 0.0
    assert evidence(reader, "Spark isn't required.", "venue:warehouse") == 0.0
    assert evidence(reader, "Spark knowledge is required.", "venue:warehouse") == 1.0


def test_negation_ends_with_its_sentence(reader):
    assert evidence(reader, "No relocation. Train models on our data.", "output:predictive_model") == 1.0
    assert evidence(reader, "No relocation\nTrain models on our data.", "output:predictive_model") == 1.0
    assert evidence(reader, "No relocation, train models on our data.", "output:predictive_model") == 0.0


def test_words_that_only_look_like_a_negation_do_not_negate(reader):
    text = "Tools including but not limited to Spark and Airflow."
    assert evidence(reader, text, "venue:warehouse") == 2.0


def test_a_phrase_never_spans_two_sentences(reader):
    assert evidence(reader, "Pick the right tools to deploy. Models are retrained weekly.", "output:production_ml") == 0.0
    assert evidence(reader, "Pick the right tools to deploy models weekly.", "output:production_ml") == 1.0


@pytest.mark.parametrize("text, signal", [
    ("Our platform team owns model serving.", "venue:serving"),
    ("The platform team deploys models for every squad.", "output:production_ml"),
    ("Partner with data engineers who own the ETL pipelines.", "output:data_platform"),
    ("ML engineers package and deploy models after hand-over.", "output:production_ml"),
    ("Other teams handle model serving.", "venue:serving"),
])
def test_work_given_to_another_team_counts_little(reader, text, signal):
    assert evidence(reader, text, signal) == pytest.approx(LEX.others.weight)


def test_someone_who_does_the_work_is_the_hire(reader):
    assert evidence(reader, "We want someone who owns model serving end to end.", "venue:serving") == 1.0


def test_the_hire_is_the_subject_again_after_you(reader):
    assert evidence(reader, "Our platform team runs the cluster and you deploy models.", "output:production_ml") == 1.0
    # ... and the other team's work stops at the end of its sentence
    assert evidence(reader, "Our platform team runs the cluster. Deploy models daily.", "output:production_ml") == 1.0


@pytest.mark.parametrize("text, duty, signal", [
    ("Exposure to Kubernetes is a plus.", "Kubernetes.", "skill:mlops"),
    ("Kubernetes is a plus.", "Kubernetes.", "skill:mlops"),
    ("Familiarity with Kubernetes, ideally.", "Kubernetes.", "skill:mlops"),
    ("Bonus: experience building dashboards.", "Experience building dashboards.", "output:reports"),
    ("Fine tuning experience would be a bonus.", "Fine tuning experience.", "skill:fine_tuning"),
])
def test_nice_to_have_and_exposure_count_less_than_duties(reader, text, duty, signal):
    assert evidence(reader, duty, signal) == 1.0
    assert evidence(reader, text, signal) == pytest.approx(LEX.secondary.weight)


def test_a_nice_to_have_section_counts_less_than_requirements(reader):
    required = reader.read("Requirements\nFine tuning experience.")["skill:fine_tuning"]
    nice = reader.read("Nice to have:\nFine tuning experience.")["skill:fine_tuning"]
    assert nice == LEX.sections["preferred"].weight < required


def test_a_contrast_ends_a_negation(reader):
    assert evidence(reader, "No PhD needed, but you train models.", "output:predictive_model") == 1.0
    assert evidence(reader, "No PhD needed, but you train models.", "skill:phd") == 0.0


def test_a_nice_to_have_re_weighs_only_its_own_sentence(reader):
    text = "Build dashboards for finance. Tableau is a plus."
    assert evidence(reader, text, "output:reports") == pytest.approx(1.0 + LEX.secondary.weight)


def test_an_empty_sentence_end_is_refused_with_where_it_is(tmp_path):
    import shutil

    from whichrole.rulebook import RulebookError, default_rules_dir, load_rulebook as load
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "candidate"))
    lexicon = rules / "lexicon.yaml"
    lexicon.write_text(lexicon.read_text().replace('sentence_ends: [". ",', 'sentence_ends: ["", ". ",', 1))
    with pytest.raises(RulebookError, match=r"lexicon\.yaml:\d+: .*sentence_ends"):
        load(rules)
