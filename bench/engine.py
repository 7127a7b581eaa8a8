"""classify_many on 10,000 generated requisitions (3-4 KB each), beside its ceiling and a peer.

Everything runs in the same process and the same run; the figures that matter are the ratios:
- signal extraction against the compiled-scan ceiling: the lexicon's phrases in one bare
  Aho-Corasick automaton over the same lower-cased texts (goal: within 3x);
- end to end (durable_rules) against a peer: TF-IDF + logistic regression (scikit-learn),
  batch `predict` on the same texts, trained beforehand on them (goal: at least 2x its speed).
End to end is also measured in brief (``verdicts(..., keep=f)``), as annotate and audit read it,
and so is the peak memory of a batch of 100,000 requisitions streamed through it, beside that of
the same process generating them and classifying none.
Each rate is the fastest of three runs, and each end-to-end run starts from cold caches. The
durable path caches firing by signal set (identical facts give identical firings); the uncached
line shows what durable_rules costs without it. The peer needs the `bench` extra
(`pip install -e '.[bench]'`); without it its lines are skipped.
"""
import os
import random
import sys
import time

import ahocorasick_rs

from bench._generate import requisition, requisitions
from bench._memory import run
from whichrole import Classifier
from whichrole.model import Requisition
from whichrole.rulebook import load_rulebook
from whichrole.peer import BagOfWords, PeerUnavailable
from whichrole.signals import extract

COUNT = 10_000
RUNS = 3
BATCH = 100_000


def rate(label: str, work, items, runs: int = RUNS, fresh=None) -> float:
    """Requisitions a second, from the fastest of ``runs`` runs: on a shared machine the slower runs
    measure the neighbours. With ``fresh``, each run works with what it makes, made outside the
    timing: ``work(fresh(), items)``."""
    best = float("inf")
    for _ in range(runs):
        subject = fresh() if fresh else None
        start = time.perf_counter()
        done = sum(1 for _ in (work(subject, items) if fresh else work(items)))
        best = min(best, time.perf_counter() - start)
    print(f"{label:<44}{done / best:>10,.0f} req/s  ({best:.2f} s, fastest of {runs})", flush=True)
    return done / best


def bare_automaton(book):
    """The ceiling: the lexicon's phrases as written, one automaton, no reading rules."""
    phrases = sorted({p.lower() for entry in book.lexicon.signals.values() for p in entry.phrases})
    automaton = ahocorasick_rs.AhoCorasick(phrases)
    return len(phrases), lambda texts: (automaton.find_matches_as_indexes(t.lower()) for t in texts)


def tfidf_peer(texts: list[str], labels: list[str]):
    """The bag-of-words peer of ``whichrole eval`` trained on the texts; what it costs to predict
    them in one batch."""
    try:
        model = BagOfWords().train(texts, labels)
    except PeerUnavailable:
        return None
    return model.predict


def _role(requisition, brief):
    return brief.role


def cold(engine: str):
    """A Classifier whose every cache starts empty, as in a new process: the rulebook is read
    anew, and the caches of its verdicts are kept by rulebook."""
    def make() -> Classifier:
        load_rulebook.cache_clear()
        return Classifier(engine=engine)
    return make


def batch(count: int, classify: bool) -> None:
    """Stream ``count`` generated requisitions through the verdict in brief (or only generate them)."""
    rng = random.Random(7)
    stream = (requisition(rng) for _ in range(count))
    if classify:
        stream = Classifier().verdicts(stream, keep=_role)
    print(sum(1 for _ in stream))


def batch_memory(count: int) -> None:
    measured = {}
    for label, classify in (("generating them alone", False), ("and classifying them, in brief", True)):
        measured[label] = run([sys.executable, "-c", f"import bench.engine as b; b.batch({count}, {classify})"])
        if measured[label].code:
            sys.exit(f"bench: the {count:,}-requisition batch failed: {measured[label].stderr.strip()[-300:]}")
        print(f"peak memory, {count:,} requisitions, {label:<31}{measured[label].peak_mib:>7,.0f} MiB"
              f"  ({measured[label].seconds:.0f} s)", flush=True)


def main() -> None:
    import whichrole.engine as engine_module

    items = requisitions(COUNT)
    size = sum(len(r["description"]) for r in items) / len(items)
    print(f"{COUNT:,} requisitions, mean description {size:,.0f} characters; {os.cpu_count()} cores")
    book = load_rulebook()
    parsed = [Requisition.build(r) for r in items]
    texts = [r.text for r in parsed]

    phrases, scan = bare_automaton(book)
    bare = rate(f"bare automaton ({phrases:,} phrases)", scan, texts)
    extracted = rate("signal extraction (compiled reader)", lambda xs: (extract(r, book) for r in xs), parsed)
    rate("signal extraction (reference reader)", lambda xs: (extract(r, book, "reference") for r in xs), parsed)
    same = sum(extract(r, book) == extract(r, book, "reference") for r in parsed)
    print(f"same facts from both readers: {same:,} of {COUNT:,} requisitions")

    # Each from cold caches: the firings cached by signal set fill as the run goes.
    ref = rate("reference evaluator (end to end)", Classifier.classify_many, items, fresh=cold("reference"))
    dur = rate("durable_rules, cached (end to end)", Classifier.classify_many, items, fresh=cold("durable"))
    # What annotate and audit pay: the verdict in brief, of which ``keep`` keeps a few fields.
    rate("durable_rules, cached, in brief (keep=)", lambda classifier, xs: classifier.verdicts(xs, keep=_role), items,
         fresh=cold("durable"))
    saved = engine_module.CACHE_SIZE
    engine_module.CACHE_SIZE = 0
    try:
        uncached = Classifier.__new__(Classifier)
        uncached.__init__(engine="durable")
        raw = rate("durable_rules, uncached (end to end)", uncached.classify_many, items[:2000], runs=1)
    finally:
        engine_module.CACHE_SIZE = saved
    durable = Classifier(engine="durable")
    labels = [v.role for v in durable.classify_many(items)]
    print(f"cache entries (first stage, over its shards): {durable.stages[0].cached_keys:,} for {COUNT:,} requisitions")
    peer = tfidf_peer(texts, labels)
    tfidf = rate("TF-IDF + logistic regression, batch predict", lambda xs: peer(xs), texts) if peer else None

    print(f"extraction / bare automaton time: {bare / extracted:.2f}x (goal <= 3x)")
    if tfidf:
        print(f"end to end durable / TF-IDF peer speed: {dur / tfidf:.2f}x (goal >= 2x)")
    else:
        print("TF-IDF peer skipped: scikit-learn is not installed (pip install -e '.[bench]')")
    print(f"durable / reference time ratio: cached {ref / dur:.2f}x, uncached {ref / raw:.2f}x")
    batch_memory(BATCH)


if __name__ == "__main__":
    main()
