"""Where the requisitions are in a sheet: the header row, which column holds which field.

Works on plain lists of cell values (the first rows of a sheet), so any reader can use it:
openpyxl, calamine or a CSV file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping, Optional, Sequence

from whichrole.fields import DATE, FIELD, FIELDS
from whichrole.integrations.ooxml.references import column_index
from whichrole.integrations.ooxml.sheetxml import EXCEL_EPOCH
from whichrole.model import Requisition

# How far down a sheet the header row may be (a title and a blank line above a table are common).
HEADER_SEARCH_ROWS = 30

_COLUMN_LETTERS = re.compile(r"^[A-Z]{1,3}$", re.IGNORECASE)


class ColumnError(ValueError):
    """The sheet's columns cannot be told apart; the message is one line."""


def normalise(header: object) -> str:
    """'Job  Title:' , 'job_title' and 'JOB TITLE' all become 'job title'; '#' reads as 'no'."""
    text = str(header).lower().replace("#", " no ").replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# Every header a field goes by, its own name too (primary_output), as normalise() spells them.
_ALIASES: dict[str, str] = {normalise(header): field.name for field in FIELDS
                            for header in (field.label, *field.headers, field.name)}


def parse_map(pairs: Iterable[str]) -> dict[str, str]:
    """`--map "Role Name=title"` options as {normalised column: field}; bad pairs are one-line errors."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        column, sep, name = pair.rpartition("=")
        column, name = column.strip(), name.strip().lower().replace(" ", "_")
        if not sep or not column:
            raise ColumnError(f"--map {pair!r}: expected column=field, e.g. 'Role Name=title'")
        target = _ALIASES.get(normalise(name))
        if target is None:
            raise ColumnError(f"--map {pair!r}: unknown field {name!r} (fields: {', '.join(FIELD)})")
        overrides[column] = target
    return overrides


@dataclass(frozen=True)
class ColumnMap:
    """The header row (0-based, among the rows given) and the column (0-based) of each field found."""

    header_row: int
    columns: dict[str, int]
    headers: list[str] = field(default_factory=list)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def detect_columns(rows: Sequence[Sequence[object]], overrides: Optional[Mapping[str, str]] = None) -> ColumnMap:
    """Find the header row among the first rows and map each requisition field to its column.

    The header row is the one naming the most fields, among those naming a title or a
    description (the earliest wins a tie). ``overrides`` is parse_map()'s result: a column, by
    header or by letter, and the field it holds; it wins over the usual names.
    """
    overrides = dict(overrides or {})
    by_header = {normalise(c): f for c, f in overrides.items()}
    by_letter = {column_index(c): f for c, f in overrides.items() if _COLUMN_LETTERS.match(c)}
    scanned = [list(row) for row in rows[:HEADER_SEARCH_ROWS]]
    if not any(_text(v) for row in scanned for v in row):
        raise ColumnError("the sheet is empty")

    best: Optional[tuple[int, dict[str, int]]] = None
    for number, row in enumerate(scanned):
        found = _fields_in_row(row, by_header)
        if ("title" in found or "description" in found) and (best is None or len(found) > len(best[1])):
            best = (number, found)
    if best is None and {"title", "description"} & set(by_letter.values()):
        # Columns named only by letter: the header is the first row with anything in it.
        number = next(i for i, row in enumerate(scanned) if not row_is_blank(row))
        best = (number, _fields_in_row(scanned[number], by_header))
    if best is None:
        named = next((column for column, field in overrides.items()
                      if field in ("title", "description") and not _COLUMN_LETTERS.match(column)), None)
        if named:
            raise ColumnError(f"no column {named!r} to read the {overrides[named]} from "
                              f"(headers found: {_headers_found(scanned)})")
        raise ColumnError(f"no title or description column (headers found: {_headers_found(scanned)}); "
                          "name one with --map 'Header=title'")
    number, found = best
    headers = [_text(v) for v in scanned[number]]
    present = {normalise(h) for h in headers}
    for column, name in overrides.items():
        if normalise(column) in present:
            continue
        if not _COLUMN_LETTERS.match(column):
            raise ColumnError(f"no column {column!r} to read the {name} from "
                              f"(headers found: {', '.join(h for h in headers if h) or 'none'})")
        index = column_index(column)
        found = {f: i for f, i in found.items() if i != index and f != name}
        found[name] = index
        headers.extend("" for _ in range(index + 1 - len(headers)))
    return ColumnMap(header_row=number, columns=found, headers=headers)


def _fields_in_row(row: list[object], by_header: dict[str, str]) -> dict[str, int]:
    """Field -> column for one candidate header row; overrides first, then the first column of each name."""
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        name = by_header.get(normalise(value)) if _text(value) else None
        if name:
            found[name] = index
    claimed = set(found.values())
    for index, value in enumerate(row):
        name = _ALIASES.get(normalise(value)) if _text(value) else None
        if name and name not in found and index not in claimed:
            found[name] = index
    return found


def _headers_found(rows: list[list[object]]) -> str:
    """The non-empty cells of the row with the most text: what the user probably thinks is the header."""
    row = max(rows, key=lambda r: sum(isinstance(v, str) and bool(v.strip()) for v in r))
    shown = [_text(v) for v in row if _text(v)]
    return ", ".join(shown[:25]) + (", ..." if len(shown) > 25 else "") if shown else "none"


def row_is_blank(row: Sequence[object]) -> bool:
    return not any(_text(v) for v in row)


def requisition_from_row(row: Sequence[object], columns: ColumnMap) -> Optional[Requisition]:
    """The requisition in a data row, or None when the row gives nothing to classify.

    A row needs a title, a description or a structured answer (primary output, where the work
    lives, failure mode, activity mix, outcomes); a row with only an id or a status is skipped.
    Raises RequisitionError (one line, naming the field) for a value that cannot be read.
    """
    values: dict[str, object] = {}
    for name, index in columns.columns.items():
        value = row[index] if index < len(row) else None
        value = _date(value) if FIELD[name].kind == DATE else _cell_text(value)
        if value not in (None, ""):
            values[name] = value
    if not any(FIELD[name].suffices for name in values):
        return None
    return Requisition.build(values)


def _cell_text(value: object) -> Optional[str]:
    """Text of a cell: 1234.0 reads as '1234' (an id typed as a number), a date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(value: object) -> object:
    """A date cell, an ISO date text, or an Excel serial number read as a number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        return EXCEL_EPOCH.date() + timedelta(days=int(value))
    if isinstance(value, str):
        text = value.strip()
        return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text) else text
    return value
