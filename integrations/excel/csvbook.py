"""A CSV export (from an ATS, say) turned into a one-sheet workbook, every value kept as text."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from .book import safe_sheet_name
from .package import WorkbookError
from .sheetxml import SheetWriter
from .styles import MINIMAL_STYLES
from .xmltext import MAIN_NS, REL_NS, escape

_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SNIFF_CHARS = 65536
DELIMITERS = (",", ";", "\t", "|")


def read_csv_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:SNIFF_CHARS]:
        raise WorkbookError(f"{path}: not a CSV file (binary content)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows


def csv_rows(path: Path) -> list[list[str]]:
    text = read_csv_text(path)
    if not text.strip():
        raise WorkbookError(f"{path}: the file is empty")
    # The header line says which separator the export uses: the one it has most of.
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise WorkbookError(f"{path}: unreadable CSV ({error})") from None


def csv_workbook(path: Path) -> bytes:
    """An .xlsx package holding the CSV's rows as text cells, in one sheet named after the file."""
    sheet = io.BytesIO()
    writer = SheetWriter(sheet, widths=[])
    for row in csv_rows(path):
        writer.row([(value, None) for value in row])
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
        zf.writestr("xl/styles.xml", MINIMAL_STYLES)
    return package.getvalue()
