"""Flash deals, on both backends."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.api import Api, at_once, open_shop
from tests.support.deals import pin, start_deal
from tests.support.orders import buyer, code, order_body, place
from tests.support.sockets import recv, recv_type


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    return open_shop(api, stock=10, buyer_limit=10)


def test_a_deal_needs_the_pinned_product_a_lower_price_and_the_host(api: Api, shop: dict[str, Any]) -> None:
    r = start_deal(api, shop)
    assert r.status_code == 422 and code(r) == "product_not_pinned"
    pin(api, shop)
    r = start_deal(api, shop, price={"amount": 4900, "currency": "EUR"})
    assert code(r) == "deal_not_cheaper"
    r = start_deal(api, shop, price={"amount": 100, "currency": "USD"})
    assert code(r) == "currency_mismatch"
    r = start_deal(api, shop, duration_s=5)
    assert r.status_code == 422
    other = api.user("host")
    r = api.client.post(f"/api/shows/{shop['show']['id']}/deals", headers=other["headers"],
                        json={"product_id": shop["product"]["id"], "price": {"amount": 100, "currency": "EUR"},
                              "quantity": 1, "duration_s": 30})
    assert r.status_code == 403
    assert start_deal(api, shop).status_code == 201
    assert code(start_deal(api, shop)) == "deal_running"


def test_deal_price_countdown_and_sold_out_end(api: Api, shop: dict[str, Any]) -> None:
    pin(api, shop)
    with api.client.websocket_connect(f"/ws/shows/{shop['show']['id']}") as ws:
        recv(ws)
        deal = start_deal(api, shop).json()
        started = recv_type(ws, "deal.started")["data"]["deal"]
        assert started["id"] == deal["id"] and started["remaining"] == 3 and started["price"]["amount"] == 2900
        assert started["ends_at_ms"] > datetime.now(UTC).timestamp() * 1000 + 50_000
        snapshot_deal = api.client.get(f"/api/shows/{shop['show']['id']}").json()["deal"]
        assert snapshot_deal["id"] == deal["id"]
        first = place(api, order_body(shop, quantity=2, deal_id=deal["id"])).json()
        assert first["unit_price"]["amount"] == 2900 and first["total"]["amount"] == 5800
        r = place(api, order_body(shop, quantity=2, deal_id=deal["id"], buyer=buyer(2)))
        assert r.status_code == 409 and code(r) == "deal_ended", "2 + 2 is over the cap of 3"
        assert place(api, order_body(shop, quantity=1, deal_id=deal["id"], buyer=buyer(3))).status_code == 201
        ended = recv_type(ws, "deal.ended")["data"]
        assert ended == {"id": deal["id"], "product_id": shop["product"]["id"], "reason": "sold_out", "sold": 3}
    r = place(api, order_body(shop, deal_id=deal["id"], buyer=buyer(4)))
    assert code(r) == "deal_ended"
    full = place(api, order_body(shop, buyer=buyer(4))).json()
    assert full["unit_price"]["amount"] == 4900, "without the deal, the full price"
    assert api.client.get(f"/api/shows/{shop['show']['id']}").json()["deal"] is None


def test_deal_ends_on_time_and_by_the_host(api: Api, shop: dict[str, Any]) -> None:
    pin(api, shop)
    deal = start_deal(api, shop).json()
    with api.client.websocket_connect(f"/ws/shows/{shop['show']['id']}") as ws:
        recv(ws)
        r = api.client.post(f"/api/shows/{shop['show']['id']}/deals/{deal['id']}/end", headers=shop["host"]["headers"])
        assert r.json()["ended"] and r.json()["end_reason"] == "host"
        assert recv_type(ws, "deal.ended")["data"]["reason"] == "host"
        timed = start_deal(api, shop, duration_s=10).json()
        api.call(lambda: _age_deal(api, timed["id"]))
        assert api.call(api.services.deals.expire_due) == 1
        ended = recv_type(ws, "deal.ended")["data"]
        assert ended["id"] == timed["id"] and ended["reason"] == "time"
    assert code(place(api, order_body(shop, deal_id=timed["id"]))) == "deal_ended"


async def _age_deal(api: Api, deal_id: str) -> None:
    from server.models.commerce import Deal

    async with api.services.db.session() as session:
        deal = await session.get(Deal, deal_id)
        assert deal is not None
        deal.ends_at = datetime.now(UTC) - timedelta(seconds=1)
        await session.commit()


def test_deals_started_at_once_make_one_running_deal(api: Api, shop: dict[str, Any]) -> None:
    """Eight starts at once, five times over: one deal runs, the others are refused (no two deals at
    their own prices, each with its own cap)."""
    pin(api, shop)
    show_id = shop["show"]["id"]
    for _round in range(5):
        results = at_once([functools.partial(start_deal, api, shop, price={"amount": 2900 + i, "currency": "EUR"})
                           for i in range(8)])
        assert sorted(r.status_code for r in results) == [201] + [409] * 7, [r.text for r in results]
        assert {code(r) for r in results if r.status_code == 409} == {"deal_running"}
        won = next(r.json() for r in results if r.status_code == 201)
        assert api.client.get(f"/api/shows/{show_id}").json()["deal"]["id"] == won["id"]
        r = api.client.post(f"/api/shows/{show_id}/deals/{won['id']}/end", headers=shop["host"]["headers"])
        assert r.status_code == 200, r.text


def test_a_deal_ends_when_its_product_is_unpinned(api: Api) -> None:
    """Pinning another product ends the deal (`unpinned`): viewers are told, its price is gone, and the new
    product may have a deal at once; unpinning ends the deal too."""
    seller, host = api.user("seller"), api.user("host")
    first, second = api.product(seller), api.product(seller)
    show = api.live_show(host, [first["id"], second["id"]])
    shop = {"host": host, "show": show, "product": first, "variant": first["variants"][0]}
    pin(api, shop)
    deal = start_deal(api, shop).json()
    with api.client.websocket_connect(f"/ws/shows/{show['id']}") as ws:
        recv(ws)
        shop["product"] = second
        pin(api, shop)
        assert recv_type(ws, "product.pinned")["data"]["product"]["id"] == second["id"]
        ended = recv_type(ws, "deal.ended")["data"]
        assert ended == {"id": deal["id"], "product_id": first["id"], "reason": "unpinned", "sold": 0}
        assert api.client.get(f"/api/shows/{show['id']}").json()["deal"] is None
        first_shop = {**shop, "product": first, "variant": first["variants"][0]}
        assert code(place(api, order_body(first_shop, deal_id=deal["id"]))) == "deal_ended"
        r = start_deal(api, shop)
        assert r.status_code == 201, r.text
        second_deal = r.json()
        r = api.client.delete(f"/api/shows/{show['id']}/pin", headers=host["headers"])
        assert r.status_code == 200, r.text
        ended = recv_type(ws, "deal.ended")["data"]
        assert (ended["id"], ended["product_id"], ended["reason"]) == (second_deal["id"], second["id"], "unpinned")
    history = api.client.get(f"/api/shows/{show['id']}").json()
    assert history["deal"] is None and history["pinned"] is None
