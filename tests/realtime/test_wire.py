"""The `vitrine.wire` protocol under a real uvicorn, with a real websockets client: frames written once
and straight to the transport, the reaction lane, the close that does not wait for a stalled phone."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from itertools import pairwise
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close, Opcode
from websockets.frames import Frame as WsFrame

from bench.services import free_port
from server.realtime.connection import SLOW_CONSUMER, Connection, Frame, Run
from server.realtime.wire import WireProtocol, WireSink, sink_of
from tests.support.sockets import pings_answered, raw_client

pytestmark = pytest.mark.anyio

Handler = Callable[[WireSink, Callable[[], Awaitable[dict[str, Any]]]], Awaitable[None]]


@contextlib.asynccontextmanager
async def serving(handler: Handler, **config: Any) -> AsyncIterator[str]:
    """A real uvicorn on a free port, with WireProtocol, running `handler` for each socket (uvicorn's
    `config` on top of what `vitrine serve` sets)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        sink = sink_of(scope)
        assert sink is not None, "the extension is in the scope"
        await handler(sink, receive)

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, ws=WireProtocol, lifespan="off",
                                           log_level="warning", ws_per_message_deflate=False, **config))
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await task


async def test_frames_written_to_the_transport_arrive_whole_and_in_order() -> None:
    shared = Frame(1, b'{"type":"a","seq":1}')

    async def handler(sink: WireSink, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        conn = Connection(sink=sink, maxlen=8, max_backlog=1 << 20)
        conn.offer(shared)  # held: not started yet
        conn.start(first=[Frame(0, b'{"type":"snapshot"}')], after=0)
        conn.offer(Frame(2, b'{"type":"b","seq":2,"text":"' + "é".encode() * 40_000 + b'"}'))  # a 16-bit+ length
        conn.offer(Frame(2, b'{"type":"b","seq":2}'))  # a duplicate seq is not sent twice
        conn.reply(b'{"type":"pong"}')
        await receive()

    async with serving(handler) as url, connect(url, compression=None, max_size=None) as ws:
        got = [await ws.recv() for _ in range(4)]
    assert got[0] == '{"type":"snapshot"}' and got[1] == '{"type":"a","seq":1}'
    assert got[2] == '{"type":"b","seq":2,"text":"' + "é" * 40_000 + '"}'
    assert got[3] == '{"type":"pong"}'


async def test_a_run_is_one_write_and_its_frames_arrive_whole_and_in_order() -> None:
    """A run's frames go to the transport in one write (one send() on a socket with room), and the
    client reads each as its own message; a socket that already had part of the run gets the rest."""
    writes: list[bytes] = []

    async def handler(sink: WireSink, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        transport = sink._protocol.transport
        real_write = transport.write
        conn = Connection(sink=sink, maxlen=8, max_backlog=1 << 20)
        conn.start(first=[Frame(0, b'{"type":"snapshot"}')], after=0)
        conn.offer(Frame(1, b'{"type":"a","seq":1}'))
        run = Run([Frame(n, b'{"type":"t","seq":%d}' % n) for n in (1, 2, 3)])
        transport.write = lambda data: (writes.append(data), real_write(data))[1]  # type: ignore[method-assign]
        conn.offer(run)  # seq 1 was sent: 2 and 3 only
        conn.offer(Run([Frame(n, b'{"type":"t","seq":%d}' % n) for n in (4, 5, 6)]))
        await receive()

    async with serving(handler) as url, connect(url, compression=None) as ws:
        got = [await ws.recv() for _ in range(7)]
    assert got == ['{"type":"snapshot"}', '{"type":"a","seq":1}', '{"type":"t","seq":2}', '{"type":"t","seq":3}',
                   '{"type":"t","seq":4}', '{"type":"t","seq":5}', '{"type":"t","seq":6}']
    wire = [Frame(n, b'{"type":"t","seq":%d}' % n).wire for n in (2, 3, 4, 5, 6)]
    # seq 2 and 3 one by one (the socket had seq 1 of that run), 4 to 6 in one write; then the close frame
    assert writes[:3] == [wire[0], wire[1], b"".join(wire[2:])] and len(writes) == 4


class Recorder:
    """An app whose lane takes the frames that start with "take", records what reaches receive(), and
    answers "ok" to "done"."""

    def __init__(self) -> None:
        self.taken: list[bytes] = []  # every frame offered to the lane
        self.passed: list[str] = []  # every frame that reached receive()

    async def handler(self, sink: WireSink, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        def lane(raw: bytes) -> bool:
            self.taken.append(raw)
            return raw.startswith(b"take")

        sink.lane = lane
        while (message := await receive())["type"] != "websocket.disconnect":
            self.passed.append(message["text"])
            if message["text"] == "done":
                sink.send(Frame(0, b"ok"), 1 << 20)


async def test_the_lane_takes_the_frames_it_wants_and_the_rest_become_asgi_messages() -> None:
    recorder = Recorder()
    async with serving(recorder.handler) as url, connect(url, compression=None) as ws:
        for i in range(100):
            await ws.send(f"take {i}")
        await ws.send("keep")
        await ws.send("done")
        assert await ws.recv() == "ok"
    assert [t.decode() for t in recorder.taken[:100]] == [f"take {i}" for i in range(100)]
    assert recorder.passed == ["keep", "done"], "taken frames never reach receive()"


async def test_a_stalled_socket_fills_its_backlog_and_is_closed_with_4008_after_what_was_buffered() -> None:
    outcome: dict[str, Any] = {}

    async def handler(sink: WireSink, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        conn = Connection(sink=sink, maxlen=8, max_backlog=256 * 1024)
        conn.start(first=[], after=0)
        payload = b'{"type":"x","pad":"' + b"p" * 10_000 + b'"}'
        seq = 0
        async with asyncio.timeout(30):
            while conn.offer(Frame(seq + 1, payload)):  # never awaits the socket
                seq += 1
                if seq % 50 == 0:
                    await asyncio.sleep(0)
        outcome.update(sent=seq, code=conn.close_code)
        outcome["disconnect"] = await receive()  # close_now hands the app its disconnect at once

    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    async with serving(handler) as url:
        stalled.connect(("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/"))))
        async with connect(url, sock=stalled, compression=None, max_queue=1) as ws:
            async with asyncio.timeout(30):
                while "disconnect" not in outcome:
                    await asyncio.sleep(0.05)
            received = 0
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(30):
                    while True:
                        await ws.recv()
                        received += 1
    assert outcome["code"] == SLOW_CONSUMER
    assert outcome["disconnect"]["type"] == "websocket.disconnect" and outcome["disconnect"]["code"] == SLOW_CONSUMER
    assert received == outcome["sent"], "everything written before the close still arrives, then the close"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == SLOW_CONSUMER


async def frames_of(reader: asyncio.StreamReader, protocol: ClientProtocol, count: int) -> list[Any]:
    got: list[Any] = []
    async with asyncio.timeout(10):
        while len(got) < count:
            data = await reader.read(65536)
            if not data:
                protocol.receive_eof()
            else:
                protocol.receive_data(data)
            got += [e for e in protocol.events_received() if isinstance(e, WsFrame)]
            if not data:
                break
    return got


async def test_frames_cut_anywhere_by_tcp_are_read_whole_and_in_order() -> None:
    recorder = Recorder()
    async with serving(recorder.handler) as url:
        reader, writer, protocol = await raw_client(url)
        texts = ["take 1", "keep " + "x" * 121, "take " + "é" * 100, "keep " + "k" * 3000, "take 2"]
        for text in texts:  # 6-byte, 126-byte (16-bit length), 205-byte and 3,005-byte payloads
            protocol.send_text(text.encode())
        protocol.send_ping(b"are you there")
        protocol.send_text(b"done")
        stream = b"".join(protocol.data_to_send())
        for i in range(len(stream)):  # one byte per TCP write: every frame arrives in pieces
            writer.write(stream[i:i + 1])
            await writer.drain()
            if i % 7 == 0:
                await asyncio.sleep(0)
        replies = await frames_of(reader, protocol, 2)
        writer.close()
    assert [f.opcode for f in replies] == [Opcode.PONG, Opcode.TEXT]
    assert replies[0].data == b"are you there" and replies[1].data == b"ok"
    taken = [t.decode() for t in recorder.taken if t.startswith(b"take")]
    assert taken == ["take 1", "take " + "é" * 100, "take 2"]
    assert recorder.passed == [texts[1], texts[3], "done"], "frames the lane leaves reach receive(), whole and in order"


async def test_a_fragmented_message_turns_the_fast_path_off_and_still_arrives() -> None:
    recorder = Recorder()
    async with serving(recorder.handler) as url:
        reader, writer, protocol = await raw_client(url)
        protocol.send_text(b"take 1")
        protocol.send_text(b"kee", fin=False)
        protocol.send_continuation(b"p it", fin=True)
        protocol.send_text(b"take 2")  # parsed by websockets now, and still offered to the lane
        protocol.send_text(b"done")
        writer.write(b"".join(protocol.data_to_send()))
        assert [f.data for f in await frames_of(reader, protocol, 1)] == [b"ok"]
        writer.close()
    assert recorder.passed == ["keep it", "done"]
    assert [t for t in recorder.taken if t.startswith(b"take")] == [b"take 1", b"take 2"]


async def test_an_unmasked_client_frame_is_a_protocol_error() -> None:
    async def handler(sink: WireSink, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        sink.lane = lambda raw: True
        while (await receive())["type"] != "websocket.disconnect":
            pass

    async with serving(handler) as url:
        reader, writer, protocol = await raw_client(url)
        writer.write(WsFrame(Opcode.TEXT, b"take").serialize(mask=False))  # clients must mask
        closing = await frames_of(reader, protocol, 1)
        writer.close()
    assert closing and closing[0].opcode == Opcode.CLOSE and Close.parse(closing[0].data).code == 1002


async def waiting(sink: WireSink, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
    while (await receive())["type"] != "websocket.disconnect":
        pass


async def test_keepalive_pings_every_interval_and_pongs_cut_anywhere_keep_the_socket_open(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's keepalive pings each socket every ws_ping_interval; a pong that arrives a byte at a
    time is taken on the fast path (never by websockets' parser) and keeps the socket open, ping after
    ping."""
    parsed: list[WsFrame] = []
    monkeypatch.setattr(WireProtocol, "handle_pong", lambda self, event: parsed.append(event))
    async with serving(waiting, ws_ping_interval=0.2, ws_ping_timeout=0.5) as url:
        pings = await pings_answered(url, 5, by_byte=True)
    gaps = [b - a for a, b in pairwise(pings)]
    # pings keep their interval: never one per pong (that would come at once). No upper bound: a loaded machine
    # only makes gaps longer, and five pings answered in a row already show the socket kept open
    assert len(pings) == 5 and all(gap > 0.1 for gap in gaps), gaps
    assert parsed == [], "the pongs were cut on the fast path"


async def test_a_socket_that_never_answers_its_ping_is_closed_with_1011() -> None:
    async with serving(waiting, ws_ping_interval=0.1, ws_ping_timeout=0.1) as url:
        reader, writer, protocol = await raw_client(url)
        got: list[WsFrame] = []
        async with asyncio.timeout(10):
            while not got or got[-1].opcode is not Opcode.CLOSE:
                data = await reader.read(65536)
                assert data, "closed without a close frame"
                protocol.receive_data(data)
                got += [e for e in protocol.events_received() if isinstance(e, WsFrame)]
        writer.close()
    assert [f.opcode for f in got] == [Opcode.PING, Opcode.CLOSE], "one ping, never answered, then the close"
    assert Close.parse(got[-1].data).code == 1011
