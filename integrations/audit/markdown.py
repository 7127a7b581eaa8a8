"""The audit as a Markdown summary: counts, the sources, the worst findings, what changed."""
from __future__ import annotations

from whichrole.render import percent

from .changes import Change, Changes
from .findings import AuditFinding, kind_name, severity_rank
from .run import AuditedRequisition, AuditResult

TOP_REQUISITIONS = 25
CHANGES_LISTED = 15


def findings_line(req: AuditedRequisition) -> str:
    ordered = sorted(req.findings, key=lambda f: -severity_rank(f.severity))
    return "; ".join(f"{kind_name(f.kind)} ({f.severity})" for f in ordered)


def _worst(req: AuditedRequisition) -> AuditFinding:
    return max(req.findings, key=lambda f: severity_rank(f.severity))


def _cell(text: object) -> str:
    return str(text if text is not None else "").replace("\n", " ").replace("|", "\\|")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows)
    return lines


def headline(result: AuditResult) -> str:
    with_findings = sum(1 for r in result.requisitions if r.findings)
    counts = result.severity_counts()
    total = sum(counts.values())
    sources = len(result.readings)
    failed = f", {len(result.failed)} failed" if result.failed else ""
    line = (f"{len(result.requisitions)} open requisitions from {sources} source{'s' * (sources != 1)}{failed}; "
            f"{with_findings} with findings")
    if total:
        line += f"; {total} finding{'s' * (total != 1)}: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return line


def change_line(change: Change) -> str:
    title = f" “{change.title}”" if change.title else ""
    if change.before and change.after:
        return f"{change.key}{title}: {change.before} → {change.after}"
    return f"{change.key}{title}: {change.after or change.before}"


def changes_section(changes: Changes, rulebook: str) -> list[str]:
    if changes.since is None:
        return ["First audit of these sources: nothing to compare with yet."]
    lines = [f"Since run {changes.since.id} ({changes.since.started}):"]
    if changes.since.rulebook != rulebook:
        lines.append(f"the rulebook changed ({changes.since.rulebook} → {rulebook}), so some re-classifications "
                     "come from the rules rather than the requisitions;")
    lines.extend(changes.notes)
    if changes.total == 0:
        lines.append("no changes.")
    for name, heading in Changes.KINDS:
        items: list[Change] = getattr(changes, name)
        if not items:
            continue
        lines.append(f"- **{heading}** ({len(items)})")
        lines.extend(f"  - {change_line(c)}" for c in items[:CHANGES_LISTED])
        if len(items) > CHANGES_LISTED:
            lines.append(f"  - … and {len(items) - CHANGES_LISTED} more")
    return lines


def render(result: AuditResult) -> str:
    lines = [f"# Requisition audit, {result.started:%Y-%m-%d %H:%M} UTC", "",
             headline(result) + ".", "",
             f"Run {result.run_id} · rulebook {result.rulebook} · history {result.database}", ""]

    lines += ["## Sources", ""]
    rows = []
    for reading in result.readings:
        if reading.error:
            rows.append([reading.path.name, "", "", f"**failed**: {reading.error}"])
            continue
        status = f"unchanged since run {reading.unchanged_since}" if reading.unchanged_since else "read"
        status += f"; {reading.note}" if reading.note else ""
        if reading.problem_count:
            status += f"; {reading.problem_count} row(s) could not be read"
        status += f" (sha256 {reading.sha256[:12]})" if reading.sha256 else ""
        rows.append([reading.path.name, reading.rows, reading.audited, status])
    lines += _table(["Source", "Rows", "Open, audited", "Status"], rows) + [""]
    problems = [p for reading in result.readings for p in reading.problems]
    if problems:
        lines += ["Rows that could not be read:", ""] + [f"- {p}" for p in problems]
        unlisted = sum(r.problem_count for r in result.readings) - len(problems)
        lines += [f"- … and {unlisted} more" if unlisted else "", ""]

    lines += ["## What changed", ""] + changes_section(result.changes, result.rulebook) + [""]

    kinds = result.kind_counts()
    if kinds:
        lines += ["## Findings by kind", ""]
        lines += _table(["Finding", "Severity", "Requisitions"],
                        [[kind_name(kind), severity, n] for (kind, severity), n in kinds.items()]) + [""]
        flagged = sum(1 for req in result.requisitions if req.findings)
        shown = result.to_look_at(TOP_REQUISITIONS)
        lines += [f"## To look at first ({len(shown)} of {flagged} requisitions with findings)", ""]
        lines += _table(["Req", "Title", "Reads as", "Findings", "Why (most severe)"],
                        [[req.key, req.title, f"{req.label} ({percent(req.assessment.confidence)})", findings_line(req),
                          _worst(req).because] for req in shown])
    else:
        lines += ["No findings."]
    return "\n".join(lines).rstrip() + "\n"
