"""`whichrole audit SOURCE...`, `whichrole audit history` and `whichrole schedule -- audit ...`."""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperGroup

from whichrole.cli import EngineOption, RulesOption, WorkersOption

from .findings import SEVERITIES, severity_rank
from .schedule import DEFAULT_MISFIRE_GRACE
from .store import default_database

FAIL_ON = SEVERITIES + ("never",)
DatabaseOption = typer.Option(None, "--db", help="The audit history (SQLite); default: audit.sqlite3 in your "
                              "data folder.", dir_okay=False)
LockTimeoutOption = typer.Option(600, "--lock-timeout", min=0, help="Seconds to wait for an audit already "
                                 "writing to the same history (0: give up at once).")
FetchTimeoutOption = typer.Option(30, "--fetch-timeout", min=0.01, help="Seconds a job board's API may take to "
                                  "answer one request before it is asked again.")
FetchLimitOption = typer.Option(600, "--fetch-limit", min=0.01, help="Seconds to read one job board, retries and "
                                "their waits included; past them the board is reported as failed.")


class _SourcesByDefault(TyperGroup):
    """`whichrole audit SOURCE...` is `whichrole audit run SOURCE...`; `history` and `prune` stay subcommands."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(cls=_SourcesByDefault, no_args_is_help=True, rich_markup_mode=None,
                            help="Audit open requisitions: whichrole audit SOURCE... (workbooks, CSV exports, "
                                 "folders; its options: whichrole audit run --help); whichrole audit history "
                                 "lists past runs, audit show RUN prints one's report, audit diff RUN RUN what "
                                 "changed between two, audit prune deletes old ones.")
    audit_app.command("run")(audit)
    audit_app.command("history")(history)
    audit_app.command("show")(show)
    audit_app.command("diff")(diff)
    audit_app.command("prune")(prune)
    app.add_typer(audit_app, name="audit")
    app.command("schedule")(schedule)


def ats_sources(arguments: List[Path]) -> list:
    """The arguments, 'greenhouse:acme' and the like read as job boards (before any file of that name)."""
    from whichrole.integrations.ats import parse_source

    return [parse_source(str(argument)) or argument for argument in arguments]


def _echo_err(message: str) -> None:
    typer.echo(f"audit: {message}", err=True)


def _date_option(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} {value!r}: not a date as YYYY-MM-DD (e.g. 2026-11-30)") from None


def audit(
    sources: List[Path] = typer.Argument(..., help="Workbooks (.xlsx, .xls, .xlsb, .ods), CSV exports, folders "
                                         "of them, or job boards: greenhouse:BOARD, lever:SITE, ashby:BOARD."),
    database: Optional[Path] = DatabaseOption,
    open_values: str = typer.Option("open", "--open-values", help="Status values that count as open, "
                                    "comma-separated (case does not matter), e.g. 'Open,Sourcing,Interviewing'."),
    status_column: Optional[str] = typer.Option(None, "--status-column", help="The column holding the status, "
                                                "by header or letter (default: a column named Status)."),
    mapping: List[str] = typer.Option([], "--map", metavar="COLUMN=FIELD", help="A column and the field it holds, 'Header=field' or "
                                      "'C=field' (repeatable), as for annotate."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="The sheet to read (default: the first one with a "
                                        "title or description column)."),
    max_open_days: int = typer.Option(90, "--max-open-days", min=0, help="A finding for requisitions open longer "
                                      "than this many days (0: no such finding)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", help="Count days open up to this "
                                        "date instead of today, e.g. for an export taken on that day."),
    fail_on: str = typer.Option("high", "--fail-on", help=f"Exit with 1 when a finding is this severe or more: "
                                f"{', '.join(FAIL_ON)}."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the audit workbook (.xlsx) here.", dir_okay=False),
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="Write the Markdown summary here instead of "
                                            "standard output.", dir_okay=False),
    slack_channel: Optional[str] = typer.Option(None, "--slack-channel", help="Post the summary and the workbook "
                                                "to this channel ID (needs SLACK_BOT_TOKEN)."),
    lock_timeout: float = LockTimeoutOption,
    fetch_timeout: float = FetchTimeoutOption,
    fetch_limit: float = FetchLimitOption,
    rules: Optional[Path] = RulesOption,
    engine: str = EngineOption,
    workers: Optional[int] = WorkersOption,
):
    """Audit the open requisitions in workbooks, CSV exports, folders or job boards; record the run; report
    what changed.

    Exit code: 0 clean, 1 findings at or above --fail-on, 2 error (a source that could not be read, too;
    when none could, nothing is recorded, written or posted)."""
    from whichrole.integrations.excel.columns import parse_map

    from .reports import write_reports
    from .run import AuditOptions, run_audit
    from .slack import check_channel, client_from_env
    from whichrole.integrations.ats import AtsSource, Limits

    if fail_on not in FAIL_ON:
        raise ValueError(f"--fail-on {fail_on!r}: expected one of {', '.join(FAIL_ON)}")
    if out is not None and out.suffix.lower() != ".xlsx":
        raise ValueError(f"--out {out}: the audit workbook is an .xlsx file")
    open_statuses = frozenset(v.strip().casefold() for v in open_values.split(",") if v.strip())
    if not open_statuses:
        raise ValueError("--open-values: give at least one status that counts as open, e.g. 'Open'")
    overrides = parse_map(mapping)
    today = _date_option("--as-of", as_of) if as_of else None
    if status_column:
        overrides[status_column] = "status"
    client = None
    if slack_channel:
        slack_channel = check_channel(slack_channel)
        client = client_from_env()
    options = AuditOptions(
        sources=ats_sources(sources), database=database or default_database(),
        fetch_limits=Limits(timeout=fetch_timeout, total=fetch_limit),
        open_values=open_statuses,
        overrides=overrides, sheet=sheet, max_open_days=max_open_days or None, today=today, lock_timeout=lock_timeout,
        rules_dir=rules, engine=engine, workers=workers)

    from whichrole.cli import Progress

    with Progress("auditing") as progress:
        def say(message: str) -> None:
            progress.echo(f"audit: {message}")

        failures = []

        def tell(reading) -> None:
            if reading.error:   # told with the reports: a run that reads nothing says one line
                failures.append(f"FAILED {reading.error}")
            else:
                notes = [f"unchanged since run {reading.unchanged_since}"] if reading.unchanged_since else []
                notes += [reading.note] if reading.note else []
                notes += [f"{reading.problem_count} row(s) could not be read"] if reading.problem_count else []
                counted = (f"{reading.audited} open postings" if isinstance(reading.path, AtsSource)
                           else f"{reading.audited} open requisitions of {reading.rows} rows")
                say(f"{reading.path.name}: {counted}" + (f" ({'; '.join(notes)})" if notes else ""))

        def report(result) -> None:
            for failure in failures:
                say(failure)
            write_reports(result, markdown, out, client, slack_channel)

        result = run_audit(options, on_source=tell, on_wait=say, progress=progress.update, report=report)
    _echo_err(f"run {result.run_id} recorded in {result.database} ({result.classified} classified, "
              f"{len(result.requisitions) - result.classified} known from earlier runs or repeated)")

    if result.failed:
        names = ", ".join(r.path.name for r in result.failed)
        typer.echo(f"whichrole: error: {len(result.failed)} source(s) could not be read: {names}", err=True)
        raise typer.Exit(2)
    worst = result.worst()
    if fail_on != "never" and worst and severity_rank(worst) >= severity_rank(fail_on):
        raise typer.Exit(1)


def history(
    database: Optional[Path] = DatabaseOption,
    limit: int = typer.Option(20, "--limit", min=1, help="How many runs, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print the runs, with their sources, as JSON."),
):
    """List past audits: when, over what, what they found."""
    from .store import AuditStore

    path = database or default_database()
    if not path.exists():
        raise ValueError(f"{path}: no audit history yet (run whichrole audit first, or give --db)")
    with AuditStore(path) as store:
        runs = store.history(limit)
    if as_json:
        typer.echo(json.dumps([asdict(run) for run in runs], indent=2))
        return
    if not runs:
        typer.echo(f"{path}: no runs yet")
        return
    typer.echo(f"{'run':>5}  {'started (UTC)':<20}{'sources':>8}{'failed':>8}{'open reqs':>11}{'findings':>10}  rulebook")
    for run in runs:
        typer.echo(f"{run.id:>5}  {run.started.replace('T', ' ')[:19]:<20}{len(run.sources):>8}{run.failed_sources:>8}"
                   f"{run.requisitions:>11}{run.findings:>10}  {run.rulebook}")
        typer.echo(f"{'':>7}{', '.join(run.scope)}")


def _history(database: Optional[Path]):
    from .store import AuditStore

    path = database or default_database()
    if not path.exists():
        raise ValueError(f"{path}: no audit history yet (run whichrole audit first, or give --db)")
    return AuditStore(path)


def show(
    run: int = typer.Argument(..., help="The run, by its number in whichrole audit history."),
    database: Optional[Path] = DatabaseOption,
    out: Optional[Path] = typer.Option(None, "--out", help="Also write its audit workbook (.xlsx) here.",
                                       dir_okay=False),
):
    """Print a past audit's report, as it was, compared with the run before it over the same sources."""
    from .markdown import render
    from .past import past_result
    from .workbook import write_workbook

    with _history(database) as store:
        result = past_result(store, run)
    typer.echo(render(result), nl=False)
    if out:
        write_workbook(result, out)


