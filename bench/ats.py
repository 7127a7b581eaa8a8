"""`whichrole audit lever:bench` over 2,000 postings, against fetching the same postings alone.

A stand-in of Lever's Postings API on 127.0.0.1 (tests/ats_standin.py) answers each page of 100
postings after 50 ms, as a distant API would. Both commands run in processes of their own,
started the way a user starts them, one after the other in the same run: fetching alone (the
HTTP requests, the JSON, the HTML to text, nothing else), then the audit with an empty history
(every posting classified, the run recorded, the report written). The goal: the audit takes at
most 1.5x the time of fetching alone, since it classifies while the next pages are on their way.

    python -m bench.ats [--count 2000] [--delay 0.05]
"""
from __future__ import annotations

import argparse
import html
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from ats_standin import Job, Standin  # noqa: E402
from bench._generate import requisition  # noqa: E402

GOAL = 1.5
FETCH_ALONE = """
import sys
from whichrole.integrations.ats import Fetch, Limits, parse_source
print(sum(1 for _ in Fetch(parse_source(sys.argv[1]), Limits())))
"""


def postings(count: int, seed: int = 17) -> list[Job]:
    """Postings as a board holds them: each its own text, in paragraphs and a list."""
    rng = random.Random(seed)
    jobs = []
    for number in range(1, count + 1):
        posting = requisition(rng)
        sentences = [html.escape(s.strip()) + "." for s in posting["description"].split(". ") if s.strip()]
        body = "".join(f"<p>{s}</p>" for s in sentences[:-6]) + "<h3>You bring</h3><ul>" + "".join(
            f"<li>{s}</li>" for s in sentences[-6:]) + "</ul>"
        jobs.append(Job(number, posting["title"], body))
    return jobs


def timed(label: str, argv: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"bench.ats: {label} failed with exit code {done.returncode}:\n{done.stderr}")
    print(f"{label:<44}{seconds:>8.2f} s", flush=True)
    return seconds


def main(argv: list[str] = ()) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ats")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds before the stand-in answers a page")
    args = parser.parse_args(list(argv))
    whichrole = str(Path(sys.executable).with_name("whichrole"))

    with Standin("lever", {"bench": postings(args.count)}, delay=args.delay) as lever, \
            tempfile.TemporaryDirectory(prefix="bench-ats-") as folder:
        env = {**os.environ, "WHICHROLE_LEVER_URL": lever.url}
        print(f"{args.count:,} postings, a page of 100 answered after {args.delay * 1000:.0f} ms", flush=True)
        fetching = timed("fetching alone", [sys.executable, "-c", FETCH_ALONE, "lever:bench"], env)
        pages = len(lever.requests)
        auditing = timed("whichrole audit, empty history", [
            whichrole, "audit", "lever:bench", "--db", str(Path(folder) / "audit.sqlite3"),
            "--markdown", str(Path(folder) / "audit.md"), "--fail-on", "never"], env)
    print(f"{pages} pages each time; audit / fetching alone: {auditing / fetching:.2f}x (goal: at most {GOAL}x)")


if __name__ == "__main__":
    main(sys.argv[1:])
