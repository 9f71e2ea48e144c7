"""Flash deals and vouchers, on both backends."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Api, at_once
from tests.test_orders import buyer, code, order_body, place
from tests.web.test_ws import recv, recv_type


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    seller, host = api.user("seller"), api.user("host")
    product = api.product(seller, stock=10, sizes=("S", "M"))
    show = api.live_show(host, [product["id"]], buyer_limit=10)
    return {"seller": seller, "host": host, "product": product, "show": show, "variant": product["variants"][0]}


def start_deal(api: Api, shop: dict[str, Any], **over: Any) -> Any:
    body = {"product_id": shop["product"]["id"], "price": {"amount": 2900, "currency": "EUR"}, "quantity": 3,
            "duration_s": 60, **over}
    return api.client.post(f"/api/shows/{shop['show']['id']}/deals", json=body, headers=shop["host"]["headers"])


def pin(api: Api, shop: dict[str, Any]) -> None:
    r = api.client.post(f"/api/shows/{shop['show']['id']}/pin", json={"product_id": shop["product"]["id"]},
                        headers=shop["host"]["headers"])
    assert r.status_code == 200


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


def voucher(api: Api, owner: dict[str, Any], **fields: Any) -> Any:
    return api.client.post("/api/vouchers", json=fields, headers=owner["headers"])


def test_vouchers_percent_fixed_and_their_limits(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]
    assert voucher(api, seller, code="live20", kind="percent", value=20, max_per_buyer=1).status_code == 201
    assert code(voucher(api, seller, code="LIVE20", kind="percent", value=10)) == "voucher_code_taken"
    assert voucher(api, seller, code="TENOFF", kind="fixed", value=1000, currency="EUR", max_uses=1).status_code == 201
    assert voucher(api, seller, code="BAD", kind="percent", value=120).status_code == 422
    first = place(api, order_body(shop, quantity=2, voucher="live20")).json()
    assert first["discount"]["amount"] == 1960 and first["total"]["amount"] == 9800 - 1960
    assert code(place(api, order_body(shop, voucher="LIVE20"))) == "voucher_limit", "once per buyer"
    assert place(api, order_body(shop, voucher="LIVE20", buyer=buyer(2))).status_code == 201
    fixed = place(api, order_body(shop, voucher="TENOFF", buyer=buyer(3))).json()
    assert fixed["total"]["amount"] == 3900
    assert code(place(api, order_body(shop, voucher="TENOFF", buyer=buyer(4)))) == "voucher_exhausted"
    assert code(place(api, order_body(shop, voucher="NOPE", buyer=buyer(4)))) == "voucher_invalid"
    used = {v["code"]: v["used"] for v in api.client.get("/api/vouchers", headers=seller["headers"]).json()["items"]}
    assert used == {"LIVE20": 2, "TENOFF": 1}


def test_voucher_scope_expiry_and_return_on_cancel(api: Api, shop: dict[str, Any]) -> None:
    seller, other_seller = shop["seller"], api.user("seller")
    voucher(api, other_seller, code="NOTYOURS", kind="percent", value=50)
    assert code(place(api, order_body(shop, voucher="NOTYOURS"))) == "voucher_invalid"
    voucher(api, seller, code="OTHERSHOW", kind="percent", value=50, show_id=shop["show"]["id"])
    assert place(api, order_body(shop, voucher="OTHERSHOW")).status_code == 201
    assert code(place(api, order_body(shop, voucher="OTHERSHOW", show_id=None, buyer=buyer(9)))) == "voucher_invalid"
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    voucher(api, seller, code="OLD", kind="percent", value=5, expires_at=past)
    assert code(place(api, order_body(shop, voucher="OLD", buyer=buyer(5)))) == "voucher_expired"
    voucher(api, seller, code="ONCE", kind="percent", value=5, max_uses=1)
    once = place(api, order_body(shop, voucher="ONCE", buyer=buyer(6))).json()
    api.client.post(f"/api/orders/{once['id']}/cancel", headers=seller["headers"])
    assert place(api, order_body(shop, voucher="ONCE", buyer=buyer(7))).status_code == 201, "the use came back"
    admin = api.user("admin")
    voucher(api, admin, code="EVERYONE", kind="percent", value=10)
    assert place(api, order_body(shop, voucher="EVERYONE", buyer=buyer(8))).status_code == 201


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