def diff(
    before: int = typer.Argument(..., help="The earlier run."),
    after: int = typer.Argument(..., help="The later run."),
    database: Optional[Path] = DatabaseOption,
):
    """What changed between two past audits: new, closed, re-classified and retitled requisitions, findings."""
    from .markdown import changes_section
    from .past import changes_between, run_of

    with _history(database) as store:
        earlier, later = run_of(store, before), run_of(store, after)
        changes = changes_between(store, earlier, later)
    if earlier.scope != later.scope:
        typer.echo(f"(run {before} audited {', '.join(earlier.scope)}; run {after} {', '.join(later.scope)})")
    typer.echo("\n".join(changes_section(changes, later.rulebook)))


def prune(
    keep: int = typer.Option(..., "--keep", min=1, help="Runs to keep over each set of sources, the newest."),
    database: Optional[Path] = DatabaseOption,
    lock_timeout: float = LockTimeoutOption,
):
    """Delete all but the newest runs of the audit history, and shrink its file."""
    from .lock import AuditLock
    from .store import AuditStore

    path = database or default_database()
    if not path.exists():
        raise ValueError(f"{path}: no audit history yet (run whichrole audit first, or give --db)")
    before = path.stat().st_size
    with AuditLock(path, lock_timeout, _echo_err), AuditStore(path) as store:
        deleted = store.prune(keep)
    after = path.stat().st_size
    if not deleted:
        typer.echo(f"{path}: nothing to prune (no more than {keep} run(s) over any set of sources)")
        return
    typer.echo(f"{path}: deleted {len(deleted)} run(s) ({deleted[0]}–{deleted[-1]}), kept the newest {keep} over "
               f"each set of sources; {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB")


