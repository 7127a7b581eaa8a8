"""Which role fits a candidate: the decision tree's cases, what each answer carries, bad input,
the profile line, Slack blocks, the CLI with flags and with its questions on a terminal."""
import json
import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

import whichrole
from whichrole.candidate import Fit, Profile, ProfileError, fit, fit_text, fitter
from whichrole.candidate.profile import parse_profile_text
from whichrole.candidate.prompt import ask_profile
from whichrole.render.slack import BLOCK_LIMIT, HEADER_LIMIT, SECTION_LIMIT


def ranked(result: Fit) -> list[str]:
    return [role.role for role in result.ranking]


def note_ids(result: Fit) -> set[str]:
    return {note.id for note in result.notes}


# ---------------------------------------------------------------- the decision tree

def test_a_phd_near_the_science_aims_at_applied_science_with_research_as_stretch():
    result = fit({"degree": "phd", "papers": 4, "engineering": "strong", "interests": ["science"]})
    assert ranked(result)[:2] == ["applied_scientist", "research_scientist"], result.text()
    assert {"rs_stretch", "interview_as_not_rs"} <= note_ids(result)


def test_a_strong_infra_engineer_is_a_research_engineer_at_a_frontier_lab_and_a_senior_mle_elsewhere():
    at_lab = fit_text("engineering=strong interests=infra org=frontier_lab")
    elsewhere = fit_text("engineering=strong interests=infra org=big_tech")
    assert at_lab.best == "research_engineer" and elsewhere.best == "ml_engineer"
    assert "re_rare_outside_labs" in note_ids(elsewhere)
    undecided = fit_text("engineering=strong interests=infra")
    assert set(ranked(undecided)[:2]) == {"research_engineer", "ml_engineer"}
    assert "re_frontier_or_mle" in note_ids(undecided) and "orgs" in {q.id for q in undecided.questions}
    assert undecided.organisation_matters
    by_role = {outcome.role: outcome.orgs for outcome in undecided.by_organisation}
    assert by_role["research_engineer"] == ["frontier lab"] and "big tech" in by_role["ml_engineer"]


def test_the_organisation_outcomes_mark_the_ones_aimed_at():
    result = fit_text("phd=yes papers=4 engineering=strong interests=science org=frontier_lab,big_tech")
    wanted = {name: outcome.role for outcome in result.by_organisation for name in outcome.wanted}
    assert wanted == {"frontier lab": "research_scientist", "big tech": "applied_scientist"}
    assert "Where you aim changes the answer" in result.text() and "frontier lab (your aim)" in result.text()


def test_an_engineer_who_does_not_want_to_model_is_an_ml_engineer():
    result = fit_text("engineering=solid mix=5/15/65/15")
    assert result.best == "ml_engineer" and result.confidence >= 0.6


def test_a_software_engineer_without_research_starts_on_an_ml_team():
    result = fit_text("engineering=solid research=none")
    assert ranked(result)[:2] == ["ml_software_engineer", "ml_engineer"]
    assert "team_will_train" in note_ids(result)


@pytest.mark.parametrize("line, role", [
    ("mix=60/30/5/5 phd=yes", "research_scientist"),
    ("mix=20/40/20/20", "applied_scientist"),
    ("mix=25/30/40/5", "research_engineer"),
    ("mix=5/30/50/15", "ml_engineer"),
    ("mix=0/10/80/10", "ml_software_engineer"),
    ("engineering=solid interests=llm org=saas", "ai_engineer"),
    ("interests=analysis mix=10/40/10/40 engineering=basic", "data_scientist"),
])
def test_each_role_is_reachable(line, role):
    assert fit_text(line).best == role


def test_weak_engineering_counts_against_the_engineering_roles():
    result = fit_text("phd=yes papers=2 engineering=basic mix=25/30/40/5")
    research_engineer = next(r for r in result.ranking if r.role == "research_engineer")
    assert research_engineer.against and research_engineer.against[0].weight < 0
    assert "research_without_engineering" in note_ids(result)
    assert result.scores["research_engineer"] < fit_text("phd=yes papers=2 mix=25/30/40/5").scores["research_engineer"]


def test_levels_add_what_the_level_means():
    assert "level_principal" in note_ids(fit_text("phd=yes interests=science level=principal"))
    assert "level_junior" in note_ids(fit_text("engineering=solid level=L4"))


