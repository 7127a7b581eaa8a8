"""Add the verdict columns to a worksheet's XML, streaming, and leave the rest of it as it was.

The sheet is read in chunks and copied row by row; a row that gets verdict cells has them
appended (or, when the tool's columns from an earlier run or stray blank cells are in the way,
put in column order after removing those). Before the rows: the frozen header and the column
widths; after them: the filter, the conditional formats and the links. Nothing else changes.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import IO, Callable, Optional

from . import xmltext
from .references import column_index, column_letter
from .sheetxml import col_widths

CHUNK_CHARS = 1 << 22
# Schema order of a worksheet's children, to put a new element where Excel expects it.
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst")

_CELL = re.compile(r"<(?:[\w.\-]+:)?c(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?:/>|>.*?</(?:[\w.\-]+:)?c>)", re.DOTALL)
_CELL_REF = re.compile(r"\sr\s*=\s*[\"']([A-Za-z]+)(\d+)[\"']")
_ROW_REF = re.compile(r"\sr\s*=\s*[\"'](\d+)[\"']")
_STYLE = re.compile(r"\ss\s*=\s*[\"'](\d+)[\"']")
_SQREF_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?\d+(?::\$?([A-Za-z]{1,3})\$?\d+)?")


@dataclass
class Block:
    """The tool's columns in the sheet: [first, last], 0-based."""

    first: int
    last: int

    def holds(self, column: int) -> bool:
        return self.first <= column <= self.last


@dataclass
class SpliceResult:
    last_row: int = 0


@dataclass
class Layout:
    """What to add to the sheet, decided before it is read."""

    header_row: int                       # 1-based
    first_user_column: int                # 0-based, the leftmost header
    block: Block                          # where the verdict columns go
    old_block: Optional[Block]            # where they were after an earlier run (removed)
    widths: list[float]
    # (prefix, last row, first free priority) -> <conditionalFormatting> elements
    conditional_formats: Callable[[str, int, int], str]
    use_autofilter: bool = True
    links: list[str] = field(default_factory=list)   # <hyperlink> elements, filled while the rows stream
    heights: dict[int, float] = field(default_factory=dict)  # row -> points its verdict text needs, likewise

    def cleared(self, column: int) -> bool:
        """Whether a cell in this column makes way: it is in the new block or was in the old one."""
        return self.block.holds(column) or bool(self.old_block and self.old_block.holds(column))


RowCells = Callable[[int, str], Optional[str]]  # (row number, prefix) -> <c> elements of the block, or None


def splice_sheet(source: IO[bytes], out: IO[bytes], layout: Layout, row_cells: RowCells) -> SpliceResult:
    """Copy worksheet XML from ``source`` to ``out`` with the verdict columns added."""
    text = _Text(source)
    head = text.take_to(text.find_sheet_data())
    root_tag = re.search(r"<([\w.\-]+:)?worksheet(?=[\s>])", head)
    prefix = (root_tag.group(1) or "") if root_tag else ""
    sheet_data_tag = text.take_to(text.tag_end(text.position))
    result = SpliceResult()
    pieces: list[str] = [_edit_head(head, layout, prefix), sheet_data_tag]
    if not sheet_data_tag.endswith("/>"):
        close_sheet_data = f"</{prefix}sheetData>"
        previous_row = 0
        while True:
            start = text.next_tag()
            if start < 0:
                raise ValueError("the worksheet XML ends inside its rows")
            if text.buffer.startswith(close_sheet_data, start):
                pieces.append(text.take_to(start + len(close_sheet_data)))
                break
            row_end = text.row_end(start, prefix)
            pieces.append(text.buffer[text.position:start])
            raw_row = text.buffer[start:row_end]
            text.position = row_end
            number_match = _ROW_REF.search(raw_row[:raw_row.index(">")])
            number = int(number_match.group(1)) if number_match else previous_row + 1
            previous_row = number
            pieces.append(_edit_row(raw_row, number, layout, row_cells, prefix, result))
            if len(pieces) > 512:
                _flush(out, pieces)
            text.compact()
        result.last_row = previous_row
    tail = text.rest()
    pieces.append(_edit_tail(tail, layout, prefix, max(result.last_row, layout.header_row)))
    _flush(out, pieces)
    return result


