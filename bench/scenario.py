"""The show the bench drives: its setup through Vitrine's HTTP API, the host's pins every P ms, and the
checkout storm on one hot variant (a small keep-alive HTTP/1.1 client: httpx would cost the load
generator more CPU per order than the server spends on it)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from bench.services import BenchError
from bench.stats import error_code, summary


@dataclass
class Show:
    show_id: str
    product_ids: list[str]  # the pins alternate between these
    hot_product_id: str
    hot_variant_id: str
    stock: int
    host_token: str


async def prepare_show(base_url: str, logins: dict[str, str], *, stock: int) -> Show:
    """The seller's two products (one hot variant with `stock` units) in a live show of the demo host."""
    run = secrets.token_hex(3)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        async def login(email: str) -> tuple[dict[str, str], dict[str, Any]]:
            r = await http.post("/api/auth/token", json={"email": email, "password": logins["password"]})
            if r.status_code != 200:
                raise BenchError(f"cannot sign in as {email}: {r.status_code} {r.text[:200]}")
            body = r.json()
            return {"authorization": f"Bearer {body['access_token']}"}, body["user"]

        seller, _ = await login(logins["seller_email"])
        host, host_user = await login(logins["host_email"])

        async def call(method: str, path: str, headers: dict[str, str], json: Any = None) -> Any:
            r = await http.request(method, path, headers=headers, json=json)
            if r.status_code >= 300:
                raise BenchError(f"{method} {path}: {r.status_code} {r.text[:300]}")
            return r.json()

        await call("POST", "/api/sellers/me/hosts", seller, {"host_id": host_user["id"]})
        hot = await call("POST", "/api/products", seller, {
            "title": f"Bench sneaker {run}", "brand": "Bench", "price": {"amount": 12000, "currency": "EUR"},
            "variants": [{"sku": f"BENCH-{run}-42", "label": "42", "stock": stock},
                         {"sku": f"BENCH-{run}-43", "label": "43", "stock": 5}]})
        other = await call("POST", "/api/products", seller, {
            "title": f"Bench tee {run}", "brand": "Bench", "price": {"amount": 2900, "currency": "EUR"},
            "variants": [{"sku": f"TEE-{run}-M", "label": "M", "stock": 1000}]})
        show = await call("POST", "/api/shows", host, {"title": f"Bench show {run}",
                                                       "product_ids": [hot["id"], other["id"]], "buyer_limit": 1})
        await call("POST", f"/api/shows/{show['id']}/start", host)
    return Show(show_id=show["id"], product_ids=[hot["id"], other["id"]], hot_product_id=hot["id"],
                hot_variant_id=hot["variants"][0]["id"], stock=stock,
                host_token=host["authorization"].removeprefix("Bearer "))


async def available(base_url: str, show: Show) -> int:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        product = (await http.get(f"/api/products/{show.hot_product_id}")).raise_for_status().json()
    return int(next(v["available"] for v in product["variants"] if v["id"] == show.hot_variant_id))


# --- pins -----------------------------------------------------------------------------------------------


@dataclass
class Pins:
    ok: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    skipped: int = 0  # a pin was due while MAX_IN_FLIGHT were still waiting for an answer
    http_ms: Counter[int] = field(default_factory=Counter)

    def as_dict(self, seconds: float) -> dict[str, Any]:
        return {"ok": self.ok, "failed": dict(self.failed), "skipped": self.skipped,
                "per_s": round(self.ok / max(seconds, 1e-6), 2), "http_ms": summary(self.http_ms)}


class PinDriver:
    """The host pins the show's products in turn every `every_ms` on average, over HTTP (POST /api/shows/{id}/pin)."""

    MAX_IN_FLIGHT = 4

    def __init__(self, base_url: str, show: Show, every_ms: int) -> None:
        self.base_url = base_url
        self.show = show
        self.every = every_ms / 1000
        self.pins = Pins()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self, deadline: float) -> None:
        headers = {"authorization": f"Bearer {self.show.host_token}"}
        limits = httpx.Limits(max_connections=self.MAX_IN_FLIGHT, max_keepalive_connections=self.MAX_IN_FLIGHT)
        async with httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=10, limits=limits) as http:
            in_flight: set[asyncio.Task[None]] = set()
            due = time.monotonic()
            n = 0
            while not self._stop.is_set() and time.monotonic() < deadline:
                if len(in_flight) < self.MAX_IN_FLIGHT:
                    task = asyncio.create_task(self._pin(http, self.show.product_ids[n % len(self.show.product_ids)]))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                    n += 1
                else:
                    self.pins.skipped += 1
                # at uneven times, as a host pins: a fixed period would keep one phase against the server's
                # 250 ms ticks for a whole run, and make its latency the luck of that phase
                due += self.every * random.uniform(0.5, 1.5)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=max(0.0, due - time.monotonic()))
            if in_flight:
                await asyncio.wait(in_flight, timeout=10)

    async def _pin(self, http: httpx.AsyncClient, product_id: str) -> None:
        started = time.perf_counter()
        try:
            r = await http.post(f"/api/shows/{self.show.show_id}/pin", json={"product_id": product_id})
        except httpx.HTTPError as exc:
            self.pins.failed[type(exc).__name__] += 1
            return
        if r.status_code == 200:
            self.pins.ok += 1
            self.pins.http_ms[round((time.perf_counter() - started) * 1000)] += 1
        else:
            self.pins.failed[str(r.status_code)] += 1


