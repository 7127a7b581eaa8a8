"""The text after /whichrole: subcommands, key=value fields, and free text."""
import pytest
from hypothesis import given, settings, strategies as st

from whichrole.integrations.slack.parse import CommandError, parse_command, plain
from whichrole.model import Requisition


@pytest.mark.parametrize("text, kind, rest", [
    ("", "help", ""),
    ("   ", "help", ""),
    ("help", "help", ""),
    ("  HELP ", "help", ""),
    ("form", "form", ""),
    ("me", "me", ""),
    ("me  years=5 five years of SQL and dbt", "me", "years=5 five years of SQL and dbt"),
    ("Me phd=maybe", "me", "phd=maybe"),
])
def test_subcommands(text, kind, rest):
    command = parse_command(text)
    assert (command.kind, command.text, command.fields) == (kind, rest, {})


@pytest.mark.parametrize("text", [
    "Help marketing with data: build dashboards and run A/B tests",
    "help me please",
    "Form a new MLOps team to run our models in production",
    "form title=MLE",
    "Me and two others will build RAG over our documents",
    "me five years of SQL and dbt",
])
def test_a_subcommand_word_that_starts_a_requisition_is_a_requisition(text):
    command = parse_command(text)
    assert command.kind == "classify" and command.fields["description"].split()[0] == text.split()[0]


def test_free_text_is_the_description():
    command = parse_command("We need someone to build dashboards and run A/B tests")
    assert command.kind == "classify"
    assert command.fields == {"description": "We need someone to build dashboards and run A/B tests"}


def test_short_keys_map_to_requisition_fields_and_quotes_hold_spaces():
    command = parse_command('title="Senior Data Scientist" output=insight where=notebooks failure=bad_analysis '
                           "org=startup level=senior mix=20/40/20/20 outcomes='churn model; pricing test' "
                           "build the experimentation practice")
    assert command.fields == {
        "title": "Senior Data Scientist", "primary_output": "insight", "work_location": "notebooks",
        "failure_mode": "bad_analysis", "org_archetype": "startup", "level": "senior", "mix": "20/40/20/20",
        "outcomes": "churn model; pricing test", "description": "build the experimentation practice",
    }
    requisition = Requisition.build(command.fields)
    assert requisition.outcomes == ["churn model", "pricing test"] and requisition.mix.modeling == 40


def test_smart_quotes_from_a_phone_keyboard():
    command = parse_command("title=“Machine Learning Engineer” ship models")
    assert command.fields == {"title": "Machine Learning Engineer", "description": "ship models"}


def test_fields_may_come_after_the_text_and_full_names_work_too():
    command = parse_command("Own the feature store primary_output=deployed_model title=MLE")
    assert command.fields == {"description": "Own the feature store", "primary_output": "deployed_model", "title": "MLE"}


def test_unknown_names_stay_in_the_text():
    command = parse_command("target F1=0.9 on the ranking model, ratio=3:1")
    assert command.fields == {"description": "target F1=0.9 on the ranking model, ratio=3:1"}


@pytest.mark.parametrize("text, message", [
    ('title="Data Scientist build models', "title: the quote after title= is never closed"),
    ("title= models", "title: no value after title="),
    ("title=A title=B", "title: given twice"),
    ("output=insight where=", "where: no value after where="),
    ("description=x more words", "description: given as a field and as free text"),
])
def test_mistakes_are_one_line_and_name_the_field(text, message):
    with pytest.raises(CommandError) as error:
        parse_command(text)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_slack_markup_becomes_what_the_user_typed():
    assert plain("see <https://example.com/job|the posting> &amp; ask <@U123|dana> about R&amp;D &lt;3") == \
        "see the posting & ask dana about R&D <3"
    assert plain("<https://example.com/job>") == "https://example.com/job"
    assert plain("&lt &copy; &amp;lt;") == "&lt &copy; &lt;"   # typed text stays as typed


words = st.text(alphabet=st.characters(blacklist_characters='"“”\'‘’\x00', blacklist_categories=("Cs",)),
                min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(max_examples=200, deadline=None)
@given(title=words, text=st.text(max_size=200))
def test_a_quoted_title_comes_back_whole_and_nothing_else_escapes(title, text):
    as_slack_sends_it = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    command = parse_command(f'title="{as_slack_sends_it}"')
    assert command.fields == {"title": title}
    try:
        parse_command(text)          # any text at all: a command, or a CommandError, nothing else
    except CommandError as error:
        assert "\n" not in str(error)
