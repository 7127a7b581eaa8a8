"""`whichrole template`: an empty requisition workbook with the columns the annotator expects.

The drop-down lists of the structured fields come from the rulebook (the values its lexicon
maps to signals), so the template and the rules cannot disagree.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from whichrole.fields import DATE, FIELD, FIELDS
from whichrole.files import replaced_atomically
from whichrole.integrations.ooxml.package import WorkbookError
from whichrole.integrations.ooxml.references import column_letter as sheet_column
from whichrole.integrations.ooxml.sheetxml import LINE_HEIGHT, text_lines
from whichrole.rulebook import Lexicon, load_rulebook

from .looks import ACCENT

GUIDE_WIDTHS = (24, 90)  # the Instructions sheet's two columns
# Rows the drop-downs and formats cover.
ROWS = 1000


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
    lists = {field.name: choices(lexicon, field.name) for field in FIELDS
             if field.from_lexicon and field.name in lexicon.fields}
    synonyms = {name: [in_words(value) for value in lexicon.fields[name] if in_words(value) not in lists[name]]
                for name in lists}
    lists.update({field.name: list(field.values) for field in FIELDS if field.values})
    column = {field.name: sheet_column(index) for index, field in enumerate(FIELDS)}

    book = Workbook()
    sheet = book.active
    sheet.title = "Requisitions"
    headers = [field.label for field in FIELDS]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = PatternFill("solid", fgColor=ACCENT)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for field in FIELDS:
        sheet.column_dimensions[column[field.name]].width = field.width
    sheet.freeze_panes = "C2"
    # Printed across landscape pages, each with the header.
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:1"
    sheet.auto_filter.ref = f"A1:{sheet.cell(row=1, column=len(headers)).column_letter}1"

    values = book.create_sheet("Lists")
    values.sheet_state = "hidden"
    for number, (name, items) in enumerate(sorted(lists.items()), start=1):
        values.cell(row=1, column=number, value=name)
        for row, item in enumerate(items, start=2):
            values.cell(row=row, column=number, value=item)
        letter = sheet_column(number - 1)
        rule = DataValidation(type="list", formula1=f"Lists!${letter}$2:${letter}${len(items) + 1}",
                              allow_blank=True, showErrorMessage=True, errorTitle=FIELD[name].label,
                              **_refusal(synonyms.get(name)),
                              promptTitle=FIELD[name].label, prompt=FIELD[name].help[:255])
        rule.add(f"{column[name]}2:{column[name]}{ROWS}")
        sheet.add_data_validation(rule)

    for field in FIELDS:
        letter = column[field.name]
        if field.kind == DATE:
            dates = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                                   showErrorMessage=True, error="A date, e.g. 2025-09-01.", prompt=field.help)
            dates.add(f"{letter}2:{letter}{ROWS}")
            sheet.add_data_validation(dates)
            for row in range(2, ROWS + 1):
                sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"
        elif field.asked and field.name not in lists:
            # The free text the Slack form asks for: its help pops up beside the cell as it is typed in.
            hint = DataValidation(allow_blank=True, promptTitle=field.label, prompt=field.help[:255])
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
    for field in FIELDS:
        allowed = f" Values: {', '.join(lists[field.name])}." if field.name in lists else ""
        guide.append([field.label, field.help + allowed])
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
