"""Garbage collection in a worker: what startup made is frozen out of every collection, collections come
less often than CPython's default (GC_THRESHOLDS), and each one is observed (metrics.GC_PAUSE).

While 10,000 viewers join two workers, CPython's default thresholds (700, 10, 10) cost 14 full
collections of up to a second each, every one walking the 110,000 objects of startup again; frozen, with
10000, 10, 10, none (docs/benchmarks.md, 0.6.2).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from server.infra import metrics

_users = 0  # apps running in this process (tests run several): the first tunes, the last restores
_restore: Callable[[], None] | None = None


@contextmanager
def tuned(thresholds: tuple[int, int, int]) -> Iterator[None]:
    """Frozen, `thresholds` applied and collections observed while the block runs; nested blocks (several
    apps in one process) keep what the first applied, and the last to end restores the process."""
    global _users, _restore
    if _users == 0:
        before = gc.get_threshold()
        gc.freeze()  # startup's few cycles of garbage with it: a full collection here costs 100 ms per app
        gc.set_threshold(*thresholds)
        unwatch = metrics.watch_gc()

        def restore() -> None:
            unwatch()
            gc.set_threshold(*before)
            gc.unfreeze()

        _restore = restore
    _users += 1
    try:
        yield
    finally:
        _users -= 1
        if _users == 0 and _restore is not None:
            _restore()
            _restore = None