# ---------------------------------------------------------------- what an answer carries

def test_every_ranked_role_has_reasons_sources_a_loop_and_pay_where_known():
    result = fit_text("phd=yes papers=3 engineering=strong mix=20/40/20/20 years=6 org=frontier_lab")
    assert result.best == "applied_scientist" and len(result.ranking) >= 3
    for role in result.ranking:
        assert role.reasons and all(r.source and r.because and r.where for r in role.reasons)
        assert role.interview_loop and all(item.source for item in role.interview_loop)
        assert role.pay and "Compensation patterns" in role.pay.source
    assert "as_title_at_frontier" in note_ids(result) and "frontier_pay" in note_ids(result)
    text = result.text()
    assert "Interview loop to prepare for" in text and "Pay, relative" in text
    assert result.rulebook_version in text


def test_pay_not_given_by_the_sources_is_said_so():
    result = fit_text("interests=llm engineering=solid")
    assert result.best == "ai_engineer" and result.ranking[0].pay is None
    assert "not covered by the sources" in result.text()


def test_json_round_trips_and_the_package_exports_fit():
    result = whichrole.fit(Profile(degree="phd", interests=["science"]))
    again = Fit.model_validate_json(result.model_dump_json())
    assert again == result and again.profile.degree == "phd"
    assert whichrole.fit_text("phd=yes interests=science").best == result.best


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("line, message", [
    ("", "empty profile"),
    ("mix=50/40/20/20", "mix: activity mix adds up to 130%"),
    ("mix=50/50", "mix: activity mix needs four numbers"),
    ("phd=yes degree=master", "phd=yes contradicts degree=master"),
    ("research=none papers=2", "research=none contradicts papers=2"),
    ("degree=phd degree=master", "degree given twice"),
    ("research=60", "research= is your research record"),
    ("degree=wizard", "degree: unknown value 'wizard'"),
    ("org=moon_base", "orgs: unknown value 'moon_base'"),
    ("papers=three", "papers: expected a whole number"),
    ("years=-3", "years:"),
    ("salary=lots", "unknown key 'salary'"),
    ('about="unclosed', "cannot read the profile line"),
])
def test_bad_profiles_get_one_clear_line(line, message):
    with pytest.raises(ProfileError) as error:
        fit_text(line)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_profile_that_says_almost_nothing_gets_an_honest_low_confidence_answer():
    result = fit_text("org=frontier_lab")
    assert result.best is None and result.confidence == 0 and result.ranking == []
    assert "low_confidence" in note_ids(result)
    assert {"research_record", "engineering", "mix", "interests"} <= {q.id for q in result.questions}
    thin = fit_text("interests=llm")
    assert thin.best == "ai_engineer" and thin.confidence < 0.45 and "low_confidence" in note_ids(thin)


def test_not_text_is_refused():
    with pytest.raises(ProfileError):
        fit_text({"degree": "phd"})
    with pytest.raises(ProfileError):
        fit(42)


# ---------------------------------------------------------------- the profile line

def test_the_profile_line_reads_keys_aliases_counts_and_free_words():
    fields = parse_profile_text("phd=yes pubs=3 eng=strong 20/40/20/20 yoe=6 level=L6 "
                                "org=frontier_lab,big_tech org=startup interest=infra about='likes GPUs'")
    assert fields == {"degree": "phd", "papers": 3, "engineering": "strong", "mix": "20/40/20/20", "years": 6.0,
                      "level": "L6", "orgs": ["frontier_lab", "big_tech", "startup"], "interests": ["infra"],
                      "about": "likes GPUs"}
    assert parse_profile_text("I have 3 papers and 6 years in industry") == {
        "papers": 3, "years": 6.0, "about": "I have 3 papers and 6 years in industry"}
    assert parse_profile_text("phd=no")["degree"] == "not_phd"


def test_free_words_go_through_the_candidate_lexicon():
    result = fit_text("PhD, love the science, aiming at a frontier lab")
    assert {"degree:phd", "background:research", "interest:science", "org:frontier_lab"} <= set(result.signals)
    assert result.best in {"research_scientist", "applied_scientist"}
    negated = fit_text("no PhD, strong engineer who loves infra")
    assert "degree:phd" not in negated.signals and "engineering:strong" in negated.signals


# ---------------------------------------------------------------- Slack blocks

