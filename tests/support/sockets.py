"""Socket clients the tests share: frames read off the in-process show socket (Starlette's TestClient), and a
raw WebSocket over TCP that answers the server's pings."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.testclient import WebSocketTestSession
from websockets.client import ClientProtocol
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.uri import parse_uri


def recv(ws: WebSocketTestSession) -> dict[str, Any]:
    return orjson.loads(ws.receive_text())  # type: ignore[no-any-return]


def recv_type(ws: WebSocketTestSession, kind: str, *, limit: int = 50) -> dict[str, Any]:
    for _ in range(limit):
        frame = recv(ws)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame in {limit} frames")


async def raw_client(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, ClientProtocol]:
    """A socket that speaks WebSocket through websockets' sans-I/O client, so the test decides how the
    bytes are cut into TCP writes."""
    uri = parse_uri(url)
    protocol = ClientProtocol(uri)
    reader, writer = await asyncio.open_connection(uri.host, uri.port)
    protocol.send_request(protocol.connect())
    writer.write(b"".join(protocol.data_to_send()))
    async with asyncio.timeout(10):
        while not protocol.handshake_exc and protocol.state is not State.OPEN:
            protocol.receive_data(await reader.read(65536))
            protocol.events_received()
    return reader, writer, protocol


async def pings_answered(url: str, count: int, *, by_byte: bool = False, only_pings: bool = True) -> list[float]:
    """Connect, answer the server's pings (the pong a byte per TCP write when `by_byte`) until `count` came;
    when each came. The socket closing fails the test, and so does any other frame when `only_pings`."""
    reader, writer, protocol = await raw_client(url)
    loop = asyncio.get_running_loop()
    pings: list[float] = []
    async with asyncio.timeout(20):
        while len(pings) < count:
            data = await reader.read(65536)
            assert data, "the server closed the socket"
            protocol.receive_data(data)
            for event in protocol.events_received():
                if isinstance(event, WsFrame) and event.opcode is Opcode.PING:
                    assert len(event.data) == 4
                    pings.append(loop.time())
                else:
                    assert not only_pings, event
            for pong in protocol.data_to_send():  # websockets' sans-I/O client queued the pong
                for piece in ([pong[i:i + 1] for i in range(len(pong))] if by_byte else [pong]):
                    writer.write(piece)
                    await writer.drain()
    writer.close()
    return pings


def until_pong(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    """The frames the socket has been sent so far: a ping's pong comes after them (a test that waits for one that
    may never come fails instead of waiting for ever)."""
    ws.send_json({"type": "ping", "id": 1})
    frames = []
    while (frame := recv(ws))["type"] != "pong":
        frames.append(frame)
    return frames
