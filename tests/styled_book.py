"""A recruiting team's own workbook, styled the way such teams style theirs: a green Arial header
centred with thin borders, Arial 10 body with borders, widths, frozen panes, a filter, a drop-down,
a conditional format, a formula, a notes sheet and landscape printing fit to one page wide."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

HEADER_FONT = Font(name="Arial", size=10, bold=True, color="FFFFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="FF38761D")
BODY_FONT = Font(name="Arial", size=10)
THIN = Side(style="thin", color="FF999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

ROWS = [
    ("R-1", "Senior Data Scientist", date(2026, 10, 1), 145000,
     "Design and analyse A/B tests, build causal models of pricing, and explain results to product leads."),
    ("R-2", "Machine Learning Engineer", date(2026, 11, 3), 160000,
     "Deploy and serve models in production: feature pipelines, model serving on Kubernetes, monitoring "
     "drift and latency, and on-call for the inference service."),
    ("R-3", "Head of Data", date(2026, 9, 14), 210000, ""),
    ("R-4", "", date(2026, 11, 20), 90000, ""),
]


def build(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Open Reqs"
    sheet.append(("Req", "Job title", "Opened", "Salary", "Job description"))
    for cell in sheet[1]:
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for values in ROWS:
        sheet.append(values)
    sheet.append(("Total", "", None, f"=SUM(D2:D{len(ROWS) + 1})", ""))
    for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in row:
            cell.font, cell.border = BODY_FONT, BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        row[2].number_format = "dd mmm yyyy"
        row[3].number_format = "#,##0"
    for letter, width in zip("ABCDE", (8, 26, 12, 10, 50)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:E{len(ROWS) + 1}"
    levels = DataValidation(type="list", formula1='"Open,Closed"', allow_blank=True)
    sheet.add_data_validation(levels)
    levels.add("F2:F50")
    sheet.conditional_formatting.add(f"D2:D{len(ROWS) + 1}", CellIsRule(operator="greaterThan", formula=["200000"],
                                                                       fill=PatternFill("solid", bgColor="FFFFC7CE")))
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    notes = book.create_sheet("Notes")
    notes["A1"] = "Budget signed off in October."
    book.save(path)
    return path
