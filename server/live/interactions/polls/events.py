"""A poll's events: it starts, its tally moves (paced), it ends with the final tally."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.realtime.events import Event


@dataclass(frozen=True, slots=True)
class PollStarted(Event):
    type: ClassVar[str] = "poll.started"
    poll: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PollResults(Event):
    type: ClassVar[str] = "poll.results"
    paced: ClassVar[bool] = True
    keeps_snapshot: ClassVar[bool] = True  # a joining socket gets the snapshot's tally, then this one
    poll_id: str
    votes: dict[str, int]
    total: int


@dataclass(frozen=True, slots=True)
class PollEnded(Event):
    type: ClassVar[str] = "poll.ended"
    poll: dict[str, Any]
