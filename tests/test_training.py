"""Training the rules' weights and scoring them out of fold, on labelled postings written here."""
import hashlib
import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from samples import CLEAR
from whichrole import Classifier
from whichrole.evaluation import evaluate, evaluate_folds, train_file, reliability
from whichrole.training import TrainingError, stratified_folds
from whichrole.rulebook import default_rules_dir, load_rulebook, weights_notes
from whichrole.weights import WEIGHTS_FILE, Weights, role_of, save

# Each role's clear case, and variants that say the same work in other words.
VARIANTS = {
    "data_scientist": ["Analyse the funnel, design A/B tests and present actionable insights to the product team.",
                       "Build dashboards and KPI reports in Tableau; ad hoc SQL analysis for marketing leadership."],
    "ml_engineer": ["Own model serving and monitoring: deploy models to production on Kubernetes, retrain on drift.",
                    "Build the feature store and training pipelines, MLOps with MLflow, CI/CD for machine learning."],
    "ai_engineer": ["Ship an LLM assistant: RAG over our documents with embeddings, prompt engineering, guardrails.",
                    "Build agents with LangChain on the OpenAI API and evaluate hallucinations of the LLM features."],
    "data_engineer": ["Build ETL pipelines with Airflow and dbt into the Snowflake warehouse; data quality checks.",
                      "Streaming ingestion with Kafka and Spark, data modeling of the lakehouse, orchestration."],
    "out_of_scope": ["Cold calling, product demos and RFP responses; own a sales quota for the territory.",
                     "Answer support tickets, onboard customers and manage accounts in Salesforce."],
}


