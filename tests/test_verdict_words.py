"""What a verdict says, in words a hiring manager reads: title check, continuum, what would change it."""
import json
import re

from samples import CLEAR

FULL_STACK = ("Full-Stack Engineer, Analytics Dashboard",
              "Build the React and TypeScript front end and the Node.js REST APIs behind our customer "
              "dashboard; write unit and integration tests, review code and keep the CI/CD pipeline green.")
CONTINUUM_ROLES = {"research_scientist", "research_engineer", "applied_scientist", "ml_engineer"}


def verdict_of(durable, role):
    title, description = CLEAR[role]
    return durable.classify({"title": title, "description": description})


def everything_shown(verdict) -> str:
    return verdict.text() + json.dumps(verdict.blocks())


def test_a_product_named_in_the_title_does_not_make_it_a_data_science_title(durable):
    verdict = durable.classify({"title": FULL_STACK[0], "description": FULL_STACK[1]})
    assert verdict.title_roles == ["ml_software_engineer"]
    assert not any(r.rule.startswith("title.data_scientist") for r in verdict.rationale)


def test_the_title_check_says_what_the_title_reads_as(durable):
    assert verdict_of(durable, "data_engineer").title_check == "matches the work (the title reads as Data Engineer)"
    moved = durable.classify({"title": "Data Scientist", "description": CLEAR["ml_engineer"][1]})
    assert moved.title_check == "mismatch: the title reads as Data Scientist, the work is ML Engineer"
    assert durable.classify({"title": "Wizard", "description": CLEAR["ml_engineer"][1]}).title_check == \
        "the title names no data/ML/AI role"


def test_the_continuum_is_shown_only_for_the_roles_it_places(durable):
    for role in CLEAR:
        verdict = verdict_of(durable, role)
        shown = everything_shown(verdict)
        if role in CONTINUUM_ROLES:
            assert verdict.continuum is not None and "Research↔engineering: " in shown, role
        else:
            assert verdict.continuum is None and "Research↔engineering" not in shown, role


def test_the_continuum_is_in_words_without_raw_scores(durable):
    words = {role: verdict_of(durable, role).text().split("Research↔engineering: ")[1].splitlines()[0]
             for role in CONTINUUM_ROLES}
    assert words["research_scientist"] == "at the research end"
    assert words["research_engineer"] == "between research and production, nearer research"
    assert words["ml_engineer"] == "at the production end"
    for role in CLEAR:
        shown = everything_shown(verdict_of(durable, role))
        assert not re.search(r"\(\d+\.\d+\)|behind by", shown), role
