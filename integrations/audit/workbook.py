"""The audit as a workbook: a summary with a chart, findings to filter, every requisition, the changes.

Written in openpyxl's write-only mode, row by row, so that an audit of 100,000 requisitions
does not hold a workbook's object model in memory.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from whichrole.render import CELL_LIMIT, cut

from .changes import Changes
from .markdown import headline, kind_name
from .output import atomic_path
from .run import AuditedRequisition, AuditResult

SEVERITY_FILLS = {"high": "F4B6B0", "medium": "FCE4B6", "low": "FFF6CC", "info": "E3ECF7"}
BOLD = Font(bold=True)

FINDING_COLUMNS = [("Severity", 10), ("Finding", 18), ("Req ID", 14), ("Title", 32), ("Recommended", 26),
                   ("Confidence", 11), ("What it says", 60), ("Why", 60), ("Rule source", 40), ("Team", 16),
                   ("Opened", 11), ("Source row", 28)]
REQUISITION_COLUMNS = [("Req ID", 14), ("Title", 32), ("Recommended", 26), ("Confidence", 11), ("Runner-up", 22),
                       ("Title check", 40), ("Findings", 9), ("Worst", 9), ("Team", 16), ("Opened", 11),
                       ("Why", 60), ("Ask the hiring manager", 60), ("Source row", 28)]
CHANGE_COLUMNS = [("Change", 26), ("Req ID", 14), ("Title", 32), ("Before", 30), ("After", 30)]


def source_link(req: AuditedRequisition) -> str:
    """A link to the row in its source: the workbook opens at the row; a CSV file just opens."""
    uri = req.source.resolve().as_uri()
    return f"{uri}#'{req.sheet}'!A{req.row}" if req.sheet else uri


def write_workbook(result: AuditResult, destination: Path) -> None:
    book = Workbook(write_only=True)
    _summary(book.create_sheet("Summary"), result)
    _findings(book.create_sheet("Findings"), result)
    _requisitions(book.create_sheet("Requisitions"), result)
    _changes(book.create_sheet("Changes"), result.changes)
    with atomic_path(destination) as temp:
        book.save(temp)


def _table_sheet(sheet: WriteOnlyWorksheet, columns: list[tuple[str, int]]) -> None:
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, name) for name, _ in columns])


def _filter(sheet: WriteOnlyWorksheet, columns: list, rows: int) -> None:
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"


def _bold(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = BOLD
    return cell


def _severity(sheet: WriteOnlyWorksheet, severity: Optional[str]) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=severity)
    if severity:
        cell.fill = PatternFill("solid", fgColor=SEVERITY_FILLS[severity])
    return cell


def _percent(sheet: WriteOnlyWorksheet, value: float) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "0%"
    return cell


def _link(sheet: WriteOnlyWorksheet, req: AuditedRequisition) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=req.place)
    cell.hyperlink = source_link(req)
    cell.style = "Hyperlink"
    return cell


def _text(value: Optional[str]) -> str:
    return cut(value or "", CELL_LIMIT)


def _findings(sheet: WriteOnlyWorksheet, result: AuditResult) -> None:
    _table_sheet(sheet, FINDING_COLUMNS)
    findings = result.findings()
    for req, finding in findings:
        a = req.assessment
        sheet.append([_severity(sheet, finding.severity), kind_name(finding.kind), req.key, _text(req.title),
                      a.label, _percent(sheet, a.confidence), _text(finding.text), _text(finding.because), finding.source,
                      req.team, req.opened, _link(sheet, req)])
    _filter(sheet, FINDING_COLUMNS, len(findings))


def _requisitions(sheet: WriteOnlyWorksheet, result: AuditResult) -> None:
    _table_sheet(sheet, REQUISITION_COLUMNS)
    for req in result.requisitions:
        a = req.assessment
        sheet.append([req.key, _text(req.title), a.label, _percent(sheet, a.confidence), a.runner_up, a.title_check,
                      len(req.findings), _severity(sheet, req.worst), req.team, req.opened,
                      _text(" | ".join(a.reasons)), _text(" | ".join(a.questions)), _link(sheet, req)])
    _filter(sheet, REQUISITION_COLUMNS, len(result.requisitions))


def _changes(sheet: WriteOnlyWorksheet, changes: Changes) -> None:
    _table_sheet(sheet, CHANGE_COLUMNS)
    count = 0
    for name, heading in Changes.KINDS:
        for change in getattr(changes, name):
            sheet.append([heading, change.key, _text(change.title), change.before, change.after])
            count += 1
    _filter(sheet, CHANGE_COLUMNS, count)


def _summary(sheet: WriteOnlyWorksheet, result: AuditResult) -> None:
    sheet.column_dimensions["A"].width = 34
    for letter in "BCDE":
        sheet.column_dimensions[letter].width = 16
    rows: list[list] = [
        [_bold(sheet, "Requisition audit")],
        [headline(result)],
        [],
        ["Run", result.run_id],
        ["Started (UTC)", result.started.replace(tzinfo=None, microsecond=0)],
        ["Finished (UTC)", result.finished.replace(tzinfo=None, microsecond=0)],
        ["Rulebook", result.rulebook],
        ["History", str(result.database)],
        ["Compared with", f"run {result.changes.since.id} ({result.changes.since.started})"
         if result.changes.since else "nothing: first audit of these sources"],
        [],
        [_bold(sheet, "Severity"), _bold(sheet, "Findings")],
    ]
    for row in rows:
        sheet.append(row)
    severity_header = len(rows)
    counts = result.severity_counts()
    for severity, count in counts.items():
        sheet.append([_severity(sheet, severity), count])
    severity_end = severity_header + len(counts)

    sheet.append([])
    sheet.append([_bold(sheet, "Finding"), _bold(sheet, "Severity"), _bold(sheet, "Requisitions")])
    for (kind, severity), count in result.kind_counts().items():
        sheet.append([kind_name(kind), _severity(sheet, severity), count])

    sheet.append([])
    sheet.append([_bold(sheet, "What changed"), _bold(sheet, "Requisitions")])
    for heading, count in result.changes.counts().items():
        sheet.append([heading, count])

    sheet.append([])
    sheet.append([_bold(sheet, name) for name in ("Source", "Rows", "Open, audited", "SHA-256", "Status")])
    for reading in result.readings:
        sheet.append([str(reading.path), reading.rows, reading.audited, reading.sha256,
                      f"failed: {reading.error}" if reading.error else (reading.note or "read")])

    chart = BarChart()
    chart.type = "bar"
    chart.title = "Findings by severity"
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=2, min_row=severity_header, max_row=severity_end), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=severity_header + 1, max_row=severity_end))
    chart.height, chart.width = 7, 14
    sheet.add_chart(chart, "G3")
