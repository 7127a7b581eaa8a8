"""The verdict on requisitions whose answer a careful reader would not dispute."""
import pytest

from samples import CLEAR, GERMAN, UNICORN
from whichrole import RequisitionError, classify, load_rulebook
from whichrole.signals import extract
from whichrole.model import Requisition


@pytest.mark.parametrize("role", sorted(CLEAR))
def test_clear_requisitions_get_their_role(durable, role):
    title, description = CLEAR[role]
    verdict = durable.classify({"title": title, "description": description})
    assert verdict.role == role, verdict.text()
    assert verdict.rationale and verdict.rationale[0].role == role
    assert all(r.source and r.because for r in verdict.rationale)


def test_the_work_beats_the_title(durable):
    _, description = CLEAR["ml_engineer"]
    verdict = durable.classify({"title": "Data Scientist", "description": description})
    assert verdict.role == "ml_engineer"
    assert verdict.title_check.startswith("mismatch")
    assert "title_mismatch" in {w.id for w in verdict.warnings}


def test_a_unicorn_is_flagged_as_conflated(durable):
    title, description = UNICORN
    verdict = durable.classify({"title": title, "description": description})
    assert {"conflated", "conflated_three_jobs"} & {w.id for w in verdict.warnings}, verdict.text()
    assert verdict.runner_up is not None


def test_data_science_flavours(durable):
    analytical = durable.classify(CLEAR["data_scientist"][1])
    assert analytical.flavour == "analytical"
    modeling = durable.classify("Build predictive models for churn and credit risk using XGBoost, LightGBM and "
                                "scikit-learn; feature engineering and model accuracy in Jupyter notebooks.")
    assert (modeling.role, modeling.flavour) == ("data_scientist", "model_development")


def test_structured_fields_alone_decide(durable):
    verdict = durable.classify({"primary_output": "ai_feature", "work_location": "llm_apis",
                                "failure_mode": "llm_unreliable"})
    assert verdict.role == "ai_engineer"
    verdict = durable.classify({"primary_output": "deployed_model", "failure_mode": "model_degrades",
                                "work_location": "training_and_serving"})
    assert verdict.role == "ml_engineer"


def test_activity_mix_points_to_the_nearest_profile(durable):
    assert durable.classify({"mix": "60/30/5/5"}).role == "research_scientist"
    assert durable.classify({"mix": "research=25 modeling=30 engineering=40 product=5"}).role == "research_engineer"
    assert durable.classify({"mix": "0/10/80/10"}).role == "ml_software_engineer"


def test_too_little_to_decide_asks_the_three_questions(durable):
    verdict = durable.classify("We are hiring a great person to join our growing team.")
    assert verdict.confidence < 0.45
    asked = {q.id for q in verdict.questions}
    assert {"primary_output", "six_month_outcomes"} <= asked
    assert "low_information" in {w.id for w in verdict.warnings}


def test_another_language_gets_an_honest_low_confidence_verdict(durable):
    title, description = GERMAN
    verdict = durable.classify({"title": title, "description": description})
    assert verdict.confidence < 0.45
    assert verdict.questions


def test_why_not_names_what_the_runner_up_lacks(durable):
    verdict = durable.classify({"title": "Data Scientist", "description": CLEAR["ml_engineer"][1]
                                + " You will also design A/B tests and present the findings to product leadership."})
    assert verdict.why_not is not None
    assert verdict.why_not.role == verdict.runner_up
    assert all(rule.missing for rule in verdict.why_not.rules)


def test_verdict_renders_everywhere(durable):
    verdict = durable.classify({"title": CLEAR["ai_engineer"][0], "description": CLEAR["ai_engineer"][1]})
    text = verdict.text()
    assert text.startswith("AI Engineer (LLM)") and "Why:" in text and "Vector Talent Partners" in text
    assert verdict.blocks()[0]["type"] == "header"
    cells = verdict.cells()
    assert cells["Recommended role"] == "AI Engineer (LLM)" and 0 <= cells["Confidence"] <= 1
    assert verdict.model_validate_json(verdict.model_dump_json()) == verdict


