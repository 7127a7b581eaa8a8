"""Column detection: the header row and the field of each column, from plain cell values."""
from datetime import date, datetime

import pytest

from whichrole.integrations.excel.columns import (
    ColumnError, detect_columns, parse_map, requisition_from_row)
from whichrole.model import RequisitionError

TABLE = [
    ["Open requisitions, Q3", None, None],
    [],
    ["Req #", "Job Title", "JD", "Department", "Date opened", "Activity mix", "Notes"],
    ["R-1", "Data Scientist", "Dashboards and A/B tests for growth", "Growth", datetime(2024, 3, 1), "10/20/10/60", ""],
]


def test_finds_a_header_below_a_title_and_maps_the_usual_names():
    found = detect_columns(TABLE)
    assert found.header_row == 2
    assert found.columns == {"id": 0, "title": 1, "description": 2, "team": 3, "opened": 4, "mix": 5}
    assert found.headers[found.columns["description"]] == "JD"


@pytest.mark.parametrize("header,field", [
    ("Position", "title"), ("job_title", "title"), ("JOB DESCRIPTION", "description"),
    ("Requisition ID", "id"), ("Where the work lives", "work_location"), ("Failure mode", "failure_mode"),
    ("Org archetype", "org_archetype"), ("primary output", "primary_output"), ("Outcomes", "outcomes"),
])
def test_usual_header_spellings(header, field):
    anchor = "Title" if field == "description" else "Description"
    assert detect_columns([[anchor, header]]).columns[field] == 1


def test_the_row_naming_most_fields_is_the_header():
    rows = [["Title"], ["Title", "Description", "Team"]]
    assert detect_columns(rows).header_row == 1


def test_map_overrides_by_header_and_by_letter():
    found = detect_columns(TABLE, parse_map(["Notes=description", "d=level"]))
    assert found.columns["description"] == 6 and found.columns["level"] == 3
    assert "team" not in found.columns
    assert detect_columns([["a", "b"], [1, 2]], parse_map(["B=title"])).columns == {"title": 1}


def test_no_title_or_description_lists_the_headers_found():
    with pytest.raises(ColumnError, match=r"headers found: Name, Salary, Location"):
        detect_columns([["Name", "Salary", "Location"], ["x", 1, "y"]])


@pytest.mark.parametrize("rows,message", [
    ([[None, ""], []], "the sheet is empty"),
    ([[]], "the sheet is empty"),
])
def test_empty_sheet(rows, message):
    with pytest.raises(ColumnError, match=message):
        detect_columns(rows)


@pytest.mark.parametrize("pairs,message", [
    (["title"], "expected column=field"),
    (["X=salary"], "unknown field 'salary'"),
])
def test_bad_map_options(pairs, message):
    with pytest.raises(ColumnError, match=message):
        parse_map(pairs)


def test_map_naming_a_missing_column():
    with pytest.raises(ColumnError, match="no column 'Role name'.*Req #, Job Title"):
        detect_columns(TABLE, parse_map(["Role name=title"]))


def test_row_to_requisition_converts_cells():
    found = detect_columns(TABLE)
    req = requisition_from_row(TABLE[3], found)
    assert (req.id, req.title, req.team, req.opened) == ("R-1", "Data Scientist", "Growth", date(2024, 3, 1))
    assert req.mix.product == 60
    numeric = requisition_from_row([1234.0, "ML Engineer", None, None, 45352, None], found)
    assert numeric.id == "1234" and numeric.opened == date(2024, 3, 1)


def test_rows_with_nothing_to_classify_are_none():
    found = detect_columns(TABLE)
    assert requisition_from_row(["R-9", None, "  ", "Finance"], found) is None
    assert requisition_from_row([], found) is None


def test_structured_only_row_is_a_requisition():
    found = detect_columns([["Title", "Primary output", "Failure mode"]])
    req = requisition_from_row([None, "insight", "misleading_analysis"], found)
    assert req.primary_output == "insight" and req.title is None


def test_unreadable_value_names_the_field():
    found = detect_columns(TABLE)
    with pytest.raises(RequisitionError, match="mix"):
        requisition_from_row(["R-2", "x", "y", None, None, "1/2/3"], found)


def test_a_named_title_column_that_is_not_there_is_named():
    rows = [["Req #", "Job Title", "Blurb"], ["R-1", "Data Engineer", "ETL"]]
    with pytest.raises(ColumnError, match="no column 'Nope' to read the title from .*Req #, Job Title"):
        detect_columns(rows, {"Nope": "title", "Blurb": "description"})
    only_title = [["Req #", "Role"], ["R-1", "Data Engineer"]]
    with pytest.raises(ColumnError, match="no column 'Nope' to read the title from"):
        detect_columns(only_title, {"Nope": "title"})
