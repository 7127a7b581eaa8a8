"""A workbook file as an Open Packaging (zip) package: checked on opening, written atomically.

Opening tells apart, in one line each, what is not a workbook this tool can read: a missing
file, a legacy .xls, a password-protected workbook (both are OLE2 compound files), a file that
is not a zip, a corrupt zip, a zip that is not a spreadsheet, Strict Open XML, a zip that would
unzip to more than the bounds of unzipped.py, and any XML part declaring a DTD (OOXML never
needs one; a DTD is how entity-expansion attacks such as the "billion laughs" begin, so the file
is refused before any parser reads it).
"""
from __future__ import annotations

import posixpath
import sys
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator, Optional

from whichrole.files import replaced_atomically

from . import xmltext
from .inuse import check_not_in_use
from .prolog import PrologTooLong, declares_dtd
from .unzipped import TooLargeUnzipped, check_sizes

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is an OLE2 file holding these streams (names in UTF-16).
ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
CONTENT_TYPES = "[Content_Types].xml"
# Compression of rewritten parts: level 1 is several times faster than the default 6 and the
# files it makes are barely larger for the repetitive XML of a sheet.
COMPRESS_LEVEL = 1


class WorkbookError(ValueError):
    """A workbook that cannot be read or written; the message is one line and names the file."""


@dataclass(frozen=True)
class Sheet:
    name: str
    rel_id: str
    part: str       # path inside the zip, e.g. xl/worksheets/sheet1.xml
    kind: str       # relationship type's last word: worksheet, chartsheet, dialogsheet
    state: str      # visible, hidden, veryHidden


def check_not_legacy(path: Path) -> None:
    """Refuse the OLE2 files (legacy .xls, encrypted workbooks) with what to do about them."""
    with open(path, "rb") as handle:
        head = handle.read(len(OLE2_SIGNATURE))
        if head != OLE2_SIGNATURE:
            return
        handle.seek(0)
        while chunk := handle.read(1 << 20):
            if any(stream in chunk for stream in ENCRYPTION_STREAMS):
                raise WorkbookError(f"{path}: the workbook is password-protected; remove the password "
                                    "in Excel (File > Info > Protect Workbook) and try again")
    raise WorkbookError(f"{path}: a legacy Excel 97-2003 (.xls) workbook; save it as .xlsx and try again")


