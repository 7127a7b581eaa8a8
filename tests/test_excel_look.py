"""What a recruiting lead sees in an annotated workbook, read back with openpyxl from the .xlsx written:
the verdict looks like the sheet it annotates, its text wraps, the printout stays readable, and no
two cells of a row say contradictory things."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from styled_book import BODY_FONT, HEADER_FILL, HEADER_FONT, build
from whichrole import load_rulebook
from whichrole.integrations.excel.annotate import HEADERS, annotate

SHEET = "Open Reqs"


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("styled")
    result = annotate(build(folder / "team-reqs.xlsx"))
    return result, openpyxl.load_workbook(result.output)


def verdict_cells(sheet, row: int) -> dict:
    first = [c.value for c in sheet[1]].index(HEADERS[0]) + 1
    return {h: sheet.cell(row=row, column=first + i) for i, h in enumerate(HEADERS)}


def test_the_verdict_header_takes_the_look_of_the_users_header(annotated):
    sheet = annotated[1][SHEET]
    for header in verdict_cells(sheet, 1).values():
        assert (header.font.name, header.font.sz, header.font.b) == (HEADER_FONT.name, HEADER_FONT.sz, True)
        assert header.font.color.rgb == HEADER_FONT.color.rgb
        assert header.fill.fgColor.rgb == HEADER_FILL.fgColor.rgb
        assert header.alignment.horizontal == "center" and header.alignment.wrap_text
        assert header.border.left.style == header.border.bottom.style == "thin"


def test_the_verdict_cells_take_the_look_of_the_users_body_and_wrap(annotated):
    sheet = annotated[1][SHEET]
    cells = verdict_cells(sheet, 2)
    for header, cell in cells.items():
        assert (cell.font.name, cell.font.sz) == (BODY_FONT.name, BODY_FONT.sz), header
        assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin", header
    for header in ("Recommended role", "Title check", "Warnings", "Rationale", "Interview focus"):
        assert cells[header].alignment.wrap_text, f"{header} wraps inside its column"
    assert cells["Recommended role"].font.b, "the role in bold"
    assert cells["Confidence"].number_format == "0%"


def test_rows_are_as_tall_as_their_verdict_text(annotated):
    sheet = annotated[1][SHEET]
    focus = verdict_cells(sheet, 3)["Interview focus"].value
    assert focus.count("\n") >= 2
    assert sheet.row_dimensions[3].height >= 15 * (focus.count("\n") + 1)


def test_lists_are_one_item_a_line(annotated):
    sheet = annotated[1][SHEET]
    for row in range(2, sheet.max_row + 1):
        cells = verdict_cells(sheet, row)
        for header in ("Warnings", "Rationale", "Interview focus"):
            text = cells[header].value or ""
            assert ".; " not in text and " | " not in text, (row, header)
    roles = {role.name: role for role in load_rulebook().roles.values()}
    cells = verdict_cells(sheet, 3)
    assert cells["Interview focus"].value.split("\n") == roles[cells["Recommended role"].value].interview_focus


def test_the_users_printout_stays_their_columns(annotated):
    result, book = annotated
    sheet = book[SHEET]
    assert sheet.print_area == f"'{SHEET}'!$A$1:$E$6"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert book["Rationale"].page_setup.fitToWidth == 1, "each verdict prints readably from the Rationale sheet"


def test_a_print_area_the_user_set_is_kept(tmp_path):
    path = build(tmp_path / "reqs.xlsx")
    book = openpyxl.load_workbook(path)
    book[SHEET].print_area = "A1:C3"
    book.save(path)
    assert openpyxl.load_workbook(annotate(path).output)[SHEET].print_area == f"'{SHEET}'!$A$1:$C$3"


def test_no_certainty_and_no_contradiction_in_a_row(annotated):
    sheet = annotated[1][SHEET]
    for row in range(2, sheet.max_row + 1):
        cells = verdict_cells(sheet, row)
        if cells["Confidence"].value is not None:
            assert cells["Confidence"].value <= 0.99, "a probability is never certainty"
        warnings = cells["Warnings"].value or ""
        check = cells["Title check"].value or ""
        if "Too little to decide" in warnings:
            assert not check.startswith(("matches the work", "mismatch")), row
        if check.startswith("mismatch"):
            assert "title does not match" in warnings, row


def test_doubtful_confidence_is_amber_as_its_warning_says(annotated):
    sheet = annotated[1][SHEET]
    rules = [r for rng, rs in sheet.conditional_formatting._cf_rules.items() for r in rs if str(rng.sqref).startswith("H")]
    assert [r.type for r in rules] == ["expression"]
    formula = rules[0].formula[0]
    assert "<0.35" in formula and "Too little to decide" in formula


def test_no_internals_in_the_rationale(annotated):
    rationale = annotated[1]["Rationale"]
    text = "\n".join(str(c.value) for row in rationale.iter_rows(min_row=4) for c in row if c.value)
    assert not re.search(r"\.yaml|\+\d\.\d+ [a-z_]+\)|data_scientist|ml_engineer", text)
    assert "points to ML Engineer" in text


def test_one_name_for_each_role_in_the_summary_and_its_chart(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "Description"])
    sheet.append(["Data Scientist", "Design A/B tests and causal analyses that product managers act on; SQL, "
                  "statistics, experiment readouts and dashboards for decisions."])
    sheet.append(["Data Scientist", "Train and validate churn prediction models with gradient boosting, feature "
                  "engineering and calibration, handed to the platform team to deploy."])
    book.save(tmp_path / "ds.xlsx")
    result = annotate(tmp_path / "ds.xlsx")
    assert dict(result.tally.roles) == {"Data Scientist": 2}
    with zipfile.ZipFile(result.output) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert chart.count("<c:pt ") == 2 and "(analytical)" not in chart  # one bar (a label and a value)


def test_a_row_with_neither_title_nor_description_is_no_role(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "Description", "Primary output", "Where the work lives"])
    sheet.append([None, None, "llm_feature", "llm_apis"])
    book.save(tmp_path / "answers.xlsx")
    row = verdict_cells(openpyxl.load_workbook(annotate(tmp_path / "answers.xlsx").output).active, 2)
    assert row["Recommended role"].value == "Undetermined" and row["Confidence"].value is None
    assert row["Warnings"].value.startswith("Too little to decide") and "AI Engineer (LLM)" in row["Warnings"].value


CSV = ("Req ID,Job Title,Date Opened,Salary,Job Description\n"
       "007,Senior Data Scientist,2026-10-01,145000,\"Design and analyse A/B tests, build causal models of pricing, "
       "and explain results to product leads.\"\n"
       "R-2,Machine Learning Engineer,2026-11-03,160000.5,\"Deploy and serve models in production: feature "
       "pipelines, model serving on Kubernetes, monitoring drift and latency.\"\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_csv_export_reads_as_a_workbook(tmp_path, encoding):
    path = tmp_path / "ats-export.csv"
    path.write_text(CSV, encoding=encoding)   # utf-16: Excel's "Unicode text" export, with its byte-order mark
    sheet = openpyxl.load_workbook(annotate(path).output).active
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb not in (None, "00000000"), "a styled header"
    assert sheet["A2"].value == "007", "an id with a leading zero stays text"
    assert sheet["C2"].is_date and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].value == 145000 and sheet["D3"].value == 160000.5
    assert sheet.column_dimensions["B"].width >= len("Machine Learning Engineer")
    assert sheet["E2"].alignment.wrap_text and sheet.freeze_panes == "A2"
    assert verdict_cells(sheet, 3)["Recommended role"].value == "ML Engineer"
