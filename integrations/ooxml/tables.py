"""Excel tables (Insert > Table) on the annotated sheet.

Sorting a table sorts only the table's columns: verdict columns left outside it would stay put
while the requisitions move. So a table whose last column is just left of the verdict columns
(or that already holds them, after an earlier run) is widened over them; any other table is
left alone and then the sheet gets no filter of its own, which Excel forbids over a table.
"""
from __future__ import annotations

import posixpath
import re
from typing import Optional

from . import xmltext
from .references import column_index, column_letter
from .package import Package, Sheet, relationships, rels_part_of, resolve
from .splice import Block

_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+):\$?([A-Za-z]{1,3})\$?(\d+)$")


def sheet_tables(package: Package, sheet: Sheet) -> list[str]:
    """The table parts of a sheet."""
    rels_part = rels_part_of(sheet.part)
    if rels_part not in package.names:
        return []
    folder = posixpath.dirname(sheet.part)
    return [resolve(folder, rel.target) for rel in relationships(package.read_text(rels_part)).values()
            if rel.type.endswith("/table") and not rel.external]


def widen_table(xml: str, header_row: int, block: Block, headers: tuple[str, ...],
                old_block: Optional[Block]) -> Optional[str]:
    """The table part widened over the verdict columns, or None when it is not the requisitions' table."""
    top = xmltext.root(xml)
    match = _RANGE.match(top.attr("ref") or "")
    if not match or top.attr("tableType") == "queryTable":
        return None
    first_col, first_row, last_col, last_row = match.groups()
    first, last = column_index(first_col), column_index(last_col)
    if int(first_row) != header_row or first > block.first:
        return None
    holds_ours = old_block is not None and first <= old_block.first <= last
    if not holds_ours and last + 1 != block.first:
        return None
    columns = xmltext.find(xml, "tableColumns", top.inner_start, top.inner_end)
    if columns is None:
        return None
    kept = []
    for position, column in enumerate(xmltext.children(xml, columns.inner_start, columns.inner_end)):
        if not (old_block and old_block.holds(first + position)) and not block.holds(first + position):
            kept.append(column.text(xml))
    ids = [int(i) for i in re.findall(r'<(?:\w+:)?tableColumn\b[^>]*?\sid="(\d+)"', xml)]
    prefix = xmltext.prefix_of(columns.name)
    ours = "".join(f'<{prefix}tableColumn id="{max(ids, default=0) + 1 + i}" name="{xmltext.escape(h)}"/>'
                   for i, h in enumerate(headers))
    count = len(kept) + len(headers)
    start_tag = xmltext.set_attribute(xml[columns.start:xml.index(">", columns.start) + 1], "count", str(count))
    xml = xml[:columns.start] + start_tag + "".join(kept[:block.first - first]) + ours + \
        "".join(kept[block.first - first:]) + f"</{columns.name}>" + xml[columns.end:]
    ref = f"{first_col}{first_row}:{column_letter(first + count - 1)}{last_row}"
    xml = _set_ref(xml, None, ref)
    return _set_ref(xml, "autoFilter", ref)


def _set_ref(xml: str, child: Optional[str], ref: str) -> str:
    top = xmltext.root(xml)
    element = top if child is None else xmltext.find(xml, child, top.inner_start, top.inner_end)
    if element is None:
        return xml
    tag_end = xml.index(">", element.start) + 1
    return xml[:element.start] + xmltext.set_attribute(xml[element.start:tag_end], "ref", ref) + xml[tag_end:]
