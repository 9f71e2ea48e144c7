"""One viewer's WebSocket: the `websockets` library's own client protocol (`websockets.client.ClientProtocol`,
its sans-I/O core, with no extensions: compression off) driven by a plain `asyncio.Protocol`, without the
library's asyncio wrapper.

The wrapper costs a Future, a queue and a task wake-up per received frame per socket; here a frame is handled
synchronously in `data_received`: the bytes go into the protocol, each complete message goes to the owner's
`on_frame(n, payload)` (a `bytes` or `bytearray`), and whatever the protocol has to send back (pongs, the
echo of a close frame, our masked REACT frames) is written to the transport at once.

The socket reports to its owner: `on_frame` for every message once the first one (the snapshot) has arrived,
and `on_closed(n, outcome)` when the TCP connection is gone: the close code the server sent, "1006" when it
went without a close frame, or the name of the exception that broke the frame handling.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from websockets.client import ClientProtocol
from websockets.exceptions import InvalidState, ProtocolError
from websockets.frames import Frame, Opcode
from websockets.protocol import Event, State
from websockets.typing import BytesLike
from websockets.uri import WebSocketURI

MAX_SIZE = 2**22
CLOSE_TIMEOUT_S = 1.0  # after the closing handshake, how long the server has to close TCP before we abort
SEND_BUFFER_MAX = 64 * 1024  # a REACT is not queued behind this much unsent data: the server is not reading

_TEXT, _BINARY, _CONT = Opcode.TEXT, Opcode.BINARY, Opcode.CONT
_CLOSED = State.CLOSED

FrameSink = Callable[[int, Any], None]  # on_frame(n, payload: bytes | bytearray)
CloseSink = Callable[[int, str], None]  # on_closed(n, outcome)


class ViewerSocket(asyncio.Protocol):
    def __init__(self, n: int, uri: WebSocketURI, on_frame: FrameSink, on_closed: CloseSink) -> None:
        self.n = n
        self.uri = uri
        self.ws = ClientProtocol(uri, max_size=MAX_SIZE)  # extensions=None: no permessage-deflate offered
        self.on_frame = on_frame
        self.on_closed = on_closed
        loop = asyncio.get_running_loop()
        self.loop = loop
        # results, not exceptions: nobody may be waiting any more when they are set (a connect deadline)
        self.handshake: asyncio.Future[BaseException | None] = loop.create_future()
        self.first: asyncio.Future[BaseException | None] = loop.create_future()
        self.first_message: bytes | None = None  # kept until `snapshot()` hands it over
        self.live = False  # the first message (the snapshot) arrived
        self.closed = False
        self.outcome = ""  # once closed: see the module docstring
        self.failure: str | None = None
        self.transport: asyncio.Transport | None = None
        self.fragments: list[BytesLike] | None = None
        self.close_timer: asyncio.TimerHandle | None = None

    # --- the opening, awaited by whoever holds the connect gate ---------------------------------------

    async def open(self) -> None:
        """TCP connect and the opening handshake; raises what the `websockets` client would."""
        await self.loop.create_connection(lambda: self, self.uri.host, self.uri.port,
                                          ssl=True if self.uri.secure else None)
        exc = await self.handshake
        if exc is not None:
            raise exc

    async def snapshot(self) -> bytes:
        """The first message, the one that makes the viewer live."""
        exc = await self.first
        if exc is not None:
            raise exc
        message, self.first_message = self.first_message or b"", None
        return message

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    # --- asyncio.Protocol -----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's TCPTransport does not subclass it
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        ws = self.ws
        ws.receive_data(data)
        try:
            if self.live:  # the hot path: one complete text frame, most of the time
                on_frame, n = self.on_frame, self.n
                for event in ws.events_received():
                    if isinstance(event, Frame):
                        opcode = event.opcode
                        if event.fin and (opcode is _TEXT or opcode is _BINARY):
                            on_frame(n, event.data)
                        elif opcode is _TEXT or opcode is _BINARY or opcode is _CONT:
                            self._fragment(event)
                        # ping: the protocol queued the pong; pong: nothing; close: it queued the echo
            else:
                self._opening(ws.events_received())
        except Exception as exc:
            self.failure = type(exc).__name__
            self.abort()
            return
        writes = ws.data_to_send()
        if writes:
            self._write(writes)

    def eof_received(self) -> bool | None:
        return None  # the transport closes, and connection_lost tells the protocol

    def connection_lost(self, exc: Exception | None) -> None:
        ws = self.ws
        self.closed = True
        if self.close_timer is not None:
            self.close_timer.cancel()
        ws.receive_eof()
        ws.data_to_send()  # an EOF to "send" on a socket that is gone
        if not self.handshake.done():
            self.handshake.set_result(ws.handshake_exc or exc or ConnectionResetError("closed during the handshake"))
        if not self.first.done():
            self.first.set_result(ws.close_exc if ws.state is _CLOSED else ConnectionResetError("closed"))
        self.outcome = self.failure or str(ws.close_code)
        self.on_closed(self.n, self.outcome)

    # --- sending --------------------------------------------------------------------------------------

    def send_text(self, data: bytes) -> bool:
        """One text frame (masked, as a client must); False when the socket cannot take it now."""
        transport = self.transport
        if transport is None or transport.is_closing() or transport.get_write_buffer_size() > SEND_BUFFER_MAX:
            return False
        try:
            self.ws.send_text(data)
        except (InvalidState, ProtocolError):
            return False
        self._write(self.ws.data_to_send())
        return True

    # --- the rare paths -------------------------------------------------------------------------------

    def _opening(self, events: list[Event]) -> None:
        """Events before the first message: the handshake response, then the snapshot."""
        for event in events:
            if not isinstance(event, Frame):  # the handshake response
                self._handshake_done()
                continue
            opcode = event.opcode
            if event.fin and (opcode is _TEXT or opcode is _BINARY):
                if self.live:
                    self.on_frame(self.n, event.data)
                else:
                    self._first(event.data)
            elif opcode is _TEXT or opcode is _BINARY or opcode is _CONT:
                self._fragment(event)
        if not self.handshake.done() and self.ws.handshake_exc is not None:  # a response that did not parse
            self._handshake_done()

    def _handshake_done(self) -> None:
        if not self.handshake.done():
            self.handshake.set_result(self.ws.handshake_exc)

    def _first(self, data: BytesLike) -> None:
        self.live = True
        if not self.first.done():
            self.first_message = bytes(data)
            self.first.set_result(None)

    def _fragment(self, frame: Frame) -> None:
        if frame.opcode is not _CONT:
            self.fragments = [frame.data]
            return
        if self.fragments is None:
            return  # the protocol has already failed the connection for it
        self.fragments.append(frame.data)
        if frame.fin:
            message, self.fragments = b"".join(self.fragments), None
            if self.live:
                self.on_frame(self.n, message)
            else:
                self._first(message)

    def _flush(self) -> None:
        writes = self.ws.data_to_send()
        if writes:
            self._write(writes)

    def _write(self, writes: list[bytes]) -> None:
        transport = self.transport
        if transport is None:
            return
        for data in writes:
            if data:
                transport.write(data)
            else:  # the protocol's end of stream: a failed handshake, or after the server's own EOF
                transport.close()
        if self.close_timer is None and self.ws.close_expected():
            self.close_timer = self.loop.call_later(CLOSE_TIMEOUT_S, transport.abort)
