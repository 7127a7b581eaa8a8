"""The audit history: schema versions, one transaction per run (killed mid-run), one audit at a time."""
from __future__ import annotations

import dataclasses
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from processes import gone_within, wait_for_workers
from samples import CLEAR, UNICORN
from test_audit import RECENT, audit, sample_rows, write_csv, write_xlsx
from whichrole.integrations.audit.lock import AuditBusy, AuditLock
from whichrole.integrations.audit.store import SCHEMA_VERSION, AuditStore, StoreError

WHICHROLE = [str(Path(sys.executable).with_name("whichrole"))]


def counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("runs", "run_sources", "assessments", "requisitions", "findings")}


def consistent(db_path: Path) -> None:
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = db.execute("SELECT count(*) FROM requisitions WHERE run_id NOT IN (SELECT id FROM runs)").fetchone()
        assert orphans[0] == 0
        unfinished = db.execute("SELECT count(*) FROM runs WHERE finished IS NULL").fetchone()
        assert unfinished[0] == 0
        for run_id, total in db.execute("SELECT id, requisitions FROM runs"):
            stored = db.execute("SELECT count(*) FROM requisitions WHERE run_id = ?", (run_id,)).fetchone()[0]
            assert stored == total


def many_requisitions(count: int, seed: int = 3) -> list[list]:
    """Distinct requisitions built from the samples' sentences, so that each one needs the rules engine."""
    rng = random.Random(seed)
    sentences = [s.strip() for _, text in (*CLEAR.values(), UNICORN) for s in text.split(". ") if s.strip()]
    titles = [title for title, _ in CLEAR.values()]
    return [[f"B-{n}", rng.choice(titles), "Team", "Open", RECENT, None,
             ". ".join(rng.sample(sentences, rng.randint(2, 6))) + f". Requisition {n}."] for n in range(count)]


def test_a_new_file_gets_the_current_schema(tmp_path):
    with AuditStore(tmp_path / "h.sqlite3") as store:
        assert store.version == SCHEMA_VERSION
        assert store.history() == []
    with AuditStore(tmp_path / "h.sqlite3") as store:      # opening again changes nothing
        assert store.version == SCHEMA_VERSION


def test_files_it_cannot_use_are_refused_with_their_name(tmp_path):
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match=r"newer.sqlite3: written by a newer whichrole"):
        AuditStore(newer)

    other = tmp_path / "crm.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(StoreError, match="not a whichrole audit history"):
        AuditStore(other)

    text = tmp_path / "notes.sqlite3"
    text.write_text("meeting notes, not a database " * 100)
    with pytest.raises(StoreError, match="notes.sqlite3: not a usable audit history"):
        AuditStore(text)
    assert text.read_text().startswith("meeting notes")


def test_a_schema_1_history_is_migrated_in_place(tmp_path):
    """Schema 1 repeated each finding's text and had no fingerprints; its runs survive the migration."""
    from whichrole.integrations.audit.store import MIGRATIONS

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("PRAGMA user_version = 1")
        db.execute("INSERT INTO runs VALUES (1, '2026-01-05T09:00:00+00:00', '2026-01-05T09:00:04+00:00', "
                   "'[\"/reqs.xlsx\"]', '2026.01+00000000', '0.1.0', 1, 1, 0)")
        db.execute("INSERT INTO assessments VALUES (1, 'c0ffee', '2026.01+00000000', 'data_engineer', "
                   "'Data Engineer', 0.8, 'matches the work', "
                   "'{\"runner_up\": null, \"reasons\": [], \"questions\": [], \"findings\": []}')")
        db.execute("INSERT INTO requisitions VALUES (1, 'R-1', '/reqs.xlsx', 'Open', 4, 'Data Engineer', "
                   "'Data', '2025-01-01', 1)")
        db.execute("INSERT INTO findings VALUES (1, 'R-1', 'open_too_long', 'medium', 'Open for 369 days.')")
    with AuditStore(path) as store:
        assert store.version == SCHEMA_VERSION == 3
        assert [(run.id, run.requisitions, run.rulebook) for run in store.history()] == [(1, 1, "2026.01+00000000")]
        [row] = store.rows(1)
        assert (row.key, row.label, row.kinds, row.fingerprint) == ("R-1", "Data Engineer",
                                                                   frozenset({"open_too_long"}), None)
        assert store.db.execute("SELECT text FROM findings").fetchall() == [("Open for 369 days.",)]

    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    from whichrole.integrations.audit.run import AuditOptions, run_audit
    result = run_audit(AuditOptions(sources=[reqs], database=path))
    assert result.run_id == 2 and result.changes.since is None       # other sources: nothing to compare
    consistent(path)


