"""The one way an event is published: stamped and carried by the bus, counted by type."""

from __future__ import annotations

from server.infra import metrics
from server.realtime.bus import Bus
from server.realtime.events import Event


class Publisher:
    def __init__(self, *, bus: Bus) -> None:
        self.bus = bus

    async def publish(self, show_id: str, event: Event, *more: Event) -> int:
        """Events given together get consecutive seqs and reach every node together; returns the last seq."""
        seq = await self.bus.publish(show_id, event, *more)
        for each in (event, *more):
            metrics.EVENTS_PUBLISHED.labels(each.type).inc()
        return seq

    async def publish_paced(self, show_id: str, key: str, gap_ms: int, event: Event, *more: Event) -> int | None:
        """As `publish`, at most once per `gap_ms` per key and show over every node (None: too soon, not sent)."""
        seq = await self.bus.publish_paced(show_id, key, gap_ms, event, *more)
        if seq is not None:
            for each in (event, *more):
                metrics.EVENTS_PUBLISHED.labels(each.type).inc()
        return seq
