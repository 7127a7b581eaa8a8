"""One audit at a time per history database, across processes.

An advisory lock (flock) on a file next to the database: the kernel releases it when the
process ends, however it ends, so a killed audit never leaves a stale lock behind.
"""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Callable, Optional

POLL_SECONDS = 0.2


class AuditBusy(OSError):
    """Another audit holds the database; the message is one line."""


class AuditLock:
    def __init__(self, database: Path, timeout: float, on_wait: Optional[Callable[[str], None]] = None):
        self.database = database
        self.path = database.with_name(database.name + ".lock")
        self.timeout = timeout
        self.on_wait = on_wait
        self._file = None

    def holder(self) -> str:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            pid = ""
        return f"pid {pid}" if pid else "another process"

    def __enter__(self) -> "AuditLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise AuditBusy(f"another audit ({self.holder()}) is writing to {self.database}; "
                                    f"gave up after {self.timeout:g} s (--lock-timeout)") from None
                if not told and self.on_wait:
                    self.on_wait(f"waiting for the audit already running ({self.holder()}) "
                                 f"on {self.database}")
                    told = True
                time.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._file:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