def cell_styles(source: IO[bytes], last_row: int) -> dict[int, dict[int, int]]:
    """The cell format index of each styled cell of rows 1 to ``last_row``: row -> column -> index.
    Only the top of the sheet is read."""
    text = _Text(source)
    text.position = text.find_sheet_data()
    styles: dict[int, dict[int, int]] = {}
    previous_row = 0
    while (start := text.next_tag()) >= 0 and text.buffer.startswith("<", start):
        tag = text.buffer[start:text.tag_end(start)]
        if re.match(r"</(?:[\w.\-]+:)?sheetData>|<(?:[\w.\-]+:)?sheetData\b[^>]*/>", tag):
            break
        if not re.match(r"<(?:[\w.\-]+:)?row(?=[\s/>])", tag):
            text.position = start + len(tag)
            continue
        prefix = re.match(r"<([\w.\-]+:)?", tag).group(1) or ""
        end = text.row_end(start, prefix)
        number_match = _ROW_REF.search(tag)
        previous_row = number = int(number_match.group(1)) if number_match else previous_row + 1
        if number > last_row:
            break
        inner = text.buffer[start + len(tag):end]
        styles[number] = {column: int(style.group(1)) for column, cell_text in _cells(inner)
                          if (style := _STYLE.search(cell_text[:cell_text.index(">")]))}
        text.position = end
    return styles


def _flush(out: IO[bytes], pieces: list[str]) -> None:
    out.write("".join(pieces).encode("utf-8"))
    pieces.clear()


class _Text:
    """A decoded window on the XML stream: ``buffer`` from ``position`` on is not yet copied."""

    def __init__(self, source: IO[bytes]):
        self.source = source
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buffer = ""
        self.position = 0
        self.done = False

    def _more(self) -> bool:
        if self.done:
            return False
        chunk = self.source.read(CHUNK_CHARS)
        self.buffer += self.decoder.decode(chunk, final=not chunk)
        self.done = not chunk
        return True

    def find_sheet_data(self) -> int:
        pattern = re.compile(r"<(?:[\w.\-]+:)?sheetData(?=[\s/>])")
        while True:
            match = pattern.search(self.buffer)
            if match:
                return match.start()
            if not self._more():
                raise ValueError("the worksheet has no sheetData element")

    def take_to(self, end: int) -> str:
        """The text from the position to ``end`` (an index in the buffer), consumed."""
        taken = self.buffer[self.position:end]
        self.position = end
        return taken

    def tag_end(self, start: int) -> int:
        """Index just after the '>' closing the tag that begins at ``start``."""
        while True:
            end = self.buffer.find(">", start)
            if end >= 0:
                return end + 1
            if not self._more():
                raise ValueError("the worksheet XML ends inside a tag")

    def next_tag(self) -> int:
        """Absolute index of the next '<' after position, reading more as needed; -1 at the end."""
        while True:
            index = self.buffer.find("<", self.position)
            if index >= 0 and index + 16 < len(self.buffer):
                return index
            if not self._more():
                return index

    def row_end(self, start: int, prefix: str) -> int:
        close = f"</{prefix}row>"
        while True:
            tag_end = self.buffer.find(">", start)
            if tag_end >= 0:
                if self.buffer[tag_end - 1] == "/":
                    return tag_end + 1
                end = self.buffer.find(close, tag_end)
                if end >= 0:
                    return end + len(close)
            if not self._more():
                raise ValueError("the worksheet XML ends inside a row")

    def compact(self) -> None:
        if self.position > CHUNK_CHARS:
            self.buffer = self.buffer[self.position:]
            self.position = 0

    def rest(self) -> str:
        while self._more():
            pass
        rest = self.buffer[self.position:]
        self.buffer, self.position = "", 0
        return rest


