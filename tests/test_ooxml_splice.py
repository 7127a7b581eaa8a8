"""The splicer adds a block of columns to a worksheet and keeps everything else, one edge case a workbook."""
from __future__ import annotations

import openpyxl
import pytest

from ooxml_books import EDGE_CASES, build
from whichrole.integrations.ooxml.package import AtomicZip, open_workbook
from whichrole.integrations.ooxml.sheetxml import cell
from whichrole.integrations.ooxml.splice import Block, Layout, splice_sheet


def spliced(source, destination, first: int):
    """The workbook with two columns added from column ``first``: a text and a number a row."""
    package = open_workbook(source)
    sheet = package.sheet("Reqs")
    layout = Layout(header_row=1, first_user_column=0, block=Block(first, first + 1), old_block=None,
                    widths=[20, 12], conditional_formats=lambda prefix, last, priority: "", use_autofilter=False)
    ours = lambda number, prefix: cell(first, number, f"ours {number}", None, prefix) + cell(first + 1, number, number, None, prefix)  # noqa: E731
    with AtomicZip(destination) as target:
        with package.open_part(sheet.part) as reader, target.open(sheet.part) as sink:
            splice_sheet(reader, sink, layout, ours)
        for name in package.names:
            if name != sheet.part:
                target.copy(package, name)
    package.close()
    return destination


def what_the_user_has(path, block_first: int):
    """All of the sheet but the block's columns (``block_first`` 0-based on)."""
    sheet = openpyxl.load_workbook(path, rich_text=True)["Reqs"]
    return {
        "cells": {(c.coordinate, str(c.value), c.number_format) for row in sheet.iter_rows() for c in row
                  if c.value is not None and c.column <= block_first},
        "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
        "validations": sorted(str(v.sqref) for v in sheet.data_validations.dataValidation),
        "conditional": sorted(str(r.sqref) for r in sheet.conditional_formatting),
        "comments": sorted((c.coordinate, c.comment.text) for row in sheet.iter_rows() for c in row if c.comment),
        "tables": sorted((t.displayName, t.ref) for t in sheet.tables.values()),
        "charts": len(sheet._charts),
        "print": (sheet.print_area, sheet.print_title_rows),
    }


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_the_block_is_added_and_the_rest_kept(tmp_path, case):
    source = build(tmp_path, case)
    first = openpyxl.load_workbook(source)["Reqs"].max_column + 1   # 0-based: one blank column between
    out = spliced(source, tmp_path / "out.xlsx", first)
    assert what_the_user_has(out, first) == what_the_user_has(source, first)
    sheet = openpyxl.load_workbook(out)["Reqs"]
    assert [sheet.cell(row, first + 1).value for row in (1, 2, 3)] == ["ours 1", "ours 2", "ours 3"]
    assert [sheet.cell(row, first + 2).value for row in (1, 2, 3)] == [1, 2, 3]
    assert sheet.freeze_panes == "A2"                                 # the header stays in view
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(first + 1)].width == 20


def test_a_spliced_sheet_with_inline_strings_splices_again(tmp_path):
    once = spliced(build(tmp_path, "shared_strings"), tmp_path / "once.xlsx", 3)
    twice = spliced(once, tmp_path / "twice.xlsx", 6)
    sheet = openpyxl.load_workbook(twice)["Reqs"]
    assert sheet["D2"].value == "ours 2" and sheet["G2"].value == "ours 2" and sheet["B2"].value == "Data Scientist"