def test_blocks_respect_slack_limits_even_for_a_long_profile():
    about = " ".join(["I like distributed training and GPUs"] * 130)[:4900]
    result = fit({"degree": "phd", "papers": 12, "engineering": "strong", "mix": "25/30/40/5", "years": 9,
                  "level": "senior", "orgs": ["frontier_lab", "big_tech", "startup", "enterprise", "academic"],
                  "interests": ["infra", "science", "production", "llm", "analysis"], "about": about})
    blocks = result.blocks()
    assert 4 <= len(blocks) <= BLOCK_LIMIT
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= HEADER_LIMIT
    for block in blocks:
        texts = [block["text"]["text"]] if "text" in block else [e["text"] for e in block["elements"]]
        assert all(0 < len(text) <= SECTION_LIMIT for text in texts)
    assert json.loads(json.dumps(blocks)) == blocks
    assert any(result.ranking[0].role_name in b.get("text", {}).get("text", "") for b in blocks[2:])


# ---------------------------------------------------------------- the command line

def run_cli(capsys, *args) -> tuple[int, str, str]:
    from whichrole.cli import main

    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_cli_flags_and_line_give_the_same_answer(capsys, monkeypatch):
    code, out, _ = run_cli(capsys, "fit", "--phd", "--papers", "3", "--engineering", "strong", "--mix", "20/40/20/20",
                           "--years", "6", "--org", "frontier_lab", "--json")
    assert code == 0
    by_flags = json.loads(out)
    code, out, _ = run_cli(capsys, "fit", "phd=yes papers=3 engineering=strong mix=20/40/20/20 years=6 "
                                          "org=frontier_lab", "--json")
    assert code == 0 and json.loads(out) == by_flags and by_flags["best"] == "applied_scientist"
    code, out, _ = run_cli(capsys, "fit", "--engineering", "strong", "--interest", "infra", "--org", "frontier_lab")
    assert code == 0 and out.startswith("Best fit: Research Engineer")


def test_cli_errors_are_one_line(capsys):
    code, out, err = run_cli(capsys, "fit", "degree=master", "--phd")
    assert code == 2 and out == "" and err == "whichrole: error: phd=yes contradicts degree=master\n"
    code, _, err = run_cli(capsys, "fit", "--mix", "60/60/5/5")
    assert code == 2 and err.startswith("whichrole: error: mix: activity mix adds up to 130%")


def test_cli_reads_a_piped_profile(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("engineering=solid mix=5/15/65/15\n"))
    code, out, _ = run_cli(capsys, "fit")
    assert code == 0 and out.startswith("Best fit: ML Engineer")


def test_the_questions_reask_until_an_answer_reads():
    answers = iter(["phd", "", "lots", "4", "", "70/40/10/10", "60/30/5/5", "", "", "frontier_lab", "science", ""])
    asked, told = [], []

    def ask(question):
        asked.append(question)
        return next(answers)

    profile = ask_profile(ask, told.append, fitter().rulebook)
    assert profile.degree == "phd" and profile.papers == 4 and profile.mix.research == 60
    assert profile.orgs == ["frontier_lab"] and profile.interests == ["science"]
    assert len(told) == 2 and "papers" in told[0] and "adds up to 130%" in told[1]
    assert asked[0].startswith("Highest degree [none, bachelor, master, phd]")
    assert fit(profile).best == "research_scientist"


def test_cli_asks_on_a_terminal():
    """'whichrole fit' with no flags on a real pseudo-terminal asks each question, then answers."""
    script = Path(sys.executable).with_name("whichrole")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, its terminal the pty
        os.execv(str(script), [str(script), "fit"])
    answers = iter(["phd", "", "wizard", "4", "strong", "", "", "", "frontier_lab", "science", ""])
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if output.endswith(b": "):  # a question waits
            os.write(fd, next(answers, "").encode() + b"\r")
    _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Highest degree" in text and "papers: Input should be a valid integer" in text
    assert "Best fit: " in text and "Interview loop to prepare for" in text
    assert "Profile: degree=phd · papers=4 · engineering=strong · orgs=frontier_lab · interests=science" in text


def test_an_unknown_profile_field_lists_the_profile_s_fields():
    with pytest.raises(ProfileError, match=r"^favourite: unknown field \(known: degree, research, papers"):
        Profile.build({"favourite": "tea"})
