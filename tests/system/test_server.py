"""What only a real uvicorn process shows: negotiated extensions, transport limits, the HTTP 403 for origins,
the reactions taken by the wire protocol's lane, keepalive pings at WS_PING_S."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from itertools import pairwise
from pathlib import Path

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support.processes import ServerProcess, seed_demo, start_server
from tests.support.sockets import pings_answered

pytestmark = [pytest.mark.multiprocess, pytest.mark.anyio]


async def test_compression_is_off_even_when_the_client_offers_it(
        demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    server, demo = demo_server
    async with connect(f"{server.ws_url}/ws/shows/{demo['show_id']}", compression="deflate") as ws:
        await ws.recv()
        assert ws.protocol.extensions == []
        assert "sec-websocket-extensions" not in {k.lower() for k in ws.response.headers}


async def test_oversized_frames_are_closed_with_1009(demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    server, demo = demo_server
    async with connect(f"{server.ws_url}/ws/shows/{demo['show_id']}", compression=None) as ws:
        await ws.recv()
        await ws.send('{"type":"chat","name":"a","text":"' + "x" * 100_000 + '"}')
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_foreign_origin_gets_403(demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    server, demo = demo_server
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"{server.ws_url}/ws/shows/{demo['show_id']}", origin="https://evil.example"):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403
    async with connect(f"{server.ws_url}/ws/shows/{demo['show_id']}", origin=server.base_url) as ws:  # type: ignore[arg-type]
        assert '"snapshot"' in str(await ws.recv())


async def test_reactions_taken_by_the_wire_lane_are_checked_counted_and_coalesced(
        demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    server, demo = demo_server
    async with connect(f"{server.ws_url}/ws/shows/{demo['show_id']}", compression=None) as ws:
        await ws.recv()
        for _ in range(30):
            await ws.send('{"type":"react","kind":"heart"}')  # as the player spells it: taken unparsed
        for _ in range(3):
            await ws.send('{"kind": "fire", "type": "react"}')  # any other spelling is parsed
        await ws.send('{"type":"react","kind":"poop"}')
        await ws.send('{"type":"ping","id":1}')
        total: dict[str, int] = {}
        frames, errors, pong = 0, list[str](), False
        async with asyncio.timeout(20):
            while total.get("heart", 0) < 30 or total.get("fire", 0) < 3 or not errors or not pong:
                frame = orjson.loads(await ws.recv())
                if frame["type"] == "reactions":
                    frames += 1
                    for kind, count in frame["data"]["counts"].items():
                        total[kind] = total.get(kind, 0) + count
                elif frame["type"] == "error":
                    errors.append(frame["data"]["code"])
                elif frame["type"] == "pong":
                    pong = True
    assert total == {"heart": 30, "fire": 3}
    assert errors == ["invalid_kind"]
    assert frames < 34


async def test_a_reaction_flood_is_closed_with_1008(demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    server, demo = demo_server
    async with connect(f"{server.ws_url}/ws/shows/{demo['show_id']}", compression=None) as ws:
        await ws.recv()
        for _ in range(500):
            await ws.send('{"type":"react","kind":"heart"}')
        codes: list[str] = []
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(20):
                while True:
                    frame = orjson.loads(await ws.recv())
                    if frame["type"] == "error":
                        codes.append(frame["data"]["code"])
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert codes and set(codes) == {"rate_limited"}


async def test_serve_pings_every_ws_ping_s_and_an_answered_socket_stays(
        demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    server, demo = demo_server  # started with WS_PING_S=1
    pings = await pings_answered(f"{server.ws_url}/ws/shows/{demo['show_id']}", 3, only_pings=False)
    gaps = [b - a for a, b in pairwise(pings)]
    # about a second apart, not 20 s (uvicorn's default); a loaded machine only lengthens them a little
    assert all(0.5 < gap < 10 for gap in gaps), gaps


async def test_no_token_reaches_the_log(tmp_path: Path) -> None:
    """0.6.4 logged every socket's URL with the host's 12-hour access token (`?token=eyJ…`), even with the
    access log off; the access log also held order links (`?t=`)."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'log.db'}", "SECRET_KEY": secrets.token_hex(24),
           "REDIS_URL": ""}
    demo = seed_demo(env)
    server = start_server(env, log_dir=tmp_path, log_level="info", access_log=True)
    try:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            signed = await http.post("/api/auth/token", json={"email": demo["host_email"],
                                                             "password": demo["password"]})
            token = signed.json()["access_token"]
            async with connect(f"{server.ws_url}/ws/shows/{demo['show_id']}?token={token}") as ws:
                viewer = orjson.loads(await ws.recv())["data"]["you"]["viewer_token"]
            async with connect(f"{server.ws_url}/ws/shows/{demo['show_id']}?viewer={viewer}&since=1"):
                pass
            await http.get(f"/orders/ord_x?t={token}")
            await http.get("/api/claims/a-giveaway-claim-token")  # a prize's claim link carries its token in the path
    finally:
        server.stop()
    log = server.log.read_text()
    assert "WebSocket /ws/shows/" in log and "?token=[redacted]" in log, log[-2000:]
    assert token not in log and viewer not in log and "a-giveaway-claim-token" not in log
    assert token.split(".")[1] not in log  # not even the claims