def labelled_file(path, extra=()):
    rows = [{"id": f"{role}-0", "title": title, "description": text, "role": role}
            for role, (title, text) in CLEAR.items() if role in VARIANTS]
    rows += [{"id": f"{role}-{i}", "title": "", "description": text, "role": role}
             for role, texts in VARIANTS.items() for i, text in enumerate(texts, 1)]
    rows += list(extra)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A copy of the shipped rules, retrained on the postings written here."""
    folder = tmp_path_factory.mktemp("train")
    rules = folder / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("candidate", "__pycache__", "*.py"))
    postings = labelled_file(folder / "labelled.jsonl")
    weights = train_file(postings, Classifier(rules, "reference"), {"calibration_folds": 3}, folds=3)
    save(weights, rules / WEIGHTS_FILE)
    return rules, postings, weights


def test_fitted_weights_keep_their_provenance_and_their_rules_sign(trained):
    rules, postings, weights = trained
    provenance = weights.provenance
    assert provenance.sha256 == hashlib.sha256(postings.read_bytes()).hexdigest()
    assert provenance.postings == 15 and provenance.labelled_file == "labelled.jsonl"
    assert provenance.settings["calibration_folds"] == 3 and provenance.cross_validated.folds == 3
    book = load_rulebook(rules)
    assert book.weights is not None and book.weights.roles.bias.keys() == book.roles.keys()
    for role, per_rule in weights.roles.weights.items():
        for rule_id, weight in per_rule.items():
            rule = book.rule(rule_id)
            assert role_of(rule) == role, "a rule counts only for the role it names"
            assert weight >= 0, f"{rule_id} declares evidence for {role}, so it never counts against it"
    assert weights.roles.temperature > 0


def test_fitting_is_reproducible(trained, tmp_path):
    rules, postings, weights = trained
    again = train_file(postings, Classifier(rules, "reference"), {"calibration_folds": 3}, folds=3)
    assert again.roles == weights.roles and again.flavours == weights.flavours


def test_the_saved_file_reads_back_as_the_same_weights(trained):
    rules, _, weights = trained
    text = (rules / WEIGHTS_FILE).read_text()
    assert text.startswith("# Trained by 'whichrole rules train' from labelled.jsonl")
    assert Weights.model_validate(yaml.safe_load(text)) == weights


def test_fitted_weights_classify_what_they_were_fitted_on(trained):
    rules, postings, _ = trained
    report = evaluate(postings, Classifier(rules, "reference"))
    assert not report.out_of_fold and report.accuracy >= 0.9
    assert sum(band.count for band in report.reliability) == report.scored


@pytest.mark.slow
def test_out_of_fold_scores_every_posting_once_with_weights_fitted_without_it(trained, tmp_path):
    rules, postings, _ = trained
    report = evaluate_folds(postings, Classifier(rules, "reference"), 3, {"calibration_folds": 3},
                            disagreements=tmp_path / "d.jsonl")
    assert report.out_of_fold and report.folds == 3 and len(report.fold_accuracies) == 3
    assert report.scored == 15 and sum(band.count for band in report.reliability) == 15
    assert report.accuracy_spread is not None
    assert 0 <= report.expected_calibration_error <= 1


def test_folds_spread_each_label_evenly():
    labels = ["a"] * 7 + ["b"] * 3
    folds = stratified_folds(labels, 3, seed=1)
    assert stratified_folds(labels, 3, seed=1) == folds
    for label in "ab":
        counts = [sum(1 for lab, f in zip(labels, folds) if lab == label and f == k) for k in range(3)]
        assert max(counts) - min(counts) <= 1


def test_reliability_and_calibration_error_of_known_verdicts():
    bands = reliability([(0.95, True), (0.92, False), (0.35, False), (1.0, True)])
    top = bands[-1]
    assert (top.count, top.accuracy) == (3, pytest.approx(2 / 3, abs=1e-4))
    assert top.mean_confidence == pytest.approx((0.95 + 0.92 + 1.0) / 3, abs=1e-4)
    assert bands[3].count == 1 and bands[3].accuracy == 0


def test_a_label_the_catalogue_does_not_know_is_refused_with_its_line(trained, tmp_path):
    rules, _, _ = trained
    postings = labelled_file(tmp_path / "bad.jsonl", [{"title": "x", "description": "y", "role": "undetermined"}])
    with pytest.raises(ValueError, match=r"bad\.jsonl:16: role 'undetermined' is not a role"):
        evaluate(postings, Classifier(rules, "reference"))
    flavoured = labelled_file(tmp_path / "flavour.jsonl", [
        {"title": "x", "description": "y", "role": "data_scientist", "ds_flavour": "vibes"}])
    with pytest.raises(ValueError, match=r"flavour\.jsonl:16: ds_flavour 'vibes' is not a flavour of data_scientist"):
        evaluate(flavoured, Classifier(rules, "reference"))


def test_a_verdict_naming_no_role_is_its_own_outcome(trained, tmp_path):
    rules, _, _ = trained
    postings = tmp_path / "vague.jsonl"
    postings.write_text(json.dumps({"title": "", "description": "We need someone great.", "role": "out_of_scope"}) + "\n")
    report = evaluate(postings, Classifier(rules, "reference"))
    assert report.undetermined == 1 and report.correct == 0
    assert report.confusion["out_of_scope"] == {"undetermined": 1}


def test_too_few_postings_for_the_folds_is_one_line(trained, tmp_path):
    rules, _, _ = trained
    postings = tmp_path / "two.jsonl"
    postings.write_text("".join(json.dumps({"title": t, "description": d, "role": r}) + "\n"
                                for r, (t, d) in list(CLEAR.items())[:2]))
    with pytest.raises(TrainingError, match="--folds 5: needs between 2 and 2 folds"):
        evaluate_folds(postings, Classifier(rules, "reference"), 5)


def test_check_notes_rules_changed_or_added_since_the_fit(trained, tmp_path):
    rules, _, _ = trained
    changed = tmp_path / "rules"
    shutil.copytree(rules, changed)
    needs = changed / "needs.yaml"
    needs.write_text(needs.read_text().replace("when: {all: [output:data_platform]}",
                                               "when: {all: [output:data_platform, venue:warehouse]}", 1))
    book = load_rulebook(changed)
    notes = [str(n) for n in weights_notes(book)]
    assert any("need.foundation: changed since its weight was trained" in n for n in notes), notes
    assert not any("changed since" in str(n) for n in weights_notes(load_rulebook(rules)))


def test_the_fit_command_writes_weights_and_says_how_good_they_are(trained, tmp_path):
    rules, postings, _ = trained
    copy = tmp_path / "rules"
    shutil.copytree(rules, copy)
    (copy / WEIGHTS_FILE).unlink()
    result = subprocess.run([sys.executable, "-m", "whichrole", "rules", "train", str(postings), "--rules", str(copy),
                             "--folds", "3", "--repeats", "2", "--set", "calibration_folds=3"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "rules" in result.stdout and "fired) on 15 postings of labelled.jsonl" in result.stdout and "out of fold (3 folds, 2 splits): accuracy" in result.stdout
    provenance = load_rulebook(copy).weights.provenance
    assert provenance.postings == 15 and provenance.cross_validated.repeats == 2
    bad = subprocess.run([sys.executable, "-m", "whichrole", "rules", "train", str(postings), "--rules", str(copy),
                          "--set", "l3=1"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "whichrole: error: unknown training setting(s): l3 (known: l2, prior, bias_l2, matrix_l2, calibration_folds, seed)")


def test_classifying_does_not_need_the_fitting_libraries():
    code = ("import sys, whichrole; whichrole.classify('Deploy models to production on Kubernetes.'); "
            "print(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.slow
def test_repeated_splits_score_each_posting_once_per_split(trained):
    rules, postings, _ = trained
    report = evaluate_folds(postings, Classifier(rules, "reference"), 3, {"calibration_folds": 3}, repeats=2)
    assert report.repeats == 2 and report.scored == 30 and len(report.repeat_accuracies) == 2
    assert len(report.fold_accuracies) == 6
    assert report.accuracy == pytest.approx(sum(report.repeat_accuracies) / 2, abs=1e-3)
    assert "3 folds, 2 splits" in report.text()


@pytest.mark.parametrize("setting, message", [
    ("l2=nan", "training setting l2=nan: must be a finite number, not negative"),
    ("prior=-1", "training setting prior=-1: must be a finite number, not negative"),
    ("calibration_folds=0", "training setting calibration_folds=0: needs at least 2"),
    ("seed=1.5", "training setting seed=1.5: must be a whole number"),
    ("l2", "--set 'l2': expected name=value"),
])
def test_bad_fit_settings_are_one_line(trained, tmp_path, setting, message):
    rules, postings, _ = trained
    result = subprocess.run([sys.executable, "-m", "whichrole", "eval", str(postings), "--rules", str(rules),
                             "--folds", "3", "--set", setting, "--disagreements", str(tmp_path / "d.jsonl")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stderr.strip() == f"whichrole: error: {message}"


@pytest.mark.parametrize("rows, message", [
    ([], "no postings"),
    ([{"title": "x", "description": "y", "role": "data_engineer"}, {"title": "x", "description": "y"}],
     ":2: no 'role', though other postings of the file have one"),
    ([{"title": "x", "description": "y", "ds_flavour": "analytical", "title_families": []}], ":1: ds_flavour needs a role"),
    ([{"title": "x", "description": "y"}], ":1: neither a 'role' nor 'title_families'"),
    ([{"title": "x", "description": "y", "role": "data_engineer", "conflated": "no"}],
     ":1: conflated must be true or false, not 'no'"),
    ([{"title": "", "description": "", "role": "data_engineer"}], "no posting could be read"),
])
def test_labelled_files_that_cannot_be_scored_say_where(trained, tmp_path, rows, message):
    rules, _, _ = trained
    postings = tmp_path / "bad.jsonl"
    postings.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match=re.escape(message)):
        evaluate(postings, Classifier(rules, "reference"))


def test_a_fit_needs_two_roles_and_a_rule_that_fires(trained, tmp_path):
    rules, _, _ = trained
    one_role = tmp_path / "one.jsonl"
    one_role.write_text("".join(json.dumps({"title": "", "description": text, "role": "data_engineer"}) + "\n"
                                for text in VARIANTS["data_engineer"]))
    with pytest.raises(TrainingError, match="training needs at least two roles"):
        train_file(one_role, Classifier(rules, "reference"), folds=2)
    vague = tmp_path / "vague.jsonl"
    vague.write_text("".join(json.dumps({"title": "", "description": "We need someone great.", "role": role}) + "\n"
                             for role in ("data_engineer", "ml_engineer")))
    with pytest.raises(TrainingError, match="no rule that speaks for a role fires"):
        train_file(vague, Classifier(rules, "reference"), folds=2)


@pytest.mark.slow
def test_stale_weights_are_refitted_not_refused(trained, tmp_path):
    rules, postings, _ = trained
    stale = tmp_path / "rules"
    shutil.copytree(rules, stale)
    data = yaml.safe_load((stale / WEIGHTS_FILE).read_text())
    del data["roles"]["bias"]["out_of_scope"]
    (stale / WEIGHTS_FILE).write_text(yaml.safe_dump(data))
    with pytest.raises(Exception, match="run 'whichrole rules train'"):
        load_rulebook(stale)
    result = subprocess.run([sys.executable, "-m", "whichrole", "rules", "train", str(postings), "--rules", str(stale),
                             "--folds", "3", "--repeats", "1", "--set", "calibration_folds=3"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "out_of_scope" in load_rulebook(stale).weights.roles.bias


def test_folds_are_as_equal_in_size_as_they_can_be():
    labels = ["a"] * 6 + ["b"] * 6 + ["c"] * 6  # six of each over four folds: 18 = 5 + 5 + 4 + 4
    sizes = sorted(stratified_folds(labels, 4, seed=3).count(k) for k in range(4))
    assert sizes == [4, 4, 5, 5]


def test_weights_that_are_not_numbers_are_refused_with_their_file(trained, tmp_path):
    rules, _, _ = trained
    broken = tmp_path / "rules"
    shutil.copytree(rules, broken)
    data = yaml.safe_load((broken / WEIGHTS_FILE).read_text())
    data["roles"]["temperature"] = float("nan")
    (broken / WEIGHTS_FILE).write_text(yaml.safe_dump(data))
    with pytest.raises(Exception, match=r"weights\.yaml:\d+: roles\.temperature"):
        load_rulebook(broken)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(trained, tmp_path):
    rules, _, _ = trained
    postings = tmp_path / "latin.jsonl"
    postings.write_bytes(b'{"title": "x", "description": "y", "role": "data_engineer"}\n{"title": "caf\xe9"}\n')
    with pytest.raises(ValueError, match=r"latin\.jsonl:2: not UTF-8 text"):
        evaluate(postings, Classifier(rules, "reference"))


def test_fit_settings_without_folds_are_refused(trained, tmp_path):
    rules, postings, _ = trained
    result = subprocess.run([sys.executable, "-m", "whichrole", "eval", str(postings), "--rules", str(rules),
                             "--repeats", "3", "--disagreements", str(tmp_path / "d.jsonl")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == "whichrole: error: --repeats and --set are settings of a training run: give --folds K"


def test_the_report_says_whose_weights_it_scored(trained, tmp_path):
    rules, postings, _ = trained
    assert f"in sample (the weights in {rules})" in evaluate(postings, Classifier(rules, "reference")).text()


def test_a_changed_declared_weight_is_noted_as_stale(trained, tmp_path):
    rules, _, _ = trained
    changed = tmp_path / "rules"
    shutil.copytree(rules, changed)
    needs = changed / "needs.yaml"
    text = needs.read_text()
    start = text.index("id: need.foundation\n")
    end = text.index("weight: 1.5", start)
    needs.write_text(text[:end] + "weight: 2.5" + text[end + len("weight: 1.5"):])
    notes = [str(n) for n in weights_notes(load_rulebook(changed))]
    assert any("need.foundation: changed since its weight was trained" in n for n in notes), notes


def test_confusion_columns_never_read_alike(trained):
    from whichrole.evaluation import abbreviations
    names = list(load_rulebook(trained[0]).roles) + ["undetermined"]
    short = abbreviations(names)
    assert len(set(short.values())) == len(names) and all(len(v) <= 7 for v in short.values())


@pytest.mark.slow
def test_out_of_fold_puts_the_bag_of_words_peer_and_a_learning_curve_beside_the_figure(trained):
    rules, postings, _ = trained
    report = evaluate_folds(postings, Classifier(rules, "reference"), 3, {"calibration_folds": 3}, repeats=2)
    assert report.peer_note is None and 0 <= report.peer_accuracy <= 1 and len(report.peer_repeat_accuracies) == 2
    assert [point.share for point in report.learning_curve] == [0.25, 0.5, 0.75, 1.0]
    whole = report.learning_curve[-1]
    assert (whole.accuracy, whole.peer_accuracy) == (report.repeat_accuracies[0], report.peer_repeat_accuracies[0])
    assert [p.training_postings for p in report.learning_curve] == sorted(p.training_postings for p in report.learning_curve)
    text = report.text()
    assert "bag-of-words peer" in text and "trained on  25%" in text and "trained on 100%" in text
