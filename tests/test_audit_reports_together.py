"""An audit's reports and its history describe the same run, whatever stops it on the way: a report
that cannot be written, or a kill while the reports are being written. Either way the run is not
recorded, and the next one reports the changes it would have reported."""
from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from test_audit import RECENT, cli, write_csv
from test_audit_store import many_requisitions

CLOSURES = 1000


def runs(db: Path) -> list[int]:
    with sqlite3.connect(db) as history:
        return [row[0] for row in history.execute("SELECT id FROM runs ORDER BY id")]


def markdown_run(path: Path) -> int:
    return int(re.search(r"^Run (\d+) · ", path.read_text(), re.M).group(1))


def workbook_run(path: Path) -> int:
    summary = openpyxl.load_workbook(path, read_only=True)["Summary"]
    note = next(str(row[0]) for row in summary.iter_rows(values_only=True) if str(row[0]).startswith("Run "))
    return int(re.match(r"Run (\d+),", note).group(1))


def closed_reported(path: Path) -> int:
    found = re.search(r"\*\*Closed or no longer open\*\* \((\d+)\)", path.read_text())
    return int(found.group(1)) if found else 0


def two_weeks(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A first audit of CLOSURES open requisitions, reported; then the export where all are closed."""
    rows = many_requisitions(CLOSURES)
    source = write_csv(tmp_path / "reqs.csv", rows)
    db, md, xlsx = tmp_path / "history.sqlite3", tmp_path / "audit.md", tmp_path / "audit.xlsx"
    assert cli("audit", source, "--db", db, "--markdown", md, "--out", xlsx, "--fail-on", "never") == 0
    write_csv(source, [[*row[:3], "Closed", *row[4:]] for row in rows] + [["N-1", "Data Engineer", "Data", "Open",
                                                                          RECENT, None, "Build dbt pipelines."]])
    return source, db, md, xlsx


@pytest.mark.slow
def test_a_report_that_cannot_be_written_leaves_the_run_unrecorded(tmp_path, capsys):
    source, db, md, xlsx = two_weeks(tmp_path)
    assert cli("audit", source, "--db", db, "--markdown", md, "--out", tmp_path / "gone" / "audit.xlsx",
               "--fail-on", "never") == 2
    assert "gone" in capsys.readouterr().err
    assert runs(db) == [1] and markdown_run(md) == 1 and workbook_run(xlsx) == 1
    assert cli("audit", source, "--db", db, "--markdown", md, "--out", xlsx, "--fail-on", "never") == 0
    assert runs(db) == [1, 2] and markdown_run(md) == 2 and workbook_run(xlsx) == 2
    assert closed_reported(md) == CLOSURES


def test_an_audit_killed_while_writing_its_reports_is_reported_again(tmp_path):
    source, db, md, xlsx = two_weeks(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "whichrole", "audit", str(source), "--db", str(db),
                                "--markdown", str(md), "--out", str(xlsx), "--fail-on", "never"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".audit.xlsx.*.tmp")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    assert process.poll() is None, f"the audit ended before it could be killed: {process.stderr.read().decode()}"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert list(tmp_path.glob(".audit.xlsx.*.tmp")), "killed after the workbook was written: give it more rows"
    assert runs(db)[-1] == markdown_run(md) == workbook_run(xlsx) == 1
    assert cli("audit", source, "--db", db, "--markdown", md, "--out", xlsx, "--fail-on", "never") == 0
    assert runs(db)[-1] == markdown_run(md) == workbook_run(xlsx)
    assert closed_reported(md) == CLOSURES
    assert not list(tmp_path.glob(".*.tmp"))
