"""Reading the sources of an audit fast: workbooks through calamine, CSV exports through csv.

An audit only reads, so it never loads a workbook into openpyxl's object model: calamine
hands over plain rows, and the Excel integration's column detection (the same as
`annotate`) finds the header and turns each row into a Requisition. Only the rows whose
status is open are kept; a source without a status column is audited whole.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, NamedTuple, Optional, Sequence, Union

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from whichrole.integrations.excel.columns import (HEADER_SEARCH_ROWS, ColumnError, ColumnMap,
                                                  detect_columns, requisition_from_row, row_is_blank)
from whichrole.integrations.excel.csvbook import csv_rows
from whichrole.integrations.ooxml.package import WorkbookError
from whichrole.integrations.ooxml.unzipped import TooLargeUnzipped, check_zip_file
from whichrole.files import sha256_and_size
from whichrole.integrations.ats import AtsSource
from whichrole.model import Requisition

from .store import digest

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
CSV_SUFFIXES = (".csv", ".tsv")
# Row problems listed by name in the report; past this many only their number is kept.
PROBLEMS_SHOWN = 20


class SourceError(ValueError):
    """A source that cannot be audited at all; the message is one line."""


class Row(NamedTuple):
    """An open row of a source, not yet read as a requisition (that costs more than telling it apart)."""

    sheet: Optional[str]        # None for a CSV file
    number: int                 # 1-based, as a spreadsheet shows it
    cells: Sequence[object]
    columns: ColumnMap
    salt: bytes                 # the column layout, so that a fingerprint means the same fields

    def fingerprint(self) -> str:
        """Identical cells in the same layout: an unchanged row, whatever its place."""
        cells = self.cells
        values = [cells[i] if i < len(cells) else None for i in self.columns.columns.values()]
        text = "\x1f".join("" if v is None else str(v) for v in values)
        return digest(self.salt + text.encode("utf-8", "surrogatepass"))

    def requisition(self) -> Optional[Requisition]:
        """The row's requisition, None if it has nothing to classify; RequisitionError for a bad cell."""
        return requisition_from_row(self.cells, self.columns)


def place(path: Union[Path, AtsSource], sheet: Optional[str], number: int) -> str:
    """Where a row is, in short: 'reqs.xlsx Open!12', 'export.csv line 12', 'greenhouse:acme posting 12'
    (the twelfth of the board's listing); the key of a row without a Req ID, the same from run to run."""
    if isinstance(path, AtsSource):
        return f"{path} posting {number}"
    return f"{path.name} {sheet}!{number}" if sheet else f"{path.name} line {number}"


def where(path: Union[Path, AtsSource], sheet: Optional[str], number: int) -> str:
    """Where a row is, in words: "reqs.xlsx, sheet 'Open', row 12", 'export.csv, line 12',
    'greenhouse:acme, posting 12'."""
    if isinstance(path, AtsSource):
        return f"{path}, posting {number}"
    return f"{path.name}, sheet '{sheet}', row {number}" if sheet else f"{path.name}, line {number}"


def source_name(source: Union[Path, str, AtsSource]) -> str:
    """How the history names a source: a file or folder by its absolute path, a board as 'greenhouse:acme'."""
    return source.name if isinstance(source, AtsSource) else str(Path(source).resolve())


@dataclass
class Reading:
    """What reading one source gave, filled in as its rows are read."""

    path: Union[Path, AtsSource]
    sha256: Optional[str] = None
    bytes: Optional[int] = None
    rows: int = 0               # data rows (not blank)
    audited: int = 0            # open requisitions among them, audited
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    note: Optional[str] = None
    error: Optional[str] = None
    unchanged_since: Optional[int] = None   # the run whose reading of this same file was taken over

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_SHOWN:
            self.problems.append(text)


