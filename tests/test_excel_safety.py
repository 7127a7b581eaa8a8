"""Bad input, interrupted runs and hostile files: one-line errors, and the user's data never lost."""
from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from processes import gone_within, wait_for_workers
from terminal import run_on_a_terminal
from whichrole.cli import main

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def run_cli(*args) -> int:
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    return done.value.code


def small_book(path: Path, rows: int = 3) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Reqs"
    sheet.append(["Title", "Description"])
    for i in range(rows):
        sheet.append([f"Data Scientist {i}", f"Run A/B tests and causal analyses for team {i}; SQL and statistics. " * 8])
    book.save(path)
    return path


def assert_refused(capsys, folder: Path, args, *expected: str) -> None:
    before = sorted(p.name for p in folder.iterdir())
    assert run_cli("annotate", *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("whichrole: error: ") and err.count("\n") == 1, err
    for text in expected:
        assert text in err, err
    assert sorted(p.name for p in folder.iterdir()) == before, "nothing may be written"


def test_missing_file(tmp_path, capsys):
    assert_refused(capsys, tmp_path, [tmp_path / "nope.xlsx"], "nope.xlsx: no such file")


def test_not_a_workbook(tmp_path, capsys):
    (tmp_path / "notes.xlsx").write_text("just some text\n")
    assert_refused(capsys, tmp_path, [tmp_path / "notes.xlsx"], "notes.xlsx: not an Excel workbook")


def test_truncated_workbook_is_corrupt(tmp_path, capsys):
    whole = small_book(tmp_path / "whole.xlsx").read_bytes()
    (tmp_path / "whole.xlsx").unlink()
    (tmp_path / "cut.xlsx").write_bytes(whole[: len(whole) // 2])
    assert_refused(capsys, tmp_path, [tmp_path / "cut.xlsx"], "cut.xlsx: corrupt workbook")


def test_damaged_part_is_corrupt(tmp_path, capsys):
    book = small_book(tmp_path / "damaged.xlsx", rows=200)
    with zipfile.ZipFile(book) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(book.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 200, start + info.compress_size - 10, 7):  # scramble the deflate stream
        data[offset] ^= 0x5A
    book.write_bytes(bytes(data))
    assert_refused(capsys, tmp_path, [book], "damaged.xlsx: corrupt workbook")


def test_a_word_document_is_not_a_workbook(tmp_path, capsys):
    with zipfile.ZipFile(tmp_path / "letter.xlsx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert_refused(capsys, tmp_path, [tmp_path / "letter.xlsx"], "letter.xlsx: not an Excel workbook")


def test_legacy_xls(tmp_path, capsys):
    (tmp_path / "old.xls").write_bytes(OLE2 + b"\x00" * 2000)
    assert_refused(capsys, tmp_path, [tmp_path / "old.xls"], "old.xls: a legacy Excel 97-2003 (.xls) workbook")


def test_password_protected(tmp_path, capsys):
    (tmp_path / "locked.xlsx").write_bytes(OLE2 + b"\x00" * 512 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512)
    assert_refused(capsys, tmp_path, [tmp_path / "locked.xlsx"], "locked.xlsx: the workbook is password-protected")


def test_empty_sheet(tmp_path, capsys):
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    assert_refused(capsys, tmp_path, [tmp_path / "empty.xlsx"], "empty.xlsx, sheet 'Sheet': the sheet is empty")


def test_no_title_or_description_column_lists_the_headers(tmp_path, capsys):
    book = openpyxl.Workbook()
    book.active.append(["Name", "Salary", "Start date"])
    book.active.append(["Ann", 100, "2025-01-01"])
    book.save(tmp_path / "hr.xlsx")
    assert_refused(capsys, tmp_path, [tmp_path / "hr.xlsx"], "hr.xlsx, sheet 'Sheet': no title or description column",
                   "headers found: Name, Salary, Start date")


def test_unknown_sheet(tmp_path, capsys):
    small_book(tmp_path / "book.xlsx")
    assert_refused(capsys, tmp_path, [tmp_path / "book.xlsx", "--sheet", "Q4"], "no sheet 'Q4' (sheets: Reqs)")


@pytest.mark.parametrize("args,message", [
    (["--out", "other.xlsm"], "must be written as .xlsx"),
    (["--in-place", "--out", "x.xlsx"], "not both"),
    (["--out", "book.xlsx"], "is the input; use --in-place"),
    (["--map", "Title"], "expected column=field"),
])
def test_bad_options(tmp_path, capsys, monkeypatch, args, message):
    small_book(tmp_path / "book.xlsx")
    monkeypatch.chdir(tmp_path)
    assert_refused(capsys, tmp_path, ["book.xlsx", *args], message)


def test_csv_cannot_be_annotated_in_place(tmp_path, capsys):
    (tmp_path / "reqs.csv").write_text("Title,Description\nData Engineer,pipelines\n")
    assert_refused(capsys, tmp_path, [tmp_path / "reqs.csv", "--in-place"], "a CSV file cannot hold the verdict columns")


def billion_laughs(path: Path, part: str) -> Path:
    source = small_book(path.with_name("seed.xlsx"))
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == part:
                data = bomb.encode() + data.split(b"?>", 1)[-1].replace(b"Data Scientist 0", b"&lol9;")
            dst.writestr(name, data)
    source.unlink()
    return path


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_billion_laughs_is_refused_quickly(tmp_path, capsys, part):
    bomb = billion_laughs(tmp_path / "lol.xlsx", part)
    started = time.perf_counter()
    assert_refused(capsys, tmp_path, [bomb], f"lol.xlsx: part {part} declares a DTD")
    assert time.perf_counter() - started < 5


@pytest.mark.slow
def test_killed_mid_write_leaves_the_original_intact(tmp_path):
    book = small_book(tmp_path / "big.xlsx", rows=4000)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    process = subprocess.Popen([sys.executable, "-m", "whichrole", "annotate", str(book), "--in-place",
                                "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    temporary = []
    while not temporary and time.monotonic() < deadline and process.poll() is None:
        temporary = list(tmp_path.glob(".big.xlsx.*.tmp"))
        time.sleep(0.005)
    assert temporary, f"the run never started writing: {process.stderr.read().decode()}"
    time.sleep(0.3)  # well into the sheet, classifying and writing
    workers = wait_for_workers(process.pid, 2)
    assert process.poll() is None, "the run finished before it could be interrupted; give it more rows"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    assert openpyxl.load_workbook(book).sheetnames == ["Reqs"]
    assert gone_within(workers, 10) == set()      # its worker processes do not outlive it


def test_progress_bar_on_a_terminal_only(tmp_path):
    book = small_book(tmp_path / "book.xlsx", rows=300)
    quiet = subprocess.run([sys.executable, "-m", "whichrole", "annotate", str(book), "-o", str(tmp_path / "a.xlsx")],
                           capture_output=True, text=True, check=True)
    assert quiet.stderr == ""
    process, shown = run_on_a_terminal("annotate", book, "-o", tmp_path / "b.xlsx")
    assert process.returncode == 0
    assert b"annotating: [" in shown and b"/300" in shown
    assert b"requisitions annotated" in process.stdout
