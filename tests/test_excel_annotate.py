"""whichrole annotate on real workbooks written to disk and read back with openpyxl and calamine."""
from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from whichrole.cli import main
from whichrole.integrations.excel.annotate import HEADERS, annotate

REQS = [
    ("R-1", "Data Scientist", "Design and analyse A/B tests, causal inference and SQL analyses that product managers act on.",
     "Growth"),
    ("R-2", "Machine Learning Engineer", "Deploy models to production, own model serving and monitoring for drift, "
     "feature store and retraining pipelines on Kubernetes.", "Platform"),
    ("R-3", "Machine Learning Engineer", "Build Looker dashboards and weekly KPI reports for the sales team, design and "
     "analyse A/B tests of the sales funnel and present actionable insights to sales leadership.", "BI"),
    ("R-4", None, None, "Finance"),  # nothing to classify
    ("R-5", "AI Engineer", "Build a retrieval-augmented assistant on LLM APIs: embeddings, prompt evaluation, guardrails.",
     "Support"),
]


def requisitions_book(path: Path, rows=REQS, title_row: bool = True) -> Path:
    """A realistic workbook: a title above the table, a second sheet with a formula, styles, a
    comment, a data validation, a defined name, column widths, and a chart on the second sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Open reqs"
    if title_row:
        sheet.append(["Open requisitions"])
        sheet.append([])
    sheet.append(["Req ID", "Job Title", "Job Description", "Team"])
    for row in rows:
        sheet.append(list(row))
    header = 3 if title_row else 1
    sheet.cell(row=header, column=2).font = Font(bold=True, color="FF0000FF")
    sheet.cell(row=header + 1, column=4).fill = PatternFill("solid", fgColor="FFFFFF00")
    sheet.column_dimensions["C"].width = 55
    sheet.cell(row=header, column=3).comment = Comment("Paste the posting here.", "Ops")
    validation = DataValidation(type="list", formula1='"Growth,Platform,BI,Finance,Support"')
    sheet.add_data_validation(validation)
    validation.add(f"D{header + 1}:D{header + 100}")
    other = book.create_sheet("Budget")
    other.append(["Team", "Headcount"])
    for team, count in (("Growth", 3), ("Platform", 2)):
        other.append([team, count])
    other["B4"] = "=SUM(B2:B3)"
    chart = BarChart()
    chart.add_data(Reference(other, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    other.add_chart(chart, "D2")
    book.defined_names["Headcount"] = DefinedName("Headcount", attr_text="Budget!$B$4")
    book.save(path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    return done.value.code


def sheet_xml(path: Path, part: str = "xl/worksheets/sheet1.xml") -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode()


@pytest.fixture
def book(tmp_path):
    return requisitions_book(tmp_path / "reqs.xlsx")


def test_verdict_columns_beside_the_table(book, tmp_path, capsys):
    before = digest(book)
    assert run_cli("annotate", book) == 0
    out = tmp_path / "reqs-annotated.xlsx"
    assert digest(book) == before, "the input must not change without --in-place"
    printed = capsys.readouterr().out
    assert "4 requisitions annotated, 1 row skipped" in printed and "ML Engineer" in printed

    sheet = openpyxl.load_workbook(out)["Open reqs"]
    assert [c.value for c in sheet[3]][4:] == list(HEADERS)
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["R-2"][4] == "ML Engineer" and 0 < rows["R-2"][6] <= 1
    assert rows["R-3"][8].startswith("mismatch"), "dashboards titled ML engineer: the title check says so"
    assert rows["R-4"][4:] == (None,) * len(HEADERS), "a row with nothing to classify stays blank"
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:M8"
    assert sheet["M5"].hyperlink.location.startswith("'Rationale'!F")


def test_conditional_formats_colour_confidence_and_mismatches(book, tmp_path):
    out = annotate(book).output
    sheet = openpyxl.load_workbook(out)["Open reqs"]
    rules = {str(rng.sqref): [r.type for r in rules] for rng, rules in sheet.conditional_formatting._cf_rules.items()}
    assert rules == {"G4:G8": ["expression"], "I4:I8": ["beginsWith"]}


def test_summary_and_rationale_sheets(book):
    result = annotate(book)
    assert result.tally.annotated == 4 and result.tally.skipped == 1
    workbook = openpyxl.load_workbook(result.output)
    assert workbook.sheetnames == ["Open reqs", "Budget", "Summary", "Rationale"]
    summary = [r for r in workbook["Summary"].iter_rows(values_only=True)]
    assert summary[0][0].startswith("whichrole summary")
    assert "Rulebook" in summary[1][0]
    table = {r[0]: r[1] for r in summary[4:] if r[0] and r[1] is not None and not str(r[0]).startswith("Row")}
    assert table["Total"] == 4 and sum(v for k, v in table.items() if k != "Total") == 4
    mismatch_row = next(i for i, r in enumerate(summary) if r[0] and str(r[0]).startswith("Title mismatches"))
    link = workbook["Summary"].cell(row=mismatch_row + 3, column=1)
    assert link.value == "Row 6" and link.hyperlink.location == "'Open reqs'!A6"
    with zipfile.ZipFile(result.output) as archive:
        assert any(n.startswith("xl/charts/") for n in archive.namelist() if "chart1" in n or "chart2" in n)
    rationale = workbook["Rationale"]
    assert rationale["A4"].value == "Row 4" and rationale["A4"].hyperlink.location == "'Open reqs'!E4"
    assert "Vector Talent Partners" in rationale["F4"].value, "the full rationale names each rule's source"
    assert "yaml:" not in rationale["F4"].value and "data_scientist" not in rationale["F4"].value


def test_everything_else_survives(book):
    out = annotate(book).output
    changed = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
               "xl/worksheets/sheet1.xml"}
    with zipfile.ZipFile(book) as before, zipfile.ZipFile(out) as after:
        for name in before.namelist():
            if name not in changed:
                assert before.read(name) == after.read(name), f"{name} changed"
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["Open reqs"]
    assert sheet["B3"].font.color.rgb == "FF0000FF" and sheet["D4"].fill.fgColor.rgb == "FFFFFF00"
    assert sheet.column_dimensions["C"].width == 55
    assert sheet["C3"].comment.text == "Paste the posting here."
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == ["D4:D103"]
    assert workbook["Budget"]["B4"].value == "=SUM(B2:B3)"
    assert workbook.defined_names["Headcount"].attr_text == "Budget!$B$4"


def tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def test_keeps_what_an_object_model_round_trip_would_drop(book, tmp_path):
    """openpyxl's load + save drops images (without Pillow), shapes, sparklines and other sheet
    extensions, custom XML, data connections and printer settings; annotate keeps every byte."""
    rich = tmp_path / "rich.xlsx"
    sparklines = ('<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
                  'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:sparklineGroups '
                  'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:sparklineGroup><x14:sparklines>'
                  '<x14:sparkline><xm:f>Budget!B2:B3</xm:f><xm:sqref>D4</xm:sqref></x14:sparkline></x14:sparklines>'
                  '</x14:sparklineGroup></x14:sparklineGroups></ext></extLst>')
    shape_and_picture = (
        '<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>8</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="952500" cy="952500"/><xdr:pic><xdr:nvPicPr>'
        '<xdr:cNvPr id="10" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill><a:blip '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:embed="rIdLogo"/>'
        '<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:prstGeom prst="rect"><a:avLst/>'
        '</a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor>'
        '<xdr:oneCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>20</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="1905000" cy="476250"/><xdr:sp macro="" textlink="">'
        '<xdr:nvSpPr><xdr:cNvPr id="11" name="Callout"/><xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr><a:prstGeom prst="rect">'
        '<a:avLst/></a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:p><a:r><a:t>Budget approved</a:t></a:r></a:p>'
        '</xdr:txBody></xdr:sp><xdr:clientData/></xdr:oneCellAnchor>')
    extra_parts = {"xl/media/image1.png": tiny_png(), "customXml/item1.xml": b"<ats export='42'/>",
                   "xl/printerSettings/printerSettings1.bin": b"\x00printer\x01",
                   "xl/connections.xml": b'<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                         b'<connection id="1" name="ATS" type="5"/></connections>'}
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(rich, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", sparklines.encode() + b"</worksheet>")
            elif name == "xl/drawings/drawing1.xml":
                # openpyxl writes drawings in the default namespace, so the anchors go in unprefixed
                data = data.replace(b"</wsDr>", shape_and_picture.replace("xdr:", "").encode() + b"</wsDr>")
            elif name == "xl/drawings/_rels/drawing1.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdLogo" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/image" Target="../media/image1.png"/></Relationships>')
            elif name == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Default Extension="png" ContentType="image/png"/>'
                                    b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.'
                                    b'spreadsheetml.printerSettings"/></Types>')
            dst.writestr(name, data)
        for name, data in extra_parts.items():
            dst.writestr(name, data)
    out = annotate(rich, in_place=True).output
    with zipfile.ZipFile(out) as after:
        for name, data in extra_parts.items():
            assert after.read(name) == data
        drawing = after.read("xl/drawings/drawing1.xml")
        assert b"Budget approved" in drawing and b'r:embed="rIdLogo"' in drawing
        assert sparklines.encode() in after.read("xl/worksheets/sheet1.xml")


def test_user_cells_are_untouched_in_the_sheet_xml(book):
    """Removing the verdict cells from the annotated sheet gives back the user's rows exactly."""
    out = annotate(book).output
    original_rows = re.findall(r"<row .*?</row>", sheet_xml(book))
    ours = re.compile(r'<c r="[E-M]\d+"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
    # the rows are as they were but for the height their verdict's wrapped text needs
    annotated_rows = [re.sub(r' ht="[\d.]+" customHeight="1"', "", ours.sub("", row)).replace(' spans="1:4"', "")
                      for row in re.findall(r"<row .*?</row>", sheet_xml(out), re.DOTALL)]
    assert [r.replace(' spans="1:4"', "") for r in original_rows] == annotated_rows


def test_running_again_replaces_its_own_columns_and_sheets(book, tmp_path):
    first = annotate(book, out=tmp_path / "once.xlsx").output
    second = annotate(first, out=tmp_path / "twice.xlsx").output
    workbook = openpyxl.load_workbook(second)
    assert workbook.sheetnames == ["Open reqs", "Budget", "Summary", "Rationale"]
    assert [c.value for c in workbook["Open reqs"][3]][4:] == list(HEADERS)
    assert workbook["Open reqs"].max_column == 4 + len(HEADERS)
    assert sheet_xml(first) == sheet_xml(second)
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            if name not in ("xl/worksheets/sheet3.xml",):  # the Summary carries the run time
                assert a.read(name) == b.read(name), f"{name} differs on a second run"


def test_a_user_column_added_after_annotating_is_kept(book, tmp_path):
    first = annotate(book, out=tmp_path / "once.xlsx").output
    workbook = openpyxl.load_workbook(first)
    sheet = workbook["Open reqs"]
    sheet["N3"] = "Reviewer"
    sheet["N4"] = "Kim"
    workbook.save(tmp_path / "edited.xlsx")
    second = annotate(tmp_path / "edited.xlsx", out=tmp_path / "again.xlsx").output
    sheet = openpyxl.load_workbook(second)["Open reqs"]
    assert [c.value for c in sheet[3]][4:] == list(HEADERS) + ["Reviewer"]
    assert sheet["N4"].value == "Kim"


def test_in_place(book):
    result = annotate(book, in_place=True)
    assert result.output == book
    assert openpyxl.load_workbook(book).sheetnames[-2:] == ["Summary", "Rationale"]
    assert not list(book.parent.glob(".*.tmp"))


def test_map_option_names_an_unusual_column(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Ref", "Role Name", "Blurb"])
    book.active.append(["X1", "Data Engineer", "Airflow pipelines, dbt models and warehouse data quality."])
    book.save(tmp_path / "odd.xlsx")
    assert run_cli("annotate", tmp_path / "odd.xlsx", "--map", "Role Name=title", "--map", "Blurb=description") == 0
    sheet = openpyxl.load_workbook(tmp_path / "odd-annotated.xlsx").active
    assert sheet["D2"].value == "Data Engineer"


def test_sheet_option_and_default_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active["A1"] = "Instructions only"
    reqs = book.create_sheet("Q3")
    reqs.append(["Title", "Description"])
    reqs.append(["Research Scientist", "Publish at NeurIPS and ICML; original research on language models."])
    book.save(tmp_path / "two.xlsx")
    assert annotate(tmp_path / "two.xlsx").sheet == "Q3", "the first sheet whose columns are recognised"
    assert annotate(tmp_path / "two.xlsx", sheet="q3", out=tmp_path / "named.xlsx").sheet == "Q3"


def test_formula_looking_text_stays_text(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "Description"])
    sheet.append(["Data Scientist", "x"])
    sheet["B2"].value = '=HYPERLINK("http://evil.example","click")'
    sheet["B2"].data_type = "s"  # text that looks like a formula, as an ATS export may carry
    sheet.append(["@SUM(1,2)", "+1 555 0100 -- call the hiring manager"])
    book.save(tmp_path / "inject.xlsx")
    out = annotate(tmp_path / "inject.xlsx").output
    xml = sheet_xml(out)
    assert "<f>" not in xml and "<f " not in xml
    values = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Sheet").to_python()
    assert values[1][1].startswith("=HYPERLINK") and values[2][0] == "@SUM(1,2)"


def test_csv_becomes_a_workbook(tmp_path):
    csv = tmp_path / "export.csv"
    csv.write_text("Req ID;Job Title;Job Description\n"
                   "7;Data Engineer;\"Build Airflow pipelines and dbt models; own warehouse data quality.\"\n"
                   "8;=cmd|' /C calc'!A0;=1+1\n", encoding="utf-8")
    assert run_cli("annotate", csv) == 0
    out = tmp_path / "export-annotated.xlsx"
    sheet = openpyxl.load_workbook(out)["export"]
    assert sheet["A2"].value == 7 and sheet["D2"].value == "Data Engineer", "a number is a number"
    assert sheet["B3"].value == "=cmd|' /C calc'!A0" and sheet["B3"].data_type == "s"
    assert "<f>" not in sheet_xml(out)


def test_macro_workbook_keeps_its_vba(tmp_path):
    source = requisitions_book(tmp_path / "plain.xlsx")
    macro = tmp_path / "macros.xlsm"
    vba = b"\xd0\xcf\x11\xe0 not really VBA, but bytes that must survive"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(macro, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
                    b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/'
                                    b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
            dst.writestr(name, data)
        dst.writestr("xl/vbaProject.bin", vba)
    result = annotate(macro)
    assert result.output.name == "macros-annotated.xlsm"
    with zipfile.ZipFile(result.output) as archive:
        assert archive.read("xl/vbaProject.bin") == vba
        assert b"macroEnabled.main+xml" in archive.read("[Content_Types].xml")
    assert openpyxl.load_workbook(result.output, keep_vba=True)["Open reqs"]["E4"].value == "Data Scientist"


def test_an_excel_table_is_widened_over_the_verdict_columns(tmp_path):
    """Sorting a table moves only its columns: the verdicts must be inside it to move with their rows."""
    from openpyxl.worksheet.table import Table

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "Description"])
    sheet.append(["Data Engineer", "Airflow pipelines and dbt models for the warehouse."])
    sheet.append(["AI Engineer", "RAG over LLM APIs with prompt evaluation."])
    sheet.add_table(Table(displayName="Reqs", ref="A1:B3"))
    book.save(tmp_path / "table.xlsx")
    first = annotate(tmp_path / "table.xlsx").output
    assert "autoFilter" not in sheet_xml(first), "no sheet filter over a table"
    table = openpyxl.load_workbook(first).active.tables["Reqs"]
    assert table.ref == "A1:K3"
    assert [c.name for c in table.tableColumns] == ["Title", "Description", *HEADERS]
    again = annotate(first, out=tmp_path / "again.xlsx").output
    table = openpyxl.load_workbook(again).active.tables["Reqs"]
    assert table.ref == "A1:K3" and [c.name for c in table.tableColumns] == ["Title", "Description", *HEADERS]
    assert len({c.id for c in table.tableColumns}) == 11


