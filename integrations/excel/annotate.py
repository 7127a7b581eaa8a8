"""Annotate a workbook: each requisition gets its verdict in columns beside it, and the workbook
gets a Summary and a Rationale sheet.

The workbook is rewritten part by part, not loaded into an object model and saved again: the
annotated sheet is streamed with the verdict cells spliced into its rows, a few small parts
(the workbook, its relationships, the styles, the content types) are edited as text, the new
sheets are added, and every other part (other sheets, images, charts, pivot tables, macros,
comments...) is copied unchanged. So nothing is lost, memory stays flat, and it is fast.

A load and save through openpyxl's object model would lose, measured with openpyxl 3.1: pictures
when Pillow is not installed, shapes and text boxes, sparklines and every other worksheet
extension (x14 data validations and conditional formats, slicers, timelines), custom XML parts,
data connections, printer settings, and the VBA project unless asked to keep it. Because this
tool never goes through such a model, --in-place is safe for any workbook it can read.
"""
from __future__ import annotations

import io
import shutil
import tempfile
import time
from collections import deque
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Union

from python_calamine import CalamineWorkbook

from whichrole.classifier import Classifier, shared_classifier
from whichrole.model import Requisition, RequisitionError, one_line_error
from whichrole.render import TOO_LITTLE

from whichrole.integrations.ooxml import xmltext
from whichrole.integrations.ooxml.book import FILTER_NAME, PRINT_AREA
from whichrole.integrations.ooxml.chart import (CT_CHART, CT_DRAWING, REL_CHART, REL_DRAWING, bar_chart, drawing,
                                                relationships_xml)
from whichrole.integrations.ooxml.package import (CONTENT_TYPES, AtomicZip, Package, Sheet, WorkbookError,
                                                  open_workbook, rels_part_of)
from whichrole.integrations.ooxml.references import absolute_range, column_letter, location, quote_sheet
from whichrole.integrations.ooxml.sheetxml import cell, hyperlink, wrapped_height
from whichrole.integrations.ooxml.splice import Block, Layout, cell_styles, splice_sheet
from whichrole.integrations.ooxml.styles import MINIMAL_STYLES
from whichrole.integrations.ooxml.tables import sheet_tables, widen_table

from .columns import (ColumnError, ColumnMap, detect_columns, parse_map, requisition_from_row, row_is_blank,
                      HEADER_SEARCH_ROWS)
from .csvbook import csv_workbook
from .looks import ACCENT, house_styles
from .marks import VERDICTS_MARK, MarkedWorkbook
from .summary import CHART_COLUMNS, CHART_ROWS, NOT_CLASSIFIED, AnnotationRun, RationaleSheet, Tally, summary_sheet
from .verdictrow import VERDICT_HEADERS, VerdictRow

# The verdict columns, and a link to the full rationale.
LINK_HEADER = "Full rationale"
HEADERS = VERDICT_HEADERS + (LINK_HEADER,)
WIDTHS = (24, 16, 11, 22, 40, 60, 90, 70, 14)
CELL_STYLES = ("verdict_first", "verdict", "verdict_percent") + ("verdict",) * 5 + ("verdict_link",)
# Rows read for the look of the sheet's body, below its header.
BODY_ROWS_READ = 5
LINK_TEXT = "all reasons ›"
MACRO_SUFFIX = ".xlsm"

Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass
class AnnotateResult:
    source: Path
    output: Path
    sheet: str
    columns: ColumnMap
    tally: Tally
    rulebook_version: str
    seconds: float
    classify_seconds: float     # classifying, or waiting for the workers' verdicts


def output_path(book: Path, out: Optional[Path], in_place: bool) -> Path:
    """Where the annotated workbook goes; refuses combinations that would lose or mislabel data."""
    is_csv = book.suffix.lower() == ".csv"
    suffix = ".xlsx" if is_csv else (book.suffix.lower() if book.suffix.lower() in (".xlsx", MACRO_SUFFIX) else ".xlsx")
    if in_place and out is not None:
        raise WorkbookError("give --out or --in-place, not both")
    if in_place:
        if is_csv:
            raise WorkbookError(f"{book}: a CSV file cannot hold the verdict columns; use --out NAME.xlsx")
        return book
    if out is None:
        return book.with_name(f"{book.stem}-annotated{suffix}")
    out = Path(out)
    if out.exists() and book.exists() and out.resolve() == book.resolve():
        raise WorkbookError(f"--out {out} is the input; use --in-place to overwrite it")
    if out.suffix.lower() != suffix:
        kind = "a macro-enabled workbook" if suffix == MACRO_SUFFIX else "the annotated workbook"
        raise WorkbookError(f"--out {out}: {kind} must be written as {suffix}")
    if out.is_dir():
        raise WorkbookError(f"--out {out} is a folder")
    return out


