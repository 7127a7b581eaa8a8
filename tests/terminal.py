"""Running the command line with its standard error on a pseudo-terminal, as a person sees it."""
from __future__ import annotations

import os
import pty
import subprocess
import sys


def run_on_a_terminal(*args: str) -> tuple[subprocess.CompletedProcess, bytes]:
    """`python -m whichrole ARGS` with stderr on a terminal: the finished process and what it drew there."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.run([sys.executable, "-m", "whichrole", *map(str, args)],
                                 stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closes once everything is read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    return process, shown
