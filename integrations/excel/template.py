"""`whichrole template`: an empty requisition workbook with the columns the annotator expects.

The drop-down lists of the structured fields come from the rulebook (the values its lexicon
maps to signals), so the template and the rules cannot disagree.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from whichrole.model import MIX_PARTS
from whichrole.rulebook import Lexicon, load_rulebook

from .columns import FIELD_HEADERS
from whichrole.files import replaced_atomically

from whichrole.integrations.ooxml.package import WorkbookError
from whichrole.integrations.ooxml.sheetxml import LINE_HEIGHT, text_lines

from .looks import ACCENT

FIELD_ORDER = ("id", "title", "description", "team", "level", "status", "opened", "org_archetype",
               "primary_output", "work_location", "failure_mode", "mix", "outcomes")
WIDTHS = {"id": 10, "title": 30, "description": 70, "team": 18, "level": 10, "status": 11, "opened": 12,
          "org_archetype": 18, "primary_output": 18, "work_location": 20, "failure_mode": 20, "mix": 14,
          "outcomes": 40}
STATUSES = ("Open", "On hold", "Draft", "Filled", "Cancelled")
GUIDE_WIDTHS = (24, 90)  # the Instructions sheet's two columns
# Rows the drop-downs and formats cover.
ROWS = 1000

GUIDE = {
    "id": "Your requisition number, as in the ATS.",
    "title": "The title as posted. The verdict checks it against the work described.",
    "description": "The posting, or what the hiring manager says the person will do. The more concrete, the better.",
    "team": "The hiring team.",
    "level": "Seniority.",
    "status": "Where the requisition stands.",
    "opened": "The date it opened.",
    "org_archetype": "What kind of organisation hires: it shifts which roles are likely.",
    "primary_output": "What the work produces: analysis and decisions, models, AI features, data platforms...",
    "work_location": "Where the work lives: notebooks, training and serving, LLM APIs, pipelines...",
    "failure_mode": "What failure would look like: a misleading analysis, a degrading model, an unreliable LLM feature...",
    "mix": "Share of time on " + "/".join(MIX_PARTS) + " in percent, e.g. 20/40/20/20.",
    "outcomes": "Three specific things the person will own in six months, separated by semicolons.",
}


def choices(lexicon: Lexicon, field: str) -> list[str]:
    """A field's values one per meaning, in words (whichrole reads 'misleading analysis' as the
    lexicon's misleading_analysis)."""
    return [in_words(value) for value in lexicon.choices(field)]


def in_words(value: str) -> str:
    return value.replace("_", " ")


def _refusal(synonyms: "list[str] | None") -> dict:
    """What Excel says to a value not in a list: a warning where whichrole reads synonyms of the
    listed values too (staff, lead for senior), so that a typed synonym can be kept; else a stop."""
    if synonyms:
        return {"errorStyle": "warning",
                "error": f"Not one of the listed values; whichrole also reads their synonyms "
                         f"({', '.join(synonyms[:4])}, ...). Keep it?"}
    return {"error": "Pick a value from the list (or leave it empty)."}


def write_template(path: "str | Path") -> None:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise WorkbookError(f"{path}: the template is an .xlsx workbook; give a name ending in .xlsx")
    if path.exists():
        raise WorkbookError(f"{path}: already exists; remove it or choose another name")
    lexicon = load_rulebook().lexicon
    fields = lexicon.fields
    lists = {name: choices(lexicon, name) for name in fields}
    synonyms = {name: [in_words(value) for value in table if in_words(value) not in lists[name]]
                for name, table in fields.items()}
    lists["status"] = list(STATUSES)

    book = Workbook()
    sheet = book.active
    sheet.title = "Requisitions"
    headers = [FIELD_HEADERS[name][0] for name in FIELD_ORDER]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = PatternFill("solid", fgColor=ACCENT)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index, name in enumerate(FIELD_ORDER):
        letter = sheet.cell(row=1, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = WIDTHS[name]
    sheet.freeze_panes = "C2"
    # Printed across landscape pages, each with the header.
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:1"
    sheet.auto_filter.ref = f"A1:{sheet.cell(row=1, column=len(headers)).column_letter}1"

    values = book.create_sheet("Lists")
    values.sheet_state = "hidden"
    for column, (name, items) in enumerate(sorted(lists.items()), start=1):
        values.cell(row=1, column=column, value=name)
        for row, item in enumerate(items, start=2):
            values.cell(row=row, column=column, value=item)
        letter = values.cell(row=1, column=column).column_letter
        target = sheet.cell(row=1, column=FIELD_ORDER.index(name) + 1).column_letter
        rule = DataValidation(type="list", formula1=f"Lists!${letter}$2:${letter}${len(items) + 1}",
                              allow_blank=True, showErrorMessage=True, errorTitle=FIELD_HEADERS[name][0],
                              **_refusal(synonyms.get(name)),
                              promptTitle=FIELD_HEADERS[name][0], prompt=GUIDE[name][:255])
        rule.add(f"{target}2:{target}{ROWS}")
        sheet.add_data_validation(rule)

    opened = sheet.cell(row=1, column=FIELD_ORDER.index("opened") + 1).column_letter
    dates = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                           showErrorMessage=True, error="A date, e.g. 2025-09-01.", prompt=GUIDE["opened"])
    dates.add(f"{opened}2:{opened}{ROWS}")
    sheet.add_data_validation(dates)
    for row in range(2, ROWS + 1):
        sheet[f"{opened}{row}"].number_format = "yyyy-mm-dd"
    for name in ("mix", "outcomes", "description", "title"):
        letter = sheet.cell(row=1, column=FIELD_ORDER.index(name) + 1).column_letter
        hint = DataValidation(allow_blank=True, promptTitle=FIELD_HEADERS[name][0], prompt=GUIDE[name][:255])
        hint.add(f"{letter}2:{letter}{ROWS}")
        sheet.add_data_validation(hint)

    guide = book.create_sheet("Instructions")
    for letter, width in zip("AB", GUIDE_WIDTHS):
        guide.column_dimensions[letter].width = width
    guide.append(["How to use this workbook"])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append(["One requisition per row of the Requisitions sheet. A title or a description is needed; "
                  "the structured columns sharpen the verdict. Then run:"])
    guide.append(["    whichrole annotate this-file.xlsx"])
    guide["A3"].font = Font(name="Courier New")
    guide.append(["The annotated copy gets the recommended role, its confidence and the reasons beside each "
                  "row, a Summary sheet and a Rationale sheet."])
    for row in (2, 3, 4):  # a sentence across both columns, not wrapped in the first
        guide.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    guide.append([])
    guide.append(["Column", "What to put in it"])
    for cell in guide[6]:
        cell.font = Font(bold=True)
    for name in FIELD_ORDER:
        allowed = f" Values: {', '.join(lists[name])}." if name in lists else ""
        guide.append([FIELD_HEADERS[name][0], GUIDE[name] + allowed])
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Set, not left to the reader: not every spreadsheet program fits a row to wrapped text.
        lines = max(text_lines(str(cell.value or ""), sum(GUIDE_WIDTHS) if cell.coordinate in guide.merged_cells
                               else GUIDE_WIDTHS[cell.column - 1]) for cell in row)
        guide.row_dimensions[row[0].row].height = lines * LINE_HEIGHT + 2
    guide.page_setup.orientation = "landscape"
    guide.page_setup.fitToWidth, guide.page_setup.fitToHeight = 1, 0
    guide.sheet_properties.pageSetUpPr.fitToPage = True

    with replaced_atomically(path) as temporary:
        book.save(temporary)
