"""The rule examples of rules/examples/: each case gives what it says, every rule is shown firing,
and `whichrole rules check` names the file and the case that no longer holds."""
import shutil
import subprocess
import sys

import pytest

from samples import EXAMPLES
from whichrole import load_rulebook
from whichrole.examples import differences, example_problems, read_examples
from whichrole.rulebook import default_rules_dir


@pytest.mark.parametrize("case", EXAMPLES, ids=[case.name for case in EXAMPLES])
def test_rule_example(durable, case):
    assert differences(case, durable) == []


def test_every_rule_is_shown_firing_by_a_case():
    book = load_rulebook()
    assert {rule_id for case in EXAMPLES for rule_id in case.fires} == {rule.id for rule in book.rules}
    assert example_problems(EXAMPLES, book) == []


def test_rules_check_names_the_file_and_the_case_that_differ(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "candidate"))
    titles = rules / "examples" / "titles.yaml"
    text = titles.read_text()
    titles.write_text(text.replace("title: AI Engineer\n    role: ai_engineer", "title: AI Engineer\n    role: data_engineer")
                      .replace("fires: [title.data_engineer.short_text]", "fires: [title.data_engineer]"))
    (rules / "examples" / "zz_typo.yaml").write_text(
        "cases:\n  - name: a typo\n    requisition: {titel: Data Engineer}\n    role: data_engineer\n")
    done = subprocess.run([sys.executable, "-m", "whichrole", "rules", "check", str(rules)], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.splitlines() == [
        "examples/zz_typo.yaml:3: cases.0.requisition.titel: Extra inputs are not permitted",
        f"titles.yaml:{load_rulebook().rule('title.data_engineer.short_text').line}: title.data_engineer.short_text: "
        "no case in examples/ shows it firing",
        "examples/titles.yaml:3: an AI engineer's title alone: role ai_engineer, expected data_engineer",
        "examples/titles.yaml:13: a data engineer's title alone: did not fire: title.data_engineer",
    ]
    assert read_examples(rules)[1][0].file == "examples/zz_typo.yaml"