def expand(arguments: Sequence[Path]) -> tuple[list[Path], list[Reading]]:
    """The files to read (folders searched for workbooks and CSV files), and the arguments that fail."""
    files: list[Path] = []
    failed: list[Reading] = []
    for argument in arguments:
        if argument.is_dir():
            found = sorted(p for p in argument.rglob("*") if p.is_file() and _readable_name(p))
            if not found:
                failed.append(Reading(argument, error=f"{argument}: no workbooks or CSV files in this folder"))
            files.extend(found)
        elif argument.exists():
            files.append(argument)
        else:
            failed.append(Reading(argument, error=f"{argument}: no such file or folder"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, failed


def _readable_name(path: Path) -> bool:
    # '~$book.xlsx' is Excel's lock file for an open workbook, not a workbook.
    return path.suffix.lower() in WORKBOOK_SUFFIXES + CSV_SUFFIXES and not path.name.startswith(("~$", "."))


def sha256_of(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and size, recorded with each run; an unchanged file is not read again."""
    try:
        return sha256_and_size(path)
    except OSError as error:
        raise SourceError(f"{path}: cannot read ({error.strerror or error})") from None


def read_rows(reading: Reading, open_values: frozenset[str], overrides: Mapping[str, str],
              sheet: Optional[str] = None) -> Iterator[Row]:
    """The open rows of one source; raises SourceError when the source cannot be read at all.

    ``reading`` counts the rows along the way.
    """
    path = reading.path
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        sheets = [(None, _csv_rows(path))]
    elif suffix in WORKBOOK_SUFFIXES:
        sheets = _workbook_sheets(path, sheet)
    else:
        raise SourceError(f"{path}: not a workbook or CSV export "
                          f"({', '.join(WORKBOOK_SUFFIXES + CSV_SUFFIXES)})")
    for name, rows in sheets:
        yield from _requisitions(reading, name, rows, open_values, overrides)


def _workbook_sheets(path: Path, wanted: Optional[str]) -> list[tuple[str, Iterator[list]]]:
    """(name, rows) of the sheet to audit: ``wanted``, or the first one with requisition columns."""
    try:
        check_zip_file(path)
    except TooLargeUnzipped as error:
        raise SourceError(str(error)) from None
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        if wanted is not None:
            if wanted not in names:
                raise SourceError(f"{path}: no sheet {wanted!r} (sheets: {', '.join(names)})")
            names = [wanted]
        else:  # as annotate chooses: visible worksheets only
            names = [sheet.name for sheet in book.sheets_metadata
                     if sheet.typ == SheetTypeEnum.WorkSheet and sheet.visible == SheetVisibleEnum.Visible]
        first_problem = None
        for name in names:
            rows = _sheet_rows(book.get_sheet_by_name(name))
            head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
            try:
                detect_columns(head)
            except ColumnError as error:
                first_problem = first_problem or f"sheet {name!r}: {error}"
                continue
            return [(name, itertools.chain(head, rows))]
    except CalamineError as error:
        raise SourceError(f"{path}: not a readable workbook ({str(error).splitlines()[0]})") from None
    raise SourceError(f"{path}: {first_problem or 'no visible worksheet'}")


def _sheet_rows(sheet) -> Iterator[list]:
    """Rows as the sheet numbers them: calamine leaves out empty columns before the data, put them back."""
    start = sheet.start
    offset = start[1] if start else 0
    for row in sheet.iter_rows():
        yield [None] * offset + row if offset else row


def _csv_rows(path: Path) -> Iterator[list[str]]:
    """The rows of a CSV export, read as `annotate` reads them (UTF-8 or Excel's cp1252, its delimiter)."""
    try:
        return iter(csv_rows(path))
    except WorkbookError as error:
        raise SourceError(str(error)) from None


def _requisitions(reading: Reading, sheet: Optional[str], rows: Iterator[list], open_values: frozenset[str],
                  overrides: Mapping[str, str]) -> Iterator[Row]:
    where = f"{reading.path.name}, sheet {sheet!r}" if sheet else reading.path.name
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    try:
        columns = detect_columns(head, overrides)
    except ColumnError as error:
        raise SourceError(f"{where}: {error}") from None
    status = columns.columns.get("status")
    if status is None:
        reading.note = "no status column: every row audited"
    salt = repr(sorted(columns.columns.items())).encode()
    data = itertools.islice(itertools.chain(head, rows), columns.header_row + 1, None)
    for number, row in enumerate(data, start=columns.header_row + 2):
        if status is not None and _is_open(row, status, open_values):   # an open row is not blank
            reading.rows += 1
            yield Row(sheet, number, row, columns, salt)
        elif not row_is_blank(row):
            reading.rows += 1
            if status is None:
                yield Row(sheet, number, row, columns, salt)


def _is_open(row: list, column: int, open_values: frozenset[str]) -> bool:
    value = row[column] if column < len(row) else None
    return value is not None and str(value).strip().casefold() in open_values
