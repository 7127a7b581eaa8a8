"""Refusing a zip bomb: a 2 MB workbook whose shared strings unzip to 2 GiB, given to `annotate`
and to `audit`, each in a fresh process; wall time and peak memory as ratios to annotating and
auditing the same workbook without its bomb (two requisitions), measured in this run.

Goal: refused in one line, at no more than the cost of reading the workbook without its bomb.
Run: `python -m bench bombs`, or `python -m bench.bombs [GiB]` (building 2 GiB takes ~15 s).
"""
from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

from bench._memory import run

STRINGS_PART = "xl/sharedStrings.xml"
STRINGS_REL = ('<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               'sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>')
STRINGS_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')


def seed(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Description", "Status"])
    sheet.append(["Data Scientist", "Run A/B tests and causal analyses; SQL and statistics.", "Open"])
    sheet.append(["ML Engineer", "Deploy models behind an API and monitor drift.", "Open"])
    book.save(path)
    return path


def bomb(source: Path, path: Path, inflated: int) -> Path:
    """``source`` with a shared-strings part of ``inflated`` bytes, written a megabyte at a time."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", STRINGS_REL.encode())
            elif name == "[Content_Types].xml":
                data = data.replace(b"</Types>", STRINGS_TYPE.encode())
            dst.writestr(name, data)
        with dst.open(STRINGS_PART, "w", force_zip64=True) as strings:
            strings.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            megabyte = b"a" * (1 << 20)
            for _ in range(inflated >> 20):
                strings.write(megabyte)
            strings.write(b"</t></si></sst>")
    return path


def main(gib: float = 2.0) -> None:
    whichrole = str(Path(sys.executable).with_name("whichrole"))
    with tempfile.TemporaryDirectory(prefix="whichrole-bench-") as folder:
        folder = Path(folder)
        plain = seed(folder / "plain.xlsx")
        loaded = bomb(plain, folder / "bomb.xlsx", int(gib * (1 << 30)))
        print(f"bomb: {loaded.stat().st_size / 2**20:.1f} MB, shared strings unzip to {gib:g} GiB")
        print(f"{'command':<10}{'baseline (no bomb)':>22}{'the bomb':>20}{'time':>8}{'memory':>8}  said")
        for command in (["annotate"], ["audit", "--db", str(folder / "history.sqlite3"), "--fail-on", "never"]):
            base = run([whichrole, command[0], str(plain), *command[1:]])
            refused = run([whichrole, command[0], str(loaded), *command[1:]])
            said = [line for line in refused.stderr.splitlines() if "unzip" in line]
            print(f"{command[0]:<10}{base.seconds:>12.2f} s {base.peak_mib:>5.0f} MiB"
                  f"{refused.seconds:>10.2f} s {refused.peak_mib:>5.0f} MiB"
                  f"{refused.seconds / base.seconds:>7.2f}x{refused.peak_mib / base.peak_mib:>7.2f}x"
                  f"  exit {refused.code}: {said[0] if said else refused.stderr.strip()[:200]}")


if __name__ == "__main__":
    main(*(float(a) for a in sys.argv[1:2]))
