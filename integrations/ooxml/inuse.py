"""Whether a workbook is open in Excel, LibreOffice or another program, before it is replaced.

Replacing a workbook someone has open loses work either way: their next save overwrites what was
written, or what they typed since opening it is gone from the file. Excel marks an open workbook
with an owner file beside it (`~$NAME.xlsx`), LibreOffice with a lock file (`.~lock.NAME.xlsx#`),
each naming who has it open; other programs lock the file itself (flock or a POSIX lock).
"""
from __future__ import annotations

import csv
import fcntl
import os
from pathlib import Path
from typing import Optional

# An Excel owner file: a length byte, then the user's name in the system's code page.
OWNER_NAME_BYTES = 53


class WorkbookInUse(OSError):
    """The workbook is open elsewhere; the message is one line and says who has it, where known."""


def check_not_in_use(path: Path) -> None:
    """Refuse to replace ``path`` while another program has it open."""
    if not path.exists():
        return
    owner = path.with_name("~$" + path.name)
    if owner.is_file():
        raise WorkbookInUse(f"{path}: open in Excel by {_excel_owner(owner) or 'someone'}; close it there and "
                            f"try again (or delete {owner.name} if no one has it open)")
    lock = path.with_name(f".~lock.{path.name}#")
    if lock.is_file():
        raise WorkbookInUse(f"{path}: open in LibreOffice{_libreoffice_owner(lock)}; close it there and try again "
                            f"(or delete {lock.name} if no one has it open)")
    if _locked(path):
        raise WorkbookInUse(f"{path}: another program holds a lock on it; close it there and try again")


def _excel_owner(owner: Path) -> Optional[str]:
    try:
        data = owner.read_bytes()[:1 + OWNER_NAME_BYTES]
    except OSError:
        return None
    if not data:
        return None
    return data[1:1 + data[0]].decode("cp1252", "replace").strip() or None


def _libreoffice_owner(lock: Path) -> str:
    """' by NAME (USER on HOST, since TIME)', from the lock file's one line: name, system user, host,
    time, profile."""
    try:
        fields = next(csv.reader([lock.read_text(encoding="utf-8", errors="replace").rstrip(";\n")]), [])
    except OSError:
        return ""
    name, user, host, since = (fields + [""] * 4)[:4]
    where = ", ".join(part for part in (f"{user} on {host}" if user and host else user or host,
                                        f"since {since}" if since else "") if part)
    who = name or user
    return (f" by {who}" if who else "") + (f" ({where})" if where else "")


def _locked(path: Path) -> bool:
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        for lock in (lambda: fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB),
                     lambda: fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)):
            try:
                lock()
            except OSError:
                return True
        return False
    finally:
        os.close(handle)
