"""The skill × role matrix and the three questions: the matrix file checked like the rules, its
cells trained toward the documents' prior, and verdicts that answer the three questions and quote
the words that decided them."""
import shutil

import pytest
import yaml

from whichrole import Classifier
from whichrole.training import Example, train_weights, settings_with
from whichrole.rulebook import MATRIX_FILE, check_rulebook, default_rules_dir, load_rulebook


@pytest.fixture
def rules_copy(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("candidate", "__pycache__", "*.py"))
    return rules


def with_rows(rules, *rows):
    data = yaml.safe_load((rules / MATRIX_FILE).read_text())
    data["rows"].extend(rows)
    (rules / MATRIX_FILE).write_text(yaml.safe_dump(data, sort_keys=False))


SOURCE = {"doc": "vector", "section": "How to decide which role you need"}


@pytest.mark.parametrize("row, message", [
    ({"signal": "skill:telepathy", "counts": {"data_scientist": 1.0}, "source": SOURCE}, "not a signal of the lexicon"),
    ({"signal": "skill:sql_golf", "counts": {"quant": 1.0}, "source": SOURCE}, "not a signal of the lexicon"),
    ({"signal": "output:insight", "counts": {"data_scientist": 1.0}, "source": SOURCE}, "has a row already"),
    ({"signal": "skill:deep_learning_x", "counts": {}, "source": {"doc": "blog", "section": "x"}}, "unknown source"),
])
def test_a_matrix_row_that_cannot_be_read_is_named_with_its_line(rules_copy, row, message):
    with_rows(rules_copy, row)
    _, problems = check_rulebook(rules_copy)
    found = [str(p) for p in problems if p.file == MATRIX_FILE]
    assert any(message in text for text in found), found
    assert all(text.startswith(f"{MATRIX_FILE}:") and not text.startswith(f"{MATRIX_FILE}:0:") for text in found)


def test_an_unknown_role_in_a_cell_is_named(rules_copy):
    data = yaml.safe_load((rules_copy / MATRIX_FILE).read_text())
    data["rows"][0]["counts"]["quant_researcher"] = 1.0
    (rules_copy / MATRIX_FILE).write_text(yaml.safe_dump(data, sort_keys=False))
    _, problems = check_rulebook(rules_copy)
    assert any("unknown role 'quant_researcher'" in str(p) for p in problems)


def test_every_signal_answering_a_question_is_one_of_the_three():
    book = load_rulebook()
    answered = {row.question for row in book.matrix.rows if row.question}
    assert answered == {"primary_output", "work_location", "failure_mode"}
    assert all(question in book.catalogue.questions for question in answered)


def test_cells_no_posting_speaks_to_keep_the_share_of_the_prior_they_are_pulled_to():
    book = load_rulebook(trained=False)
    # Two roles told apart by one signal each; skill:rag is in no example, so only the prior moves it.
    examples = [Example([], {"output:insight": 1.0}, "data_scientist") for _ in range(6)]
    examples += [Example([], {"venue:warehouse": 1.0}, "data_engineer") for _ in range(6)]
    weights = train_weights(examples, book, settings_with({"calibration_folds": 2}))
    matrix, prior = weights.roles.matrix, settings_with()["prior"]
    assert matrix["skill:rag"]["ai_engineer"] == pytest.approx(prior * book.matrix.row("skill:rag").counts["ai_engineer"])
    # What the examples say moves the cells they speak to: for their own role and against the other.
    assert matrix["output:insight"]["data_scientist"] > prior * 1.5
    assert matrix["venue:warehouse"].get("data_scientist", 0.0) < 0
    assert weights.matrix_fingerprint == book.matrix.fingerprint(list(book.lexicon.signals))


def test_a_changed_matrix_is_noted_as_stale(rules_copy):
    from whichrole.rulebook import weights_notes
    data = yaml.safe_load((rules_copy / MATRIX_FILE).read_text())
    data["rows"][0]["counts"]["data_scientist"] = 3.0
    (rules_copy / MATRIX_FILE).write_text(yaml.safe_dump(data, sort_keys=False))
    notes = [str(n) for n in weights_notes(load_rulebook(rules_copy))]
    assert any(n.startswith(MATRIX_FILE) and "changed since the weights were trained" in n for n in notes)
    assert not any(n.startswith(MATRIX_FILE) for n in map(str, weights_notes(load_rulebook())))


