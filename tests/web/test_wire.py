"""The `vitrine.wire` protocol under a real uvicorn, with a real websockets client: frames written once
and straight to the transport, the reaction lane, the close that does not wait for a stalled phone."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.services import free_port
from server.connection import SLOW_CONSUMER, Connection, Frame
from server.web.wire import WireProtocol, WireSink, sink_of

pytestmark = pytest.mark.anyio

Handler = Callable[[WireSink, Callable[[], Awaitable[dict[str, Any]]]], Awaitable[None]]


@contextlib.asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """A real uvicorn on a free port, with WireProtocol, running `handler` for each socket."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        sink = sink_of(scope)
        assert sink is not None, "the extension is in the scope"
        await handler(sink, receive)

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, ws=WireProtocol, lifespan="off", log_level="warning",
                            ws_per_message_deflate=False)
    server = uvicorn.Server(config)
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


async def test_the_lane_takes_the_frames_it_wants_and_the_rest_become_asgi_messages() -> None:
    taken: list[bytes] = []
    passed: list[str] = []

    async def handler(sink: WireSink, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        def lane(raw: bytes) -> bool:
            taken.append(raw)
            return raw.startswith(b"take")

        sink.lane = lane
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            passed.append(message["text"])
            if message["text"] == "done":
                sink.write(Frame(0, b"ok"))

    async with serving(handler) as url, connect(url, compression=None) as ws:
        for i in range(100):
            await ws.send(f"take {i}")
        await ws.send("keep")
        await ws.send("done")
        assert await ws.recv() == "ok"
    assert [t.decode() for t in taken[:100]] == [f"take {i}" for i in range(100)]
    assert passed == ["keep", "done"], "taken frames never reach receive()"


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