def _edit_row(raw: str, number: int, layout: Layout, row_cells: RowCells, prefix: str, result: SpliceResult) -> str:
    ours = row_cells(number, prefix) if number >= layout.header_row else None
    height = layout.heights.pop(number, 0)
    self_closing = raw.endswith("/>") and raw.index(">") == len(raw) - 1
    if self_closing:
        if not ours:
            return raw
        start_tag = _tall_enough(xmltext.set_attribute(raw[:-2].rstrip() + ">", "spans", None), height)
        return f"{start_tag}{ours}</{prefix}row>"
    tag_end = raw.index(">") + 1
    start_tag, inner, end_tag = _tall_enough(raw[:tag_end], height), raw[tag_end:-len(f"</{prefix}row>")], f"</{prefix}row>"
    extension = ""
    ext_at = inner.find(f"<{prefix}extLst")
    if ext_at >= 0:
        inner, extension = inner[:ext_at], inner[ext_at:]
    all_left = layout.old_block is None and _last_column(inner, prefix) < layout.block.first
    if not ours and all_left:
        return raw
    start_tag = xmltext.set_attribute(start_tag, "spans", None)
    if all_left:  # the usual case: the row's cells all stand left of the block
        return f"{start_tag}{inner}{ours}{extension}{end_tag}"
    inner = _without_block_cells(inner, layout)
    return f"{start_tag}{_in_column_order(inner, ours or '', layout.block.first)}{extension}{end_tag}"


def _tall_enough(start_tag: str, height: float) -> str:
    """A row's start tag, its height raised to ``height`` points when the row is lower."""
    current = xmltext.attribute(start_tag, "ht")
    if not height or (current is not None and float(current) >= height):
        return start_tag
    return xmltext.set_attribute(xmltext.set_attribute(start_tag, "ht", f"{height:g}"), "customHeight", "1")


def _last_column(inner: str, prefix: str) -> int:
    """Column of the row's last cell (cells come in column order), -1 for none."""
    at = max(inner.rfind(f"<{prefix}c "), inner.rfind(f"<{prefix}c>"), inner.rfind(f"<{prefix}c/"))
    if at < 0:
        return -1
    match = _CELL_REF.search(inner, at, inner.find(">", at))
    if match is None:  # cells without references: count them
        return len(_CELL.findall(inner)) - 1
    return column_index(match.group(1))


def _cells(inner: str):
    """(column, text) of each cell of a row; cells may omit their reference and follow the previous."""
    column = -1
    for match in _CELL.finditer(inner):
        ref = _CELL_REF.search(match.group(1))
        column = column_index(ref.group(1)) if ref else column + 1
        yield column, match.group(0)


def _without_block_cells(inner: str, layout: Layout) -> str:
    kept = [text for column, text in _cells(inner) if not layout.cleared(column)]
    return "".join(kept)


def _in_column_order(inner: str, ours: str, first: int) -> str:
    """Put the block's cells after the cells left of it and before any right of it."""
    if not ours:
        return inner
    for match in _CELL.finditer(inner):
        ref = _CELL_REF.search(match.group(1))
        if ref and column_index(ref.group(1)) > first:
            return inner[:match.start()] + ours + inner[match.start():]
    return inner + ours


# ---- before the rows: dimension, frozen header, column widths ---------------------------------

def _edit_head(head: str, layout: Layout, prefix: str) -> str:
    top = xmltext.root(head + f"</{prefix}worksheet>")
    head = _set_dimension(head, top, layout)
    top = xmltext.root(head + f"</{prefix}worksheet>")
    head = _freeze_header(head, top, layout, prefix)
    top = xmltext.root(head + f"</{prefix}worksheet>")
    return _set_widths(head, top, layout, prefix)


