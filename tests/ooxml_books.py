"""One small workbook per edge case the OOXML package must keep, each built here by openpyxl."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table


def _book(rows=(("Req ID", "Title"), ("R-1", "Data Scientist"), ("R-2", "ML Engineer"))):
    book = Workbook()
    sheet = book.active
    sheet.title = "Reqs"
    for row in rows:
        sheet.append(row)
    return book, sheet


def shared_strings(sheet):
    """openpyxl writes text as shared strings: the plain case."""


def rich_text(sheet):
    sheet["B2"] = CellRichText([TextBlock(InlineFont(b=True), "Data"), " Scientist"])


def formulas(sheet):
    sheet["C1"], sheet["C2"] = "Length", "=LEN(B2)"


def merged_cells(sheet):
    sheet.merge_cells("A3:B3")


def data_validation(sheet):
    rule = DataValidation(type="list", formula1='"Open,Closed"')
    rule.add("B2:B3")
    sheet.add_data_validation(rule)


def conditional_format(sheet):
    sheet.conditional_formatting.add("A2:A3", CellIsRule(operator="equal", formula=['"R-1"'],
                                                         fill=PatternFill("solid", bgColor="FFFF00")))


def comment(sheet):
    sheet["A2"].comment = Comment("first requisition", "reviewer")


def table(sheet):
    sheet.add_table(Table(displayName="Reqs", ref="A1:B3"))


def chart(sheet):
    sheet["C1"], sheet["C2"], sheet["C3"] = "Count", 1, 2
    bars = BarChart()
    bars.add_data(Reference(sheet, min_col=3, min_row=1, max_row=3), titles_from_data=True)
    sheet.add_chart(bars, "E2")


def date_style(sheet):
    sheet["C1"], sheet["C2"] = "Opened", date(2026, 3, 1)
    sheet["C2"].number_format = "dd/mm/yyyy"


def print_area(sheet):
    sheet.print_area = "A1:B3"
    sheet.print_title_rows = "1:1"


def wide(sheet):
    sheet.cell(1, 700, "far right")     # column ZX


EDGE_CASES = {f.__name__: f for f in (shared_strings, rich_text, formulas, merged_cells, data_validation, conditional_format,
                                       comment, table, chart, date_style, print_area, wide)}


def build(folder: Path, case: str) -> Path:
    book, sheet = _book()
    EDGE_CASES[case](sheet)
    path = folder / f"{case}.xlsx"
    book.save(path)
    return path
