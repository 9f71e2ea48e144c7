"""Real server processes: two nodes sharing one Redis and one PostgreSQL, and one stalled phone."""

from __future__ import annotations

import asyncio
import re
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.databases import fresh_pg_database
from tests.support.processes import ServerProcess, seed_demo, start_server

pytestmark = [pytest.mark.multiprocess, pytest.mark.anyio]


@pytest.fixture(scope="module")
def cluster(pg_server_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[dict[str, Any]]:
    db_url, drop = fresh_pg_database(pg_server_url)
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "SECRET_KEY": secrets.token_hex(24)}
    demo = seed_demo(env)
    logs = tmp_path_factory.mktemp("cluster")
    a = start_server(env, log_dir=logs)
    b = start_server(env, log_dir=logs)
    yield {"a": a, "b": b, "demo": demo, "redis_url": redis_url}
    a.stop()
    b.stop()
    drop()


def login(server: ServerProcess, email: str, password: str) -> dict[str, str]:
    r = httpx.post(f"{server.base_url}/api/auth/token", json={"email": email, "password": password})
    r.raise_for_status()
    return {"authorization": f"Bearer {r.json()['access_token']}"}


async def next_of(ws: ClientConnection, kind: str, *, within: float = 10) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            frame = orjson.loads(await ws.recv())
            if frame["type"] == kind:
                return frame  # type: ignore[no-any-return]


def viewer(server: ServerProcess, show_id: str, query: str = "", **kwargs: Any) -> Any:
    return connect(f"{server.ws_url}/ws/shows/{show_id}{query}", compression=None, **kwargs)


async def test_pin_on_one_node_reaches_a_viewer_on_the_other_and_resume_misses_nothing(
        cluster: dict[str, Any]) -> None:
    a, b, demo = cluster["a"], cluster["b"], cluster["demo"]
    show_id = demo["show_id"]
    headers = login(a, demo["host_email"], demo["password"])
    http = httpx.AsyncClient()
    products = (await http.get(f"{a.base_url}/api/shows/{show_id}")).json()["products"]
    async with viewer(b, show_id) as ws:
        snap = orjson.loads(await ws.recv())
        assert snap["type"] == "snapshot"
        (await http.post(f"{a.base_url}/api/shows/{show_id}/pin", json={"product_id": products[0]["id"]},
                         headers=headers)).raise_for_status()
        pinned = await next_of(ws, "product.pinned")
        assert pinned["data"]["product"]["id"] == products[0]["id"]
        last_seq = pinned["seq"]
        epoch = snap["data"]["epoch"]
    # the viewer is gone; the host goes on pinning through both nodes
    expected = []
    for i in range(6):
        node = (a, b)[i % 2]
        product = products[i % len(products)]
        (await http.post(f"{node.base_url}/api/shows/{show_id}/pin", json={"product_id": product["id"]},
                         headers=headers)).raise_for_status()
        expected.append(product["id"])
    for node in (a, b):  # it resumes on either node and gets exactly what it missed
        async with viewer(node, show_id, f"?since={last_seq}&epoch={epoch}") as ws:
            snap = orjson.loads(await ws.recv())
            assert snap["type"] == "snapshot" and snap["data"]["recovered"] is True
            seqs, pins = [], []
            async with asyncio.timeout(10):
                while len(pins) < len(expected):
                    frame = orjson.loads(await ws.recv())
                    seqs.append(frame["seq"])
                    if frame["type"] == "product.pinned":
                        pins.append(frame["data"]["product"]["id"])
        assert seqs == list(range(last_seq + 1, last_seq + 1 + len(seqs))), f"gap or duplicate via {node.port}"
        assert pins == expected
    await http.aclose()


async def node_clients(server: ServerProcess, redis_url: str) -> list[dict[str, str]]:
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{server.base_url}/metrics")).text
    node = re.search(r'vitrine_node_info\{node="([^"]+)"\}', text)
    assert node, "the server publishes its node id in /metrics"
    name = f"vitrine-{node.group(1)}"
    clients = redis.Redis.from_url(redis_url).client_list()
    return [c for c in clients if c.get("name") == name]


