"""whichrole template: the expected columns, drop-downs from the rulebook, instructions; and it annotates."""
import openpyxl
import pytest

from whichrole.cli import main
from whichrole.integrations.excel.annotate import annotate
from whichrole.integrations.excel.columns import detect_columns
from whichrole.fields import FIELDS
from whichrole.integrations.excel.template import choices
from whichrole.rulebook import load_rulebook


def run_cli(*args) -> int:
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    return done.value.code


def test_template_columns_lists_and_instructions(tmp_path):
    path = tmp_path / "reqs.xlsx"
    assert run_cli("template", path) == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Requisitions", "Lists", "Instructions"]
    assert book["Lists"].sheet_state == "hidden"
    sheet = book["Requisitions"]
    headers = [c.value for c in sheet[1]]
    assert detect_columns([headers]).columns == {field.name: i for i, field in enumerate(FIELDS)}
    lists = {str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    primary = book["Lists"]
    column = next(c for c in primary[1] if c.value == "primary_output").column_letter
    offered = [c.value for c in primary[column][1:] if c.value]
    assert offered == choices(load_rulebook().lexicon, "primary_output")
    assert "insight" in offered and "analysis" not in offered, "one value per meaning"
    failure = next(c for c in primary[1] if c.value == "failure_mode").column_letter
    assert "misleading analysis" in [c.value for c in primary[failure]]
    every = [c.value for column in primary.iter_cols(min_row=2) for c in column if c.value]
    assert not [v for v in every if "_" in v], "values in words, not the lexicon's ids"
    assert lists["I"] == f"Lists!${column}$2:${column}${len(offered) + 1}"
    # a synonym the rules read (staff, a level) may be typed: Excel warns, it does not refuse
    level = next(v for v in sheet.data_validations.dataValidation if v.type == "list" and "level" in v.promptTitle.lower())
    assert level.errorStyle == "warning" and "staff" in level.error
    guide = " ".join(str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value)
    assert "whichrole annotate" in guide and "Primary output" in guide


def test_filled_template_annotates(tmp_path):
    path = tmp_path / "reqs.xlsx"
    run_cli("template", path)
    book = openpyxl.load_workbook(path)
    book["Requisitions"].append(["R1", "Engineer", None, None, None, "Open", None, None, "llm feature", "llm apis",
                                 "llm unreliable", None, None])  # as the drop-downs offer them
    book.save(path)
    result = annotate(path)
    assert result.sheet == "Requisitions" and result.tally.roles == {"AI Engineer (LLM)": 1}


def test_the_empty_template_is_no_workbook_to_annotate(tmp_path, capsys):
    path = tmp_path / "reqs.xlsx"
    run_cli("template", path)
    capsys.readouterr()
    assert run_cli("annotate", path) == 2
    assert "no requisitions below the header" in capsys.readouterr().err
    assert not (tmp_path / "reqs-annotated.xlsx").exists()


def test_template_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"precious")
    assert run_cli("template", path) == 2
    assert "already exists" in capsys.readouterr().err and path.read_bytes() == b"precious"
    assert run_cli("template", tmp_path / "x.xls") == 2


def test_the_instructions_print_one_line_under_another(tmp_path):
    path = tmp_path / "reqs.xlsx"
    run_cli("template", path)
    book = openpyxl.load_workbook(path)
    guide = book["Instructions"]
    archetype = next(row for row in guide.iter_rows() if row[0].value == "Org archetype")
    assert "frontier lab" in archetype[1].value and "frontier_lab" not in archetype[1].value
    assert guide.row_dimensions[archetype[0].row].height >= 2 * 15, "two lines of text, two lines of height"
    assert guide.page_setup.orientation == "landscape" and guide.page_setup.fitToWidth == 1
    assert book["Requisitions"].page_setup.orientation == "landscape"
    assert book["Requisitions"].print_title_rows == "$1:$1"