async def test_silent_trickling_and_surplus_connections_are_let_go_with_a_word(tmp_path: Path) -> None:
    """0.6.4 held a connection as long as its client liked until a request was whole (300 silent and 300
    trickling clients kept 600 descriptors), and took connections until the worker ran out of descriptors."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'adm.db'}", "SECRET_KEY": secrets.token_hex(24),
           "REDIS_URL": "", "REQUEST_TIMEOUT_S": "1", "MAX_CONNECTIONS": "12"}
    seed_demo(env)
    server = start_server(env, log_dir=tmp_path)

    async def opened() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", server.port)

    try:
        silent = [await opened() for _ in range(4)]
        trickling = [await opened() for _ in range(4)]
        for _, writer in trickling:
            writer.write(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")  # and the rest never comes
            await writer.drain()
        surplus = [await opened() for _ in range(8)]  # 16 in all, past the 12 a worker takes
        refused = 0
        for reader, _ in surplus:
            with contextlib.suppress(TimeoutError):
                answer = await asyncio.wait_for(reader.read(), timeout=0.5)
                refused += answer.startswith(b"HTTP/1.1 503") and b'"code":"busy"' in answer
        assert refused >= 4, "a full worker says so at once"
        async with asyncio.timeout(5):  # the deadline is 1 s: neither waits much longer
            for reader, _ in [*silent, *trickling]:
                answer = await reader.read()
                assert answer.startswith(b"HTTP/1.1 408") and b'"code":"request_timeout"' in answer, answer
        for _, writer in [*silent, *trickling, *surplus]:
            writer.close()
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=server.base_url) as http:  # and a whole request is served
            assert (await http.get("/healthz")).status_code == 200
    finally:
        server.stop()
    assert "MAX_CONNECTIONS" in server.log.read_text()


async def test_a_client_that_leaves_mid_body_is_no_server_error(tmp_path: Path) -> None:
    """A phone that gives up while its vote's body is on the way: the server read a ClientDisconnect and logged it
    as an unexpected error (a 500 in the log)."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gone.db'}", "SECRET_KEY": secrets.token_hex(24),
           "REDIS_URL": ""}
    seed_demo(env)
    server = start_server(env, log_dir=tmp_path, log_level="info")
    try:
        for _ in range(3):
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"POST /api/quotes HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                         b"content-length: 100\r\n\r\n{\"product_id\":")
            await writer.drain()
            await asyncio.sleep(0.2)
            writer.close()
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            for _ in range(50):
                if "left before" in server.log.read_text():
                    break
                await asyncio.sleep(0.1)
            assert (await http.get("/healthz")).status_code == 200
    finally:
        server.stop()
    log = server.log.read_text()
    assert "unexpected error" not in log and "Traceback" not in log, log[-3000:]
    assert "left before its request's body was read" in log, log[-2000:]
