"""What the metrics have observed so far, read off the registry."""

from __future__ import annotations

from server.infra import metrics


def pauses(generation: str) -> float:
    """Collections of `generation` GC_PAUSE has observed so far."""
    for family in metrics.GC_PAUSE.collect():
        for sample in family.samples:
            if sample.name.endswith("_count") and sample.labels.get("generation") == generation:
                return sample.value
    return 0.0