def open_source(book: Path) -> tuple[Package, CalamineWorkbook]:
    """The package to rewrite and a fast reader of its values (a CSV becomes a workbook first)."""
    if book.suffix.lower() == ".csv":
        if not book.exists():
            raise WorkbookError(f"{book}: no such file")
        data = csv_workbook(book)
        return Package(book, io.BytesIO(data), label=str(book)), _calamine(io.BytesIO(data), book)
    package = open_workbook(book)
    return package, _calamine(book, book)


def _calamine(source, label: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(source)) if isinstance(source, Path) else CalamineWorkbook.from_filelike(source)
    except Exception as error:  # calamine's errors carry no common base class across versions
        raise WorkbookError(f"{label}: corrupt workbook ({one_line_error(error)})") from None


def read_rows(values: CalamineWorkbook, sheet: Sheet, label: str) -> list[list]:
    """All cell values of a sheet, row i of the list being row i + 1 of the sheet, from column A."""
    try:
        data = values.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
    except Exception as error:
        raise WorkbookError(f"{label}, sheet '{sheet.name}': unreadable ({str(error).splitlines()[0]})") from None
    return data


def choose_sheet(package: Package, values: CalamineWorkbook, edit: MarkedWorkbook, name: Optional[str],
                 overrides: dict) -> tuple[Sheet, list[list], ColumnMap]:
    """The sheet named, or else the first visible worksheet whose columns can be told apart."""
    own = {s.name for s in (edit.own_sheet("summary"), edit.own_sheet("rationale")) if s is not None}
    label = package.label
    if name is not None:
        sheet = package.sheet(name)
        if sheet.name in own:
            raise WorkbookError(f"{label}: sheet '{sheet.name}' is the tool's own output; name the requisitions sheet")
        if sheet.kind != "worksheet":
            raise WorkbookError(f"{label}: sheet '{sheet.name}' is a {sheet.kind}, not a worksheet")
        candidates = [sheet]
    else:
        candidates = [s for s in package.sheets if s.kind == "worksheet" and s.state == "visible" and s.name not in own]
        if not candidates:
            raise WorkbookError(f"{label}: the workbook has no worksheet")
    first_error = None
    for sheet in candidates:
        rows = read_rows(values, sheet, label)
        try:
            return sheet, rows, detect_columns(rows[:HEADER_SEARCH_ROWS], overrides)
        except ColumnError as error:
            first_error = first_error or WorkbookError(f"{label}, sheet '{sheet.name}': {error}")
    raise first_error


def existing_block(edit: MarkedWorkbook, sheet: Sheet, rows: list[list], header_row: int) -> Optional[Block]:
    """The verdict columns of an earlier run: by the hidden name it left, or by their headers."""
    mark = edit.verdicts_mark(sheet.name)
    if mark is not None:
        return Block(mark.first_column, mark.last_column)
    header = [str(v).strip() if v is not None else "" for v in rows[header_row - 1]] if len(rows) >= header_row else []
    for index in range(len(header)):
        if tuple(header[index:index + 2]) == HEADERS[:2]:
            width = 0
            while index + width < len(header) and width < len(HEADERS) and header[index + width] == HEADERS[width]:
                width += 1
            return Block(index, index + width - 1)
    return None


def annotate(book: "str | Path", *, sheet: Optional[str] = None, out: Optional[Path] = None, in_place: bool = False,
             mapping: Iterable[str] = (), progress: Optional[Progress] = None,
             classifier: Optional[Classifier] = None, workers: Optional[int] = 0) -> AnnotateResult:
    """Write the annotated workbook; return what was found. Errors are one line and write nothing.

    ``workers``: processes classifying the requisitions, as for Classifier.verdicts (the command
    line's default is None: one per core for a big sheet)."""
    started_at, started = datetime.now(), time.perf_counter()
    book = Path(book)
    overrides = parse_map(mapping)
    destination = output_path(book, out, in_place)
    package, values = open_source(book)
    try:
        return _annotate(package, values, book, destination, sheet, overrides, progress,
                         classifier or shared_classifier(), workers, started_at, started)
    finally:
        package.close()
        values.close()


