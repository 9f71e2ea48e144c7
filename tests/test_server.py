"""What only a real uvicorn process shows: negotiated extensions, transport limits, the HTTP 403 for origins."""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import ServerProcess

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
