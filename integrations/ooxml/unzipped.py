"""How much a workbook may unzip to, checked before any part of it is read.

A few megabytes of zip can inflate to gigabytes of XML (a "zip bomb"), and a reader holding a
part in memory, as calamine holds the shared strings and a sheet's cells, runs out of it. A zip's
central directory records the size of every part; Python's zipfile and calamine alike read a
part no further than that size (a part that inflates to more is an error to both), so comparing
the recorded sizes with a bound, before opening a part, bounds what reading can cost.

The bounds are settings, in bytes, for the rare workbook larger than them: a part's at
WHICHROLE_MAX_PART_BYTES (512 MiB: about half a million rows of 1 KB descriptions), all parts'
together at WHICHROLE_MAX_UNZIPPED_BYTES (1 GiB).
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Iterable

PART_SETTING = "WHICHROLE_MAX_PART_BYTES"
TOTAL_SETTING = "WHICHROLE_MAX_UNZIPPED_BYTES"
DEFAULT_PART = 512 << 20
DEFAULT_TOTAL = 1 << 30


class TooLargeUnzipped(ValueError):
    """A workbook that would unzip to more than the bounds allow; the message is one line."""


def bound(setting: str, default: int) -> int:
    value = os.environ.get(setting, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise TooLargeUnzipped(f"{setting}={value!r}: expected a number of bytes, e.g. {default}")
    return number


def check_sizes(parts: Iterable[zipfile.ZipInfo], label: str) -> None:
    """Refuse, naming the part, a workbook whose parts would unzip to more than the bounds."""
    part_limit, total_limit = bound(PART_SETTING, DEFAULT_PART), bound(TOTAL_SETTING, DEFAULT_TOTAL)
    total = 0
    for info in parts:
        if info.file_size > part_limit:
            raise TooLargeUnzipped(f"{label}: part {info.filename} would unzip to {_size(info.file_size)}, more "
                                   f"than a part may ({_size(part_limit)}, {PART_SETTING}); refusing to read it")
        total += info.file_size
        if total > total_limit:
            raise TooLargeUnzipped(f"{label}: the workbook would unzip to more than {_size(total_limit)} "
                                   f"({TOTAL_SETTING}); refusing to read it")


def check_zip_file(path: Path) -> None:
    """check_sizes for a workbook file read by another reader (calamine); a file that is no zip is
    left for that reader to refuse."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return
    check_sizes(parts, str(path))


def _size(count: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