def test_a_coordinated_list_under_one_negator_is_negated_throughout():
    verdict = Classifier(engine="reference").classify(
        "We do not work with large language models or RAG. You will analyse the funnel and present findings.")
    assert "skill:rag" not in verdict.signals and "skill:llm" not in verdict.signals
    said = Classifier(engine="reference").classify("You will build RAG pipelines over our documents.")
    assert "skill:rag" in said.signals


def test_the_three_questions_are_answered_with_the_words_that_decided_them():
    verdict = Classifier(engine="reference").classify(
        "Deploy our churn models to production behind an API, monitor drift and retrain them when the model degrades.")
    answers = {a.question: a for a in verdict.answers}
    assert answers["primary_output"].signal == "output:production_ml"
    assert answers["primary_output"].quote and all(isinstance(q, str) and q for q in answers["primary_output"].quote)
    assert answers["failure_mode"].signal == "failure:model_degrades"
    assert verdict.role == "ml_engineer"


def test_where_the_work_lives_is_asked_when_the_requisition_does_not_say():
    verdict = Classifier(engine="reference").classify(
        "Design A/B tests, analyse the results and present recommendations to product leadership.")
    answers = {a.question: a for a in verdict.answers}
    assert answers["work_location"].answer is None
    assert "work_location" in [q.id for q in verdict.questions]
    told = Classifier(engine="reference").classify(
        "Design A/B tests in Jupyter notebooks, analyse the results and present recommendations to leadership.")
    assert {a.question: a for a in told.answers}["work_location"].answer is not None
    assert "work_location" not in [q.id for q in told.questions]


def test_reasons_name_the_signal_counted_quote_it_and_cite_a_source():
    verdict = Classifier(engine="reference").classify(
        "Build ETL pipelines into the Snowflake warehouse with Airflow and dbt, and own data quality checks.")
    assert verdict.role == "data_engineer"
    matrix_reasons = [r for r in verdict.rationale if r.rule.startswith("matrix:")]
    assert matrix_reasons and all(r.source and r.because for r in matrix_reasons)
    quoted = [r for r in matrix_reasons if r.quote]
    assert quoted, "the words of the requisition that raised a signal are quoted"
    assert all(q.lower() in verdict.model_dump_json().lower() for r in quoted for q in r.quote)


def test_the_title_does_not_outweigh_the_work_described():
    warehouse = ("Design and run our ELT pipelines from Postgres and Salesforce into Snowflake with Airflow and dbt. "
                 "Model the warehouse tables, own data quality checks and the orchestration of nightly loads, "
                 "keep the data catalogue current and make the pipelines observable and cheap to run. You will "
                 "work with the analytics team, who build the dashboards on the tables you model, and with the "
                 "platform team on Terraform for the warehouse and its access controls.")
    verdict = Classifier(engine="reference").classify({"title": "Data Scientist", "description": warehouse})
    assert verdict.role == "data_engineer"
    assert verdict.title_check.startswith("mismatch")
    # The dashboards are another team's: the primary output the verdict reasons from is the platform.
    assert {a.question: a.signal for a in verdict.answers}["primary_output"] == "output:data_platform"
    short = Classifier(engine="reference").classify({"title": "Data Scientist", "description": "Join our team."})
    assert short.role == "data_scientist"


def test_flavours_read_the_signals_too():
    book = load_rulebook(trained=False)
    examples = [Example([], {"output:insight": 1.0}, "data_scientist", "analytical") for _ in range(6)]
    examples += [Example([], {"skill:novel_methods": 1.0}, "data_scientist", "research") for _ in range(6)]
    examples += [Example([], {"venue:warehouse": 1.0}, "data_engineer") for _ in range(6)]
    flavours = train_weights(examples, book, settings_with({"calibration_folds": 2})).flavours["data_scientist"]
    assert flavours.matrix["skill:novel_methods"]["research"] > 0 > flavours.matrix["skill:novel_methods"]["analytical"]


def test_no_verdict_is_certain():
    text = ("Build RAG pipelines over our documents with embeddings and a vector database, prompt engineering, "
            "LLM agents with LangChain on the OpenAI API, evaluation of hallucinations and guardrails. ") * 4
    verdict = Classifier(engine="reference").classify({"title": "AI Engineer", "description": text})
    assert verdict.role == "ai_engineer" and 0.9 <= verdict.confidence <= 0.99
