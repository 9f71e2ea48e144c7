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