async def test_one_bus_subscription_per_show_per_process(cluster: dict[str, Any]) -> None:
    a, demo = cluster["a"], cluster["demo"]
    show_id = demo["show_id"]
    async with viewer(a, show_id) as first:
        await next_of(first, "snapshot")
        await asyncio.sleep(0.5)  # a few ticks: the node's pool has made the connections it uses
        before = await node_clients(a, cluster["redis_url"])
        async with contextlib_all([viewer(a, show_id) for _ in range(49)]) as others:
            for ws in others:
                await next_of(ws, "snapshot")
            while (await next_of(first, "viewers"))["data"]["count"] < 50:
                pass
            await asyncio.sleep(0.5)
            after = await node_clients(a, cluster["redis_url"])
    subscribers = [c for c in after if int(c.get("sub", 0)) > 0]
    assert len(subscribers) == 1, "one pub/sub connection per process"
    assert int(subscribers[0]["sub"]) == 2, "one channel for the one show, and the stream of account changes"
    assert len(after) == len(before), f"Redis clients grew from {len(before)} to {len(after)} with 50 viewers"


class contextlib_all:
    """Enter many async context managers at once."""

    def __init__(self, managers: list[Any]) -> None:
        self.managers = managers
        self.entered: list[Any] = []

    async def __aenter__(self) -> list[Any]:
        self.entered = list(await asyncio.gather(*(m.__aenter__() for m in self.managers)))
        return self.entered

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(m.__aexit__(None, None, None) for m in self.managers), return_exceptions=True)


@pytest.fixture
def small_queue_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'slow.db'}", "SECRET_KEY": secrets.token_hex(24),
           "REDIS_URL": "", "WS_SEND_QUEUE": "8",
           "WS_SEND_BUFFER_BYTES": "200000"}
    demo = seed_demo(env)
    server = start_server(env, log_dir=tmp_path)
    yield server, demo
    server.stop()


@pytest.fixture
async def heavy_show(small_queue_server: tuple[ServerProcess, dict[str, str]]) -> AsyncIterator[dict[str, Any]]:
    """A live show whose product makes ~25 KB pin frames, so a stalled socket fills up fast."""
    server, demo = small_queue_server
    seller = login(server, "seller@demo.vitrine", demo["password"])
    host = login(server, demo["host_email"], demo["password"])
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        product = (await client.post("/api/products", headers=seller, json={
            "title": "Heavy", "description": "d" * 5000, "price": {"amount": 100, "currency": "EUR"},
            "images": [f"https://img.example/{i}/" + "x" * 1900 for i in range(10)],
            "variants": [{"sku": "H-1", "label": "One size", "stock": 5}]})).json()
        show = (await client.post("/api/shows", headers=host, json={"title": "Heavy show",
                                                                    "product_ids": [product["id"]]})).json()
        (await client.post(f"/api/shows/{show['id']}/start", headers=host)).raise_for_status()
    yield {"server": server, "show_id": show["id"], "product_id": product["id"], "host": host}


async def test_stalled_client_is_closed_with_4008_and_the_others_keep_receiving(heavy_show: dict[str, Any]) -> None:
    server, show_id = heavy_show["server"], heavy_show["show_id"]
    stalled_sock = socket.socket()
    stalled_sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled_sock.connect(("127.0.0.1", server.port))
    pins = 400
    async with viewer(server, show_id, sock=stalled_sock, max_queue=1) as stalled, viewer(server, show_id) as healthy:
        await next_of(healthy, "snapshot")
        received = 0

        async def read_healthy() -> None:
            nonlocal received
            async with asyncio.timeout(240):  # generous: a loaded CI machine is slow, not wrong
                while received < pins:
                    if (await next_of(healthy, "product.pinned"))["type"]:
                        received += 1

        reader = asyncio.create_task(read_healthy())
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            for _ in range(pins):
                r = await client.post(f"/api/shows/{show_id}/pin", json={"product_id": heavy_show["product_id"]},
                                      headers=heavy_show["host"])
                r.raise_for_status()
        await reader
        assert received == pins, "the healthy viewer got every pin while the other one stalled"
        # the stalled phone now reads what was buffered for it, then the close
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(120):
                while True:
                    await stalled.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4008
    async with httpx.AsyncClient() as http:
        metrics = (await http.get(f"{server.base_url}/metrics")).text
    assert re.search(r"^vitrine_ws_slow_closed_total 1\.0$", metrics, re.M), "exactly one socket was dropped"
    fanouts = re.search(r"^vitrine_fanout_seconds_count (\S+)$", metrics, re.M)
    assert fanouts and float(fanouts.group(1)) >= pins, "every pin's fan-out was timed"