def _annotate(package: Package, values: CalamineWorkbook, book: Path, destination: Path, sheet_name: Optional[str],
              overrides: dict, progress: Optional[Progress], classifier: Classifier, workers: Optional[int],
              started_at: datetime, started: float) -> AnnotateResult:
    edit = MarkedWorkbook(package)
    sheet, rows, columns = choose_sheet(package, values, edit, sheet_name, overrides)
    header_row = columns.header_row + 1
    if all(row_is_blank(row) for row in rows[header_row:]):  # the empty template, say: nothing to write
        raise WorkbookError(f"{package.label}, sheet '{sheet.name}': no requisitions below the header; "
                            "fill in a title or a description on each row")
    old = existing_block(edit, sheet, rows, header_row)
    if old is not None:
        first = old.first
    else:
        first = max((i for row in rows for i, v in enumerate(row) if v not in ("", None)), default=-1) + 1
    block = Block(first, first + len(HEADERS) - 1)
    header_cells = [i for i, v in enumerate(rows[header_row - 1]) if v not in ("", None) and not block.holds(i)
                    and not (old and old.holds(i))]
    tables = sheet_tables(package, sheet)
    widened = {part: widen_table(package.read_text(part), header_row, block, HEADERS, old) for part in tables}
    widened = {part: xml for part, xml in widened.items() if xml is not None}

    styles_part, styles_xml = edit.ensure_styles_part(MINIMAL_STYLES)
    with package.open_part(sheet.part) as source:
        taken_from = _looked_at(cell_styles(source, header_row + BODY_ROWS_READ), header_row, header_cells, columns)
    styles_xml, looks, highlights = house_styles(styles_xml, taken_from)
    summary = edit.own_sheet_part("summary")
    rationale_name, rationale_part, _ = edit.own_sheet_part("rationale")
    drawing_part = edit.free_part("xl/drawings/drawing{}.xml")
    chart_part = edit.free_part("xl/charts/chart{}.xml")
    edit.add_content_type(drawing_part, CT_DRAWING)
    edit.add_content_type(chart_part, CT_CHART)

    low_confidence = classifier.rulebook.catalogue.thresholds.low_confidence
    too_little = classifier.rulebook.catalogue.warnings[TOO_LITTLE].text.split(":")[0]
    layout = Layout(header_row=header_row, first_user_column=min(header_cells, default=0),
                    block=block, old_block=old, widths=list(WIDTHS),
                    conditional_formats=lambda prefix, last, priority: _conditional_formats(
                        prefix, block, header_row, last, priority, low_confidence, too_little, highlights["neutral"],
                        highlights["bad"]),
                    use_autofilter=not tables)  # a table filters itself; Excel forbids a sheet filter over one

    # Written row by row: a large buffer saves a system call every few rows. Closed (flushed) inside
    # the target's block, so that a disk full then is said of the workbook, which is left as it was.
    with AtomicZip(destination) as target, tempfile.TemporaryFile(buffering=1 << 20) as rationale_file:
        # The content types are complete now that every new part has its name; conventionally first.
        target.write(CONTENT_TYPES, edit.content_types)
        rationale = RationaleSheet(rationale_file, sheet.name, looks)
        rows_done = RowAnnotator(rows, columns, layout, classifier, looks, rationale, rationale_name, progress, workers)
        with closing(rows_done.verdicts), package.open_part(sheet.part) as source, target.open(sheet.part) as sink:
            spliced = splice_sheet(source, sink, layout, rows_done)
        rows_done.finish()
        last_rationale_row = rationale.finish()
        rationale_file.seek(0)
        with target.open(rationale_part) as sink:
            shutil.copyfileobj(rationale_file, sink, 1 << 20)

        run = AnnotationRun(source=book.name, sheet=sheet.name, rulebook_version=classifier.rulebook.version,
                         started=started_at, seconds=time.perf_counter() - started)
        written = _write_summary(target, summary, drawing_part, chart_part, rows_done.tally, run, looks)

        _keep_printout(edit, sheet.name, block, max(spliced.last_row, header_row))
        edit.set_defined_name(VERDICTS_MARK, absolute_range(sheet.name, block.first, header_row, block.last, header_row),
                              edit.sheet_index(sheet.name))
        if layout.use_autofilter:
            last_row = max(spliced.last_row, header_row)
            edit.set_defined_name(FILTER_NAME, absolute_range(sheet.name, layout.first_user_column, header_row,
                                                         block.last, last_row), edit.sheet_index(sheet.name))
        edit.set_defined_name(FILTER_NAME, absolute_range(rationale_name, 0, RationaleSheet.HEADER_ROW,
                                                     len(RationaleSheet.HEADERS) - 1, last_rationale_row),
                              edit.sheet_index(rationale_name))
        edit.mark_sheet("summary", summary[0])
        edit.mark_sheet("rationale", rationale_name)

        written |= {CONTENT_TYPES, sheet.part, rationale_part}
        for part, text in ((package.workbook_part, edit.workbook), (package.workbook_rels_part, edit.rels),
                           (styles_part, styles_xml), *widened.items()):
            target.write(part, text)
            written.add(part)
        for name in package.names:
            if name not in written and name not in edit.dropped:
                target.copy(package, name)

    return AnnotateResult(source=book, output=destination, sheet=sheet.name, columns=columns, tally=rows_done.tally,
                          rulebook_version=classifier.rulebook.version, seconds=time.perf_counter() - started,
                          classify_seconds=rows_done.classify_seconds)


