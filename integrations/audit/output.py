"""Report files written beside their destination and renamed into place: never half-written."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(destination: Path) -> Iterator[Path]:
    """A temporary path to write to; it replaces ``destination`` only if the block succeeds."""
    destination = Path(destination)
    folder = destination.parent
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{destination.name}.", suffix=".tmp")
    except OSError as error:
        raise OSError(f"{destination}: cannot write in {folder} ({error.strerror})") from None
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp makes it private; a report is an ordinary file
        os.replace(temp, destination)
    finally:
        if temp.exists():
            temp.unlink()


def write_text(destination: Path, text: str) -> None:
    with atomic_path(destination) as temp:
        temp.write_text(text, encoding="utf-8")
