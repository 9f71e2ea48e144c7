"""server/infra/collection.py: garbage collection tuned while an app runs, and put back after."""

from __future__ import annotations

import gc

from server.infra import collection
from tests.support.metrics import pauses


def test_nested_apps_keep_the_first_tuning_and_the_last_one_out_restores() -> None:
    before, counted = gc.get_threshold(), pauses("2")
    with collection.tuned((20_000, 5, 5)):
        frozen = gc.get_freeze_count()
        assert gc.get_threshold() == (20_000, 5, 5) and frozen > 1_000
        with collection.tuned((1, 1, 1)):
            assert gc.get_threshold() == (20_000, 5, 5)
            gc.collect()
        # still frozen (not unfrozen by the inner app): a frozen object may be freed meanwhile, so not `>= frozen`
        assert gc.get_threshold() == (20_000, 5, 5) and gc.get_freeze_count() > 1_000
        assert pauses("2") == counted + 1  # observed once, however many apps run
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    gc.collect()
    assert pauses("2") == counted + 1  # no longer observed
