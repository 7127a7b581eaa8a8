"""A board's postings as a requisition export (CSV), in the columns `annotate` recognises.

`whichrole annotate greenhouse:acme` annotates this export: a new workbook of the board's
requisitions, each with its verdict beside it. Location, employment type and link are kept
for the reader; the classification does not read them.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterable

from .posting import Posting

HEADER = ["Req ID", "Title", "Team", "Level", "Opened", "Status", "Location", "Employment type", "Link",
          "Description"]


def export_name(board: str) -> str:
    """'greenhouse-acme': the board as a file name (a board's name is the last part of a URL)."""
    return re.sub(r"[^\w.-]+", "-", board).strip("-.") or "board"


def write_export(postings: Iterable[Posting], path: Path) -> int:
    """The postings, one a row, written to ``path``; returns how many."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for posting in postings:
            writer.writerow([posting.id or "", posting.title or "", posting.team or "", posting.level or "",
                             posting.opened.isoformat() if posting.opened else "", "Open", posting.location or "",
                             posting.employment or "", posting.url or "", posting.description])
            count += 1
    return count