class RowAnnotator:
    """The verdict cells of each row as the sheet streams by; counts and the Rationale sheet on the way."""

    def __init__(self, rows: list[list], columns: ColumnMap, layout: Layout, classifier: Classifier,
                 looks: dict[str, int], rationale: RationaleSheet, rationale_name: str,
                 progress: Optional[Progress], workers: Optional[int]):
        self.rows, self.columns, self.layout, self.classifier = rows, columns, layout, classifier
        self.looks, self.rationale, self.rationale_name, self.progress = looks, rationale, rationale_name, progress
        self.tally = Tally()
        self.classify_seconds = 0.0
        self.data_rows = max(len(rows) - layout.header_row, 0)
        self.verdicts = self._all_verdicts(workers)

    def __call__(self, number: int, prefix: str) -> Optional[str]:
        block, looks = self.layout.block, self.looks
        if number == self.layout.header_row:
            return "".join(cell(block.first + i, number, h, looks["header"], prefix) for i, h in enumerate(HEADERS))
        if number > len(self.rows):
            return None
        values = self.rows[number - 1]
        if self.progress and (number - self.layout.header_row) % 100 == 0:
            self.progress(number - self.layout.header_row, self.data_rows)
        tick = time.perf_counter()
        requisition, verdict = self._verdict_of(number)
        self.classify_seconds += time.perf_counter() - tick
        problem = next((r for r in (requisition, verdict) if isinstance(r, RequisitionError)), None)
        if problem is not None:
            fields = {name: values[i] for name, i in self.columns.columns.items() if i < len(values)}
            self.tally.add_unreadable(number, fields, str(problem))
            return _unreadable_cells(block, number, str(problem), looks, prefix)
        if verdict is None:
            if not row_is_blank([v for i, v in enumerate(values) if not self.layout.cleared(i)]):
                self.tally.skipped += 1
            return None
        self.tally.add(number, requisition, verdict)
        rationale_row = self.rationale.add(number, block.first, requisition, verdict)
        self.layout.links.append(hyperlink(block.last, number, location(self.rationale_name, 5, rationale_row),
                                           LINK_TEXT, prefix))
        self.layout.heights[number] = wrapped_height(verdict.cells, WIDTHS)
        return _verdict_cells(verdict, block, number, looks, prefix)

    def _verdict_of(self, number: int) -> tuple[Union[Requisition, RequisitionError, None],
                                                 Union[VerdictRow, RequisitionError, None]]:
        """The row's requisition and verdict; rows the sheet leaves out are passed over."""
        for row, requisition, verdict in self.verdicts:
            if row == number:
                return requisition, verdict
        return None, None

    def _all_verdicts(self, workers: Optional[int]) -> Iterator[tuple[int, Union[Requisition, RequisitionError, None],
                                                             Union[VerdictRow, RequisitionError, None]]]:
        """Every data row's requisition (or why it cannot be read) and verdict, in row order. The
        workers read rows ahead while the sheet streams by; their verdicts come back in the order
        the rows went out, which ``sent`` remembers."""
        sent: deque = deque()

        def requisitions() -> Iterator[Optional[Requisition]]:
            for number in range(self.layout.header_row + 1, len(self.rows) + 1):
                try:
                    requisition = requisition_from_row(self.rows[number - 1], self.columns)
                except RequisitionError as error:
                    requisition = error
                sent.append((number, requisition))
                yield requisition if isinstance(requisition, Requisition) else None

        for verdict in self.classifier.verdicts(requisitions(), workers, keep=VerdictRow.of):
            number, requisition = sent.popleft()
            yield number, requisition, verdict

    def finish(self) -> None:
        if self.progress:
            self.progress(self.data_rows, self.data_rows)


