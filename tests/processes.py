"""The processes a command started, and whether they are gone."""
from __future__ import annotations

import time
from pathlib import Path


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = {int(child) for child in (task / "children").read_text().split()}
            except OSError:  # ended meanwhile
                continue
            todo.extend(children - found)
            found |= children
    return found


def alive(pids: set[int]) -> set[int]:
    """Those still running (a zombie has finished: only its parent has yet to notice)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


def wait_for_workers(pid: int, count: int, seconds: float = 60) -> set[int]:
    """The descendants of ``pid`` once there are at least ``count`` of them."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = descendants(pid)
        if len(found) >= count:
            return found
        time.sleep(0.01)
    raise AssertionError(f"process {pid} never started {count} workers")


def gone_within(pids: set[int], seconds: float) -> set[int]:
    """Those of ``pids`` still running after ``seconds`` (none, for a command that cleans up)."""
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)
