"""In-process bus: one worker, no Redis. Same contract as the Redis bus."""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from server.realtime.bus import History, Position, Tick, new_node_id
from server.realtime.bus.subscription import Subscription
from server.realtime.events import Event, broadcast_frame, now_ms


@dataclass
class _Show:
    seq: int = 0
    epoch: str = field(default_factory=lambda: secrets.token_hex(6))
    history: deque[tuple[int, bytes]] = field(default_factory=deque)
    subscribers: set[Subscription] = field(default_factory=set)
    reactions: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    viewers: dict[str, tuple[int, float]] = field(default_factory=dict)
    published_viewers: int = -1
    audience: set[str] = field(default_factory=set)
    tick_until: float = 0.0


class MemoryBus:
    def __init__(self, *, history_size: int = 1000, tick_ms: int = 250) -> None:
        self.node_id = new_node_id()
        self.history_size = history_size
        self.tick_s = tick_ms / 1000
        self._shows: dict[str, _Show] = {}
        self._hits: dict[str, tuple[int, float]] = {}
        self._paced: dict[tuple[str, str], int] = {}  # (show, pace key) -> ts of its last publication

    def _show(self, show_id: str) -> _Show:
        show = self._shows.get(show_id)
        if show is None:
            show = self._shows[show_id] = _Show()
        return show

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        for show in self._shows.values():
            for sub in list(show.subscribers):
                sub.close()

    async def ping(self) -> bool:
        return True

    async def publish(self, show_id: str, event: Event, *more: Event) -> int:
        return self._publish(show_id, now_ms(), (event, *more))

    def _publish(self, show_id: str, ts: int, events: tuple[Event, ...]) -> int:
        show = self._show(show_id)
        for each in events:
            show.seq += 1
            frame = broadcast_frame(each.type, show.seq, ts, each.data_bytes())
            show.history.append((show.seq, frame))
            for sub in show.subscribers:
                sub.put(frame)
        while len(show.history) > self.history_size:
            show.history.popleft()
        return show.seq

    async def publish_paced(self, show_id: str, key: str, gap_ms: int, event: Event, *more: Event) -> int | None:
        now = now_ms()
        last = self._paced.get((show_id, key))
        if last is not None and now - last < gap_ms:
            return None
        if len(self._paced) > 10_000:  # keys long past their gap say nothing any more
            self._paced = {k: ts for k, ts in self._paced.items() if now - ts < gap_ms}
        self._paced[(show_id, key)] = now
        return self._publish(show_id, now, (event, *more))

    @asynccontextmanager
    async def subscribe(self, show_id: str) -> AsyncIterator[Subscription]:
        show = self._show(show_id)
        sub = Subscription()
        show.subscribers.add(sub)
        try:
            yield sub
        finally:
            show.subscribers.discard(sub)
            sub.close()

    async def position(self, show_id: str) -> Position:
        show = self._show(show_id)
        return Position(seq=show.seq, epoch=show.epoch)

    async def history(self, show_id: str, *, after: int, limit: int = 1000) -> History:
        show = self._show(show_id)
        if after > show.seq or after < 0:
            return History(frames=[], complete=False)
        frames = [frame for seq, frame in show.history if seq > after][:limit]
        return History(frames=frames, complete=len(frames) == show.seq - after)

    async def tick(self, show_id: str, *, viewers: int, reactions: dict[str, int],
                   seen: list[str] | None = None) -> Tick | None:
        show = self._show(show_id)
        show.audience.update(seen or ())
        now = time.monotonic()
        show.viewers[self.node_id] = (viewers, now + 5.0)
        for kind, count in reactions.items():
            show.reactions[kind] = show.reactions.get(kind, 0) + count
            show.totals[kind] = show.totals.get(kind, 0) + count
        if now < show.tick_until:
            return None
        show.tick_until = now + self.tick_s * 0.9
        total = self._count(show, now)
        taken, show.reactions = show.reactions, {}
        changed = total != show.published_viewers
        show.published_viewers = total
        return Tick(viewers=total, viewers_changed=changed, reactions=taken, totals=dict(show.totals) if taken else {})

    async def reaction_totals(self, show_id: str) -> dict[str, int]:
        return dict(self._show(show_id).totals)

    def _count(self, show: _Show, now: float) -> int:
        return sum(count for count, until in show.viewers.values() if until > now)

    async def viewers(self, show_id: str) -> int:
        return self._count(self._show(show_id), time.monotonic())

    async def audience(self, show_id: str) -> int:
        return len(self._show(show_id).audience)

    async def hit(self, key: str, *, window_s: int) -> int:
        now = time.monotonic()
        count, until = self._hits.get(key, (0, now + window_s))
        if until <= now:
            count, until = 0, now + window_s
        self._hits[key] = (count + 1, until)
        return count + 1

    async def count(self, key: str) -> int:
        count, until = self._hits.get(key, (0, 0.0))
        return count if until > time.monotonic() else 0

    async def forget(self, key: str) -> None:
        self._hits.pop(key, None)
