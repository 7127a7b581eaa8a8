"""Classifying many requisitions on every core.

The rules engine is process-global, so the engine serialises its calls (engine.py): threads
would classify one at a time, and more cores mean more processes. Each worker process compiles its own Classifier and classifies
chunks of requisitions, and what comes back, in input order, is what the caller's ``keep`` makes
of each verdict there, in brief: a pickled Verdict, whose nested models pydantic pickles one by one, costs
more to send than to make, while the few plain values a workbook row or an audit needs cost
little. At most a few chunks per worker are in flight, so memory stays flat however long the
input. Workers are started afresh ("spawn"), so a script that uses them must guard its
top-level code with ``if __name__ == "__main__":``, as for any Python multiprocessing.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Union

from .model import Requisition, RequisitionError

if TYPE_CHECKING:
    from .classifier import Classifier
    from .verdict import Brief

CHUNK = 200             # requisitions per task: a task's round trip costs about one classification
AHEAD_PER_WORKER = 4    # tasks queued per worker, so none waits while the caller catches up
WORTH_A_WORKER = 1_000  # fewer requisitions are read in the calling process: a worker takes ~0.3 s to start
LOOK_AHEAD = 10 * WORTH_A_WORKER
# Past four workers the calling process, reading and writing, cannot keep up with them: it spends
# about 0.1 ms on a requisition where a worker spends 0.2-0.4 ms (annotate and audit, measured on
# 1 and 3.5 KB descriptions). And each worker holds its own compiled rulebook (about 75 MB).
MOST_WORKERS = 4

Outcome = Union[Any, RequisitionError, None]  # what ``keep`` made of the verdict, or why there is none
Keep = Callable[[Requisition, "Brief"], Any]
Item = Union[Requisition, RequisitionError, None]  # a requisition to classify, why there is none, or a gap


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows
        return os.cpu_count() or 1


def default_workers(count: Optional[int]) -> int:
    """Worker processes for ``count`` requisitions (None: unknown): one per core up to MOST_WORKERS,
    or none (0) when there is one core or too little to classify for a worker to pay for its start."""
    cores = available_cores()
    if cores < 2 or (count is not None and count < WORTH_A_WORKER):
        return 0
    return min(cores, MOST_WORKERS)


def choose_workers(requisitions: Iterable[Item]) -> tuple[int, Iterator[Item]]:
    """The default_workers for these requisitions, and the requisitions again, from the first.
    Workers are worth it when WORTH_A_WORKER are to be classified among the first LOOK_AHEAD:
    looking further would hold a long input in memory for the sake of a few (an audit in a week
    when most requisitions are known already)."""
    source = iter(requisitions)
    ahead, count = [], 0
    for requisition in islice(source, LOOK_AHEAD):
        ahead.append(requisition)
        count += requisition is not None
        if count >= WORTH_A_WORKER:
            break
    return default_workers(count if count < WORTH_A_WORKER else None), chain(ahead, source)


_worker: Optional["Classifier"] = None


def _start_worker(rules_dir, engine: str) -> None:
    from .classifier import Classifier

    # Ctrl-C is the calling process's to handle: it stops the workers itself. And a worker whose
    # caller was killed outright has nothing left to do: it would wait for work for ever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    global _worker
    _worker = Classifier(rules_dir, engine)
    # What is loaded now lives as long as the worker: the collector need not walk it again and
    # again while each verdict's short-lived objects come and go (a tenth of a worker's time).
    gc.freeze()


def _exit_with(parent) -> None:
    parent.join()
    os._exit(1)


def _classify_chunk(keep: Optional[Keep], fields: list[dict]) -> list[Outcome]:
    # The fields were validated where the requisition was built.
    return list(_worker.verdicts((Requisition.model_construct(**values) for values in fields), keep=keep))


def verdicts_in_workers(classifier: "Classifier", requisitions: Iterable[Item],
                        workers: int, keep: Optional[Keep]) -> Iterator[Outcome]:
    """What ``classifier.verdicts`` gives, from ``workers`` processes, in input order."""
    # A forked child would inherit durable_rules' process-global state mid-use: start afresh.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(classifier.rules_dir, classifier.engine_name))
    source = iter(requisitions)
    in_flight: deque = deque()
    try:
        while True:
            while len(in_flight) < workers * AHEAD_PER_WORKER:
                chunk = list(islice(source, CHUNK))
                if not chunk:
                    break
                fields = [r.__dict__ for r in chunk if isinstance(r, Requisition)]
                in_flight.append((chunk, pool.submit(_classify_chunk, keep, fields) if fields else None))
            if not in_flight:
                return
            chunk, task = in_flight.popleft()
            outcomes = iter(task.result() if task else ())
            for requisition in chunk:
                yield next(outcomes) if isinstance(requisition, Requisition) else requisition
    except BrokenProcessPool:
        raise RuntimeError("a worker process classifying requisitions stopped unexpectedly; "
                           "run again with --workers 0 to classify in this process") from None
    finally:
        pool.shutdown(cancel_futures=True)
