"""The rulebook loads clean, and every kind of mistake in a user's copy is reported as file:line."""
import shutil
import subprocess
import sys

import pytest
import yaml

from whichrole import check_rulebook, load_rulebook
from whichrole.rulebook import RulebookError, default_rules_dir


def test_shipped_rulebook_is_clean():
    book, problems = check_rulebook()
    assert problems == []
    assert len(book.stage(1)) > 50 and len(book.stage(2)) > 5
    assert set(book.roles) >= {"data_scientist", "ml_engineer", "ai_engineer", "data_engineer", "research_scientist",
                               "research_engineer", "applied_scientist", "ml_software_engineer", "out_of_scope"}


# The five published documents the rules come from, as a reader finds them (and as the README lists them).
PUBLISHED = {
    "roles_by_need": "Classifying Machine Learning Roles: My Personal Observations",
    "ds_vs_mle": "Data Scientist vs Machine Learning Engineer",
    "vector": "AI Engineer vs ML Engineer vs Data Scientist: What You're Actually Hiring",
    "continuum": "The AI Roles Continuum: Blurring the Boundary Between Research and Engineering",
    "team_not_title": "Pick the Team, Not the Title (RS, AS, RE, MLE)",
}


def test_every_rule_cites_a_published_document():
    book = load_rulebook()
    assert {doc: source.title for doc, source in book.catalogue.sources.items()} == PUBLISHED
    for rule in book.rules:
        assert rule.source.doc in PUBLISHED and rule.source.section.strip(), rule.id
        assert len(rule.because.split()) >= 5, rule.id


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "candidate"))
    return target


BROKEN = """rules:
  - id: broken.unknown_signal
    when: {all: [skill:telepathy]}
    then: {role: data_scientist, weight: 1}
    because: "A signal the lexicon does not define."
    source: {doc: vector, section: "x"}
  - id: broken.unknown_role
    when: {all: [skill:rag]}
    then: {role: wizard, weight: 1}
    because: "A role the catalogue does not define."
    source: {doc: vector, section: "x"}
  - id: broken.no_source
    when: {all: [skill:rag]}
    then: {role: ai_engineer, weight: 1}
    because: "This rule forgot where it comes from."
  - id: broken.unknown_source
    when: {all: [skill:rag]}
    then: {role: ai_engineer, weight: 1}
    because: "This rule cites a document nobody has."
    source: {doc: hearsay, section: "x"}
  - id: skill.rag
    when: {all: [skill:rag]}
    then: {role: ai_engineer, weight: 1}
    because: "Same id as a shipped rule."
    source: {doc: vector, section: "x"}
  - id: broken.never
    when: {all: [skill:rag], none: [skill:rag]}
    then: {role: ai_engineer, weight: 1}
    because: "Requires and forbids the same signal."
    source: {doc: vector, section: "x"}
  - id: broken.too_high
    when: {all: ["skill:rag >= 7"]}
    then: {role: ai_engineer, weight: 1}
    because: "Asks for a level no signal can reach."
    source: {doc: vector, section: "x"}
"""


def test_each_mistake_is_reported_with_file_and_line(rules_copy):
    (rules_copy / "zz_broken.yaml").write_text(BROKEN)
    _, problems = check_rulebook(rules_copy)
    text = [str(p) for p in problems]
    expected = {
        "broken.unknown_signal": "unknown signal 'skill:telepathy'",
        "broken.unknown_role": "unknown role 'wizard'",
        "broken.no_source": "source",
        "broken.unknown_source": "unknown source 'hearsay'",
        "skill.rag": "duplicate id",
        "broken.never": "can never fire",
        "broken.too_high": "can never fire",
    }
    lines = {line.split(": ")[0] for line in text}
    for rule_id, what in expected.items():
        match = [t for t in text if f": {rule_id}:" in t and what in t]
        assert match, (rule_id, text)
        assert match[0].startswith("zz_broken.yaml:")
    assert all(line.split(":")[1].isdigit() and int(line.split(":")[1]) > 0 for line in lines)
    with pytest.raises(RulebookError):
        load_rulebook(rules_copy)


def test_a_role_no_rule_reaches_is_reported(rules_copy):
    titles = rules_copy / "titles.yaml"
    for path in rules_copy.glob("*.yaml"):
        if path.name not in ("catalogue.yaml", "lexicon.yaml"):
            kept = [chunk for chunk in path.read_text().split("\n  - id: ") if "role: research_engineer" not in chunk]
            path.write_text("\n  - id: ".join(kept))
    assert titles.exists()
    matrix = yaml.safe_load((rules_copy / "matrix.yaml").read_text())
    for row in matrix["rows"]:
        row["counts"].pop("research_engineer", None)
    (rules_copy / "matrix.yaml").write_text(yaml.safe_dump(matrix))
    _, problems = check_rulebook(rules_copy)
    assert any("role research_engineer: no rule or matrix cell gives it evidence" in str(p) for p in problems)


