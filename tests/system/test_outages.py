"""Faults injected into real processes (issue 16): Redis killed and restarted empty, PostgreSQL stopped
(SIGSTOP: it hangs) and restarted, each a service of the test's own. A request or a frame meets a clear
`unavailable` within seconds; never a 500, an `internal`, a hang, or a socket dropped without a close code."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.orders import buyer
from tests.support.processes import ServerProcess, seed_demo, start_server
from tests.support.services import OwnPostgres, OwnRedis

pytestmark = [pytest.mark.multiprocess, pytest.mark.anyio]


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    redis = OwnRedis()
    yield redis
    redis.close()


@pytest.fixture
def own_pg() -> Iterator[OwnPostgres]:
    pg = OwnPostgres()
    yield pg
    pg.close()


@pytest.fixture
def node(tmp_path: Path, own_redis: OwnRedis) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """A node on SQLite and a Redis of the test's own (the test breaks it), seeded with the demo."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'node.db'}", "SECRET_KEY": secrets.token_hex(24),
           "REDIS_URL": own_redis.url, "REDIS_TIMEOUT_S": "1"}
    demo = seed_demo(env)
    server = start_server(env, log_dir=tmp_path)
    yield server, demo
    server.stop()


async def host_headers(http: httpx.AsyncClient, demo: dict[str, str]) -> dict[str, str]:
    signed = await http.post("/api/auth/token", json={"email": demo["host_email"], "password": demo["password"]})
    return {"authorization": f"Bearer {signed.json()['access_token']}"}


async def next_frame(ws: Any, kind: str) -> dict[str, Any]:
    """The next frame of this type, within 10 s."""
    async with asyncio.timeout(10):
        while True:
            frame = orjson.loads(await ws.recv())
            if frame["type"] == kind:
                return frame  # type: ignore[no-any-return]


async def test_a_redis_outage_is_told_and_a_stored_message_is_not_failed(
        node: tuple[ServerProcess, dict[str, str]], own_redis: OwnRedis) -> None:
    server, demo = node
    show = f"{server.ws_url}/ws/shows/{demo['show_id']}"
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
            coat = (await http.get(f"/api/shows/{demo['show_id']}")).json()["products"][0]
            other = (await http.post("/api/shows", json={"title": "Later", "product_ids": [coat["id"]]},
                                     headers=await host_headers(http, demo))).json()
            async with connect(show) as watching:
                await next_frame(watching, "snapshot")
                own_redis.kill()
                # a new viewer of a show this node holds no channel for cannot join (the node's own show can
                # still be joined from its cached snapshot): told so, then closed with 1013 "try again later"
                # (0.6.4: dropped without a close code)
                started = time.monotonic()
                async with connect(f"{server.ws_url}/ws/shows/{other['id']}") as joining:
                    told = await next_frame(joining, "error")
                    assert told["data"]["code"] == "unavailable"
                    with pytest.raises(ConnectionClosed) as closed:
                        await joining.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
                assert time.monotonic() - started < 5
                # a purchase on a socket already open hears `unavailable` with its key (0.6.4: `internal`)
                await watching.send(orjson.dumps({"type": "buy", "key": "outage-buy-1", "product_id": coat["id"],
                                                  "variant_id": coat["variants"][0]["id"], "quantity": 1,
                                                  "buyer": buyer()}).decode())
                refused = await next_frame(watching, "error")
                assert refused["data"] == {"code": "unavailable", "key": "outage-buy-1",
                                           "message": refused["data"]["message"]}
                # a chat message is stored, and not reported as failed
                await watching.send(orjson.dumps({"type": "chat", "name": "Zoé", "text": "still here?"}).decode())
                await watching.send(orjson.dumps({"type": "ping", "id": 7}).decode())
                assert (await next_frame(watching, "pong"))["data"] == {"id": 7}
                health = await http.get("/healthz")
                assert health.status_code == 503 and health.json()["bus"] == "down"
                login = await http.post("/api/auth/token", json={"email": demo["host_email"], "password": "x"})
                assert login.status_code == 503 and login.json()["error"]["code"] == "unavailable"
            own_redis.start()  # back, empty
            deadline = time.monotonic() + 15
            while (await http.get("/healthz")).status_code != 200:
                assert time.monotonic() < deadline, "the node did not come back with Redis"
                await asyncio.sleep(0.2)
            async with connect(show) as back:
                snapshot = await next_frame(back, "snapshot")
                assert "still here?" in [m["text"] for m in snapshot["data"]["chat"]]
    finally:
        server.stop()
    log = server.log.read_text()
    assert "Traceback" not in log, log[-3000:]


