"""Runs stopped by a signal: nothing half-written, no temporaries left beside the user's files,
no worker or semaphore outliving them; and what a run killed outright left is removed by the next."""
from __future__ import annotations

import hashlib
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from processes import gone_within, wait_for_workers
from test_excel_safety import small_book

pytestmark = pytest.mark.slow  # processes started and waited for


def started_writing(process: subprocess.Popen, folder: Path, pattern: str) -> None:
    """Wait until the run has a temporary beside its destination, and is well into writing it."""
    deadline = time.monotonic() + 60
    while not list(folder.glob(pattern)) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    assert list(folder.glob(pattern)), f"the run never started writing: {process.stderr.read().decode()}"
    time.sleep(0.3)


def annotating(book: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "whichrole", "annotate", str(book), "--in-place", "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_annotate_removes_its_temporary_and_stops_its_workers(tmp_path, stop):
    book = small_book(tmp_path / "big.xlsx", rows=4000)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    process = annotating(book)
    started_writing(process, tmp_path, ".big.xlsx.*.tmp")
    workers = wait_for_workers(process.pid, 2)
    assert process.poll() is None, "the run finished before it could be stopped; give it more rows"
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.decode() == ""       # no semaphores leaked, no traceback
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.xlsx"]
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    assert gone_within(workers, 10) == set()


def test_the_next_run_removes_what_a_killed_one_left_but_not_what_a_running_one_writes(tmp_path):
    book = small_book(tmp_path / "big.xlsx", rows=4000)
    process = annotating(book)
    started_writing(process, tmp_path, ".big.xlsx.*.tmp")
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = list(tmp_path.glob(".big.xlsx.*.tmp"))
    assert len(left) == 1
    # Another run writing to the same workbook right now, and a file of someone else's.
    running = tmp_path / ".big.xlsx.r0nn1ng_.tmp"
    running.write_bytes(b"")
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'rb'); "
                               "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
                               str(running)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"locked\n"
        others = tmp_path / ".big.xlsx.my notes.tmp"
        others.write_text("mine")
        subprocess.run([sys.executable, "-m", "whichrole", "annotate", str(book), "--in-place", "--workers", "0"],
                       check=True, capture_output=True)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["big.xlsx", running.name, others.name])
    finally:
        holder.kill()
        holder.wait()
    assert "Summary" in openpyxl.load_workbook(book, read_only=True).sheetnames


def test_a_full_disk_names_the_file_and_changes_nothing(tmp_path):
    book = small_book(tmp_path / "big.xlsx", rows=200)
    before = hashlib.sha256(book.read_bytes()).hexdigest()

    def small_files():   # what a full disk does to a write, short of filling one: the write fails
        resource.setrlimit(resource.RLIMIT_FSIZE, (book.stat().st_size, resource.RLIM_INFINITY))

    done = subprocess.run([sys.executable, "-m", "whichrole", "annotate", str(book), "--in-place", "--workers", "0"],
                          capture_output=True, text=True, preexec_fn=small_files)
    assert done.returncode == 2
    assert done.stderr == f"whichrole: error: {book}: cannot be written (File too large); nothing was changed\n"
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.xlsx"]
