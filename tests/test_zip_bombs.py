"""Workbooks that unzip to far more than they weigh: refused in one line before any part is read.

The bombs are built here at a size this machine can afford (tens of megabytes unzipped), and the
bounds lowered to match through their settings; the real ones are the same with more zeros.
"""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from whichrole.cli import main

INFLATED = 48 << 20
PART_BOUND = 16 << 20


def run_cli(*args) -> int:
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    return done.value.code


@pytest.fixture
def low_bounds(monkeypatch):
    monkeypatch.setenv("WHICHROLE_MAX_PART_BYTES", str(PART_BOUND))
    monkeypatch.setenv("WHICHROLE_MAX_UNZIPPED_BYTES", str(2 * PART_BOUND))


def seed(folder: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Reqs"
    sheet.append(["Title", "Description", "Status"])
    sheet.append(["Data Scientist", "Run A/B tests and causal analyses; SQL and statistics.", "Open"])
    path = folder / "seed.xlsx"
    book.save(path)
    return path


def rebuilt(folder: Path, name: str, change) -> Path:
    """The seed workbook, each part passed through ``change(name, data)``."""
    source = seed(folder)
    path = folder / name
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for part in src.namelist():
            dst.writestr(part, change(part, src.read(part)))
    source.unlink()
    return path


def shared_strings_bomb(folder: Path) -> Path:
    """A shared-strings part of INFLATED bytes, whose first string a cell of the sheet shows."""
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
               b"<si><t>" + b"a" * INFLATED + b"</t></si></sst>")

    def change(part: str, data: bytes) -> bytes:
        if part == "xl/worksheets/sheet1.xml":
            return data.replace(b'<c r="A2" t="inlineStr"><is><t>Data Scientist</t></is></c>',
                                b'<c r="A2" t="s"><v>0</v></c>')
        if part == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/'
                                b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml" '
                                b'Id="rId9"/></Relationships>')
        if part == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        return data
    path = rebuilt(folder, "strings.xlsx", change)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/sharedStrings.xml", strings)
    return path


def whitespace_bomb(folder: Path) -> Path:
    """A sheet padded with INFLATED bytes of whitespace between its rows."""
    def change(part: str, data: bytes) -> bytes:
        if part == "xl/worksheets/sheet1.xml":
            return data.replace(b"</row>", b"</row>" + b" " * INFLATED, 1)
        return data
    return rebuilt(folder, "blank.xlsx", change)


def many_parts_bomb(folder: Path) -> Path:
    """Parts each under the bound for one part, together over the bound for all."""
    def change(part: str, data: bytes) -> bytes:
        return data + b" " * (PART_BOUND - 1024) if part.startswith("docProps/") else data
    path = rebuilt(folder, "parts.xlsx", change)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        for number in range(3):
            archive.writestr(f"customXml/item{number}.xml", b" " * (PART_BOUND - 1024))
    return path


def refused(capsys, folder: Path, *args: str) -> str:
    before = sorted(p.name for p in folder.iterdir())
    assert run_cli("annotate", *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("whichrole: error: ") and err.count("\n") == 1, err
    assert sorted(p.name for p in folder.iterdir()) == before, "nothing may be written"
    return err


@pytest.mark.parametrize("bomb,part", [(shared_strings_bomb, "xl/sharedStrings.xml"),
                                       (whitespace_bomb, "xl/worksheets/sheet1.xml")])
def test_a_part_that_unzips_past_the_bound_is_refused_by_annotate(tmp_path, capsys, low_bounds, bomb, part):
    path = bomb(tmp_path)
    assert path.stat().st_size < INFLATED // 200
    err = refused(capsys, tmp_path, path)
    assert f"{path.name}: part {part} would unzip to 48.0 MiB, more than a part may (16.0 MiB, " \
           "WHICHROLE_MAX_PART_BYTES)" in err


def test_parts_that_together_unzip_past_the_bound_are_refused(tmp_path, capsys, low_bounds):
    path = many_parts_bomb(tmp_path)
    err = refused(capsys, tmp_path, path)
    assert "parts.xlsx: the workbook would unzip to more than 32.0 MiB (WHICHROLE_MAX_UNZIPPED_BYTES)" in err


def test_the_audit_refuses_the_bomb_and_audits_the_other_sources(tmp_path, capsys, low_bounds):
    bomb = shared_strings_bomb(tmp_path)
    fine = seed(tmp_path)
    code = run_cli("audit", bomb, fine, "--db", tmp_path / "history.sqlite3")
    out, err = capsys.readouterr()
    assert code == 2
    assert "FAILED " in err and "strings.xlsx: part xl/sharedStrings.xml would unzip to 48.0 MiB" in err
    assert "seed.xlsx: 1 open requisitions of 1 rows" in err
    assert "Traceback" not in err


def test_a_part_recorded_smaller_than_it_unzips_is_corrupt(tmp_path, capsys, low_bounds):
    """Every reader stops at a part's recorded size: understating it is no way around the bound."""
    path = whitespace_bomb(tmp_path)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:   # each central directory entry: the name at 46, the size at 24
        length = struct.unpack_from("<H", data, entry + 28)[0]
        if bytes(data[entry + 46:entry + 46 + length]) == name:
            struct.pack_into("<I", data, entry + 24, 4096)
        entry = data.find(b"PK\x01\x02", entry + 4)
    path.write_bytes(bytes(data))
    err = refused(capsys, tmp_path, path)
    assert "blank.xlsx: corrupt workbook" in err


def test_a_bound_that_is_no_number_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WHICHROLE_MAX_PART_BYTES", "lots")
    err = refused(capsys, tmp_path, seed(tmp_path))
    assert "WHICHROLE_MAX_PART_BYTES='lots': expected a number of bytes" in err
