"""/whichrole under load: 500 signed commands to `whichrole serve-slack` on loopback.

The app runs as the real command, in its own process; this process plays Slack: it signs and
sends the commands and receives the answers at their response_urls (and the Web API calls).
Measured per command: request -> acknowledgement, and request -> verdict at the response_url,
1, 8 and 200 at a time (200: a burst larger than a default listen queue). Then the same 8 at a
time with one response_url in ten answering only after 5 seconds, as a slow Slack region or a
stuck proxy would: the fast ones' verdicts must not wait for the slow ones.
Baselines from the same run: a bare loopback POST to a do-nothing HTTP server, and classify()
called directly. Goals: acknowledgement p99 under 100 ms, verdict p99 under 300 ms.

Run: `python -m bench slack` (or `python -m bench.slack [count]`).
"""
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench._generate import requisitions  # noqa: E402
from slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack, command_body, post  # noqa: E402
from whichrole import Classifier  # noqa: E402
from whichrole.integrations.slack.parse import parse_command  # noqa: E402

COUNT = 500
WARM_UP = 20
CONCURRENCY = (1, 8, 200)
SLOW_EVERY, SLOW_SECONDS, SLOW_CONCURRENCY = 10, 5.0, 8
GOALS = {"ack": 0.100, "verdict": 0.300}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def line(label: str, seconds: list[float]) -> tuple[float, float]:
    p50, p99 = percentile(seconds, 50), percentile(seconds, 99)
    print(f"{label:<54}p50 {p50 * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms   max {max(seconds) * 1000:7.2f} ms",
          flush=True)
    return p50, p99


def command_texts(count: int) -> list[str]:
    """Slash-command-sized requisitions: a title and a few hundred characters of description."""
    return [f'title="{r["title"]}" {r["description"]}' for r in requisitions(count, seed=11, size=700)]


def start_app(fake: FakeSlack) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url)
    app = subprocess.Popen([sys.executable, "-c", "from whichrole.cli import main; main()", "serve-slack",
                            "--host", "127.0.0.1", "--port", "0"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(text) for text in app.stderr], daemon=True).start()
    seen, deadline = "", time.monotonic() + 60
    while not (found := re.search(r"serving /whichrole at (http://\S+)", seen)):
        try:
            seen += lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            app.kill()
            sys.exit(f"bench.slack: serve-slack did not start:\n{seen}")
    return app, found.group(1)


def load(url: str, fake: FakeSlack, texts: list[str], concurrency: int, run: str,
         slow: frozenset = frozenset()) -> tuple[list, list, int]:
    """Acks and verdict times of the commands not in ``slow`` (whose response_urls answer late)."""
    for n in slow:
        fake.hang(f"/response/{run}-{n}", SLOW_SECONDS)

    def one(item):
        n, text = item
        name = f"{run}-{n}"
        started = time.perf_counter()
        answer = post(url, command_body(text, fake.response_url(name)))
        acked = time.perf_counter()
        return name, started, acked - started, answer.status

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        sent = list(pool.map(one, enumerate(texts)))
    acks, verdicts, wrong = [], [], 0
    for n, (name, started, ack, status) in enumerate(sent):
        calls = fake.wait(f"/response/{name}", timeout=30)
        if n in slow:
            continue
        wrong += status != 200 or calls[0].body.get("blocks", [{}])[0].get("type") != "header"
        acks.append(ack)
        verdicts.append(calls[0].at - started)
    return acks, verdicts, wrong


def main(count: int = COUNT) -> None:
    texts = command_texts(count)
    print(f"{count} commands, mean text {statistics.mean(map(len, texts)):,.0f} characters; "
          f"app in its own process (whichrole serve-slack)", flush=True)
    fake = FakeSlack()
    app, url = start_app(fake)
    try:
        baseline = []
        for _ in range(count):
            started = time.perf_counter()
            post(fake.response_url("baseline"), "{}", content_type="application/json")
            baseline.append(time.perf_counter() - started)
        _, base99 = line("baseline: bare loopback POST", baseline)
        classifier = Classifier()
        timings = []
        for text in texts:
            started = time.perf_counter()
            classifier.classify(parse_command(text).fields)
            timings.append(time.perf_counter() - started)
        line("baseline: parse + classify() in process", timings)

        load(url, fake, texts[:WARM_UP], 4, "warm")
        results = {}
        for concurrency in CONCURRENCY:
            acks, verdicts, wrong = load(url, fake, texts, concurrency, f"c{concurrency}")
            results[concurrency] = (line(f"request -> ack, {concurrency} at a time", acks),
                                    line(f"request -> verdict at response_url, {concurrency} at a time", verdicts))
            if wrong:
                print(f"  {wrong} commands not answered with a verdict", flush=True)
        slow = frozenset(range(0, count, SLOW_EVERY))
        _, verdicts, wrong = load(url, fake, texts, SLOW_CONCURRENCY, "slow", slow)
        _, slow99 = line(f"verdict, {SLOW_CONCURRENCY} at a time, 1 in {SLOW_EVERY} response_urls slow", verdicts)
        if wrong:
            print(f"  {wrong} commands not answered with a verdict", flush=True)
        for concurrency, ((_, ack99), (_, verdict99)) in results.items():
            verdict_ok = "met" if verdict99 < GOALS["verdict"] else "MISSED"
            ack_ok = "met" if ack99 < GOALS["ack"] else "MISSED"
            print(f"{concurrency} at a time: ack p99 {ack99 * 1000:.1f} ms ({ack99 / base99:.1f}x bare POST; "
                  f"goal < 100 ms {ack_ok}), verdict p99 {verdict99 * 1000:.1f} ms (goal < 300 ms {verdict_ok})",
                  flush=True)
        fast99 = results[SLOW_CONCURRENCY][1][1]
        print(f"with 1 in {SLOW_EVERY} response_urls answering after {SLOW_SECONDS:g} s: the others' verdict p99 "
              f"{slow99 * 1000:.1f} ms, {slow99 / fast99:.1f}x that of the run without slow ones", flush=True)
    finally:
        app.terminate()
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
        fake.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else COUNT)
