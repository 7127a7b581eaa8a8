"""The audit as a workbook: a summary with a chart, the findings to filter, every requisition, the changes.

Written with the Excel integration's sheet writer, chart and styles (the look of `annotate`'s
own sheets), each sheet streamed straight into the zip: an audit of 100,000 requisitions is
written in seconds and never held as a workbook in memory. Req IDs link to the requisition's
row on the Requisitions sheet; each requisition says where it is in its source.
"""
from __future__ import annotations

from pathlib import Path

from whichrole.render import one_a_line
from whichrole.integrations.excel.looks import ACCENT, house_styles
from whichrole.integrations.ooxml.book import CT_STYLES, CT_WORKSHEET, FILTER_NAME, REL_NS_TYPES
from whichrole.integrations.ooxml.chart import (CT_CHART, CT_DRAWING, REL_CHART, REL_DRAWING, bar_chart, drawing,
                                                relationships_xml)
from whichrole.integrations.ooxml.package import REL_OFFICE_DOCUMENT, REL_STYLES, REL_WORKSHEET, AtomicZip
from whichrole.integrations.ooxml.references import column_letter, location, quote_sheet
from whichrole.integrations.ooxml.sheetxml import SheetWriter
from whichrole.integrations.ooxml.styles import MINIMAL_STYLES
from whichrole.integrations.ooxml.xmltext import MAIN_NS, REL_NS, escape

from .changes import Changes
from .findings import kind_name
from .markdown import findings_line, headline
from .run import AuditedRequisition, AuditResult

SUMMARY, FINDINGS, REQUISITIONS, CHANGES = "Summary", "Findings", "Requisitions", "Changes"
SHEETS = (SUMMARY, FINDINGS, REQUISITIONS, CHANGES)

FINDING_COLUMNS = [("Severity", 10), ("Finding", 26), ("Req ID", 14), ("Title", 32), ("Recommended", 30),
                   ("Confidence", 11), ("What it says", 60), ("Why", 60), ("Rule source", 40), ("Team", 16),
                   ("Opened", 11), ("Source row", 40)]
REQUISITION_COLUMNS = [("Req ID", 14), ("Title", 32), ("Recommended", 30), ("Confidence", 11), ("Runner-up", 30),
                       ("Title check", 40), ("Worst", 9), ("Findings", 50), ("Team", 16), ("Opened", 11),
                       ("Why", 60), ("Ask the hiring manager", 60), ("Source row", 40)]
CHANGE_COLUMNS = [("Change", 26), ("Req ID", 14), ("Title", 32), ("Before", 30), ("After", 30)]
# Wide enough for a source's path, its SHA-256 (wrapped in two lines) and a recommended role.
SUMMARY_WIDTHS = [40, 12, 30, 34, 50]
CHART_CELLS = (2, 4, 5, 17)    # from column C, row 5 to column F, row 18 (0-based): beside the severity table
TO_LOOK_AT = 25


def write_workbook(result: AuditResult, destination: Path) -> None:
    rows = {req.key: number for number, req in enumerate(result.requisitions, start=2)}
    with AtomicZip(destination) as package:
        styles_xml, styles, _ = house_styles(MINIMAL_STYLES)
        package.write("xl/styles.xml", styles_xml)
        with package.open("xl/worksheets/sheet1.xml") as out:
            first_row, counts = _summary(SheetWriter(out, SUMMARY_WIDTHS, tab_colour="FF1F4E79"), result, styles, rows)
        package.write("xl/worksheets/_rels/sheet1.xml.rels",
                      relationships_xml(("rId1", REL_DRAWING, "../drawings/drawing1.xml")))
        package.write("xl/drawings/drawing1.xml", drawing("rId1", *CHART_CELLS, "Findings by severity"))
        package.write("xl/drawings/_rels/drawing1.xml.rels",
                      relationships_xml(("rId1", REL_CHART, "../charts/chart1.xml")))
        package.write("xl/charts/chart1.xml", bar_chart("Findings by severity", quote_sheet(SUMMARY), first_row,
                                                        list(counts), list(counts.values()), ACCENT))
        last_rows = {}
        with package.open("xl/worksheets/sheet2.xml") as out:
            last_rows[FINDINGS] = _findings(_table(out, FINDING_COLUMNS, styles), result, styles, rows)
        with package.open("xl/worksheets/sheet3.xml") as out:
            last_rows[REQUISITIONS] = _requisitions(_table(out, REQUISITION_COLUMNS, styles), result, styles)
        with package.open("xl/worksheets/sheet4.xml") as out:
            last_rows[CHANGES] = _changes(_table(out, CHANGE_COLUMNS, styles), result.changes, styles, rows)
        _package_parts(package, last_rows)


