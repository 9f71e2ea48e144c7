"""Codes and label sheets are drawn in a process of their own (issue 16: drawn on the event loop, four sheets of
400 labels held a pin for 3 s), with a bounded queue and what was drawn kept; a store holds at most 500 items."""

from __future__ import annotations

import asyncio
import io
import os

import pytest
from pypdf import PdfReader

from server.stores import labels, service
from server.stores.rendering import Busy, Renderer
from tests.support.api import Api
from tests.support.orders import code

pytestmark = pytest.mark.anyio


def _pid() -> int:
    return os.getpid()


def _sheet(n: int) -> list[labels.Label]:
    return [labels.Label(title=f"Coat {i}", brand="Maison Lune", price="189,00 €", size="M",
                         url=f"https://shop.example/q/{i:020d}") for i in range(n)]


async def test_drawing_happens_in_another_process_and_is_kept() -> None:
    renderer = Renderer()
    try:
        assert await renderer._in_pool(_pid) != os.getpid()
        assert await renderer._in_pool(os.nice, 0) >= os.nice(0) + 15, "it yields the CPU to the workers"
        pdf = await renderer.sheet("Le Marais", _sheet(25))
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 2  # 21 labels a page
        assert await renderer.sheet("Le Marais", _sheet(25)) is pdf, "the same labels: the same sheet, kept"
        assert await renderer.sheet("Le Marais", _sheet(26)) is not pdf
        png = await renderer.png("https://shop.example/q/x")
        assert png.startswith(b"\x89PNG") and await renderer.png("https://shop.example/q/x") is png
    finally:
        await renderer.close()


async def test_more_sheets_than_the_queue_holds_are_refused_at_once() -> None:
    renderer = Renderer(processes=1, waiting=1)
    try:
        results = await asyncio.gather(*(renderer.sheet(f"Store {i}", _sheet(40)) for i in range(3)),
                                       return_exceptions=True)
        assert sum(isinstance(r, bytes) for r in results) == 2
        busy = [r for r in results if isinstance(r, Busy)]
        assert len(busy) == 1 and busy[0].status == 503 and busy[0].code == "busy"
    finally:
        await renderer.close()


def test_a_store_holds_at_most_so_many_items(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "MAX_ITEMS", 2)
    seller = api.user("seller")
    product = api.product(seller)
    shop = api.client.post("/api/stores", json={"name": "Tiny"}, headers=seller["headers"]).json()
    add = lambda: api.client.post(f"/api/stores/{shop['id']}/items", json={"product_id": product["id"]},  # noqa: E731
                                  headers=seller["headers"])
    first, _ = add().json(), add()
    full = add()
    assert full.status_code == 409 and code(full) == "store_full"
    api.client.delete(f"/api/stores/{shop['id']}/items/{first['id']}", headers=seller["headers"])
    assert add().status_code == 201, "a revoked item leaves its place"
    assert api.client.get(f"/api/stores/{shop['id']}/labels.pdf").status_code == 200


def test_an_item_s_codes_are_served_as_images(api: Api) -> None:
    seller = api.user("seller")
    product = api.product(seller)
    shop = api.client.post("/api/stores", json={"name": "Codes"}, headers=seller["headers"]).json()
    item = api.client.post(f"/api/stores/{shop['id']}/items", json={"product_id": product["id"]},
                           headers=seller["headers"]).json()
    first = api.client.get(item["qr_png"])
    again = api.client.get(item["qr_png"])
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert first.headers["content-type"] == "image/png"
    assert api.client.get(item["qr_svg"]).headers["content-type"].startswith("image/svg+xml")
