"""A workbook open in Excel, LibreOffice or another program is not replaced: one line says who has it."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from test_audit import sample_rows, write_csv
from test_excel_safety import run_cli, small_book


def excel_owner_file(book: Path, user: str) -> Path:
    """What Excel writes beside a workbook it opens: the user's name after its length, padded."""
    owner = book.with_name("~$" + book.name)
    name = user.encode("cp1252")
    wide = user.encode("utf-16-le")
    owner.write_bytes(bytes([len(name)]) + name.ljust(53, b" ") + bytes([len(user), 0])
                      + wide + b"\x20\x00" * (55 - len(user)))
    return owner


def libreoffice_lock_file(book: Path) -> Path:
    lock = book.with_name(f".~lock.{book.name}#")
    lock.write_text("Ada Lovelace,ada,analytical-engine,07.12.2026 09:15,file:///home/ada/.config/libreoffice/4;")
    return lock


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(capsys, book: Path, *args) -> str:
    before = sha(book)
    files = sorted(p.name for p in book.parent.iterdir())
    assert run_cli("annotate", *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("whichrole: error: ") and err.count("\n") == 1, err
    assert sha(book) == before
    assert sorted(p.name for p in book.parent.iterdir()) == files
    return err


@pytest.mark.parametrize("where", ["in place", "as --out"])
def test_a_workbook_open_in_excel_is_not_replaced(tmp_path, capsys, where):
    source = small_book(tmp_path / "reqs.xlsx")
    target = source if where == "in place" else small_book(tmp_path / "annotated.xlsx")
    excel_owner_file(target, "Ada Lovelace")
    args = [source, "--in-place"] if where == "in place" else [source, "--out", target]
    err = refused(capsys, target, *args)
    assert f"{target.name}: open in Excel by Ada Lovelace; close it there and try again (or delete " \
           f"~${target.name} if no one has it open)" in err


def test_a_workbook_open_in_libreoffice_is_not_replaced(tmp_path, capsys):
    book = small_book(tmp_path / "reqs.xlsx")
    libreoffice_lock_file(book)
    err = refused(capsys, book, book, "--in-place")
    assert "reqs.xlsx: open in LibreOffice by Ada Lovelace (ada on analytical-engine, since 07.12.2026 09:15)" in err


def test_a_workbook_another_process_has_locked_is_not_replaced(tmp_path, capsys):
    book = small_book(tmp_path / "reqs.xlsx")
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'rb'); "
                               "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
                               str(book)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"locked\n"
        err = refused(capsys, book, book, "--in-place")
    finally:
        holder.kill()
        holder.wait()
    assert "reqs.xlsx: another program holds a lock on it" in err
    assert run_cli("annotate", book, "--in-place") == 0      # once it lets go


def test_marks_of_other_workbooks_do_not_count(tmp_path, capsys):
    book = small_book(tmp_path / "reqs.xlsx")
    excel_owner_file(tmp_path / "other.xlsx", "Ada")
    libreoffice_lock_file(tmp_path / "other.xlsx")
    assert run_cli("annotate", book, "--in-place") == 0
    # A new --out has no one who could have it open, whatever marks a crash left for that name.
    excel_owner_file(tmp_path / "new.xlsx", "Ada")
    assert run_cli("annotate", book, "--out", tmp_path / "new.xlsx") == 0


def test_an_audit_whose_workbook_is_open_records_nothing(tmp_path, capsys):
    source = write_csv(tmp_path / "reqs.csv", sample_rows())
    out = small_book(tmp_path / "audit.xlsx")
    libreoffice_lock_file(out)
    before = sha(out)
    db = tmp_path / "history.sqlite3"
    assert run_cli("audit", source, "--db", db, "--out", out) == 2
    assert "audit.xlsx: open in LibreOffice by Ada Lovelace" in capsys.readouterr().err
    assert sha(out) == before
    assert run_cli("audit", "history", "--db", db) == 0
    assert "no runs yet" in capsys.readouterr().out
