"""What starting `whichrole classify` costs, as `python -X importtime` reports it.

Two ways of starting the same command, alternated in the same run: as it starts now (an
integration's commands are imported only when one of them is run), and with every integration's
commands imported first, as when they were all registered at start-up. Each way runs ROUNDS
times in a fresh process; the best round of each counts, so that a busy machine weighs less.
"""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass

ROUNDS = 7
TEXT = "Build Tableau dashboards and KPI reports for the marketing team and design A/B tests."
AS_NOW = "from whichrole.cli import main; main()"
ALL_FIRST = ("import importlib; from whichrole.cli import INTEGRATION_COMMANDS, main; "
             "[importlib.import_module(m) for m in set(INTEGRATION_COMMANDS.values())]; main()")
# The packages only some commands need: none of them should be imported to classify.
FOR_OTHER_COMMANDS = ("slack_bolt", "slack_sdk", "openpyxl", "python_calamine", "apscheduler", "sqlite3",
                      "whichrole.integrations")


@dataclass
class Start:
    wall: float               # seconds, process start to exit
    imports: float            # seconds spent importing, the sum of importtime's "self" column
    modules: dict[str, float]  # module -> cumulative import seconds

    @property
    def for_other_commands(self) -> list[str]:
        return sorted({p for p in FOR_OTHER_COMMANDS for m in self.modules if m == p or m.startswith(p + ".")})


def start(code: str) -> Start:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, "classify", TEXT],
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - began
    modules, total = {}, 0.0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        total += int(own) / 1e6
        modules[name.strip()] = int(cumulative) / 1e6
    return Start(wall, total, modules)


def main() -> None:
    now, before = [], []
    for _ in range(ROUNDS):
        now.append(start(AS_NOW))
        before.append(start(ALL_FIRST))
    best_now, best_before = min(now, key=lambda s: s.wall), min(before, key=lambda s: s.wall)
    print(f"`whichrole classify` (one line), best of {ROUNDS} fresh processes each:")
    print(f"{'':<34}{'wall':>9}{'importing':>11}{'modules':>9}")
    for label, best in (("integrations imported first", best_before), ("as it starts now", best_now)):
        print(f"{label:<34}{best.wall:>8.3f}s{best.imports:>10.3f}s{len(best.modules):>9}")
    print(f"now / integrations first: wall {best_now.wall / best_before.wall:.2f}x, "
          f"importing {best_now.imports / best_before.imports:.2f}x")
    print(f"imported for other commands: first {', '.join(best_before.for_other_commands) or 'none'}; "
          f"now {', '.join(best_now.for_other_commands) or 'none'}")
    heaviest = sorted(((s, m) for m, s in best_now.modules.items() if "." not in m), reverse=True)[:8]
    print("heaviest top-level imports now (cumulative): "
          + ", ".join(f"{m} {s * 1000:.0f} ms" for s, m in heaviest))


if __name__ == "__main__":
    main()
