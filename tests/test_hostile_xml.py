"""A DTD hidden where a check of the first bytes would miss it: after a long comment, in UTF-16 or
UTF-32. Refused as any DTD is, in one line naming the part, before any parser reads it."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from test_excel_safety import assert_refused, run_cli, small_book
from whichrole.integrations.ooxml.prolog import PROLOG_LIMIT

ENTITIES = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))


def with_prolog(path: Path, part: str, prolog: str, encoding: str = "utf-8") -> Path:
    """The small book with ``prolog`` in place of ``part``'s XML declaration, all in ``encoding``."""
    source = small_book(path.with_name("seed.xlsx"))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == part:
                body = data.decode("utf-8").split("?>", 1)[-1] if data.startswith(b"<?xml") else data.decode("utf-8")
                if "<!ENTITY" in prolog:
                    body = body.replace("Data Scientist 0", "&lol9;")
                data = (prolog + body).encode(encoding)
            dst.writestr(name, data)
    source.unlink()
    return path


@pytest.mark.parametrize("prolog, encoding", [
    (f'<?xml version="1.0"?><!--{"x" * 5000}--><!DOCTYPE lolz [{ENTITIES}]>', "utf-8"),
    (f'<?xml version="1.0"?>\n<?pi {"y" * 9000}?>\n<!-- a -->\n<!DOCTYPE lolz [{ENTITIES}]>', "utf-8"),
    (f'\ufeff<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE lolz [{ENTITIES}]>', "utf-16-le"),
    (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE lolz [{ENTITIES}]>', "utf-16-be"),
    (f'\ufeff<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE lolz [{ENTITIES}]>', "utf-32-le"),
])
def test_a_dtd_after_a_long_comment_or_in_utf_16_is_refused(tmp_path, capsys, prolog, encoding):
    book = with_prolog(tmp_path / "lol.xlsx", "xl/worksheets/sheet1.xml", prolog, encoding)
    assert_refused(capsys, tmp_path, [book], "lol.xlsx: part xl/worksheets/sheet1.xml declares a DTD")


def test_an_endless_prolog_is_refused(tmp_path, capsys):
    prolog = f'<?xml version="1.0"?><!--{"z" * (PROLOG_LIMIT + 10)}-->'
    book = with_prolog(tmp_path / "long.xlsx", "xl/workbook.xml", prolog)
    assert_refused(capsys, tmp_path, [book], "long.xlsx: part xl/workbook.xml has more than 1024 KiB of comments")


def test_long_comments_without_a_dtd_are_read(tmp_path, capsys):
    book = with_prolog(tmp_path / "notes.xlsx", "xl/worksheets/sheet1.xml",
                       f'<?xml version="1.0"?><!-- {"n" * 6000} --><?mso-application progid="Excel.Sheet"?>')
    assert run_cli("annotate", book) == 0
