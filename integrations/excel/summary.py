"""What an annotation found, counted as it goes, and the Summary and Rationale sheets.

Summary: requisitions per recommended role (a table and a bar chart), then the requisitions
a reviewer should look at first: title mismatches, conflated ones, those that say too little
to decide, rows that could not be read; each line links to its row. Rationale: every rule
that fired for each requisition, with its source, linked both ways with the row.
"""
from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from whichrole.model import Requisition
from whichrole.integrations.ooxml.references import location
from whichrole.integrations.ooxml.sheetxml import SheetWriter

from .verdictrow import VerdictRow

# Each list on the Summary stops here; the verdict columns' filters show the rest.
LIST_LIMIT = 500
CHART_ROWS = 18  # height of the chart, in rows
SUMMARY_WIDTHS = (30, 14, 34, 28, 70)
CHART_COLUMNS = (3, 5)  # the chart spans columns D and E, beside the role table
NOT_CLASSIFIED = "Not classified"


@dataclass
class Entry:
    row: int
    req_id: str
    title: str
    role: str
    detail: str


@dataclass
class Listing:
    """A capped list of entries and how many there were in all."""

    heading: str
    detail_header: str
    filter_hint: str
    entries: list[Entry] = field(default_factory=list)
    total: int = 0

    def add(self, entry: Entry) -> None:
        self.total += 1
        if len(self.entries) < LIST_LIMIT:
            self.entries.append(entry)


class Tally:
    """The counts and lists of one annotation run."""

    def __init__(self):
        self.roles: Counter[str] = Counter()
        self.annotated = 0
        self.skipped = 0
        self.mismatches = Listing("Title mismatches", "Title check", "the Title check column")
        self.conflated = Listing("Conflated requisitions", "Warning", "the Warnings column")
        self.low_information = Listing("Too little to decide", "Ask the hiring manager", "the Warnings column")
        self.unreadable = Listing("Rows that could not be read", "What is wrong", f"'{NOT_CLASSIFIED}' in Recommended role")

    @property
    def listings(self) -> list[Listing]:
        return [self.mismatches, self.conflated, self.low_information, self.unreadable]

    def add(self, row: int, requisition: Requisition, verdict: VerdictRow) -> None:
        self.annotated += 1
        self.roles[verdict.label] += 1
        entry = lambda detail: Entry(row, requisition.id or "", requisition.title or "", verdict.label, detail)  # noqa: E731
        if verdict.is_mismatch:
            self.mismatches.add(entry(verdict.title_check))
        if verdict.conflated:
            self.conflated.add(entry(verdict.conflated))
        if verdict.questions is not None:
            self.low_information.add(entry(verdict.questions))

    def add_unreadable(self, row: int, values: dict, message: str) -> None:
        self.unreadable.add(Entry(row, str(values.get("id") or ""), str(values.get("title") or ""), NOT_CLASSIFIED, message))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass
class AnnotationRun:
    """What the Summary sheet says of the run that wrote it."""

    source: str
    sheet: str
    rulebook_version: str
    started: datetime
    seconds: float


