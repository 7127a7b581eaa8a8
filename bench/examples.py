"""What each rule example of rules/examples/ costs to classify, by name, slowest first.

The cases are short requisitions written to make particular rules fire, so this shows what the
rules engine and the verdict cost beside the reading of a text, case by case: a case much
slower than its neighbours points at the rules it fires. Each case is classified ROUNDS times,
uncached (the rules engine is asked every time), and its best round counts.
"""
import time

from whichrole import Classifier
from whichrole.examples import read_examples

ROUNDS = 50


def main() -> None:
    import whichrole.engine as engine_module

    engine_module.CACHE_SIZE = 0
    classifier = Classifier()
    cases, _ = read_examples(classifier.rulebook.directory)
    timings = []
    for case in cases:
        best = float("inf")
        for _ in range(ROUNDS):
            start = time.perf_counter()
            classifier.classify(case.requisition)
            best = min(best, time.perf_counter() - start)
        timings.append((best, case))
    timings.sort(key=lambda timing: -timing[0])
    for seconds, case in timings:
        print(f"{seconds * 1e6:>8,.0f} µs  {case.file}: {case.name}", flush=True)
    total = sum(seconds for seconds, _ in timings)
    print(f"{len(timings)} cases, {total * 1e3:.1f} ms in all, {total / len(timings) * 1e6:,.0f} µs a case")