class Package:
    """An opened .xlsx/.xlsm: its parts, its workbook part and its sheets."""

    def __init__(self, path: Path, source: "str | Path | IO[bytes]", label: Optional[str] = None):
        self.path = Path(path)
        self.label = label or str(path)
        try:
            self.zip = zipfile.ZipFile(source)
        except zipfile.BadZipFile:
            if _starts_like_zip(source):
                raise WorkbookError(f"{self.label}: corrupt workbook (a damaged or truncated zip file)") from None
            raise WorkbookError(f"{self.label}: not an Excel workbook (.xlsx, .xlsm) or a CSV file") from None
        except (OSError, EOFError, ValueError) as error:
            raise WorkbookError(f"{self.label}: corrupt workbook ({error})") from None
        self.names = self.zip.namelist()
        self._check_parts()
        self.workbook_part = self._workbook_part()
        self.workbook_xml = self.read_text(self.workbook_part)
        if xmltext.STRICT_NS in self.workbook_xml[:2000]:
            raise WorkbookError(f"{self.label}: a Strict Open XML workbook; save it in Excel as "
                                "'Excel Workbook (.xlsx)' and try again")
        self.workbook_rels_part = rels_part_of(self.workbook_part)
        self.workbook_rels = self.read_text(self.workbook_rels_part) if self.workbook_rels_part in self.names else ""
        self.sheets = self._sheets()

    def close(self) -> None:
        self.zip.close()

    def _check_parts(self) -> None:
        if CONTENT_TYPES not in self.names:
            raise WorkbookError(f"{self.label}: not an Excel workbook (a zip file without {CONTENT_TYPES})")
        try:
            check_sizes(self.zip.infolist(), self.label)
        except TooLargeUnzipped as error:
            raise WorkbookError(str(error)) from None
        for info in self.zip.infolist():
            if info.flag_bits & 0x1:
                raise WorkbookError(f"{self.label}: the workbook is password-protected; remove the password and try again")
            if info.filename.endswith((".xml", ".rels", ".vml")) and self._declares_dtd(info):
                raise WorkbookError(f"{self.label}: part {info.filename} declares a DTD, which workbooks never "
                                    "need (an XML entity-expansion attack?); refusing to read it")

    def _declares_dtd(self, info: zipfile.ZipInfo) -> bool:
        try:
            with self.zip.open(info) as handle:
                return declares_dtd(handle)
        except PrologTooLong as error:
            raise WorkbookError(f"{self.label}: part {info.filename} has {error}; refusing to read it") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
            raise WorkbookError(f"{self.label}: corrupt workbook (part {info.filename}: {error})") from None

    def read_bytes(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except KeyError:
            raise WorkbookError(f"{self.label}: corrupt workbook (part {name} is missing)") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise WorkbookError(f"{self.label}: corrupt workbook (part {name}: {error})") from None

    def read_text(self, name: str) -> str:
        data = self.read_bytes(name)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                raise WorkbookError(f"{self.label}: corrupt workbook (part {name} is not UTF-8 XML)") from None

    @contextmanager
    def open_part(self, name: str) -> Iterator[IO[bytes]]:
        try:
            with self.zip.open(name) as handle:
                yield handle
        except KeyError:
            raise WorkbookError(f"{self.label}: corrupt workbook (part {name} is missing)") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise WorkbookError(f"{self.label}: corrupt workbook (part {name}: {error})") from None

    def _workbook_part(self) -> str:
        rels = relationships(self.read_text("_rels/.rels")) if "_rels/.rels" in self.names else {}
        for rel in rels.values():
            if rel.type == REL_OFFICE_DOCUMENT:
                part = resolve("", rel.target)
                if part in self.names:
                    return part
        if "xl/workbook.xml" in self.names:
            return "xl/workbook.xml"
        raise WorkbookError(f"{self.label}: not an Excel workbook (no workbook part; a Word or PowerPoint file?)")

    def _sheets(self) -> list[Sheet]:
        rels = relationships(self.workbook_rels)
        found = []
        sheets = xmltext.find(self.workbook_xml, "sheets", xmltext.root(self.workbook_xml).inner_start)
        for element in xmltext.children(self.workbook_xml, sheets.inner_start, sheets.inner_end) if sheets else ():
            attrs = xmltext.attributes(element.attrs)
            rel_id = next((v for k, v in attrs.items() if xmltext.local(k) == "id" and ":" in k), None)
            rel = rels.get(rel_id)
            if rel is None:
                continue
            found.append(Sheet(name=attrs.get("name", ""), rel_id=rel_id,
                               part=resolve(posixpath.dirname(self.workbook_part), rel.target),
                               kind=rel.type.rsplit("/", 1)[-1], state=attrs.get("state", "visible")))
        return found

    def sheet(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        for sheet in self.sheets:  # Excel itself treats sheet names case-insensitively
            if sheet.name.lower() == name.lower():
                return sheet
        raise WorkbookError(f"{self.label}: no sheet {name!r} (sheets: {', '.join(s.name for s in self.sheets)})")


def _starts_like_zip(source) -> bool:
    if not isinstance(source, (str, Path)):
        return False
    with open(source, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def open_workbook(path: "str | Path") -> Package:
    path = Path(path)
    if not path.exists():
        raise WorkbookError(f"{path}: no such file")
    if path.is_dir():
        raise WorkbookError(f"{path}: a folder, not a workbook")
    check_not_legacy(path)
    return Package(path, path)


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str
    external: bool


def relationships(xml: str) -> dict[str, Relationship]:
    found = {}
    if not xml.strip():
        return found
    top = xmltext.root(xml)
    for element in xmltext.children(xml, top.inner_start, top.inner_end):
        attrs = xmltext.attributes(element.attrs)
        if "Id" in attrs:
            found[attrs["Id"]] = Relationship(attrs["Id"], attrs.get("Type", ""), attrs.get("Target", ""),
                                              attrs.get("TargetMode") == "External")
    return found


def rels_part_of(part: str) -> str:
    """xl/worksheets/sheet1.xml -> xl/worksheets/_rels/sheet1.xml.rels"""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(folder: str, target: str) -> str:
    """A relationship target as a zip path: relative to the source part's folder, or absolute."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, target))


class AtomicZip:
    """A zip package written through replaced_atomically()."""

    def __init__(self, destination: Path):
        self.destination = Path(destination)
        self._replacing = replaced_atomically(self.destination)
        self.zip: Optional[zipfile.ZipFile] = None

    def __enter__(self) -> "AtomicZip":
        check_not_in_use(self.destination)
        temp_path = self._replacing.__enter__()
        self.zip = zipfile.ZipFile(temp_path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
        return self

    def write(self, name: str, data: "bytes | str") -> None:
        self.zip.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)

    def open(self, name: str) -> IO[bytes]:
        return self.zip.open(name, "w", force_zip64=True)

    def copy(self, source: Package, name: str) -> None:
        """Copy one part unchanged (decompressed and recompressed, streaming)."""
        with source.open_part(name) as reader, self.open(name) as writer:
            while chunk := reader.read(1 << 20):
                writer.write(chunk)

    def __exit__(self, kind, error, traceback) -> bool:
        try:
            self.zip.close()
        except BaseException:
            self._replacing.__exit__(*sys.exc_info())
            raise
        return bool(self._replacing.__exit__(kind, error, traceback))


