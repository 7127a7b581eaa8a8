"""whichrole template: the expected columns, drop-downs from the rulebook, instructions; and it annotates."""
import openpyxl
import pytest

from whichrole.cli import main
from whichrole.integrations.excel.annotate import annotate
from whichrole.integrations.excel.columns import detect_columns
from whichrole.integrations.excel.template import FIELD_ORDER, choices
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
    assert detect_columns([headers]).columns == {name: i for i, name in enumerate(FIELD_ORDER)}
    lists = {str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    primary = book["Lists"]
    column = next(c for c in primary[1] if c.value == "primary_output").column_letter
    offered = [c.value for c in primary[column][1:] if c.value]
    assert offered == choices(load_rulebook().lexicon.fields["primary_output"])
    assert "insight" in offered and "analysis" not in offered, "one value per meaning"
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
    book["Requisitions"].append(["R1", "Engineer", None, None, None, "Open", None, None, "llm_feature", "llm_apis",
                                 "llm_unreliable", None, None])
    book.save(path)
    result = annotate(path)
    assert result.sheet == "Requisitions" and result.tally.roles == {"AI Engineer (LLM)": 1}


def test_template_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"precious")
    assert run_cli("template", path) == 2
    assert "already exists" in capsys.readouterr().err and path.read_bytes() == b"precious"
    assert run_cli("template", tmp_path / "x.xls") == 2