def test_a_schema_2_history_of_flavoured_labels_reports_nothing_changed(tmp_path, monkeypatch, capsys):
    """Schema 2 labelled a data scientist with the flavour, 'Data Scientist (analytical)'; the labels are
    now the role alone, as the annotated sheet names it, and the old ones are renamed when the file is
    opened, so the first audit after the upgrade sees no requisition re-classified."""
    from whichrole.integrations.audit.findings import Assessment
    from whichrole.integrations.audit.run import AuditOptions, run_audit
    from test_audit import cli

    sample = Path(__file__).parents[1] / "sample_workbooks" / "requisitions.xlsx"
    path = tmp_path / "old.sqlite3"
    new_assessment = Assessment.of.__func__
    with monkeypatch.context() as old_code:
        old_code.setattr(Assessment, "of", classmethod(
            lambda cls, verdict: dataclasses.replace(new_assessment(cls, verdict), label=verdict.label)))
        run_audit(AuditOptions(sources=[sample], database=path))
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 2")
        old_labels = {label for (label,) in db.execute("SELECT label FROM assessments WHERE role = 'data_scientist'")}
    assert {"Data Scientist (analytical)", "Data Scientist (model development)"} <= old_labels

    result = run_audit(AuditOptions(sources=[sample], database=path))
    assert result.changes.since is not None and result.changes.total == 0
    assert {req.label for req in result.requisitions if req.assessment.role == "data_scientist"} == {"Data Scientist"}
    fresh = run_audit(AuditOptions(sources=[sample], database=tmp_path / "new.sqlite3"))
    assert {req.key: req.label for req in fresh.requisitions} == {req.key: req.label for req in result.requisitions}
    with AuditStore(path) as store:
        assert store.version == 3
        assert [row.label for row in store.rows(1)] == [row.label for row in store.rows(2)]
    assert cli("audit", "show", "1", "--db", path) == 0
    shown = capsys.readouterr().out
    assert re.search(r"\| R-1029 \| Machine Learning Engineer \| Data Scientist \(\d+%\) \|", shown)
    assert "(analytical)" not in shown and "(model development)" not in shown


@pytest.mark.slow
def test_a_run_killed_midway_leaves_the_history_as_it_was(tmp_path):
    small = write_csv(tmp_path / "small.csv", sample_rows()[:4])
    big = write_csv(tmp_path / "big.csv", many_requisitions(4000))
    db = tmp_path / "h.sqlite3"
    done = subprocess.run([*WHICHROLE, "audit", str(small), "--db", str(db), "--fail-on", "never"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before = counts(db)

    process = subprocess.Popen([*WHICHROLE, "audit", str(small), str(big), "--db", str(db), "--workers", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()          # small.csv has been read and its rows written: big.csv is next
    assert "small.csv: 4 open" in line
    workers = wait_for_workers(process.pid, 2)
    time.sleep(0.3)
    assert process.poll() is None, "the audit finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()
    assert gone_within(workers, 10) == set()      # its worker processes do not outlive it

    consistent(db)
    assert counts(db) == before
    done = subprocess.run([*WHICHROLE, "audit", str(small), "--db", str(db), "--fail-on", "never"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Since run 1" in done.stdout and "no changes." in done.stdout
    consistent(db)


def test_a_second_audit_waits_for_the_first_or_says_so(tmp_path):
    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    db = tmp_path / "h.sqlite3"
    holder = AuditLock(db, timeout=0)
    with holder:
        refused = subprocess.run([*WHICHROLE, "audit", str(reqs), "--db", str(db), "--lock-timeout", "0"],
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode == 2
        assert f"another audit (pid {os.getpid()}) is writing to {db}" in refused.stderr
        assert "Traceback" not in refused.stderr

        waiting = subprocess.Popen([*WHICHROLE, "audit", str(reqs), "--db", str(db), "--fail-on", "never"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "waiting for the audit already running" in waiting.stderr.readline()
        assert waiting.poll() is None
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "First audit of these sources" in out
    with pytest.raises(AuditBusy):          # and the lock is really held while an audit runs
        with AuditLock(db, timeout=0), AuditLock(db, timeout=0):
            pass


@pytest.mark.slow
def test_two_audits_started_together_both_land_one_after_the_other(tmp_path):
    reqs = write_csv(tmp_path / "reqs.csv", sample_rows() + many_requisitions(300))
    db = tmp_path / "h.sqlite3"
    command = [*WHICHROLE, "audit", str(reqs), "--db", str(db), "--fail-on", "never"]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    consistent(db)
    with AuditStore(db) as store:
        runs = store.history()
    assert [run.id for run in runs] == [2, 1]
    assert runs[0].requisitions == runs[1].requisitions == 307
    reports = sorted(out for out, _ in outputs)
    assert "First audit of these sources" in reports[0] or "First audit of these sources" in reports[1]
    assert any("Since run 1" in out and "no changes." in out for out in reports)


def test_threads_of_one_process_take_turns_too(tmp_path):
    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    results, errors = [], []

    def one():
        try:
            results.append(audit(tmp_path, reqs))
        except Exception as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(r.run_id for r in results) == [1, 2, 3]
    consistent(tmp_path / "history.sqlite3")


def test_prune_keeps_the_newest_runs_of_each_set_of_sources(tmp_path, capsys):
    from whichrole.cli import main

    first = write_xlsx(tmp_path / "first.xlsx", sample_rows())
    second = write_csv(tmp_path / "second.csv", many_requisitions(300))
    for _ in range(3):
        audit(tmp_path, first)
    for _ in range(2):
        audit(tmp_path, second)
    audit(tmp_path, first)                            # runs 1-3 and 6 over first, 4-5 over second
    db = tmp_path / "history.sqlite3"
    before = db.stat().st_size

    with pytest.raises(SystemExit) as done:
        main(["audit", "prune", "--keep", "1", "--db", str(db)])
    assert done.value.code in (None, 0)
    assert "deleted 4 run(s) (1–4), kept the newest 1 over each set of sources" in capsys.readouterr().out
    consistent(db)
    with sqlite3.connect(db) as connection:
        assert [r[0] for r in connection.execute("SELECT id FROM runs ORDER BY id")] == [5, 6]
    assert db.stat().st_size < before

    again = audit(tmp_path, first)                    # compared with the run kept, texts still known
    assert again.changes.since.id == 6 and again.changes.total == 0
    assert again.classified == 0
    with pytest.raises(SystemExit):
        main(["audit", "prune", "--keep", "5", "--db", str(db)])
    assert "nothing to prune" in capsys.readouterr().out
