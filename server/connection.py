"""One socket's side of the hub: a bounded send queue drained by its own writer.

The hub only appends to the queue (never awaits a socket), so a slow phone cannot slow the show for
the others: when its queue is full it is closed with 4008.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable

SLOW_CONSUMER = 4008

Send = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]


class Connection:
    __slots__ = (
        "_close",
        "_queue",
        "_ready",
        "_send",
        "_writer",
        "close_code",
        "closed",
        "last_seq",
        "maxlen",
        "meta",
    )

    def __init__(self, *, send: Send, close: Close, maxlen: int, meta: dict[str, object] | None = None) -> None:
        self._send = send
        self._close = close
        self._queue: deque[tuple[int, str]] = deque()
        self._ready = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self.maxlen = maxlen
        self.last_seq = 0
        self.closed = False
        self.close_code: int | None = None
        self.meta = meta or {}

    def offer(self, seq: int, text: str) -> bool:
        """Queue a broadcast frame; False (and the socket closed with 4008) when it cannot keep up."""
        if self.closed:
            return False
        if len(self._queue) >= self.maxlen:
            self.kill(SLOW_CONSUMER, "too slow: send queue full")
            return False
        self._queue.append((seq, text))
        self._ready.set()
        return True

    def reply(self, text: str) -> None:
        """A frame for this client alone (no seq): it always goes, ahead of nothing, in order."""
        self.offer(0, text)

    def start(self, *, first: Iterable[tuple[int, str]], after: int) -> None:
        """Put the snapshot and any replay ahead of the live frames already queued, then start writing.
        Frames at or below `after`, or already replayed, are skipped by the writer."""
        self.last_seq = after
        self._queue.extendleft(reversed(list(first)))
        self._ready.set()
        self._writer = asyncio.create_task(self._write(), name="vitrine-ws-writer")

    async def _write(self) -> None:
        queue = self._queue
        try:
            while not self.closed:
                if not queue:
                    self._ready.clear()
                    await self._ready.wait()
                    continue
                seq, text = queue.popleft()
                if seq:
                    if seq <= self.last_seq:
                        continue
                    self.last_seq = seq
                await self._send(text)
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket went away: the reader side sees the disconnect and cleans up
            self.closed = True

    def kill(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._queue.clear()
        asyncio.get_running_loop().create_task(self._shutdown(code, reason))

    async def _shutdown(self, code: int, reason: str) -> None:
        if self._writer is not None and self._writer is not asyncio.current_task():
            self._writer.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._close(code, reason), timeout=5)

    async def stop(self) -> None:
        """The socket is gone: stop the writer."""
        self.closed = True
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer

    @property
    def queued(self) -> int:
        return len(self._queue)
