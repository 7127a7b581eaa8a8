"""classify_many on 10,000 generated requisitions (3-4 KB each): durable_rules vs the reference.

Both paths run in the same process and the same run; the figure that matters is the ratio.
The durable path caches firing by signal set (identical facts give identical firings);
the uncached line shows what durable_rules costs without it.
"""
import time

from bench._generate import requisitions
from whichrole import Classifier
from whichrole.model import Requisition
from whichrole.signals import extract

COUNT = 10_000


def rate(label: str, work, items) -> float:
    start = time.perf_counter()
    done = sum(1 for _ in work(items))
    seconds = time.perf_counter() - start
    print(f"{label:<38}{done / seconds:>10,.0f} req/s  ({seconds:.2f} s)", flush=True)
    return done / seconds


def main() -> None:
    import whichrole.engine as engine_module

    items = requisitions(COUNT)
    size = sum(len(r["description"]) for r in items) / len(items)
    print(f"{COUNT:,} requisitions, mean description {size:,.0f} characters")
    reference = Classifier(engine="reference")
    durable = Classifier(engine="durable")
    book = reference.rulebook
    parsed = [Requisition.build(r) for r in items]
    rate("signal extraction only", lambda xs: (extract(r, book) for r in xs), parsed)
    ref = rate("reference evaluator (end to end)", reference.classify_many, items)
    dur = rate("durable_rules, cached (end to end)", durable.classify_many, items)
    saved = engine_module.CACHE_SIZE
    engine_module.CACHE_SIZE = 0
    try:
        uncached = Classifier.__new__(Classifier)
        uncached.__init__(engine="durable")
        raw = rate("durable_rules, uncached (end to end)", uncached.classify_many, items[:2000])
    finally:
        engine_module.CACHE_SIZE = saved
    print(f"cache entries (first stage, over its shards): {durable.stages[0].cached_keys:,} for {COUNT:,} requisitions")
    print(f"durable / reference time ratio: cached {ref / dur:.2f}x, uncached {ref / raw:.2f}x")


if __name__ == "__main__":
    main()
