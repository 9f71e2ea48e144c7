"""The events of a show's life: it starts, it ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from server.realtime.events import Event


@dataclass(frozen=True, slots=True)
class ShowStarted(Event):
    type: ClassVar[str] = "show.started"
    show_id: str
    started_at: str | None


@dataclass(frozen=True, slots=True)
class ShowEnded(Event):
    type: ClassVar[str] = "show.ended"
    show_id: str
    ended_at: str | None
