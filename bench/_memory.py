"""Wall time and peak memory of a command together with the worker processes it starts.

A process's own peak (ru_maxrss) leaves its workers out, and the peak the kernel keeps for
children is inflated by the parent's memory at the moment each child was forked. So the
resident memory of the whole process tree is sampled instead, every 20 ms, and its largest
sum is the peak; the baseline is measured the same way.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

SAMPLE_SECONDS = 0.02


class Measured(NamedTuple):
    code: int
    seconds: float
    peak_mib: float
    stdout: str
    stderr: str


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:  # the process ended meanwhile
                pass
    return found


def _resident_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(argv: list[str]) -> Measured:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, text=True)
        peak = 0
        while True:
            pid, status = os.waitpid(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, sum(map(_resident_kib, _tree(child.pid))))
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(child.returncode, seconds, peak / 1024, out.read(), err.read())
