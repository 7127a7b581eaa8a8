"""A CSV export (from an ATS, say) turned into a one-sheet workbook that reads like one: the header
styled, each column as wide as its values, numbers and ISO dates as numbers and dates, the rest
as text (an id with a leading zero, a phone number, a formula-looking text stay text)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from whichrole.integrations.ooxml.book import safe_sheet_name
from whichrole.integrations.ooxml.package import WorkbookError
from whichrole.integrations.ooxml.sheetxml import SheetWriter
from whichrole.integrations.ooxml.styles import MINIMAL_STYLES
from whichrole.integrations.ooxml.xmltext import MAIN_NS, REL_NS, escape

from .looks import house_styles

_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SNIFF_CHARS = 65536
DELIMITERS = (",", ";", "\t", "|")
# A number as an export writes one: no leading zero, no more digits than a double holds exactly.
_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")
# Column widths, in characters: at least a short header's, at most a readable line's.
NARROWEST, WIDEST = 8, 60
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def read_csv_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(UTF16_MARKS):  # Excel's "Unicode text" export
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise WorkbookError(f"{path}: not a CSV file (damaged UTF-16 text)") from None
    if b"\x00" in data[:SNIFF_CHARS]:
        raise WorkbookError(f"{path}: not a CSV file (binary content)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows


def csv_rows(path: Path) -> list[list[str]]:
    return rows_of_csv(read_csv_text(path), str(path))


def rows_of_csv(text: str, label: str) -> list[list[str]]:
    """The rows of a CSV text; ``label`` names it in an error."""
    if not text.strip():
        raise WorkbookError(f"{label}: the file is empty")
    # The header line says which separator the export uses: the one it has most of.
    first_line = text.lstrip("\ufeff").splitlines()[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise WorkbookError(f"{label}: unreadable CSV ({error})") from None


def typed(text: str) -> "str | int | float | date | datetime":
    """A CSV value as a spreadsheet holds it: a number or an ISO date as such, anything else as text."""
    if _NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    if _DATE.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        return moment.date() if len(text) == 10 else moment
    return text


def csv_workbook(path: Path) -> bytes:
    """An .xlsx package holding the CSV's rows, in one sheet named after the file."""
    rows = csv_rows(path)
    styles_xml, looks, _ = house_styles(MINIMAL_STYLES)
    columns = max((len(row) for row in rows), default=0)
    widths = [min(max([NARROWEST] + [len(row[c]) + 2 for row in rows if c < len(row)]), WIDEST) for c in range(columns)]
    sheet = io.BytesIO()
    writer = SheetWriter(sheet, widths=widths, frozen_rows=1 if rows else 0)
    for number, row in enumerate(rows):
        if number == 0:
            writer.row([(value, looks["table_header"]) for value in row])
            continue
        values = [typed(value) for value in row]
        writer.row([(value, looks["date"] if isinstance(value, date) else looks["wrapped"] if isinstance(value, str)
                     else looks["text"]) for value in values], wrapped=True)
    writer.finish()
    name = escape(safe_sheet_name(path.stem))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", (
            f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'))
        zf.writestr("_rels/.rels", (
            f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        zf.writestr("xl/workbook.xml", (
            f'{_DECLARATION}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/></Relationships>'))
        zf.writestr("xl/worksheets/sheet1.xml", sheet.getvalue())
        zf.writestr("xl/styles.xml", styles_xml)
    return package.getvalue()
