"""Label sheets drawn while the show runs (issue 16): a seller puts one more item on the shelves of a store of
N items, then asks for the store's A4 label sheet, R times a second, at most a few at once. Every sheet is a new
one (its labels changed), so each is drawn. What a pin's latency must not feel."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.services import BenchError
from bench.stats import summary


@dataclass
class LabelStore:
    store_id: str
    product_id: str
    seller_token: str
    items: int


async def prepare_store(base_url: str, logins: dict[str, str], product_id: str, *, items: int) -> LabelStore:
    """A store of the demo seller with `items` items of one product on its shelves."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        r = await http.post("/api/auth/token", json={"email": logins["seller_email"], "password": logins["password"]})
        if r.status_code != 200:
            raise BenchError(f"cannot sign in as the seller: {r.status_code} {r.text[:200]}")
        token = r.json()["access_token"]
        headers = {"authorization": f"Bearer {token}"}
        r = await http.post("/api/stores", json={"name": "Bench pop-up"}, headers=headers)
        if r.status_code != 201:
            raise BenchError(f"cannot open a store: {r.status_code} {r.text[:200]}")
        store_id = r.json()["id"]
        for _ in range(items):
            r = await http.post(f"/api/stores/{store_id}/items", json={"product_id": product_id}, headers=headers)
            if r.status_code != 201:
                raise BenchError(f"cannot add an item: {r.status_code} {r.text[:200]}")
    return LabelStore(store_id=store_id, product_id=product_id, seller_token=token, items=items)


@dataclass
class Sheets:
    ok: int = 0
    busy: int = 0  # 503 busy: more sheets asked at once than the server draws and queues
    failed: Counter[str] = field(default_factory=Counter)
    ms: Counter[int] = field(default_factory=Counter)

    def as_dict(self, seconds: float) -> dict[str, Any]:
        return {"ok": self.ok, "busy": self.busy, "failed": dict(self.failed),
                "per_s": round(self.ok / max(seconds, 1e-6), 2), "ms": summary(self.ms)}


class LabelDriver:
    MAX_IN_FLIGHT = 4

    def __init__(self, base_url: str, store: LabelStore, per_s: float) -> None:
        self.base_url = base_url
        self.store = store
        self.every = 1 / per_s
        self.sheets = Sheets()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self, deadline: float) -> None:
        headers = {"authorization": f"Bearer {self.store.seller_token}"}
        limits = httpx.Limits(max_connections=self.MAX_IN_FLIGHT * 2, max_keepalive_connections=self.MAX_IN_FLIGHT)
        async with httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=60, limits=limits) as http:
            in_flight: set[asyncio.Task[None]] = set()
            due = time.monotonic()
            while not self._stop.is_set() and time.monotonic() < deadline:
                if len(in_flight) < self.MAX_IN_FLIGHT:
                    task = asyncio.create_task(self._sheet(http))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                due += self.every
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=max(0.0, due - time.monotonic()))
            if in_flight:
                await asyncio.wait(in_flight, timeout=60)

    async def _sheet(self, http: httpx.AsyncClient) -> None:
        store = f"/api/stores/{self.store.store_id}"
        try:
            added = await http.post(f"{store}/items", json={"product_id": self.store.product_id})
            if added.status_code == 409:  # the store is full: take one off, the sheet changes all the same
                first = (await http.get(store)).json()["items"][0]["id"]
                await http.delete(f"{store}/items/{first}")
            started = time.perf_counter()
            r = await http.get(f"{store}/labels.pdf")
        except httpx.HTTPError as exc:
            self.sheets.failed[type(exc).__name__] += 1
            return
        if r.status_code == 200:
            self.sheets.ok += 1
            self.sheets.ms[round((time.perf_counter() - started) * 1000)] += 1
        elif r.status_code == 503:
            self.sheets.busy += 1
        else:
            self.sheets.failed[str(r.status_code)] += 1