def test_structured_only_rows_and_unreadable_values(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "Description", "Primary output", "Activity mix"])
    sheet.append([None, None, "llm_feature", None])
    sheet.append(["Data Scientist", "analysis", None, "10/20/30"])
    sheet.append(["Data Scientist", "analysis", "magic", None])
    book.save(tmp_path / "structured.xlsx")
    result = annotate(tmp_path / "structured.xlsx")
    assert result.tally.annotated == 1 and result.tally.unreadable.total == 2
    sheet = openpyxl.load_workbook(result.output).active
    assert sheet["E2"].value == "Undetermined", "neither title nor description: not classified as a role"
    assert "AI Engineer (LLM)" in sheet["J2"].value and sheet["G2"].value is None
    assert sheet["E3"].value == "Not classified" and "mix" in sheet["J3"].value
    assert sheet["E4"].value == "Not classified" and "primary_output" in sheet["J4"].value


def test_dates_and_numbers_in_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Requisition ID", "Position", "Description", "Opened"])
    sheet.append([1042, "Data Engineer", "dbt models and Airflow pipelines", date(2025, 3, 1)])
    book.save(tmp_path / "typed.xlsx")
    result = annotate(tmp_path / "typed.xlsx")
    assert result.tally.annotated == 1
    assert openpyxl.load_workbook(result.output)["Rationale"]["B4"].value == "1042"
