"""The candidate rulebook loads clean through the same loader, and its mistakes are reported as file:line."""
import shutil

import pytest

from whichrole.candidate.rulebook import CANDIDATES, load_candidate_rulebook
from whichrole.rulebook import RulebookError, check_rulebook, default_rules_dir, load_rulebook
from test_rulebook import PUBLISHED

ROLES = {"research_scientist", "applied_scientist", "research_engineer", "ml_engineer", "ml_software_engineer",
         "data_scientist", "ai_engineer"}


def test_shipped_candidate_rulebook_is_clean():
    book, problems = check_rulebook(None, CANDIDATES)
    assert problems == []
    assert set(book.roles) == ROLES
    assert len(book.stage(1)) > 40 and len(book.stage(2)) > 5
    assert book.directory == default_rules_dir() / "candidate"


def test_every_role_has_a_cited_loop_and_every_rule_a_source():
    book = load_candidate_rulebook()
    assert {doc: source.title for doc, source in book.catalogue.sources.items()} == PUBLISHED
    for rule in book.rules:
        assert rule.source.doc in PUBLISHED and rule.source.section.strip(), rule.id
    for role in book.roles.values():
        assert role.interview_loop and all(item.source.doc in book.catalogue.sources for item in role.interview_loop)
    # The careers guide gives a mix and a relative pay for exactly these five roles.
    published = {"research_scientist", "applied_scientist", "research_engineer", "ml_engineer", "ml_software_engineer"}
    assert {r for r, role in book.roles.items() if role.mix} == published
    assert {r for r, role in book.roles.items() if role.pay} == published


def test_the_two_rulebooks_stay_apart():
    requisitions, candidates = load_rulebook(), load_candidate_rulebook()
    assert "out_of_scope" in requisitions.roles and "out_of_scope" not in candidates.roles
    assert not {r.file for r in requisitions.rules} & {"decision_tree.yaml", "levels.yaml"}


@pytest.fixture
def candidate_copy(tmp_path):
    target = tmp_path / "candidate"
    shutil.copytree(default_rules_dir(CANDIDATES), target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


BROKEN = """rules:
  - id: broken.unknown_signal
    when: {all: [interest:knitting]}
    then: {role: applied_scientist, weight: 1}
    because: "Asks for a signal the lexicon does not have."
    source: {doc: team_not_title, section: "x"}
  - id: broken.unknown_role
    when: {all: [engineering:strong]}
    then: {role: out_of_scope, weight: 1}
    because: "Gives evidence to a role only requisitions have."
    source: {doc: team_not_title, section: "x"}
  - id: broken.unknown_note
    when: {all: [org:startup]}
    then: {warning: be_lucky}
    because: "Raises a note the catalogue does not define."
    source: {doc: team_not_title, section: "x"}
  - id: tree.near_ml
    when: {all: [engineering:solid]}
    then: {role: ml_engineer, weight: 1}
    because: "Reuses the id of a shipped rule."
    source: {doc: team_not_title, section: "x"}
"""


def test_each_mistake_is_reported_with_file_and_line(candidate_copy):
    (candidate_copy / "zz_broken.yaml").write_text(BROKEN)
    _, problems = check_rulebook(candidate_copy, CANDIDATES)
    text = [str(p) for p in problems]
    for rule_id, what in {"broken.unknown_signal": "unknown signal 'interest:knitting'",
                          "broken.unknown_role": "unknown role 'out_of_scope'",
                          "broken.unknown_note": "unknown warning 'be_lucky'",
                          "tree.near_ml": "duplicate id"}.items():
        match = [t for t in text if f": {rule_id}:" in t and what in t]
        assert match and match[0].startswith("zz_broken.yaml:") and int(match[0].split(":")[1]) > 1, (rule_id, text)
    with pytest.raises(RulebookError):
        load_rulebook(candidate_copy, CANDIDATES)


def test_catalogue_mistakes_name_the_file(candidate_copy):
    catalogue = candidate_copy / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace(
        'source: {doc: vector, section: "AI engineer"}', 'source: {doc: gossip, section: "AI engineer"}', 1))
    _, problems = check_rulebook(candidate_copy, CANDIDATES)
    assert [str(p).split(":", 1)[0] for p in problems] == ["catalogue.yaml"]
    assert "roles: role ai_engineer: unknown source 'gossip'" in str(problems[0])


def test_lexicon_mistakes_name_the_file(candidate_copy):
    lexicon = candidate_copy / "lexicon.yaml"
    lexicon.write_text(lexicon.read_text().replace("\n  interests:\n", "\n  hobbies:\n", 1))
    _, problems = check_rulebook(candidate_copy, CANDIDATES)
    assert any(str(p).startswith("lexicon.yaml:") and "'hobbies' is not a candidate field" in str(p)
               for p in problems), problems


def test_a_candidate_rulebook_is_not_a_requisition_rulebook(candidate_copy):
    _, problems = check_rulebook(candidate_copy)  # read as the requisition kind: no loops or pay there
    assert any(str(p).startswith("catalogue.yaml:") and "interview_loop" in str(p) for p in problems)


def run_cli(capsys, *args) -> tuple[int, str, str]:
    from whichrole.cli import main

    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_cli_checks_both_rulebooks(candidate_copy, capsys):
    code, out, _ = run_cli(capsys, "rules", "check")
    assert code == 0
    lines = [line for line in out.splitlines() if line.endswith("no problems")]
    assert len(lines) == 2 and lines[1].split(":")[0].endswith("candidate")
    (candidate_copy / "zz_broken.yaml").write_text(BROKEN)
    code, out, err = run_cli(capsys, "rules", "check", str(candidate_copy), "--kind", "candidate")
    assert code == 1 and "zz_broken.yaml:" in out and "Traceback" not in err
    code, _, err = run_cli(capsys, "rules", "check", "--kind", "wizard")
    assert code != 0 and err.startswith("whichrole: error: --kind") and len(err.strip().splitlines()) == 1