# --- the checkout storm ---------------------------------------------------------------------------------


class RawHTTP:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1, just enough for JSON requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1", f"host: 127.0.0.1:{self.port}", "content-type: application/json",
                f"content-length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        if "content-length" in fields:
            data = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
        else:
            data = await self.reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class Storm:
    attempted: int = 0
    placed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    ended: float = 0.0
    placed_at: list[float] = field(default_factory=list)  # time.time() of each placed order
    request_ms: Counter[int] = field(default_factory=Counter)

    def as_dict(self, *, stock: int, available_after: int | None) -> dict[str, Any]:
        elapsed = max(self.ended - self.started, 1e-6)
        # Orders per second count the orders placed over the time it took to place them: from the storm's
        # first request to the last order placed. The "sold out" answers to the buyers who came after
        # the stock was gone are requests, not orders: they are in requests/s, over the whole storm.
        selling = max(max(self.placed_at) - self.started, 1e-6) if self.placed_at else elapsed
        oversell = max(0, self.placed - stock)
        if available_after is not None:
            oversell = max(oversell, -available_after, self.placed - (stock - available_after))
        # pieces the server sold whose answer had not come back when the storm's window closed
        unanswered = None if available_after is None else max(0, stock - available_after - self.placed)
        return {"attempted": self.attempted, "placed": self.placed, "outcomes": dict(self.outcomes),
                "stock": stock, "available_after": available_after, "placed_unanswered": unanswered,
                "books_agree": available_after is not None and available_after == stock - self.placed,
                "elapsed_s": round(elapsed, 3), "selling_s": round(selling, 3),
                "orders_per_s": round(self.placed / selling, 1),
                "orders_per_s_whole_storm": round(self.placed / elapsed, 1),
                "requests_per_s": round(self.attempted / elapsed, 1), "oversell": oversell,
                "request_ms": summary(self.request_ms)}


def order_body(show: Show, i: int, run: str) -> bytes:
    return orjson.dumps({"product_id": show.hot_product_id, "variant_id": show.hot_variant_id, "quantity": 1,
                         "show_id": show.show_id,
                         "buyer": {"name": f"Buyer {i}", "email": f"buyer{i}-{run}@bench.example",
                                   "address": {"line1": "1 rue du Banc", "city": "Paris", "postal_code": "75001",
                                               "country": "FR"}}})


async def checkout_storm(port: int, show: Show, *, orders: int, concurrency: int, deadline_s: float,
                         on_placed: Callable[[], None] | None = None) -> Storm:
    """`orders` buyers, `concurrency` at a time, each with its own email and Idempotency-Key."""
    run = secrets.token_hex(4)
    bodies = [order_body(show, i, run) for i in range(orders)]
    storm = Storm()
    todo = iter(range(orders))
    deadline = time.monotonic() + deadline_s

    async def buyer() -> None:
        http = RawHTTP(port)
        try:
            for i in todo:
                if time.monotonic() > deadline:
                    storm.outcomes["not_sent_deadline"] += 1
                    continue
                storm.attempted += 1
                started = time.perf_counter()
                try:
                    status, data = await asyncio.wait_for(
                        http.request("POST", "/api/orders", bodies[i], {"idempotency-key": f"bench-{run}-{i:07d}"}),
                        timeout=max(0.1, deadline - time.monotonic()))
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                    storm.outcomes[type(exc).__name__] += 1
                    await http.close()
                    continue
                storm.request_ms[round((time.perf_counter() - started) * 1000)] += 1
                if status == 201:
                    storm.placed += 1
                    storm.placed_at.append(time.time())
                    storm.outcomes["placed"] += 1
                    if on_placed is not None:
                        on_placed()
                else:
                    storm.outcomes[error_code(status, data)] += 1
        finally:
            await http.close()

    storm.started = time.time()
    await asyncio.gather(*(buyer() for _ in range(min(concurrency, orders))))
    storm.ended = time.time()
    return storm
