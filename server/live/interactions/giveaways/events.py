"""A giveaway's events: it starts (with its commitment), its count of entries moves (paced), it is drawn (the
seed and the winners' names, never an email); each winner alone gets `giveaway.won` with its claim link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.realtime.events import Event


@dataclass(frozen=True, slots=True)
class GiveawayStarted(Event):
    type: ClassVar[str] = "giveaway.started"
    giveaway: dict[str, Any]


@dataclass(frozen=True, slots=True)
class GiveawayEntries(Event):
    type: ClassVar[str] = "giveaway.entries"
    paced: ClassVar[bool] = True
    keeps_snapshot: ClassVar[bool] = True
    giveaway_id: str
    count: int


@dataclass(frozen=True, slots=True)
class GiveawayDrawn(Event):
    type: ClassVar[str] = "giveaway.drawn"
    giveaway: dict[str, Any]
    winners: list[dict[str, Any]]