def test_invalid_yaml_names_the_line(rules_copy):
    (rules_copy / "mix.yaml").write_text("rules:\n  - id: x\n    when: {all: [\n")
    _, problems = check_rulebook(rules_copy)
    assert any(str(p).startswith("mix.yaml:") and "not valid YAML" in str(p) for p in problems)


def test_cli_rules_check(rules_copy):
    run = [sys.executable, "-m", "whichrole", "rules", "check"]
    ok = subprocess.run(run, capture_output=True, text=True)
    assert ok.returncode == 0 and "no problems" in ok.stdout
    (rules_copy / "zz_broken.yaml").write_text(BROKEN)
    bad = subprocess.run([*run, str(rules_copy)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "zz_broken.yaml:" in bad.stdout and "Traceback" not in bad.stderr


def test_a_rule_the_engine_cannot_compile_is_reported(rules_copy):
    from whichrole.rulebook import MAX_ALTERNATIVES

    signals = sorted(load_rulebook().lexicon.signals)[1:MAX_ALTERNATIVES + 2]
    first = sorted(load_rulebook().lexicon.signals)[0]
    (rules_copy / "zz_wide.yaml").write_text(f"""rules:
  - id: wide.fits
    when: {{all: [{first}], none: [{", ".join(signals[:MAX_ALTERNATIVES])}]}}
    then: {{role: data_scientist, weight: 1}}
    because: "As many alternatives as the engine takes."
    source: {{doc: vector, section: "x"}}
  - id: wide.too_wide
    when: {{all: [{first}], none: [{", ".join(signals)}]}}
    then: {{role: data_scientist, weight: 1}}
    because: "One alternative more than the engine takes."
    source: {{doc: vector, section: "x"}}
""")
    _, problems = check_rulebook(rules_copy)
    assert [str(p) for p in problems] == [
        f"zz_wide.yaml:7: wide.too_wide: too many alternatives for the rules engine: {MAX_ALTERNATIVES + 1} "
        f"'none' conditions make {MAX_ALTERNATIVES + 1}, at most {MAX_ALTERNATIVES}; split the rule"]


def test_a_phrase_listed_twice_in_a_signal_is_reported(rules_copy):
    lexicon = rules_copy / "lexicon.yaml"
    text = lexicon.read_text()
    signal = sorted(load_rulebook().lexicon.signals)[0]
    phrase = load_rulebook().lexicon.signals[signal].phrases[0]
    marker = f"\n  {signal}:\n"
    assert marker in text
    head, tail = text.split(marker, 1)
    lexicon.write_text(head + marker + tail.replace("phrases: [", f"phrases: [\"{phrase.upper()}\", ", 1))
    _, problems = check_rulebook(rules_copy)
    assert f"lexicon.yaml:1: signals.{signal}: phrase '{phrase}' is listed twice" in [str(p) for p in problems]


def test_a_misspelt_or_missing_threshold_is_one_line_naming_its_line(rules_copy):
    catalogue = rules_copy / "catalogue.yaml"
    lines = catalogue.read_text().splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith("  temperature:"))
    lines[at] = lines[at].replace("temperature:", "temprature:")
    catalogue.write_text("".join(lines))
    command = [sys.executable, "-m", "whichrole"]
    check = subprocess.run([*command, "rules", "check", str(rules_copy)], capture_output=True, text=True)
    said = f"catalogue.yaml:{at + 1}: thresholds.temprature: unknown name; did you mean 'temperature'?"
    assert check.returncode == 1 and check.stdout.splitlines() == [said]
    classify = subprocess.run([*command, "classify", "--rules", str(rules_copy), "We build dashboards."],
                              capture_output=True, text=True)
    assert classify.returncode == 2 and classify.stderr.splitlines() == [f"whichrole: error: {said}"]

    del lines[at]
    catalogue.write_text("".join(lines))
    check = subprocess.run([*command, "rules", "check", str(rules_copy)], capture_output=True, text=True)
    assert check.stdout.splitlines() == [
        f"catalogue.yaml:{at + 1}: thresholds.temperature: missing (softmax temperature over role scores)"]


def test_an_unknown_key_of_a_rule_lists_a_rule_s_keys(rules_copy):
    (rules_copy / "zz_colour.yaml").write_text(
        "rules:\n  - id: zz.colour\n    colour: red\n    when: {all: [skill:rag]}\n"
        "    then: {role: ai_engineer, weight: 1}\n    because: A colour is no part of a rule.\n"
        "    source: {doc: vector, section: question 2}\n")
    _, problems = check_rulebook(rules_copy)
    said = [str(p) for p in problems if "zz.colour" in str(p)]
    assert said and "colour: unknown field (known: id, when, then, because, source" in said[0]