def _package_parts(package: AtomicZip, last_rows: dict[str, int]) -> None:
    """What makes the parts a workbook: content types, relationships, the sheet list, the filter ranges."""
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    sheet_types = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{CT_WORKSHEET}"/>'
                          for n in range(1, len(SHEETS) + 1))
    package.write("[Content_Types].xml", (
        f'{declaration}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/>{sheet_types}'
        f'<Override PartName="/xl/drawings/drawing1.xml" ContentType="{CT_DRAWING}"/>'
        f'<Override PartName="/xl/charts/chart1.xml" ContentType="{CT_CHART}"/></Types>'))
    package.write("_rels/.rels", f'{declaration}<Relationships xmlns="{REL_NS_TYPES}"><Relationship Id="rId1" '
                                 f'Type="{REL_OFFICE_DOCUMENT}" Target="xl/workbook.xml"/></Relationships>')
    sheets = "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(SHEETS, start=1))
    widths = {FINDINGS: FINDING_COLUMNS, REQUISITIONS: REQUISITION_COLUMNS, CHANGES: CHANGE_COLUMNS}
    filters = "".join(
        f'<definedName name="{FILTER_NAME}" localSheetId="{SHEETS.index(name)}" hidden="1">'
        f'{escape(quote_sheet(name))}!$A$1:${column_letter(len(widths[name]) - 1)}${last_row}</definedName>'
        for name, last_row in last_rows.items())
    package.write("xl/workbook.xml", f'{declaration}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
                                     f'<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>'
                                     f'<definedNames>{filters}</definedNames></workbook>')
    parts = [(f"rId{n}", REL_WORKSHEET, f"worksheets/sheet{n}.xml") for n in range(1, len(SHEETS) + 1)]
    package.write("xl/_rels/workbook.xml.rels",
                  relationships_xml(*parts, (f"rId{len(SHEETS) + 1}", REL_STYLES, "styles.xml")))


def _table(out, columns: list[tuple[str, int]], styles: dict[str, int]) -> SheetWriter:
    sheet = SheetWriter(out, [width for _, width in columns], frozen_rows=1)
    sheet.row([(name, styles["table_header"]) for name, _ in columns])
    return sheet


def _req_link(rows: dict[str, int], key: str, column: int = 0) -> list[tuple[int, str, str]]:
    """A link from a Req ID to its row on the Requisitions sheet."""
    return [(column, location(REQUISITIONS, 0, rows[key]), key)] if key in rows else []


def _findings(sheet: SheetWriter, result: AuditResult, styles: dict[str, int], rows: dict[str, int]) -> int:
    text, percent, link = styles["text"], styles["percent"], styles["link"]
    for req, finding in result.findings():
        a = req.assessment
        sheet.row([(finding.severity, text), (kind_name(finding.kind), text), (req.key, link), (req.title, text),
                   (a.label, text), (a.confidence, percent), (finding.text, text), (finding.because, text),
                   (finding.source, text), (req.team, text), (req.opened, styles["date"]), (req.where, text)],
                  links=_req_link(rows, req.key, 2))
    sheet.finish(autofilter_from_row=1)
    return sheet.row_number