async def test_a_stopped_or_restarted_database_is_a_503_within_seconds(tmp_path: Path, own_pg: OwnPostgres,
                                                                       redis_url: str) -> None:
    env = {"DATABASE_URL": own_pg.url, "SECRET_KEY": secrets.token_hex(24), "REDIS_URL": redis_url,
           "DB_TIMEOUT_S": "2"}
    demo = seed_demo(env)
    server: ServerProcess = start_server(env, log_dir=tmp_path)
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
            show = f"/api/shows/{demo['show_id']}"
            assert (await http.get(show)).status_code == 200
            own_pg.pause()  # 0.6.4: requests and /healthz hung as long as it did
            try:
                started = time.monotonic()
                health = await http.get("/healthz")
                assert health.status_code == 503 and health.json()["db"] == "down"
                assert time.monotonic() - started < 4
                started = time.monotonic()
                r = await http.get(show)
                assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable", r.text
                assert time.monotonic() - started < 10
            finally:
                own_pg.resume()
            assert (await http.get(show)).status_code == 200

            async def hammer(stop: asyncio.Event) -> list[int]:
                statuses = []
                while not stop.is_set():
                    statuses.append((await http.get(show)).status_code)
                return statuses

            stop = asyncio.Event()
            load = asyncio.gather(*(hammer(stop) for _ in range(4)))
            await asyncio.sleep(0.3)
            await asyncio.to_thread(own_pg.restart)  # every connection cut (0.6.4: 500s from ConnectionResetError)
            await asyncio.sleep(1.0)
            stop.set()
            statuses = [s for each in await load for s in each]
            assert set(statuses) <= {200, 503}, sorted(set(statuses))
            assert (await http.get(show)).status_code == 200
    finally:
        server.stop()


async def test_pins_while_redis_comes_back_empty_are_never_lost_in_silence(
        node: tuple[ServerProcess, dict[str, str]], own_redis: OwnRedis) -> None:
    """0.6.4: after Redis came back empty, a node whose subscription came back after the new stream's seq
    had passed the old one took the new stream for a gap in the old, and its viewers missed the pins without
    a word (4 trials of 4). Now a gap is checked against the stream's epoch: either every pin arrives, or the
    viewer is told to start again (1012) and its fresh snapshot has the last pin."""
    server, demo = node
    socket_url = f"{server.ws_url}/ws/shows/{demo['show_id']}"
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
            host = await host_headers(http, demo)
            products = [p["id"] for p in (await http.get(f"/api/shows/{demo['show_id']}")).json()["products"]]

            async def pin(product_id: str) -> None:
                for _ in range(50):  # the node's Redis connections die with Redis: a 503, then it reconnects
                    r = await http.post(f"/api/shows/{demo['show_id']}/pin", json={"product_id": product_id},
                                        headers=host)
                    if r.status_code == 200:
                        return
                    assert r.status_code == 503, r.text
                    await asyncio.sleep(0.1)
                raise AssertionError("the pin never went through")

            async with connect(socket_url) as viewer:
                await next_frame(viewer, "snapshot")
                for product_id in products[:2]:
                    await pin(product_id)
                    await next_frame(viewer, "product.pinned")
                own_redis.restart_empty()
                pins = [products[i % len(products)] for i in range(9)]
                for product_id in pins:  # at once: the new stream's seq passes the old one's
                    await pin(product_id)
                try:
                    while True:
                        frame = await next_frame(viewer, "product.pinned")
                        if frame["seq"] >= len(pins):
                            break
                    restarted = False
                except ConnectionClosed as closed:
                    assert closed.rcvd is not None and closed.rcvd.code == 1012, closed
                    restarted = True
            async with connect(socket_url) as again:
                snapshot = await next_frame(again, "snapshot")
                assert snapshot["data"]["pinned"]["id"] == pins[-1]
            assert restarted or frame["data"]["product"]["id"] == pins[-1]
    finally:
        server.stop()
