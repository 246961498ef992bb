"""Run per-document work on every core, in order, with a bounded number of documents in flight.

Like datatrove's executors, the same step runs in-process (``jobs=1``) or in worker processes;
results come back in input order, so the output is byte-identical whatever ``jobs`` is. At most
``jobs * WINDOW`` chunks are in flight, so memory stays bounded by a batch, not by the corpus.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
# Items per chunk: large enough that per-chunk costs (pickling, Arrow conversion, IPC) fade,
# small enough that a small corpus still keeps every core busy (see chunk_size).
CHUNK = 256
MIN_CHUNK = 8
WINDOW = 4
# Collection thresholds while a pool runs, in the workers and the main process: seeds make
# many short-lived containers that reference counting frees, so collecting less often costs
# little memory and about 3% fewer instructions.
GC_THRESHOLDS = (20_000, 20, 20)

_state: dict[str, Any] = {}


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunk_size(n: int, jobs: int, largest: int = CHUNK) -> int:
    """Items per chunk for ``n`` items on ``jobs`` cores: ``largest``, or less when that would
    leave fewer than ``WINDOW`` chunks per core."""
    return max(MIN_CHUNK, min(largest, -(-n // (max(jobs, 1) * WINDOW))))


def _init(context: Any, setup: Callable[[], None] | None) -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    if setup is not None:
        setup()
    _state["context"] = context


def _run_whole(fn: Callable[[Any, list[T]], R], chunk: list[T]) -> R:
    return fn(_state["context"], chunk)


def ordered_chunks(
    fn: Callable[[Any, list[T]], R],
    context: Any,
    items: Iterable[T],
    jobs: int,
    size: int,
    setup: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``fn(context, chunk)`` for each run of ``size`` items, in order.

    Chunks run in-process when ``jobs`` is 1. Callers pick ``size`` (see ``chunk_size``)
    and must not let their output depend on where chunks begin: the build re-slices the
    chunks' Arrow tables into row groups of a fixed size. ``setup`` runs once in each worker
    process, before its first chunk (never in this process).
    """
    iterator = iter(items)
    if jobs <= 1:
        while chunk := list(itertools.islice(iterator, size)):
            yield fn(context, chunk)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    # What the workers inherit by fork is frozen out of garbage collection: their collections
    # would otherwise walk (and so copy, page by page) the whole inherited heap.
    gc.freeze()
    # The main process only gathers the answers meanwhile; its collections would take CPU
    # from the workers.
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield from _pooled(fn, context, iterator, jobs, size, method, setup)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _pooled(
    fn: Callable[[Any, list[T]], R],
    context: Any,
    iterator: Iterator[T],
    jobs: int,
    size: int,
    method: str,
    setup: Callable[[], None] | None,
) -> Iterator[R]:
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_init,
        initargs=(context, setup),
    ) as pool:
        pending: deque[Future[R]] = deque()

        def submit() -> bool:
            chunk = list(itertools.islice(iterator, size))
            if chunk:
                pending.append(pool.submit(_run_whole, fn, chunk))
            return bool(chunk)

        while len(pending) < jobs * WINDOW and submit():
            pass
        while pending:
            result = pending.popleft().result()
            submit()
            yield result