def test_classify_many_keeps_order(durable):
    roles = list(CLEAR)
    verdicts = list(durable.classify_many({"title": CLEAR[r][0], "description": CLEAR[r][1]} for r in roles))
    assert [v.role for v in verdicts] == roles


def test_module_level_api():
    assert classify(CLEAR["data_engineer"][1]).role == "data_engineer"


def signals_of(text: str) -> dict:
    return extract(Requisition.build(text), load_rulebook())


def test_lexicon_folds_case_plurals_and_punctuation():
    facts = signals_of("We maintain Feature Stores and ci/cd; RETRIEVAL-AUGMENTED GENERATION.")
    assert {"venue:ml_platform", "skill:rag", "skill:mlops"} <= set(facts)


def test_negated_phrases_do_not_count():
    assert "skill:phd" not in signals_of("No PhD required; a bachelor's degree is fine.")
    assert "skill:phd" not in signals_of("A PhD is not required for this position.")
    assert "skill:phd" in signals_of("A PhD in statistics is required.")


def test_word_boundaries_hold():
    assert "skill:rag" not in signals_of("We sell storage, drag and drop tools, and leverage fragments.")


def test_boilerplate_weighs_almost_nothing():
    text = ("Responsibilities: build Tableau dashboards for finance. "
            "Benefits include: our benefits team uses machine learning models and retrieval augmented generation.")
    facts = signals_of(text)
    assert "output:reports" in facts
    assert "skill:rag" not in facts


@pytest.mark.parametrize("bad, field", [
    ({"description": "   "}, "title"),
    ({"title": "x", "colour": "red"}, "colour"),
    ({"title": "Data Scientist", "primary_output": "vibes"}, "primary_output"),
    ({"title": "Data Scientist", "mix": "50/50/50/50"}, "mix"),
    ({"title": "Data Scientist", "description": "abc\x00def"}, "description"),
])
def test_bad_input_is_one_line_naming_the_field(durable, bad, field):
    with pytest.raises(RequisitionError) as caught:
        durable.classify(bad)
    message = str(caught.value)
    assert "\n" not in message and field in message


def test_huge_and_junk_descriptions_are_read_without_hanging(durable):
    big = ("Deploy machine learning models to production and monitor drift. " * 80_000)[:5_000_000]
    verdict = durable.classify({"title": "ML Engineer", "description": big})
    assert verdict.role == "ml_engineer"
    assert "text_cut" in {w.id for w in verdict.warnings}
    assert "text_cut" not in {w.id for w in durable.classify(big[:10_000]).warnings}
    junk = bytes(range(1, 256)).decode("latin-1") * 200
    verdict = durable.classify(junk)
    assert verdict.confidence < 0.45


def test_one_person_for_experiments_a_model_and_an_llm_is_flagged(durable):
    verdict = durable.classify("We need one person to run experiments, build the recommendation model and "
                               "integrate GPT into the product.")
    assert "conflated_three_jobs" in {w.id for w in verdict.warnings}


def test_a_verdict_names_a_role_that_some_fired_rule_speaks_for(durable):
    verdict = durable.classify("Build the recommendation model for our shop.")
    assert verdict.role is not None
    assert any(reason.role == verdict.role for reason in verdict.rationale)


def test_greek_plurals_fold_like_other_plurals():
    from whichrole.signals import tokens
    assert tokens("ad hoc analyses and hypotheses") == tokens("ad hoc analysis and hypothesis")


def test_an_activity_mix_that_is_no_number_is_named(durable):
    with pytest.raises(RequisitionError, match=r"mix: activity mix: 'a' is not a number"):
        durable.classify({"description": "Build models.", "mix": "a/b/c/d"})
