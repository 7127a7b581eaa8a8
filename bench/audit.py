"""`whichrole audit` on a generated 100,000-requisition export, against an openpyxl read-only pass over it.

Every step runs in a process of its own, started the way a user would start it, so that its
wall time includes start-up and its peak memory is its own (with its worker processes: see
bench/_memory.py).
The audit is measured three times: the first run over the export, with an empty history
(every requisition goes through the rules engine); the run after it over the same file
(taken over whole); and the week after, over an export in which 2% of the rows changed (a
status, or a line added to the description): every row is read, the unchanged ones take
over their assessment, the changed ones are classified. `--postings N` generates an export
in which the requisitions share N job postings, as requisitions for the same job do.

    python -m bench.audit [--count 100000] [--postings N] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench._generate import requisition
from bench._memory import run

STATUSES = ["Open"] * 15 + ["Closed"] * 3 + ["On hold", "Filled"]
TEAMS = ["Growth", "Platform", "Search", "Ads", "Risk", "Research", "Data", "Product"]
WEEKLY_CHANGES = 0.02
OPENPYXL_PASS = """
import sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1], read_only=True)
rows = sum(1 for sheet in book.worksheets for _ in sheet.iter_rows(values_only=True))
print(rows)
"""


def generate(path: Path, count: int, postings: int | None, changed: float = 0.0, seed: int = 11) -> None:
    """An ATS export: a title line, the header, then one requisition a row (three in four open).

    ``changed``: the share of rows edited since the export of the same seed with none changed.
    """
    import openpyxl

    rng = random.Random(seed)
    edits = random.Random(seed + 1)
    shared = [requisition(rng) for _ in range(postings)] if postings else None
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Requisitions")
    sheet.append(["Open requisitions, generated for bench.audit"])
    sheet.append([])
    sheet.append(["Req ID", "Title", "Team", "Status", "Opened", "Location", "Hiring manager", "Job Description"])
    start = date.today() - timedelta(days=400)
    for number in range(count):
        posting = rng.choice(shared) if shared else requisition(rng)
        row = [f"REQ-{number:06d}", posting["title"], rng.choice(TEAMS), rng.choice(STATUSES),
               start + timedelta(days=rng.randrange(400)), rng.choice(["Berlin", "London", "Remote"]),
               f"Manager {rng.randrange(500)}", posting["description"]]
        if edits.random() < changed:
            if edits.random() < 0.5:
                row[3] = edits.choice(STATUSES)
            else:
                row[7] += " Occasional travel to the other offices."
        sheet.append(row)
    book.save(path)


def measure(label: str, argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one command and its worker processes."""
    done = run(argv)
    if done.code not in (0, 1):
        raise SystemExit(f"bench.audit: {label} failed with exit code {done.code}:\n{done.stderr}")
    print(f"{label:<52}{done.seconds:>8.2f} s{done.peak_mib:>9,.0f} MiB", flush=True)
    return done.seconds, done.peak_mib


def main(argv: list[str] = ()) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.audit")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--postings", type=int, default=None, help="requisitions share this many postings")
    parser.add_argument("--keep", type=Path, default=None, help="keep the export and the history in DIR")
    args = parser.parse_args(list(argv))
    whichrole = str(Path(sys.executable).with_name("whichrole"))

    with tempfile.TemporaryDirectory(prefix="bench-audit-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        export = folder / "export.xlsx"
        next_week = folder / "export-next-week.xlsx"
        database = folder / "audit.sqlite3"
        for stale in (database, database.with_name(database.name + "-wal")):
            stale.unlink(missing_ok=True)
        started = time.perf_counter()
        generate(export, args.count, args.postings)
        generate(next_week, args.count, args.postings, changed=WEEKLY_CHANGES)
        kind = f"sharing {args.postings:,} postings" if args.postings else "each with its own description"
        print(f"{args.count:,} requisitions {kind}; export {export.stat().st_size / 2**20:.1f} MiB, "
              f"generated (with its next week's version) in {time.perf_counter() - started:.0f} s", flush=True)

        baseline, baseline_peak = measure("openpyxl read-only pass", [sys.executable, "-c", OPENPYXL_PASS, str(export)])
        audit = [whichrole, "audit", str(export), "--db", str(database), "--markdown", str(folder / "audit.md"),
                 "--fail-on", "never"]
        first, first_peak = measure("whichrole audit, first run (empty history)", audit)
        again, again_peak = measure("whichrole audit, same file again", audit)
        # The next week's export, under the same name: the audit compares it with the last run.
        os.replace(next_week, export)
        weekly, weekly_peak = measure(f"whichrole audit, next week ({WEEKLY_CHANGES:.0%} of rows changed)", audit)

        with sqlite3.connect(database) as db:
            audited, findings = db.execute("SELECT requisitions, findings FROM runs WHERE id = 1").fetchone()
            changed = db.execute("SELECT count(*) FROM requisitions WHERE run_id = 3 AND fingerprint NOT IN "
                                 "(SELECT fingerprint FROM requisitions WHERE run_id = 2)").fetchone()[0]
        print(f"audited {audited:,} open requisitions, {findings:,} findings; next week {changed:,} rows new or "
              f"changed; history {database.stat().st_size / 2**20:.1f} MiB after three runs")
        print(f"speed vs openpyxl pass: first run {baseline / first:.2f}x, same file {baseline / again:.2f}x, "
              f"next week {baseline / weekly:.2f}x (goal: at least 3x)")
        print(f"peak memory vs openpyxl pass: first run {first_peak / baseline_peak:.2f}x, "
              f"same file {again_peak / baseline_peak:.2f}x, next week {weekly_peak / baseline_peak:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
