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

The two hot paths skip the library's frame code, as Vitrine's server does for the frames phones send
(server/web/wire.py); everything else is websockets':
- In: once the snapshot has arrived and websockets' parser waits at a frame boundary, the frames a server
  sends most (final, unmasked, text or binary, no reserved bits, within MAX_SIZE) are cut here: two to ten
  bytes of header, then the payload goes to `on_frame`. websockets' parser, a generator stepped through per
  frame, was a third of a viewer process's CPU. A ping is answered here with its pong. A frame of any other
  kind (close, a fragment, a masked or oversized frame) and the bytes after it go to websockets, which
  echoes the close and fails the connection on a protocol error, as it always did; the fast path starts
  again only when its parser next waits at a frame boundary with the connection open.
- Out: a REACT is framed here (masked with a fresh key from `os.urandom`, RFC 6455 section 5.3) while the
  protocol is OPEN and no fragmented message is being sent; websockets frames anything else.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any, cast

from websockets.client import ClientProtocol
from websockets.exceptions import InvalidState, ProtocolError
from websockets.frames import Frame, Opcode, apply_mask
from websockets.protocol import Event, State
from websockets.typing import BytesLike
from websockets.uri import WebSocketURI

MAX_SIZE = 2**22
CLOSE_TIMEOUT_S = 1.0  # after the closing handshake, how long the server has to close TCP before we abort
SEND_BUFFER_MAX = 64 * 1024  # a REACT is not queued behind this much unsent data: the server is not reading

_TEXT, _BINARY, _CONT = Opcode.TEXT, Opcode.BINARY, Opcode.CONT
_CLOSED, _OPEN = State.CLOSED, State.OPEN

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
        self.fast = False  # frames are cut here (see the module's docstring); set once at a frame boundary
        self.partial = b""  # in fast mode: the start of a frame not whole yet
        self.fast_frames = 0  # frames the fast path cut, for the tests

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
        if self.fast:
            self._cut(self.partial + data if self.partial else data)
            return
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
        if self.live and not self.fragments and ws.current_size is None and _at_frame_start(ws):
            self.fast = True

    def _cut(self, buf: bytes) -> None:
        """Fast mode: hand each whole common frame to `on_frame`; at the first other one, websockets takes
        the bytes from there on, until its parser is at a frame boundary again."""
        pos, end = 0, len(buf)
        on_frame, n = self.on_frame, self.n
        while end - pos >= 2:
            b0, length = buf[pos], buf[pos + 1]  # a server never sets the mask bit (0x80 of the second byte)
            head = 2
            if length == 126:
                if end - pos < 4:
                    break
                length, head = buf[pos + 2] << 8 | buf[pos + 3], 4
            elif length == 127:
                if end - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            if b0 == 0x89 and head == 2 and length <= 125 and self.ws.state is _OPEN:  # a ping, unmasked
                if end - pos < 2 + length:
                    break
                self._pong(buf[pos + 2:pos + 2 + length])
                pos += 2 + length
                continue
            if (b0 != 0x81 and b0 != 0x82) or (length > 127 and head == 2) or length > MAX_SIZE:
                # a control frame, a fragment, reserved bits, a mask, too big: websockets parses it
                self.fast, self.partial = False, b""
                self.data_received(buf[pos:])
                return
            size = head + length
            if end - pos < size:
                break
            self.fast_frames += 1
            on_frame(n, buf[pos + head:pos + size])
            pos += size
        self.partial = buf[pos:]

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
        ws = self.ws
        if ws.state is _OPEN and not ws.expect_continuation_frame and len(data) < 126:
            mask = os.urandom(4)
            transport.write(b"%c%c%s%s" % (0x81, 0x80 | len(data), mask, apply_mask(data, mask)))
            return True
        try:
            self.ws.send_text(data)
        except (InvalidState, ProtocolError):
            return False
        self._write(self.ws.data_to_send())
        return True

    def _pong(self, payload: bytes) -> None:
        """The answer to a ping, framed here as websockets would (masked, the ping's payload)."""
        transport = self.transport
        if transport is not None and not transport.is_closing():
            mask = os.urandom(4)
            transport.write(b"%c%c%s%s" % (0x8A, 0x80 | len(payload), mask, apply_mask(payload, mask)))

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


def _at_frame_start(ws: ClientProtocol) -> bool:
    """Whether websockets' parser has consumed exactly whole frames: nothing buffered, and its innermost
    generator is the reader's `at_eof`, where it waits for the next frame's first byte (anywhere else, a
    frame is half read). False for any other shape, so that a websockets release that parses differently
    only turns the fast path off."""
    if ws.reader.buffer or ws.state is not _OPEN:
        return False
    gen: Any = ws.parser
    while getattr(gen, "gi_yieldfrom", None) is not None:
        gen = gen.gi_yieldfrom
    return getattr(gen, "__name__", "") == "at_eof"
