"""The baseline: the same show served the naive way, as the usual Starlette/broadcaster chat example does.

- every socket opens its own Redis pub/sub connection and SUBSCRIBEs to the show's channel
  (`vt:show:{show_id}`, where Vitrine publishes its frames), so pins made through Vitrine reach both;
- every message is decoded and re-encoded per socket (json.loads, json.dumps) and awaited inline with
  `send_text`: no bounded queue, a slow socket holds up its own subscription;
- every reaction is one PUBLISH of a `reactions` frame to the same channel, with no coalescing;
- checkout reads the stock then writes it back (GET, then SET): no atomic reservation.

Run by the bench under uvicorn: `uvicorn bench.baseline:app --workers N --ws-per-message-deflate false`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
STOCK_PREFIX = "bench:naive:stock:"
ORDERS_KEY = "bench:naive:orders"
_state: dict[str, Any] = {}
log = logging.getLogger("bench.baseline")


def channel(show_id: str) -> str:
    return f"vt:show:{show_id}"  # the channel Vitrine's Redis bus publishes each show's frames to


def _redis() -> aioredis.Redis:
    client: aioredis.Redis = _state["redis"]
    return client


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    # one client, its pool unbounded as redis-py's used to be: PUBLISH, checkout, and the per-viewer
    # subscriptions, each of which holds a connection of its own
    _state["redis"] = aioredis.Redis.from_url(REDIS_URL, max_connections=1_000_000)
    try:
        yield
    finally:
        await _state.pop("redis").aclose()


async def show_socket(websocket: WebSocket) -> None:
    show_id = websocket.path_params["show_id"]
    await websocket.accept()
    pubsub = _redis().pubsub()  # one subscription, and one Redis connection, per viewer
    await pubsub.subscribe(channel(show_id))
    await websocket.send_text(json.dumps({"type": "snapshot", "ts": time.time_ns() // 1_000_000, "data": {}}))

    async def sender() -> None:
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            event = json.loads(message["data"])
            await websocket.send_text(json.dumps(event))

    async def receiver() -> None:
        while True:
            text = await websocket.receive_text()
            frame = json.loads(text)
            if frame.get("type") == "react":
                event = {"type": "reactions", "seq": 0, "ts": time.time_ns() // 1_000_000,
                         "data": {"counts": {str(frame.get("kind")): 1}}}
                await _redis().publish(channel(show_id), json.dumps(event))

    tasks = [asyncio.create_task(sender()), asyncio.create_task(receiver())]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            exc = task.exception()
            if exc is not None and not isinstance(exc, WebSocketDisconnect):
                log.warning("viewer socket ends: %s: %s", type(exc).__name__, exc)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await pubsub.unsubscribe()
        finally:
            await pubsub.aclose()


async def place_order(request: Request) -> Response:
    """Read the stock, then write it back: the race every atomic reservation exists to prevent."""
    body = await request.json()
    key = STOCK_PREFIX + str(body["variant_id"])
    quantity = int(body.get("quantity", 1))
    redis = _redis()
    stock = int(await redis.get(key) or 0)
    if stock < quantity:
        return JSONResponse({"error": {"code": "sold_out", "message": "sold out"}}, status_code=409)
    await redis.set(key, stock - quantity)
    await redis.rpush(ORDERS_KEY, json.dumps(body))
    return JSONResponse({"status": "placed"}, status_code=201)


async def healthz(_request: Request) -> Response:
    return JSONResponse({"bus": "ok" if await _redis().ping() else "down"})


app = Starlette(routes=[WebSocketRoute("/ws/shows/{show_id}", show_socket),
                        Route("/api/orders", place_order, methods=["POST"]),
                        Route("/healthz", healthz)],
                lifespan=lifespan)