def summary_sheet(tally: Tally, run: AnnotationRun, styles: dict[str, int], drawing_rel: str) -> tuple[bytes, int, list]:
    """Summary sheet XML; also the first row of the role table and its (label, count) rows for the chart."""
    out = io.BytesIO()
    sheet = SheetWriter(out, widths=list(SUMMARY_WIDTHS), tab_colour="FF1F4E79")
    sheet.row([(f"whichrole summary: sheet '{run.sheet}' of {run.source}", styles["title"])])
    unreadable = f", {tally.unreadable.total} could not be read" if tally.unreadable.total else ""
    sheet.row([(f"{plural(tally.annotated, 'requisition')} annotated, {plural(tally.skipped, 'row')} skipped "
                f"(nothing to classify){unreadable}. Rulebook {run.rulebook_version}; run {run.started:%Y-%m-%d %H:%M} "
                f"in {run.seconds:.1f} s.", styles["note"])])
    sheet.skip()
    sheet.row([("Recommended role", styles["table_header"]), ("Requisitions", styles["table_header"]),
               ("Share", styles["table_header"])])
    table = sorted(tally.roles.items(), key=lambda item: (-item[1], item[0]))
    total = sum(tally.roles.values())
    first_table_row = sheet.row_number + 1
    for label, count in table:
        sheet.row([(label, styles["text"]), (count, styles["text"]), (count / total if total else 0, styles["percent"])])
    sheet.row([("Total", styles["heading"]), (total, styles["heading"])])
    sheet.skip(max(0, 3 + CHART_ROWS - sheet.row_number) + 1)
    data_sheet = run.sheet
    for listing in tally.listings:
        if listing is tally.unreadable and not listing.total:
            continue
        sheet.row([(f"{listing.heading} ({listing.total})", styles["heading"])])
        if not listing.total:
            sheet.row([("None.", styles["note"])])
            sheet.skip()
            continue
        sheet.row([(h, styles["table_header"]) for h in ("Row", "Req ID", "Title", "Recommended role", listing.detail_header)])
        for entry in listing.entries:
            sheet.row([(f"Row {entry.row}", styles["link"]), (entry.req_id, styles["text"]), (entry.title, styles["wrapped"]), (entry.role, styles["wrapped"]), (entry.detail, styles["wrapped"])],
                      links=[(0, location(data_sheet, 0, entry.row), f"Row {entry.row}")], wrapped=True)
        if listing.total > len(listing.entries):
            sheet.row([(f"... and {listing.total - len(listing.entries)} more: filter {listing.filter_hint} "
                        f"of sheet '{data_sheet}'.", styles["note"])])
        sheet.skip()
    sheet.finish(drawing_rel=drawing_rel)
    return out.getvalue(), first_table_row, table


class RationaleSheet:
    """The Rationale sheet, streamed to a temporary file as requisitions are classified."""

    HEADERS = ("Row", "Req ID", "Title", "Recommended role", "Confidence", "Every reason, with its source")
    HEADER_ROW = 3

    def __init__(self, out: IO[bytes], data_sheet: str, styles: dict[str, int]):
        self.data_sheet = data_sheet
        self.styles = styles
        self.sheet = SheetWriter(out, widths=[10, 14, 30, 26, 11, 110], frozen_rows=self.HEADER_ROW,
                                 tab_colour="FF8EA9C1")
        self.sheet.row([(f"whichrole rationale: every reason, with its source, for each requisition "
                         f"of sheet '{data_sheet}'", styles["title"])])
        self.sheet.row([("Row links back to the requisition; its 'Full rationale' cell links here.", styles["note"])])
        self.sheet.row([(h, styles["table_header"]) for h in self.HEADERS])

    def add(self, row: int, verdict_column: int, requisition: Requisition, verdict: VerdictRow) -> int:
        s = self.styles
        return self.sheet.row(
            [(f"Row {row}", s["link"]), (requisition.id or "", s["text"]), (requisition.title or "", s["wrapped"]),
             (verdict.label, s["wrapped"]), (verdict.confidence, s["percent"]), (verdict.rationale, s["wrapped"])],
            links=[(0, location(self.data_sheet, verdict_column, row), f"Row {row}")], wrapped=True)

    def finish(self) -> int:
        self.sheet.finish(autofilter_from_row=self.HEADER_ROW)
        return self.sheet.row_number


def summary_text(tally: Tally, source, sheet: str, output, seconds: float) -> str:
    """The Summary sheet in brief, for the terminal."""
    lines = [f"{source}, sheet '{sheet}': {plural(tally.annotated, 'requisition')} annotated, "
             f"{plural(tally.skipped, 'row')} skipped"
             f"{f', {tally.unreadable.total} could not be read' if tally.unreadable.total else ''} "
             f"({seconds:.1f} s)", f"wrote {output}", ""]
    width = max((len(label) for label in tally.roles), default=16) + 2
    lines.append(f"{'Recommended role':<{width}}{'Reqs':>5}")
    for label, count in sorted(tally.roles.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"{label:<{width}}{count:>5}")
    lines.append("")
    lines.append(" · ".join(f"{listing.heading}: {listing.total}" for listing in tally.listings))
    return "\n".join(lines)