def _requisitions(sheet: SheetWriter, result: AuditResult, styles: dict[str, int]) -> int:
    text, wrapped, percent, day = styles["text"], styles["wrapped"], styles["percent"], styles["date"]
    for req in result.requisitions:
        a = req.assessment
        sheet.row([(req.key, text), (req.title, text), (a.label, text), (a.confidence, percent), (a.runner_up, text),
                   (a.title_check, text), (req.worst, text), (findings_line(req), text), (req.team, text),
                   (req.opened, day), (one_a_line(a.reasons), wrapped), (one_a_line(a.questions), wrapped),
                   (req.where, text)], wrapped=True)
    sheet.finish(autofilter_from_row=1)
    return sheet.row_number


def _changes(sheet: SheetWriter, changes: Changes, styles: dict[str, int], rows: dict[str, int]) -> int:
    text, link = styles["text"], styles["link"]
    for name, heading in Changes.KINDS:
        for change in getattr(changes, name):
            sheet.row([(heading, text), (change.key, link if change.key in rows else text), (change.title, text),
                       (change.before, text), (change.after, text)], links=_req_link(rows, change.key, 1))
    sheet.finish(autofilter_from_row=1)
    return sheet.row_number


def _summary(sheet: SheetWriter, result: AuditResult, styles: dict[str, int],
             rows: dict[str, int]) -> tuple[int, dict[str, int]]:
    """The Summary sheet; returns the first row of the severity table and its counts, for the chart."""
    s = styles
    since = result.changes.since
    sheet.row([("whichrole audit of open requisitions", s["title"])])
    sheet.row([(headline(result) + ".", s["note"])])
    sheet.row([(f"Run {result.run_id}, {result.started:%Y-%m-%d %H:%M} UTC; rulebook {result.rulebook}; "
                f"history {result.database}.", s["note"])])
    sheet.row([(f"Compared with run {since.id} ({since.started})." if since
                else "First audit of these sources: nothing to compare with yet.", s["note"])])
    sheet.skip()
    sheet.row([("Severity", s["table_header"]), ("Findings", s["table_header"])])
    counts = result.severity_counts()
    first_row = sheet.row_number + 1
    for severity, count in counts.items():
        sheet.row([(severity, s["text"]), (count, s["text"])])
    sheet.skip(max(1, CHART_CELLS[3] + 2 - sheet.row_number))

    sheet.row([("Findings by kind", s["heading"])])
    sheet.row([(h, s["table_header"]) for h in ("Finding", "Severity", "Requisitions")])
    for (kind, severity), count in result.kind_counts().items():
        sheet.row([(kind_name(kind), s["text"]), (severity, s["text"]), (count, s["text"])])
    sheet.skip()

    sheet.row([("What changed", s["heading"]), ("Requisitions", s["heading"])])
    for heading, count in result.changes.counts().items():
        sheet.row([(heading, s["text"]), (count, s["text"])])
    sheet.row([("The Changes sheet lists them.", s["note"])])
    sheet.skip()

    sheet.row([("Sources", s["heading"])])
    sheet.row([(h, s["table_header"]) for h in ("Source", "Rows", "Open, audited", "SHA-256", "Status")])
    for reading in result.readings:
        status = (f"failed: {reading.error}" if reading.error
                  else f"unchanged since run {reading.unchanged_since}" if reading.unchanged_since else "read")
        sheet.row([(str(reading.path), s["wrapped"]), (reading.rows, s["number"]), (reading.audited, s["number"]),
                   (reading.sha256, s["wrapped"]), (status + (f"; {reading.note}" if reading.note else ""), s["wrapped"])],
                  wrapped=True)
    sheet.skip()

    flagged = result.to_look_at(TO_LOOK_AT)
    if flagged:
        sheet.row([(f"To look at first ({len(flagged)})", s["heading"])])
        sheet.row([(h, s["table_header"]) for h in ("Req ID", "Worst", "Recommended", "Title", "Findings")])
        for req in flagged:
            _look_at(sheet, req, s, rows)
    sheet.finish(drawing_rel="rId1")
    return first_row, counts


def _look_at(sheet: SheetWriter, req: AuditedRequisition, s: dict[str, int], rows: dict[str, int]) -> None:
    sheet.row([(req.key, s["link"]), (req.worst, s["text"]), (req.label, s["text"]), (req.title, s["wrapped"]),
               (findings_line(req), s["wrapped"])], links=_req_link(rows, req.key), wrapped=True)

