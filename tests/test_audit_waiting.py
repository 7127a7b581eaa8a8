"""An audit that waited for another one's lock records when it started, not when it was asked to."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

from test_audit import cli, sample_rows, write_csv

HOLD = """
import sys, time
from datetime import datetime, timezone
from pathlib import Path
from whichrole.integrations.audit.lock import AuditLock
with AuditLock(Path(sys.argv[1]), 0):
    print("held", flush=True)
    time.sleep(2)
    print(datetime.now(timezone.utc).isoformat(timespec="seconds"), flush=True)
"""


def test_an_audit_that_waited_records_the_time_it_started(tmp_path, capsys):
    source = write_csv(tmp_path / "reqs.csv", sample_rows())
    db = tmp_path / "history.sqlite3"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    assert cli("audit", source, "--db", db, "--fail-on", "never") == 0
    released = holder.stdout.readline().strip()
    holder.wait()
    assert "waiting for the audit already running" in capsys.readouterr().err
    with sqlite3.connect(db) as history:
        started = history.execute("SELECT started FROM runs").fetchone()[0]
    assert started >= released
