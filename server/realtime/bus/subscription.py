"""A subscriber's bounded inbox of frames, shared by the bus backends."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator

_CLOSED = b""
# Put in a subscription when the bus had lost it for a while and has it back (Redis restarted, a network
# cut): what was published meanwhile never came, and no later frame may come to show the gap. The consumer
# compares its position with the bus's (the hub: a new epoch is a restart, a higher seq a gap to fill).
RESYNC = b"\x00resync"


class Subscription(AsyncIterator[bytes]):
    """Frames arrive with `put` (never blocks), leave with `async for`. When the inbox overflows, the
    oldest frames are dropped; the consumer sees a gap in seq and fills it from history."""

    def __init__(self, maxlen: int = 10_000) -> None:
        self._frames: deque[bytes] = deque(maxlen=maxlen)
        self._ready = asyncio.Event()
        self._closed = False

    def put(self, frame: bytes) -> None:
        if not self._closed:
            self._frames.append(frame)
            self._ready.set()

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    def drain(self, limit: int) -> list[bytes]:
        """Up to `limit` of the frames already here, without waiting: what arrived together leaves together."""
        queued = self._frames
        if len(queued) <= limit:
            frames = list(queued)
            queued.clear()
            return frames
        return [queued.popleft() for _ in range(max(limit, 0))]

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> bytes:
        while not self._frames:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._frames.popleft()