def _write_summary(target: AtomicZip, summary: tuple[str, str, str], drawing_part: str, chart_part: str,
                   tally: Tally, run: AnnotationRun, looks: dict[str, int]) -> set[str]:
    """The Summary sheet, its drawing and its chart; the parts written."""
    name, part, _ = summary
    summary_xml, table_row, table = summary_sheet(tally, run, looks, "rId1")
    target.write(part, summary_xml)
    target.write(rels_part_of(part), relationships_xml(
        ("rId1", REL_DRAWING, "../drawings/" + drawing_part.rsplit("/", 1)[1])))
    target.write(drawing_part, drawing("rId1", CHART_COLUMNS[0], 3, CHART_COLUMNS[1], 3 + CHART_ROWS,
                                       "Requisitions per role"))
    target.write(rels_part_of(drawing_part), relationships_xml(
        ("rId1", REL_CHART, "../charts/" + chart_part.rsplit("/", 1)[1])))
    target.write(chart_part, bar_chart("Requisitions per recommended role", quote_sheet(name), table_row,
                                       [label for label, _ in table] or ["(none)"],
                                       [count for _, count in table] or [0], ACCENT))
    return {part, rels_part_of(part), drawing_part, rels_part_of(drawing_part), chart_part}


def _keep_printout(edit: MarkedWorkbook, sheet: str, block: Block, last_row: int) -> None:
    """The sheet prints the user's own columns, as it did before: the verdict's nine more would shrink
    a page fit to its width to an unreadable strip, or add a page for every one. Each verdict prints
    in full, readably, from the Rationale sheet. A print area the user set is theirs, and kept."""
    index = edit.sheet_index(sheet)
    if block.first == 0 or any(n.name == PRINT_AREA and n.local_sheet == index for n in edit.defined_names()):
        return
    edit.set_defined_name(PRINT_AREA, absolute_range(sheet, 0, 1, block.first - 1, last_row), index, hidden=False)


def _looked_at(styles: dict[int, dict[int, int]], header_row: int, header_cells: list[int],
               columns: ColumnMap) -> dict[str, int]:
    """The cell format of the sheet's header (its rightmost header cell, beside the verdict's) and of
    its body (the title's cell, or else the description's, of the first row that styles one)."""
    header = styles.get(header_row, {}).get(max(header_cells, default=-1), 0)
    column = columns.columns.get("title", columns.columns.get("description", min(header_cells, default=0)))
    body = next((row[column] for number, row in sorted(styles.items()) if number > header_row and column in row), 0)
    return {"header": header, "body": body}


def _verdict_cells(verdict: VerdictRow, block: Block, row: int, looks: dict[str, int], prefix: str) -> str:
    values = (*verdict.cells, LINK_TEXT)
    return "".join(cell(block.first + i, row, value, looks[style], prefix)
                   for i, (value, style) in enumerate(zip(values, CELL_STYLES)))


def _unreadable_cells(block: Block, row: int, message: str, looks: dict[str, int], prefix: str) -> str:
    values = [NOT_CLASSIFIED, "", "", "", "", message, "", "", ""]
    return "".join(cell(block.first + i, row, value, looks[style], prefix)
                   for i, (value, style) in enumerate(zip(values, CELL_STYLES)))


def _conditional_formats(prefix: str, block: Block, header_row: int, last_row: int, priority: int,
                         low_confidence: float, too_little: str, neutral: int, bad: int) -> str:
    """The confidence in amber when it is low or there is too little to decide, as the Warnings
    cell says beside it; mismatches in red. No green: a confident role is the unremarkable case."""
    if last_row <= header_row:
        return ""
    p = prefix
    confidence = column_letter(block.first + HEADERS.index("Confidence"))
    warnings = column_letter(block.first + HEADERS.index("Warnings"))
    check = column_letter(block.first + HEADERS.index("Title check"))
    first = header_row + 1
    doubtful = (f'OR(AND(ISNUMBER({confidence}{first}),{confidence}{first}<{low_confidence:g}),'
                f'ISNUMBER(SEARCH("{too_little}",{warnings}{first})))')
    return (
        f'<{p}conditionalFormatting sqref="{confidence}{first}:{confidence}{last_row}">'
        f'<{p}cfRule type="expression" dxfId="{neutral}" priority="{priority}">'
        f'<{p}formula>{xmltext.escape(doubtful)}</{p}formula></{p}cfRule></{p}conditionalFormatting>'
        f'<{p}conditionalFormatting sqref="{check}{first}:{check}{last_row}">'
        f'<{p}cfRule type="beginsWith" dxfId="{bad}" priority="{priority + 1}" operator="beginsWith" text="mismatch">'
        f'<{p}formula>LEFT({check}{first},LEN("mismatch"))="mismatch"</{p}formula></{p}cfRule>'
        f'</{p}conditionalFormatting>')
