"""Worksheet XML the tool writes: single cells, and whole sheets streamed row by row.

Strings are written as inline strings, never as formulas, so text a requisition carries
("=HYPERLINK(...)", "+1 555", "@here") stays text in Excel and LibreOffice alike.
"""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import IO, Iterable, Optional, Sequence

from .references import column_letter
from .xmltext import MAIN_NS, REL_NS, escape

# Excel's limit on the characters of one cell.
CELL_LIMIT = 32767
# The widest a column may be set (in characters); Excel caps it at 255.
MAX_WIDTH = 255
# Points per line of 11-point text, and Excel's tallest row.
LINE_HEIGHT = 15
MAX_ROW_HEIGHT = 409
PROSE_PER_DIGIT = 1.25
# Day 0 of Excel's dates (as the 1900 date system counts them, after its phantom 29 February 1900).
EXCEL_EPOCH = datetime(1899, 12, 30)


def cell(column: int, row: int, value: object, style: Optional[int] = None, prefix: str = "") -> str:
    """One <c> element; ``column`` is 0-based, ``row`` 1-based. None gives a styled blank (or nothing)."""
    ref = f"{column_letter(column)}{row}"
    s = f' s="{style}"' if style is not None else ""
    if value.__class__ is str and value:  # the common case first
        return (f'<{prefix}c r="{ref}"{s} t="inlineStr"><{prefix}is><{prefix}t xml:space="preserve">'
                f'{escape(clipped(value))}</{prefix}t></{prefix}is></{prefix}c>')
    if value is None or value == "":
        return f'<{prefix}c r="{ref}"{s}/>' if style is not None else ""
    if isinstance(value, bool):
        return f'<{prefix}c r="{ref}"{s} t="b"><{prefix}v>{int(value)}</{prefix}v></{prefix}c>'
    if isinstance(value, date):  # a date is a number of days, shown as a date by its cell's format
        moment = value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
        value = (moment.replace(tzinfo=None) - EXCEL_EPOCH) / timedelta(days=1)
        value = int(value) if value.is_integer() else value
    if isinstance(value, (int, float)) and math.isfinite(value):
        return f'<{prefix}c r="{ref}"{s}><{prefix}v>{value!r}</{prefix}v></{prefix}c>'
    return (f'<{prefix}c r="{ref}"{s} t="inlineStr"><{prefix}is><{prefix}t xml:space="preserve">'
            f'{escape(clipped(str(value)))}</{prefix}t></{prefix}is></{prefix}c>')


def clipped(text: str) -> str:
    """Text cut to what one cell may hold, an ellipsis saying so."""
    return text if len(text) <= CELL_LIMIT else text[:CELL_LIMIT - 1] + "…"


def text_lines(text: str, width: float) -> int:
    """About how many lines ``text`` takes wrapped in a column ``width`` characters wide."""
    # A column's width counts digits; a line of prose fits about a quarter more characters, less what
    # breaking at spaces wastes.
    usable = int(max(width * PROSE_PER_DIGIT - 1, 1))
    if "\n" not in text:  # most cells
        return max(1, -(-len(text) // usable))
    return sum(max(1, -(-len(line) // usable)) for line in text.split("\n"))


def wrapped_height(values: Iterable[object], widths: Sequence[float]) -> float:
    """The points a row needs for its text wrapped in columns ``widths`` characters wide, 0 when one
    line is enough: spreadsheet programs do not all fit a row to its wrapped text on opening."""
    lines = max((text_lines(v, width) for v, width in zip(values, widths) if isinstance(v, str)), default=1)
    return min(lines * LINE_HEIGHT + 3, MAX_ROW_HEIGHT) if lines > 1 else 0


def hyperlink(column: int, row: int, target: str, display: str, prefix: str = "") -> str:
    """An internal link (to a cell of this workbook), which needs no relationship part."""
    return (f'<{prefix}hyperlink ref="{column_letter(column)}{row}" location="{escape(target)}" '
            f'display="{escape(display)}"/>')


def pane(frozen_rows: int, prefix: str = "") -> str:
    """Freeze the rows above ``frozen_rows`` + 1 (the header stays in view when scrolling)."""
    top_left = f"A{frozen_rows + 1}"
    return (f'<{prefix}pane ySplit="{frozen_rows}" topLeftCell="{top_left}" activePane="bottomLeft" state="frozen"/>'
            f'<{prefix}selection pane="bottomLeft" activeCell="{top_left}" sqref="{top_left}"/>')


def col_widths(widths: Sequence[tuple[int, float]], prefix: str = "") -> str:
    """<col> elements for (0-based column, width in characters)."""
    return "".join(f'<{prefix}col min="{c + 1}" max="{c + 1}" width="{min(w, MAX_WIDTH):g}" customWidth="1"/>'
                   for c, w in sorted(widths))


class SheetWriter:
    """A new worksheet written row by row to a binary stream; hyperlinks and the rest at the end."""

    def __init__(self, out: IO[bytes], widths: Sequence[float], frozen_rows: int = 0, tab_colour: str = ""):
        """``widths`` of columns A, B, ... in characters; printing fits the sheet to one page wide."""
        self.out = out
        self.widths = list(widths)
        self.row_number = 0
        self.max_column = 0
        self.links: list[str] = []
        colour = f'<tabColor rgb="{tab_colour}"/>' if tab_colour else ""
        views = f'<sheetView workbookViewId="0">{pane(frozen_rows) if frozen_rows else ""}</sheetView>'
        cols = col_widths(list(enumerate(widths)))
        self._write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetPr>{colour}<pageSetUpPr fitToPage="1"/></sheetPr>'
                    f'<sheetViews>{views}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                    f'{"<cols>" + cols + "</cols>" if cols else ""}<sheetData>')

    def _write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def row(self, values: Iterable[tuple[object, Optional[int]]], links: Iterable[tuple[int, str, str]] = (),
            wrapped: bool = False) -> int:
        """Write the next row: (value, style) per column from A; links are (column, target, display).

        A ``wrapped`` row gets the height its longest text needs (wrapped_height).
        """
        values = list(values)
        self.row_number += 1
        cells = [cell(i, self.row_number, value, style) for i, (value, style) in enumerate(values)]
        self.max_column = max(self.max_column, len(cells))
        points = wrapped_height((v for v, _ in values), self.widths) if wrapped else 0
        height = f' ht="{points:g}" customHeight="1"' if points else ""
        self._write(f'<row r="{self.row_number}"{height}>{"".join(cells)}</row>')
        self.links.extend(hyperlink(column, self.row_number, target, display) for column, target, display in links)
        return self.row_number

    def skip(self, rows: int = 1) -> None:
        self.row_number += rows

    def finish(self, autofilter_from_row: Optional[int] = None, drawing_rel: Optional[str] = None) -> None:
        self._write("</sheetData>")
        if autofilter_from_row and self.max_column:
            self._write(f'<autoFilter ref="A{autofilter_from_row}:{column_letter(self.max_column - 1)}'
                        f'{max(self.row_number, autofilter_from_row)}"/>')
        if self.links:
            self._write(f"<hyperlinks>{''.join(self.links)}</hyperlinks>")
        self._write('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
                    '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
        if drawing_rel:
            self._write(f'<drawing r:id="{drawing_rel}"/>')
        self._write("</worksheet>")
