"""The WebSocket protocol `vitrine serve` runs under uvicorn: uvicorn's own (websockets, sans I/O) with a
`vitrine.wire` ASGI extension that lets the show channel skip ASGI on its two hot paths.

- Out: a broadcast frame is framed once (connection.Frame.wire) and the same bytes are written straight to
  every socket's transport, with no `websocket.send` message, no task and no await per socket.
- In: the channel may register a `lane`, called with each whole text frame as it is parsed; when it takes
  the frame (a reaction), the frame never becomes an ASGI `websocket.receive` message.

Everything else (handshake, accept, receive, close, pings) is uvicorn's. Under another ASGI server the
extension is absent and the channel uses connection.AsgiSink instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame as WsFrame
from websockets.http11 import Request

from server.connection import Frame

EXTENSION = "vitrine.wire"
Lane = Callable[[bytes], bool]

log = logging.getLogger("vitrine.wire")


class WireSink:
    """The connection.Sink that writes to the socket's transport."""

    __slots__ = ("_protocol", "lane")

    def __init__(self, protocol: WireProtocol) -> None:
        self._protocol = protocol
        self.lane: Lane | None = None

    def write(self, frame: Frame) -> bool:
        protocol = self._protocol
        if protocol.close_sent or protocol.disconnected or protocol.transport.is_closing():
            return False
        protocol.transport.write(frame.wire)
        return True

    def backlog(self) -> int:
        return self._protocol.transport.get_write_buffer_size()

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

    def handle_text(self, event: WsFrame) -> None:
        lane = self.sink.lane
        if lane is not None and event.fin and not self.close_sent:
            data = event.data
            try:
                if lane(data if isinstance(data, bytes) else bytes(data)):
                    return
            except Exception:  # the lane is the app's code: a bug there must not break the socket
                log.exception("ws lane failed")
        super().handle_text(event)

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
