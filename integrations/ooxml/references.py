"""Cell and range references as formulas, hyperlinks and defined names write them: column letters,
quoted sheet names, absolute ranges, and reading one back."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

_REFERENCE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")


@lru_cache(maxsize=4096)
def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number - 1


def quote_sheet(name: str) -> str:
    """A sheet name as a formula or hyperlink reference wants it: 'Q3 reqs' -> '''Q3 reqs''' form."""
    return "'" + name.replace("'", "''") + "'"


def location(sheet: str, column: int, row: int) -> str:
    return f"{quote_sheet(sheet)}!{column_letter(column)}{row}"


def absolute_range(sheet: str, first_column: int, first_row: int, last_column: int, last_row: int) -> str:
    """An absolute range reference, 'Sheet'!$A$3:$M$40, as defined names hold them."""
    return (f"{quote_sheet(sheet)}!${column_letter(first_column)}${first_row}:"
            f"${column_letter(last_column)}${max(last_row, first_row)}")


@dataclass(frozen=True)
class Reference:
    sheet: str
    first_column: int
    first_row: int
    last_column: int
    last_row: int


def parse_reference(value: str) -> Optional[Reference]:
    """'Sheet 1'!$H$3:$P$3 -> Reference; None for #REF! and anything else."""
    match = _REFERENCE.match(value.strip())
    if not match:
        return None
    quoted, plain, first_col, first_row, last_col, last_row = match.groups()
    sheet = quoted.replace("''", "'") if quoted else plain
    return Reference(sheet, column_index(first_col), int(first_row),
                     column_index(last_col or first_col), int(last_row or first_row))
