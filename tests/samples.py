"""The requisitions the tests share, as (title, description): cases of the rule examples in rules/examples/,
so that the sample texts are kept in one place."""
from whichrole.examples import read_examples
from whichrole.rulebook import default_rules_dir

EXAMPLES, _ = read_examples(default_rules_dir())
_BY_NAME = {case.name: case for case in EXAMPLES}


def sample(name: str) -> tuple[str, str]:
    requisition = _BY_NAME[name].requisition
    return requisition.title, requisition.description


# One clear case per role, by role id.
CLEAR = {case.role: sample(case.name) for case in EXAMPLES if case.file == "examples/roles.yaml"}
UNICORN = sample("a senior data scientist asked for four jobs")
GERMAN = sample("a German requisition outside data")
