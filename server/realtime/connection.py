"""One socket's outgoing side, and the frames it sends.

The hub never awaits a socket: it hands each `Frame` (or `Run` of frames that came together) to every
Connection, which sends it at once to its `Sink` in one write and closes with 4008 a socket whose unsent
bytes pass its limit, so a slow phone cannot slow the show for the others. A Frame is encoded once for
every socket (its JSON bytes, and its WebSocket framing for the wire sink), never per socket; a live
socket's path is one check and one call into its sink.

Two sinks:
- the wire sink (server/web/wire.py, under `vitrine serve`): the framed bytes go straight to the socket's
  transport; the kernel's and the transport's buffers are the queue;
- `AsgiSink`, for any other ASGI server: a queue drained with `websocket.send` by one writer task.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode

SLOW_CONSUMER = 4008


class Frame:
    """A frame for sockets: `seq` (0 for a reply to one client) and its JSON bytes, framed for the wire once
    when it is made (`wire`: the same bytes go to every socket), with the text made on first use (AsgiSink)."""

    __slots__ = ("_text", "data", "first", "paced", "seq", "wire")

    def __init__(self, seq: int, data: bytes) -> None:
        self.seq = self.first = seq  # `first` and `frames` as a Run has them
        self.data = data
        self.paced = False  # a tick's figure (the hub sets it from the event's traits)
        self._text: str | None = None
        # the whole WebSocket text frame as a server sends it (final, unmasked, uncompressed)
        self.wire = WsFrame(Opcode.TEXT, data).serialize(mask=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.data.decode()
        return self._text

    @property
    def frames(self) -> tuple[Frame]:
        """As a Run's: a frame is a run of one."""
        return (self,)


class Run:
    """Broadcast frames that reached this process together, in seq order (a tick's reactions, viewers,
    stock and sales): each socket gets them in one write, with their framing joined once for all."""

    __slots__ = ("first", "frames", "seq", "wire")

    def __init__(self, frames: list[Frame]) -> None:
        self.frames = frames
        self.first = frames[0].seq
        self.seq = frames[-1].seq
        self.wire = b"".join(frame.wire for frame in frames)


Item = Frame | Run  # what a socket is offered: one frame, or a run of them in one write


class Sink(Protocol):
    def send(self, item: Item, limit: int) -> bool | None:
        """Send the frames now or queue them, in order: True. Nothing sent: False when the socket is already
        going away, None when more than `limit` bytes written before are still unsent."""

    def close(self, code: int, reason: str) -> None:
        """Close the socket with `code` after what was written before."""

    async def stop(self) -> None:
        """The socket is gone: release what the sink holds."""


Send = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]


class AsgiSink:
    """For any ASGI server: a queue that one writer task drains with `websocket.send`."""

    def __init__(self, *, send: Send, close: Close) -> None:
        self._send = send
        self._close = close
        self._queue: deque[Frame] = deque()
        self._bytes = 0
        self._ready = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._closing = False

    def send(self, item: Item, limit: int) -> bool | None:
        if self._closing:
            return False
        if self._bytes > limit:
            return None
        for frame in item.frames:
            self._queue.append(frame)
            self._bytes += len(frame.data)
        self._ready.set()
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name="vitrine-ws-writer")
        return True

    async def _write(self) -> None:
        queue = self._queue
        try:
            while not self._closing:
                if not queue:
                    self._ready.clear()
                    await self._ready.wait()
                    continue
                frame = queue.popleft()
                self._bytes -= len(frame.data)
                await self._send(frame.text)
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket went away: the reader side sees the disconnect and cleans up
            self._closing = True

    def close(self, code: int, reason: str) -> None:
        if self._closing:
            return
        self._closing = True
        # what was queued before goes out first (an error frame that says why), as on the wire sink; a slow
        # consumer's backlog does not
        last = [] if code == SLOW_CONSUMER else list(self._queue)
        self._queue.clear()
        asyncio.get_running_loop().create_task(self._shutdown(code, reason, last))

    async def _shutdown(self, code: int, reason: str, last: list[Frame]) -> None:
        if self._writer is not None and self._writer is not asyncio.current_task():
            self._writer.cancel()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                for frame in last:
                    await self._send(frame.text)
                await self._close(code, reason)

    async def stop(self) -> None:
        self._closing = True
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer


class Connection:
    """Orders what one socket gets: the snapshot and replay first, then live frames with no seq twice;
    holds live frames while the snapshot is being made (at most `maxlen`), and applies the slow-consumer
    rule (more than `max_backlog` unsent bytes: closed with 4008)."""

    __slots__ = ("_held", "_live", "_sink", "close_code", "closed", "last_seq", "max_backlog", "maxlen")

    def __init__(self, *, sink: Sink, maxlen: int, max_backlog: int) -> None:
        self._sink = sink
        self._held: deque[Frame] | None = deque()  # None once started
        self._live = False  # started and not closed: the fan-out's path
        self.maxlen = maxlen
        self.max_backlog = max_backlog
        self.last_seq = 0
        self.closed = False
        self.close_code: int | None = None

    def offer(self, item: Item) -> bool:
        """Send broadcast frames (a Frame, or a Run that came together): in one write when the socket is live
        and has none of them yet; False when the socket is gone or was just closed for being too slow."""
        if self._live and item.first > self.last_seq:  # the fan-out's path, once per socket per broadcast
            self.last_seq = item.seq
            sent = self._sink.send(item, self.max_backlog)
            return sent or self._unsent(sent)
        if self.closed:
            return False
        held = self._held
        if held is None:
            return all(self._put(frame) for frame in item.frames)  # partly sent by a replay, or a reply
        for frame in item.frames:
            if len(held) >= self.maxlen:
                self.kill(SLOW_CONSUMER, "too slow: send queue full")
                return False
            held.append(frame)
        return True

    def _put(self, frame: Frame) -> bool:
        seq = frame.seq
        if seq:
            if seq <= self.last_seq:
                return True
            self.last_seq = seq
        sent = self._sink.send(frame, self.max_backlog)
        return sent or self._unsent(sent)

    def _unsent(self, sent: bool | None) -> bool:
        if sent is None:
            self.kill(SLOW_CONSUMER, "too slow: send queue full")
        else:
            self.closed, self._live = True, False
        return False

    def reply(self, data: bytes) -> None:
        """A frame for this client alone (no seq), in order with the rest."""
        self.offer(Frame(0, data))

    def start(self, *, first: Iterable[Frame], after: int) -> None:
        """Send the snapshot and any replay, then the live frames held meanwhile, then go live.
        Frames at or below `after`, or already replayed, are skipped."""
        if self.closed:
            return
        held, self._held = self._held or deque(), None
        self.last_seq = after
        for frame in (*first, *held):
            if not self._put(frame):
                return
        self._live = True

    def kill(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed, self._live = True, False
        self.close_code = code
        self._held = None
        self._sink.close(code, reason)

    async def stop(self) -> None:
        """The socket is gone."""
        self.closed, self._live = True, False
        await self._sink.stop()
