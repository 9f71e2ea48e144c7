"""The WebSocket protocol `vitrine serve` runs under uvicorn: uvicorn's own (websockets, sans I/O) with a
`vitrine.wire` ASGI extension that lets the show channel skip ASGI on its two hot paths.

- Out: a broadcast frame is framed once (connection.Frame.wire) and the same bytes are written straight to
  every socket's transport, with no `websocket.send` message, no task and no await per socket.
- In: the channel may register a `lane`, called with each whole text frame as it arrives; when it takes
  the frame (a reaction), the frame never becomes an ASGI `websocket.receive` message. The frames phones
  send (final, masked, uncompressed, small) are cut and unmasked here, with websockets' `apply_mask`:
  websockets' own parser, a generator stepped per frame, was half a worker's time at 15,000 reactions a
  second. Every frame the lane does not take is handed whole to websockets, in order; anything unusual
  (a fragment, an unmasked or oversized frame, reserved bits, data before the handshake was answered)
  turns the fast path off for that socket and websockets parses the rest, closing with 1002 or 1009.

- Keepalive: the pings go out from the worker's one keepalive timer (server/keepalive.py), not from two
  timers per socket per ping, and their pongs are cut here too; the interval and the timeout are
  uvicorn's settings, and a late pong closes the socket with 1011, as uvicorn does.

Everything else (handshake, accept, receive, close, the peer's pings) is uvicorn's. Under another ASGI
server the extension is absent and the channel uses connection.AsgiSink instead.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame as WsFrame
from websockets.frames import apply_mask
from websockets.http11 import Request
from websockets.protocol import State

from server.realtime.connection import Item
from server.realtime.keepalive import Keepalive, step_for

EXTENSION = "vitrine.wire"
Lane = Callable[[bytes], bool]

log = logging.getLogger("vitrine.wire")


class WireSink:
    """The connection.Sink that writes to the socket's transport."""

    __slots__ = ("_protocol", "_transport", "lane")

    def __init__(self, protocol: WireProtocol) -> None:
        self._protocol = protocol
        self._transport = protocol.transport
        self.lane: Lane | None = None

    def send(self, item: Item, limit: int) -> bool | None:
        protocol, transport = self._protocol, self._transport
        if protocol.close_sent or protocol.disconnected or transport.is_closing():
            return False
        if transport.get_write_buffer_size() > limit:
            return None
        transport.write(item.wire)
        return True

    def close(self, code: int, reason: str) -> None:
        self._protocol.close_now(code, reason)

    async def stop(self) -> None:
        self.lane = None


class WireProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol plus the `vitrine.wire` extension."""

    sink: WireSink

    def handle_connect(self, event: Request) -> None:
        self.sink = WireSink(self)
        super().handle_connect(event)
        scope: dict[str, Any] | None = getattr(self, "scope", None)  # absent when the handshake was refused
        if scope is not None:
            # the ASGI task is created but has not run yet: it sees the extension from its first step
            scope["extensions"][EXTENSION] = {"sink": self.sink}

    _fast = True  # cut frames here (see the module's docstring); False for good once anything is unusual
    _head: bytes | None = b""  # the handshake request as it arrives, until it is whole
    _partial = b""  # the start of a frame not whole yet

    def data_received(self, data: bytes) -> None:
        if not self._fast or self.close_sent:
            super().data_received(data)
        elif not self.handshake_complete:
            self._watch_handshake(data)
            super().data_received(data)
        else:
            self._cut(self._partial + data if self._partial else data)

    def _watch_handshake(self, data: bytes) -> None:
        """A client sends nothing after its request until it has the answer: if it does, let websockets
        parse everything, as the fast path could start in the middle of a frame."""
        if self._head is None:
            self._fast = False
            return
        head = self._head + data
        end = head.find(b"\r\n\r\n")
        if end >= 0:
            self._fast = end + 4 == len(head)
            self._head = None
        elif len(head) > 65_536:
            self._fast = False
        else:
            self._head = head

    def _cut(self, buf: bytes) -> None:
        pos, end = 0, len(buf)
        limit = self.config.ws_max_size
        while end - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length, head = b1 & 0x7F, 2
            if length == 126:
                if end - pos < 4:
                    break  # the extended length has not arrived yet
                length, head = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif length == 127:
                length = limit + 1  # a 64-bit length: past any limit this path serves
            if length > limit or not b0 & 0x80 or b0 & 0x70 or not b1 & 0x80:
                # a 64-bit length, too big, a fragment, reserved bits, or unmasked: websockets from here on
                self._fast = False
                self._partial = b""
                super().data_received(buf[pos:])
                return
            size = head + 4 + length
            if end - pos < size:
                break
            if b0 == 0x8A and head == 2:  # a pong (at most 125 bytes), most likely to our keepalive ping
                self._pong(apply_mask(buf[pos + head + 4:pos + size], buf[pos + head:pos + head + 4]))
                pos += size
                continue
            lane = self.sink.lane
            if b0 == 0x81 and lane is not None and not self.close_sent:  # a whole text frame
                payload = apply_mask(buf[pos + head + 4:pos + size], buf[pos + head:pos + head + 4])
                if self._offer(lane, payload):
                    pos += size
                    continue
            super().data_received(buf[pos:pos + size])
            pos += size
        self._partial = buf[pos:]

    @staticmethod
    def _offer(lane: Lane, payload: bytes) -> bool:
        try:
            return lane(payload)
        except Exception:  # the lane is the app's code: a bug there must not break the socket
            log.exception("ws lane failed")
            return False

    def handle_text(self, event: WsFrame) -> None:
        lane = self.sink.lane
        # in fast mode a text frame that reaches here was offered already (or came before the lane)
        if lane is not None and not self._fast and event.fin and not self.close_sent:
            data = event.data
            if self._offer(lane, data if isinstance(data, bytes) else bytes(data)):
                return
        super().handle_text(event)

    # --- keepalive: the worker's one timer (server/keepalive.py) instead of uvicorn's two per socket per ping

    _keepalive: Keepalive | None = None

    def start_keepalive(self) -> None:
        interval = self.ping_interval
        if interval is not None and interval > 0:  # None or 0: no pings, as uvicorn does
            self._keepalive = Keepalive.of(self.loop, step_for(interval))
            self._keepalive.watch(self, self.loop.time() + interval)

    def stop_keepalive(self) -> None:
        if self._keepalive is not None:
            self._keepalive.forget(self)
            self._keepalive = None
        self.pending_ping_payload = None

    def keepalive_due(self, now: float) -> float | None:
        """This socket's turn: close it if the pong to its last ping is late (1011, as uvicorn does), else
        ping it; returns when to come back."""
        interval = self.ping_interval
        if not interval or self.close_sent or self.transport.is_closing() or self.conn.state is not State.OPEN:
            return None
        if self.pending_ping_payload is not None and self.ping_timeout is not None:
            self.keepalive_timeout()
            return None
        payload = random.randbytes(4)  # tells our pong from a stale or unsolicited one
        self.pending_ping_payload, self.ping_sent_at = payload, self.loop.time()  # `now` is the step's
        self.transport.write(b"\x89\x04" + payload)  # the frame websockets' send_ping makes: FIN, PING, 4 bytes
        return now + (interval if self.ping_timeout is None else self.ping_timeout)

    def handle_pong(self, event: WsFrame) -> None:
        self._pong(bytes(event.data))

    def _pong(self, payload: bytes) -> None:
        if self.pending_ping_payload is None or payload != self.pending_ping_payload:
            return  # unsolicited, or for a ping before the last one
        self.last_ping_rtt = self.loop.time() - self.ping_sent_at
        self.pending_ping_payload = None
        if self._keepalive is not None and self.ping_interval is not None and not self.close_sent:
            self._keepalive.watch(self, self.ping_sent_at + self.ping_interval)

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept":
            # the handshake is done: its request and response are not needed while the socket lives
            self.request = self.response = None  # type: ignore[assignment]

    def close_now(self, code: int, reason: str) -> None:
        """Close from the app without awaiting the transport (ASGI `websocket.close` waits until the
        socket drains, which a stalled phone never does): the close frame goes after what is buffered,
        the app gets its disconnect, and the transport is dropped if the peer never answers."""
        if self.close_sent or self.disconnected or self.transport.is_closing():
            return
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        self.conn.send_close(code, reason)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()
        self.close_timer = self.loop.call_later(self.close_timeout, self.transport.close)


def sink_of(scope: Mapping[str, Any]) -> WireSink | None:
    extension = scope.get("extensions", {}).get(EXTENSION)
    return extension["sink"] if extension else None