def _sources_of(argv: List[str]) -> List[Path]:
    """The sources an audit's arguments (from 'audit') name, parsed as the audit parses them."""
    probe = typer.Typer()
    probe.command()(audit)
    args = argv[1:]
    args = args[1:] if args[:1] == ["run"] else args
    context = typer.main.get_command(probe).make_context("audit", list(args), resilient_parsing=True)
    return list(context.params.get("sources") or ())


def schedule(
    command: List[str] = typer.Argument(..., help="After '--': the audit to run, e.g. -- audit requisitions/ "
                                        "--slack-channel C0123456789"),
    cron: str = typer.Option(..., "--cron", help="When, as crontab's five fields, e.g. '0 9 * * MON'."),
    timezone: Optional[str] = typer.Option(None, "--timezone", help="IANA time zone of --cron, e.g. Europe/Berlin "
                                           "(default: this machine's)."),
    misfire_grace: int = typer.Option(DEFAULT_MISFIRE_GRACE, "--misfire-grace", min=1, help="Seconds a run may "
                                      "start late (machine asleep, busy) and still happen."),
    run_now: bool = typer.Option(False, "--run-now", help="Also run once right away."),
):
    """Run an audit on a cron schedule, in this process, until stopped (Ctrl-C or SIGTERM)."""
    import logging

    from .schedule import check_command, cron_trigger, serve_schedule

    check_command(command)
    cron_trigger(cron, timezone)  # what is wrong with the schedule is said first
    missing = [str(source) for source in ats_sources(_sources_of(command)) if isinstance(source, Path)
               and not source.exists()]  # a job board is fetched, not found on disk
    if missing:  # found now, rather than at the first run, days later, by whoever reads the log
        raise ValueError(f"the scheduled audit's source {', '.join(missing)}: no such file or folder")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve_schedule(cron, command, timezone, misfire_grace, run_now)
