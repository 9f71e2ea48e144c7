"""server/infra/metrics.py: what the exposition carries beyond what a request or a socket bumps."""

from __future__ import annotations

import gc

from server.infra import metrics
from tests.support.metrics import pauses


def test_every_collection_is_observed_by_generation_until_unwatched() -> None:
    before = pauses("2"), pauses("0")
    unwatch = metrics.watch_gc()
    try:
        gc.collect()
        gc.collect(0)
    finally:
        unwatch()
    assert (pauses("2"), pauses("0")) == (before[0] + 1, before[1] + 1)
    gc.collect()
    assert pauses("2") == before[0] + 1