def _set_dimension(head: str, top: xmltext.Element, layout: Layout) -> str:
    dimension = xmltext.find(head, "dimension", top.inner_start, len(head))
    if dimension is None:
        return head
    ref = dimension.attr("ref") or "A1"
    match = re.match(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$", ref)
    if not match:
        return head
    first_col, first_row, last_col, last_row = match.groups()
    last_col = column_letter(max(column_index(last_col or first_col), layout.block.last))
    tag = xmltext.set_attribute(dimension.text(head), "ref", f"{first_col}{first_row}:{last_col}{last_row or first_row}")
    return head[:dimension.start] + tag + head[dimension.end:]


def _freeze_header(head: str, top: xmltext.Element, layout: Layout, prefix: str) -> str:
    """Freeze the rows down to the header, keeping frozen columns the sheet already has."""
    views = xmltext.find(head, "sheetViews", top.inner_start, len(head))
    if views is None:
        new = f'<{prefix}sheetViews><{prefix}sheetView workbookViewId="0"></{prefix}sheetView></{prefix}sheetViews>'
        head = xmltext.insert_in_order(head + f"</{prefix}worksheet>", top, new, WORKSHEET_ORDER, "sheetViews")
        head = head[:-len(f"</{prefix}worksheet>")]
        top = xmltext.root(head + f"</{prefix}worksheet>")
        views = xmltext.find(head, "sheetViews", top.inner_start, len(head))
    view = next(xmltext.children(head, views.inner_start, views.inner_end), None)
    if view is None:
        return head
    head, view = xmltext.open_element(head, view)
    kept, frozen_columns = [], 0
    for child in xmltext.children(head, view.inner_start, view.inner_end):
        if child.local == "pane":
            if child.attr("state") in ("frozen", "frozenSplit"):
                frozen_columns = int(float(child.attr("xSplit") or 0))
        elif child.local != "selection":
            kept.append(child.text(head))
    rows = layout.header_row
    if frozen_columns:
        corner = f"{column_letter(frozen_columns)}{rows + 1}"
        pane = (f'<{prefix}pane xSplit="{frozen_columns}" ySplit="{rows}" topLeftCell="{corner}" '
                f'activePane="bottomRight" state="frozen"/>'
                f'<{prefix}selection pane="topRight"/><{prefix}selection pane="bottomLeft"/>'
                f'<{prefix}selection pane="bottomRight" activeCell="{corner}" sqref="{corner}"/>')
    else:
        corner = f"A{rows + 1}"
        pane = (f'<{prefix}pane ySplit="{rows}" topLeftCell="{corner}" activePane="bottomLeft" state="frozen"/>'
                f'<{prefix}selection pane="bottomLeft" activeCell="{corner}" sqref="{corner}"/>')
    return head[:view.inner_start] + pane + "".join(kept) + head[view.inner_end:]


def _set_widths(head: str, top: xmltext.Element, layout: Layout, prefix: str) -> str:
    """Width of the verdict columns; a <col> range of the sheet overlapping them is split around them."""
    ours = col_widths([(layout.block.first + i, w) for i, w in enumerate(layout.widths)], prefix)
    cols = xmltext.find(head, "cols", top.inner_start, len(head))
    if cols is None:
        new = f"<{prefix}cols>{ours}</{prefix}cols>"
        closing = f"</{prefix}worksheet>"
        return xmltext.insert_in_order(head + closing, top, new, WORKSHEET_ORDER, "cols")[:-len(closing)]
    head, cols = xmltext.open_element(head, cols)
    kept = []
    for col in xmltext.children(head, cols.inner_start, cols.inner_end):
        low, high = int(col.attr("min") or 1) - 1, int(col.attr("max") or 1) - 1
        tag = col.text(head)
        for part_low, part_high in _outside(low, high, layout):
            piece = xmltext.set_attribute(xmltext.set_attribute(tag, "min", str(part_low + 1)), "max", str(part_high + 1))
            kept.append((part_low, piece))
    kept.append((layout.block.first, ours))
    body = "".join(text for _, text in sorted(kept, key=lambda item: item[0]))
    return head[:cols.inner_start] + body + head[cols.inner_end:]


def _outside(low: int, high: int, layout: Layout) -> list[tuple[int, int]]:
    """Columns [low, high] without those cleared for the block, as ranges."""
    pieces = [(low, high)]
    for block in filter(None, (layout.block, layout.old_block)):
        pieces = [piece for a, b in pieces for piece in ((a, min(b, block.first - 1)), (max(a, block.last + 1), b))
                  if piece[0] <= piece[1]]
    return pieces


# ---- after the rows: filter, conditional formats, links ---------------------------------------

def _edit_tail(tail: str, layout: Layout, prefix: str, last_row: int) -> str:
    tail = _drop_own(tail, layout)
    if layout.use_autofilter:
        tail = _set_autofilter(tail, layout, prefix, last_row)
    priorities = [int(p) for p in re.findall(r'priority="(\d+)"', tail)]
    formats = layout.conditional_formats(prefix, last_row, max(priorities, default=0) + 1)
    if formats:
        tail = _insert(tail, formats, "conditionalFormatting")
    if layout.links:
        tail = _add_links(tail, layout, prefix)
    return tail


def _fragment_parent(tail: str) -> xmltext.Element:
    """The tail (after </sheetData>, up to </worksheet>) as the inside of a pseudo element."""
    close = tail.rfind("</")
    return xmltext.Element("worksheet", 0, len(tail), "", 0, close)


def _insert(tail: str, new: str, name: str) -> str:
    return xmltext.insert_in_order(tail, _fragment_parent(tail), new, WORKSHEET_ORDER, name)


def _drop_own(tail: str, layout: Layout) -> str:
    """Remove the conditional formats and links an earlier run put on the block's columns."""
    parent = _fragment_parent(tail)
    cuts = []
    for element in xmltext.children(tail, parent.inner_start, parent.inner_end):
        if element.local == "conditionalFormatting" and _all_in_block(element.attr("sqref") or "", layout):
            cuts.append((element.start, element.end, ""))
        elif element.local == "hyperlinks":
            kept = [link.text(tail) for link in xmltext.children(tail, element.inner_start, element.inner_end)
                    if not _all_in_block(link.attr("ref") or "", layout)]
            start_tag = tail[element.start:tail.index(">", element.start) + 1]
            replacement = f"{start_tag}{''.join(kept)}</{element.name}>" if kept else ""
            if not start_tag.endswith("/>"):
                cuts.append((element.start, element.end, replacement))
    for start, end, replacement in reversed(cuts):
        tail = tail[:start] + replacement + tail[end:]
    return tail


def _all_in_block(sqref: str, layout: Layout) -> bool:
    ranges = _SQREF_RANGE.findall(sqref)
    return bool(ranges) and all(layout.cleared(column_index(a)) and layout.cleared(column_index(b or a))
                                for a, b in ranges)


def _set_autofilter(tail: str, layout: Layout, prefix: str, last_row: int) -> str:
    parent = _fragment_parent(tail)
    existing = xmltext.find(tail, "autoFilter", parent.inner_start, parent.inner_end)
    first = layout.first_user_column
    if existing is not None:
        match = _SQREF_RANGE.match(existing.attr("ref") or "")
        if match:
            first = min(first, column_index(match.group(1)))
    ref = f"{column_letter(first)}{layout.header_row}:{column_letter(layout.block.last)}{last_row}"
    if existing is not None:
        tag_end = tail.index(">", existing.start) + 1
        tag = xmltext.set_attribute(tail[existing.start:tag_end], "ref", ref)
        return tail[:existing.start] + tag + tail[tag_end:]
    return _insert(tail, f'<{prefix}autoFilter ref="{ref}"/>', "autoFilter")


def _add_links(tail: str, layout: Layout, prefix: str) -> str:
    links = "".join(layout.links)
    parent = _fragment_parent(tail)
    existing = xmltext.find(tail, "hyperlinks", parent.inner_start, parent.inner_end)
    if existing is None:
        return _insert(tail, f"<{prefix}hyperlinks>{links}</{prefix}hyperlinks>", "hyperlinks")
    tail, existing = xmltext.open_element(tail, existing)
    return tail[:existing.inner_end] + links + tail[existing.inner_end:]
