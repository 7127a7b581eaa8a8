"""A history the audit cannot use: damaged page by page, empty, another application's, newer.

Each is refused in one line naming the file, with an exit code of its own (3): neither 1
("findings"), which a service manager may be told to treat as success, nor a traceback. A file
that is not an audit history is not changed by being refused.
"""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from test_audit import cli, sample_rows, write_csv
from whichrole.integrations.audit.store import SCHEMA_VERSION

HISTORY_UNUSABLE = 3


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(capsys, name: str) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("whichrole: error: ")]
    assert len(lines) == 1 and name in lines[0], err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def history(tmp_path, capsys) -> tuple[Path, Path]:
    """A source and the history of one audit of it, many rows long (so: many pages)."""
    rows = sample_rows()
    source = write_csv(tmp_path / "reqs.csv", [[f"R-{n}", *row[1:]] for n in range(40) for row in rows[:6]])
    db = tmp_path / "history.sqlite3"
    assert cli("audit", source, "--db", db, "--fail-on", "never") == 0
    capsys.readouterr()
    return source, db


def test_a_history_damaged_anywhere_is_refused_in_one_line_with_its_own_exit_code(tmp_path, capsys, history):
    source, db = history
    page_size = sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0]
    pages = db.stat().st_size // page_size
    assert pages >= 8
    good = db.read_bytes()
    refused = 0
    for page in range(pages):
        damaged = bytearray(good)
        damaged[page * page_size:(page + 1) * page_size] = bytes([0x5A]) * page_size
        db.write_bytes(bytes(damaged))
        code = cli("audit", source, "--db", db, "--fail-on", "never")
        if code == HISTORY_UNUSABLE:
            line = one_line(capsys, "history.sqlite3")
            assert "the audit history is damaged" in line or "not a usable audit history" in line, line
            refused += 1
        else:   # a page this run never reads (free, or an index it does not use): it ran
            assert code == 0, capsys.readouterr().err
            capsys.readouterr()
    assert refused >= pages // 2
    db.write_bytes(good)
    assert cli("audit", "history", "--db", db) == 0


def test_history_and_prune_refuse_a_damaged_history_too(tmp_path, capsys, history):
    _, db = history
    data = bytearray(db.read_bytes())
    data[:100] = bytes(100)   # the header
    db.write_bytes(bytes(data))
    for command in (["history"], ["prune", "--keep", "1"]):
        assert cli("audit", *command, "--db", db) == HISTORY_UNUSABLE
        one_line(capsys, "history.sqlite3")


def test_an_empty_file_is_not_taken_for_a_new_history(tmp_path, capsys):
    source = write_csv(tmp_path / "reqs.csv", sample_rows())
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"")
    assert cli("audit", source, "--db", db) == HISTORY_UNUSABLE
    assert "history.sqlite3: an empty file" in one_line(capsys, "history.sqlite3")
    assert db.read_bytes() == b""


@pytest.mark.parametrize("make", ["another application's", "a newer whichrole's"])
def test_a_file_that_is_no_history_of_ours_is_refused_unchanged(tmp_path, capsys, make):
    source = write_csv(tmp_path / "reqs.csv", sample_rows())
    db = tmp_path / "other.sqlite3"
    with sqlite3.connect(db) as other:
        if make == "another application's":
            other.execute("CREATE TABLE contacts (name TEXT)")
            other.execute("INSERT INTO contacts VALUES ('Ada')")
        else:
            other.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY)")
            other.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    other.close()
    before = sha(db)
    backup = tmp_path / "copy.sqlite3"
    shutil.copy(db, backup)
    assert cli("audit", source, "--db", db) == HISTORY_UNUSABLE
    one_line(capsys, "other.sqlite3")
    assert sha(db) == before, "refused, and changed all the same (switched to WAL?)"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["reqs.csv", "other.sqlite3", "other.sqlite3.lock",
                                                                 "copy.sqlite3"])
