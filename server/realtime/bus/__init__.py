"""The Bus: how a show's events, history, presence and counters cross processes and nodes.

One contract (`Bus`), two backends picked by URL scheme: `memory://` (one process) and `redis://`.
Both are checked by the same contract test suite (tests/bus/test_contract.py).
"""

from __future__ import annotations

import secrets
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from server.realtime.bus.subscription import Subscription
from server.realtime.events import Event

__all__ = ["Bus", "History", "Position", "Tick", "create_bus"]


@dataclass(frozen=True, slots=True)
class Position:
    """Where a show's stream stands: its latest seq, and the epoch that seq belongs to."""

    seq: int
    epoch: str


@dataclass(frozen=True, slots=True)
class History:
    """The frames after a seq; `complete` is False when the bus no longer holds all of them."""

    frames: list[bytes]
    complete: bool


@dataclass(frozen=True, slots=True)
class Tick:
    """What the node that leads this tick window publishes for a show."""

    viewers: int
    viewers_changed: bool
    reactions: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # the show's reactions so far, over every node


class Bus(Protocol):
    node_id: str

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> bool: ...

    async def publish(self, show_id: str, event: Event, *more: Event) -> int:
        """Stamp the event with the show's next seq and the time, keep it in history, send it to
        every subscriber on every node, in seq order. Returns the seq. Events given together get
        consecutive seqs in one step (the last one is returned) and reach each node together, so its
        hub can write them to a socket at once."""
        ...

    async def publish_paced(self, show_id: str, key: str, gap_ms: int, event: Event, *more: Event) -> int | None:
        """`publish`, unless the show's last publication under `key` (by any node) is less than `gap_ms` old by
        the clock that stamps `ts`: then nothing is published and None is returned. So the frames published
        under one key are at least `gap_ms` apart in their `ts` (a paced figure's cap, over every node)."""
        ...

    def subscribe(self, show_id: str) -> AbstractAsyncContextManager[Subscription]:
        """Frames of the show as they are published. The subscription is live when the context is
        entered and is always released when it is left."""
        ...

    async def position(self, show_id: str) -> Position: ...

    async def history(self, show_id: str, *, after: int, limit: int = 1000) -> History: ...

    async def tick(self, show_id: str, *, viewers: int, reactions: dict[str, int],
                   seen: list[str] | None = None) -> Tick | None:
        """Report this node's viewers, the reactions counted and the viewer ids that joined since the last
        tick. The first node to tick in a window (TICK_MS) gets the totals to publish; the others get None."""
        ...

    async def reaction_totals(self, show_id: str) -> dict[str, int]:
        """The show's reactions so far, by kind, over every node (what the ticks reported)."""
        ...

    async def viewers(self, show_id: str) -> int: ...

    async def audience(self, show_id: str) -> int:
        """Distinct viewers the show has had (an estimate within 1% with Redis's HyperLogLog)."""
        ...

    async def hit(self, key: str, *, window_s: int) -> int:
        """Count one hit on `key` in a fixed window; returns the count so far (rate limits)."""
        ...

    async def count(self, key: str) -> int:
        """The hits on `key` in its current window, without adding one."""
        ...

    async def forget(self, key: str) -> None: ...


def new_node_id() -> str:
    return "node-" + secrets.token_hex(4)


def create_bus(url: str | None, *, history_size: int = 1000, tick_ms: int = 250, timeout_s: float | None = None) -> Bus:
    """`None` or `memory://` -> in-process; `redis://…` -> Redis, imported only when used."""
    if not url or url.startswith("memory://"):
        from server.realtime.bus.memory import MemoryBus

        return MemoryBus(history_size=history_size, tick_ms=tick_ms)
    from server.realtime.bus.redis import RedisBus

    return RedisBus(url, history_size=history_size, tick_ms=tick_ms, timeout_s=timeout_s)
