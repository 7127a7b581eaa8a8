"""Files written beside their destination and renamed into place: never half-written."""
from __future__ import annotations

import errno
import fcntl
import glob
import hashlib
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


# A disk full, a quota or a file-size limit reached, a failing disk.
WRITE_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}
# mkstemp's names: the prefix, eight characters of its own, the suffix.
TEMPORARY = "[a-z0-9_]{8}\\.tmp"


@contextmanager
def replaced_atomically(destination: Path) -> Iterator[Path]:
    """A temporary path beside ``destination``, renamed onto it when the block succeeds.

    An interrupted or failed write leaves the destination as it was; there is never a half-written
    file under its name. A write killed outright leaves its hidden `.NAME.*.tmp` beside it, which
    the next write to the same destination removes: a temporary is locked (flock) while it is
    written, and the kernel releases the lock of a process however it ends.
    """
    destination = Path(destination)
    remove_stale_temporaries(destination)
    handle, temp_path = _locked_temporary(destination)
    try:
        yield temp_path
        _keep_mode(destination, temp_path)
        with open(temp_path, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp_path, destination)
    except OSError as error:
        if error.errno not in WRITE_FAILURES:
            raise
        # A write to the temporary says which errno, never which file: the user's is named.
        raise OSError(f"{destination}: cannot be written ({error.strerror}); nothing was changed") from None
    finally:
        if temp_path.exists():
            temp_path.unlink()
        os.close(handle)


def _locked_temporary(destination: Path) -> tuple[int, Path]:
    """A new temporary beside ``destination``, locked. Another write's sweep may remove it in the
    instant before it is locked; then it is made again."""
    folder = destination.parent
    while True:
        try:
            handle, name = tempfile.mkstemp(dir=folder, prefix=f".{destination.name}.", suffix=".tmp")
        except OSError as error:
            raise OSError(f"{destination}: cannot write in {folder} ({error.strerror})") from None
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if os.stat(name).st_ino == os.fstat(handle).st_ino:
                return handle, Path(name)
        except FileNotFoundError:
            pass
        os.close(handle)


def remove_stale_temporaries(destination: Path) -> None:
    """Remove the temporaries that writes to ``destination`` left when they were killed; one that a
    running write holds locked stays."""
    own = re.compile(re.escape(f".{destination.name}.") + TEMPORARY)
    for path in destination.parent.glob(f".{glob.escape(destination.name)}.*.tmp"):
        if not own.fullmatch(path.name):
            continue
        try:
            handle = os.open(path, os.O_RDONLY)
        except OSError:     # gone meanwhile, or not ours to read
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            path.unlink(missing_ok=True)
        except OSError:     # locked by a write under way, or not ours to remove
            pass
        finally:
            os.close(handle)


def write_text(destination: Path, text: str) -> None:
    with replaced_atomically(destination) as temp:
        temp.write_text(text, encoding="utf-8")


def _keep_mode(destination: Path, temp_path: Path) -> None:
    """The new file gets the permissions of the one it replaces, or the usual ones for a new file
    (mkstemp makes it private)."""
    if destination.exists():
        os.chmod(temp_path, destination.stat().st_mode & 0o7777)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_path, 0o666 & ~umask)


def sha256_and_size(path: Path) -> tuple[str, int]:
    """A file's SHA-256 and size, read a megabyte at a time."""
    hashed = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            hashed.update(chunk)
            size += len(chunk)
    return hashed.hexdigest(), size
