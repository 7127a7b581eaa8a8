"""The field table is the one list of a requisition's fields: the model, the Excel columns and
template, and the Slack command and form each know every field of it, so a field added to the
table reaches them all (or one of these tests names the surface that missed it)."""
from datetime import date
from typing import Optional

import openpyxl
import pytest

from slack_fake import filled_in
from whichrole.fields import DATE, FIELDS, LIST, LONG_TEXT, MIX, TEXT
from whichrole.integrations.excel.columns import detect_columns, requisition_from_row
from whichrole.integrations.excel.template import write_template
from whichrole.integrations.slack.modal import read_submission, refine_modal
from whichrole.integrations.slack.parse import USAGE, parse_command
from whichrole.model import Mix, Requisition
from whichrole.rulebook import load_rulebook

ASKED = [field for field in FIELDS if field.asked]
PYTHON_TYPE = {TEXT: Optional[str], LONG_TEXT: Optional[str], DATE: Optional[date], MIX: Optional[Mix],
               LIST: list[str]}


def named(field):
    return field.name


@pytest.fixture(scope="module")
def rulebook():
    return load_rulebook()


def sample(field, rulebook) -> str:
    """A value of the field as a person would type it in."""
    if field.from_lexicon:
        return next(iter(rulebook.lexicon.choices(field.name)))
    if field.values:
        return field.values[-1]
    return {TEXT: f"a {field.label.lower()}", LONG_TEXT: "Build churn models and ship them.", DATE: "2025-09-01",
            MIX: "10/40/30/20", LIST: "a churn model; a pricing test"}[field.kind]


def test_the_model_declares_the_tables_fields_in_its_order_and_kinds():
    assert list(Requisition.model_fields) == [field.name for field in FIELDS]
    assert {name: info.annotation for name, info in Requisition.model_fields.items()} == \
        {field.name: PYTHON_TYPE[field.kind] for field in FIELDS}


def test_a_sheet_of_every_field_reads_into_the_requisition(rulebook):
    typed = {field.name: sample(field, rulebook) for field in FIELDS}
    columns = detect_columns([[field.label for field in FIELDS]])
    assert columns.columns == {field.name: index for index, field in enumerate(FIELDS)}
    requisition = requisition_from_row(list(typed.values()), columns)
    assert requisition == Requisition.build(typed)
    assert all(getattr(requisition, name) for name in typed)


@pytest.mark.parametrize("field", FIELDS, ids=named)
def test_every_header_of_a_field_finds_its_column(field):
    beside = "Description" if field.name == "title" else "Title"   # a header row names one or the other
    for header in (field.label, *field.headers, field.name):
        assert detect_columns([[beside, header]]).columns[field.name] == 1, header


def test_the_template_has_a_column_help_and_the_values_of_every_field(tmp_path, rulebook):
    path = tmp_path / "template.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    sheet = book["Requisitions"]
    assert [cell.value for cell in sheet[1]] == [field.label for field in FIELDS]
    guide = {row[0]: row[1] for row in book["Instructions"].iter_rows(min_row=7, values_only=True)}
    assert list(guide) == [field.label for field in FIELDS]
    assert all(guide[field.label].startswith(field.help) for field in FIELDS)
    lists = {column[0].value: [cell.value for cell in column[1:] if cell.value]
             for column in book["Lists"].iter_cols()}
    offered = {field.name: [value.replace("_", " ") for value in rulebook.lexicon.choices(field.name)]
               if field.from_lexicon else list(field.values) for field in FIELDS if field.from_lexicon or field.values}
    assert lists == offered
    prompted = {str(rule.sqref)[0]: rule for rule in sheet.data_validations.dataValidation}
    for letter, field in zip("ABCDEFGHIJKLM", FIELDS):
        if field.kind == DATE:
            assert prompted[letter].type == "date"
        elif field.name in lists:
            assert prompted[letter].type == "list" and prompted[letter].promptTitle == field.label
        elif field.asked:
            assert prompted[letter].prompt == field.help


@pytest.mark.parametrize("field", ASKED, ids=named)
def test_the_slack_command_takes_every_asked_field(field, rulebook):
    value = sample(field, rulebook)
    for key in {field.key, field.name}:
        rest = "" if field.kind == LONG_TEXT else " build churn models"   # free text is the description
        command = parse_command(f'{key}="{value}"{rest}')
        assert command.fields[field.name] == value
    if field.kind != LONG_TEXT:   # the free text is the description; the others are named in the usage
        assert f"`{field.key}`" in USAGE


@pytest.mark.parametrize("field", [field for field in FIELDS if not field.asked], ids=named)
def test_a_record_field_is_text_to_the_slack_command(field, rulebook):
    text = f"{field.name}={sample(field, rulebook).replace(' ', '_')} build churn models"
    assert parse_command(text).fields == {"description": text}


def test_the_slack_form_asks_every_asked_field_and_reads_it_back(rulebook):
    typed = {field.name: sample(field, rulebook) for field in ASKED}
    view = refine_modal(rulebook, Requisition.build(typed), {})
    asked = {block["block_id"].rpartition("_")[0] if block["block_id"][-1].isdigit() else block["block_id"]
             for block in view["blocks"]}
    assert asked == set(typed)
    fields, _ = read_submission({**view, "state": filled_in(view)})
    assert fields == typed
