"""`whichrole annotate` on generated workbooks of 10,000 and 100,000 requisitions (~1 KB each):
wall time and peak memory as ratios to a bare openpyxl load + save of the same workbook, both
measured in this run, each in a fresh process; peak memory is that of the whole process tree,
so the annotation's worker processes count (bench/_memory.py).

Goal: at most 1.3x the time and 1.5x the memory at 100,000 rows.
Run: `python -m bench annotate`, or `python -m bench.annotate [ROWS ...]`.
"""
from __future__ import annotations

import json
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench._generate import requisition
from bench._memory import run

SIZES = (10_000, 100_000)
DESCRIPTION_CHARS = 1000
TEAMS = ("Growth", "Platform", "Search", "Finance", "Ads", "Risk")
STATUSES = ("Open", "Open", "Open", "On hold", "Draft")

# Each measurement runs in its own interpreter; the annotation prints what it found as JSON.
_CHILD = """
import json, sys
kind, source, target = sys.argv[1:4]
if kind == "baseline":
    import openpyxl
    openpyxl.load_workbook(source).save(target)
else:
    from whichrole.integrations.excel.annotate import annotate
    from whichrole.parallel import default_workers
    result = annotate(source, out=target, workers=None)  # as the command line does
    print(json.dumps({"classify": result.classify_seconds, "annotated": result.tally.annotated,
                      "workers": default_workers(result.tally.annotated)}))
"""


def generate(path: Path, rows: int, seed: int = 11) -> None:
    """A requisition workbook as an ATS export looks: one header row, six columns."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Requisitions")
    sheet.append(["Req ID", "Title", "Description", "Team", "Status", "Opened"])
    start = date(2024, 1, 1)
    for number in range(rows):
        item = requisition(rng, DESCRIPTION_CHARS)
        sheet.append([f"R-{number:06d}", item["title"], item["description"], rng.choice(TEAMS),
                      rng.choice(STATUSES), start + timedelta(days=number % 500)])
    book.save(path)


def measure(kind: str, source: Path, target: Path) -> dict:
    done = run([sys.executable, "-c", _CHILD, kind, str(source), str(target)])
    if done.code:
        raise SystemExit(f"bench.annotate: {kind} failed:\n{done.stderr}")
    found = json.loads(done.stdout.strip().splitlines()[-1]) if kind == "annotate" else {}
    return {"seconds": done.seconds, "peak_mb": done.peak_mib, **found}


def main(sizes=SIZES) -> None:
    print(f"{'rows':>8} {'openpyxl load+save':>20} {'annotate':>18} {'time':>6} {'memory':>7} "
          f"{'workers':>8} {'verdicts':>9} {'time without':>13}")
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            source = Path(folder) / f"reqs-{rows}.xlsx"
            generate(source, rows)
            base = measure("baseline", source, Path(folder) / "baseline.xlsx")
            ours = measure("annotate", source, Path(folder) / "annotated.xlsx")
            assert ours["annotated"] == rows, ours
            rest = ours["seconds"] - ours["classify"]
            print(f"{rows:>8,} {base['seconds']:>9.1f} s {base['peak_mb']:>5.0f} MB "
                  f"{ours['seconds']:>7.1f} s {ours['peak_mb']:>5.0f} MB "
                  f"{ours['seconds'] / base['seconds']:>5.2f}x {ours['peak_mb'] / base['peak_mb']:>6.2f}x "
                  f"{ours['workers']:>8} {ours['classify']:>7.1f} s {rest / base['seconds']:>12.2f}x", flush=True)
    print("time, memory: annotate / openpyxl load+save of the same workbook (goal at 100,000: <= 1.3x, <= 1.5x).")
    print("verdicts: seconds the annotation spent classifying, or waiting for its workers' verdicts;")
    print("time without: the rest (reading, writing, summary) / openpyxl load+save.")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
