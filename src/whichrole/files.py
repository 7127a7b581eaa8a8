"""Files written beside their destination and renamed into place: never half-written."""
from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def replaced_atomically(destination: Path) -> Iterator[Path]:
    """A temporary path beside ``destination``, renamed onto it when the block succeeds.

    An interrupted or failed write leaves the destination as it was (and, at worst after a
    kill, a hidden `.NAME.*.tmp` beside it); there is never a half-written file under its name.
    """
    destination = Path(destination)
    folder = destination.parent
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{destination.name}.", suffix=".tmp")
    except OSError as error:
        raise OSError(f"{destination}: cannot write in {folder} ({error.strerror})") from None
    os.close(handle)
    temp_path = Path(name)
    try:
        yield temp_path
        _keep_mode(destination, temp_path)
        with open(temp_path, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp_path, destination)
    finally:
        if temp_path.exists():
            temp_path.unlink()


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
