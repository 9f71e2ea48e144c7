"""A flash deal's events: it starts (with its countdown's end), it ends (by its time, its pieces, or the host)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.realtime.events import Event


@dataclass(frozen=True, slots=True)
class DealStarted(Event):
    type: ClassVar[str] = "deal.started"
    deal: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DealEnded(Event):
    type: ClassVar[str] = "deal.ended"
    id: str
    product_id: str
    reason: str
    sold: int
