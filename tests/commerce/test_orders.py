"""Buying, on both backends: orders, idempotency, limits, expiry, payment webhooks, states, events."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from tests.support.api import Api, at_once
from tests.support.orders import ADDRESS, available, buyer, code, order_body, pay, place, webhook
from tests.support.sockets import recv, recv_type


def test_an_order_takes_stock_and_reads_back_with_its_token(api: Api, shop: dict[str, Any]) -> None:
    r = place(api, order_body(shop, quantity=2))
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "pending" and order["quantity"] == 2
    assert order["total"] == {"amount": 9800, "currency": "EUR"}
    assert order["payment"]["url"].endswith(order["payment"]["url"].rsplit("/", 1)[1])
    assert order["delivery"]["min_days"] == 3 and order["delivery"]["max_days"] == 4
    assert available(api, shop) == 3
    token = parse_qs(urlsplit(order["url"]).query)["t"][0]
    assert api.client.get(f"/api/orders/{order['id']}?t={token}").json()["id"] == order["id"]
    assert api.client.get(f"/api/orders/{order['id']}", headers=shop["seller"]["headers"]).status_code == 200
    assert code(api.client.get(f"/api/orders/{order['id']}?t=forged")) == "order_token_required"
    other = api.user("seller")
    assert api.client.get(f"/api/orders/{order['id']}", headers=other["headers"]).status_code == 403


def test_same_key_same_order_and_a_reused_key_is_refused(api: Api, shop: dict[str, Any]) -> None:
    body = order_body(shop)
    first = place(api, body, key="retry-key-0001")
    again = place(api, body, key="retry-key-0001")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    assert available(api, shop) == 4, "one unit, not two"
    other = place(api, order_body(shop, quantity=2), key="retry-key-0001")
    assert other.status_code == 422 and code(other) == "idempotency_key_reused"
    assert code(api.client.post("/api/orders", json=body)) == "idempotency_key_required"


def test_concurrent_retries_with_one_key_make_one_order(api: Api, shop: dict[str, Any]) -> None:
    body = order_body(shop)
    results = at_once([functools.partial(place, api, body, key="same-key-racing") for _ in range(6)])
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["id"] for r in results}) == 1
    assert available(api, shop) == 4


def test_sold_out_and_buyer_limit(api: Api, shop: dict[str, Any]) -> None:
    r = place(api, order_body(shop, quantity=6))
    assert r.status_code == 409 and code(r) == "sold_out"
    assert place(api, order_body(shop, quantity=3)).status_code == 201
    r = place(api, order_body(shop, quantity=1))
    assert r.status_code == 409 and code(r) == "buyer_limit", "3 per buyer per product in this show"
    assert place(api, order_body(shop, quantity=2, buyer=buyer(2))).status_code == 201
    r = place(api, order_body(shop, quantity=1, buyer=buyer(3)))
    assert r.status_code == 409 and code(r) == "sold_out"
    assert available(api, shop) == 0


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"quantity": 0}, "invalid_request"),
        ({"quantity": 11}, "invalid_request"),
        ({"buyer": {**buyer(), "email": "not-an-email"}}, "invalid_request"),
        ({"buyer": {**buyer(), "address": {**ADDRESS, "postal_code": "ABC"}}}, "invalid_request"),
        ({"buyer": {**buyer(), "address": {**ADDRESS, "postal_code": "\u0667\u0665\u0660\u0660\u0664"}}},
         "invalid_request"),  # Arabic-Indic digits: a French postal code is 0-9
        ({"show_id": ""}, "invalid_request"),
        ({"deal_id": " "}, "invalid_request"),
        ({"buyer": {**buyer(), "address": {**ADDRESS, "country": "ZZ"}}}, "invalid_request"),
        ({"variant_id": "var_other"}, "variant_not_found"),
        ({"product_id": "prd_missing"}, "product_not_found"),
        ({"show_id": "shw_missing"}, "show_not_found"),
    ],
)
def test_bad_orders_are_refused_clearly(api: Api, shop: dict[str, Any], over: dict[str, Any], expected: str) -> None:
    r = place(api, order_body(shop, **over))
    assert 400 <= r.status_code < 500 and code(r) == expected, r.text
    assert available(api, shop) == 5


def test_unpaid_reservation_returns_to_stock(api: Api, shop: dict[str, Any]) -> None:
    order = place(api, order_body(shop, quantity=2)).json()
    assert api.call(api.services.orders.expire_due) == 0, "not due yet"
    api.services.orders.reservation = timedelta(seconds=-1)
    late = place(api, order_body(shop, quantity=1, buyer=buyer(2))).json()
    assert api.call(api.services.orders.expire_due) == 1
    token = parse_qs(urlsplit(late["url"]).query)["t"][0]
    expired = api.client.get(f"/api/orders/{late['id']}?t={token}").json()
    assert expired["status"] == "cancelled" and expired["cancel_reason"] == "expired"
    assert available(api, shop) == 3, "the late order's unit is back; the first still holds 2"
    assert api.client.get(f"/api/orders/{order['id']}", headers=shop["seller"]["headers"]).json()["status"] == "pending"


def test_sandbox_payment_and_the_order_states(api: Api, shop: dict[str, Any]) -> None:
    order = place(api, order_body(shop)).json()
    paid = pay(api, order).json()
    assert paid["status"] == "paid" and paid["order_id"] == order["id"] and paid["webhook"] == "applied"
    assert paid["order_url"].startswith(api.services.settings.public_base_url + f"/orders/{order['id']}?t=")
    again = pay(api, order, "failed")
    assert again.status_code == 409 and code(again) == "payment_not_pending", "a paid order cannot be failed"
    ref = order["payment"]["url"].rsplit("/", 1)[1]
    form = api.client.post(f"/api/pay/sandbox/{ref}", content=b"outcome=failed",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415, "a cross-site form post is refused"
    seller = shop["seller"]["headers"]
    got = api.client.get(f"/api/orders/{order['id']}", headers=seller).json()
    assert got["status"] == "paid" and got["paid_at"] and got["payment"]["url"] is None
    r = api.client.post(f"/api/orders/{order['id']}/deliver", headers=seller)
    assert r.status_code == 409 and code(r) == "invalid_transition"
    other = api.user("seller")
    assert code(api.client.post(f"/api/orders/{order['id']}/ship", headers=other["headers"])) == "not_order_seller"
    assert api.client.post(f"/api/orders/{order['id']}/ship", headers=seller).json()["status"] == "shipped"
    assert api.client.post(f"/api/orders/{order['id']}/deliver", headers=seller).json()["status"] == "delivered"
    assert available(api, shop) == 4
    assert api.client.post(f"/api/orders/{order['id']}/refund", headers=seller).json()["status"] == "refunded"
    assert available(api, shop) == 5, "a refund returns the stock"


def test_the_buyer_cancels_a_pending_order_with_its_token(api: Api, shop: dict[str, Any]) -> None:
    order = place(api, order_body(shop, quantity=2)).json()
    token = parse_qs(urlsplit(order["url"]).query)["t"][0]
    cancel = f"/api/orders/{order['id']}/cancel"
    assert available(api, shop) == 3
    for headers in ({}, {"x-order-token": "forged"}):
        r = api.client.post(cancel, headers=headers)
        assert r.status_code == 401 and code(r) == "order_token_required", r.text
    other = place(api, order_body(shop, buyer=buyer(2))).json()
    r = api.client.post(f"/api/orders/{other['id']}/cancel", headers={"x-order-token": token})
    assert r.status_code == 401 and code(r) == "order_token_required", "one order's link cancels no other"
    r = api.client.post(cancel, headers={"x-order-token": token})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["cancel_reason"] == "buyer_cancelled"
    assert available(api, shop) == 4, "the pieces go back on sale"
    again = api.client.post(cancel, headers={"x-order-token": token})
    assert again.status_code == 409 and code(again) == "invalid_transition"
    assert available(api, shop) == 4, "cancelled once, not twice (the stock is not returned twice)"
    # the seller's path is as it was
    r = api.client.post(f"/api/orders/{other['id']}/cancel", headers=shop["seller"]["headers"])
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["cancel_reason"] is None
    assert available(api, shop) == 5


def test_a_paid_order_is_not_cancelled_by_its_buyer(api: Api, shop: dict[str, Any]) -> None:
    order = place(api, order_body(shop)).json()
    token = parse_qs(urlsplit(order["url"]).query)["t"][0]
    pay(api, order)
    r = api.client.post(f"/api/orders/{order['id']}/cancel", headers={"x-order-token": token})
    assert r.status_code == 409 and code(r) == "order_paid", r.text
    assert "refund" in r.json()["error"]["message"]
    got = api.client.get(f"/api/orders/{order['id']}?t={token}").json()
    assert got["status"] == "paid" and available(api, shop) == 4


def test_webhooks_refuse_bad_signatures_old_timestamps_and_replays(api: Api, shop: dict[str, Any]) -> None:
    order = place(api, order_body(shop)).json()
    url = "/api/payments/sandbox/webhook"
    seller = shop["seller"]["headers"]
    status = lambda: api.client.get(f"/api/orders/{order['id']}", headers=seller).json()["status"]  # noqa: E731

    headers, body = webhook(api, order, tamper=True)
    r = api.client.post(url, content=body, headers=headers)
    assert r.status_code == 400 and code(r) == "bad_signature" and status() == "pending"
    headers, body = webhook(api, order, at=datetime.now(UTC) - timedelta(minutes=10))
    r = api.client.post(url, content=body, headers=headers)
    assert r.status_code == 400 and code(r) == "webhook_too_old" and status() == "pending"
    r = api.client.post(url, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400 and status() == "pending"
    headers, body = webhook(api, order, outcome="failed")
    replay = (headers, body)
    assert api.client.post(url, content=body, headers=headers).json()["status"] == "applied"
    assert status() == "pending" and available(api, shop) == 4, "a decline keeps the reservation"
    # the same delivery again changes nothing: the order paid meanwhile stays paid
    pay(api, order)
    assert api.client.post(url, content=replay[1], headers=replay[0]).json()["status"] == "duplicate"
    assert status() == "paid" and available(api, shop) == 4


def test_payment_after_expiry_is_refunded_not_lost(api: Api, shop: dict[str, Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    refunds: list[str] = []

    async def record(*, ref: str, amount: int, currency: str) -> None:
        refunds.append(ref)

    monkeypatch.setattr(api.services.sandbox, "refund", record)
    api.services.orders.reservation = timedelta(seconds=-1)
    order = place(api, order_body(shop)).json()
    api.call(api.services.orders.expire_due)
    headers, body = webhook(api, order)  # the provider's word arrives after the reservation ran out
    assert api.client.post("/api/payments/sandbox/webhook", content=body, headers=headers).status_code == 200
    got = api.client.get(f"/api/orders/{order['id']}", headers=shop["seller"]["headers"]).json()
    assert got["status"] == "cancelled"
    assert refunds == [order["payment"]["url"].rsplit("/", 1)[1]]


def test_stock_and_sale_events_are_coalesced(api: Api, shop: dict[str, Any]) -> None:
    with api.client.websocket_connect(f"/ws/shows/{shop['show']['id']}") as ws:
        recv(ws)
        for n in range(4):
            assert place(api, order_body(shop, buyer=buyer(n))).status_code == 201
        sold, level = 0, None
        while sold < 4 or level != 1:
            frame = recv(ws)
            if frame["type"] == "sale":
                sold += frame["data"]["quantity"]
            elif frame["type"] == "stock":
                assert frame["data"]["variant_id"] == shop["variant"]["id"]
                level = frame["data"]["available"]
    assert sold == 4 and level == 1


def test_buying_over_the_socket(api: Api, shop: dict[str, Any]) -> None:
    with api.client.websocket_connect(f"/ws/shows/{shop['show']['id']}") as ws:
        recv(ws)
        frame = {"type": "buy", "product_id": shop["product"]["id"], "variant_id": shop["variant"]["id"],
                 "quantity": 2, "key": "ws-buy-key-1", "buyer": buyer()}
        ws.send_text(orjson.dumps(frame).decode())
        placed = recv_type(ws, "order.placed")
        assert "seq" not in placed and placed["data"]["order"]["quantity"] == 2
        ws.send_text(orjson.dumps(frame).decode())
        again = recv_type(ws, "order.placed")["data"]
        assert again["replayed"] and again["order"]["id"] == placed["data"]["order"]["id"]
        assert placed["data"]["key"] == "ws-buy-key-1"
        ws.send_text(orjson.dumps({**frame, "key": "ws-buy-key-2", "quantity": 4}).decode())
        refused = recv_type(ws, "error")["data"]
        assert refused["code"] == "sold_out" and refused["key"] == "ws-buy-key-2"
        bad_address = {**buyer(), "address": {**ADDRESS, "postal_code": "ABC"}}
        ws.send_text(orjson.dumps({**frame, "key": "ws-buy-key-3", "buyer": bad_address}).decode())
        invalid = recv_type(ws, "error")["data"]
        assert invalid["code"] == "invalid_request" and invalid["key"] == "ws-buy-key-3"
        assert invalid["details"] == [{"field": "buyer.address.postal_code", "type": "value_error",
                                       "message": "Value error, the postal code is not valid for FR"}]
    assert available(api, shop) == 3


def test_a_host_sells_only_what_sellers_let_it(api: Api) -> None:
    seller, host = api.user("seller"), api.user("host")
    product = api.product(seller)
    r = api.client.post("/api/shows", json={"title": "t", "product_ids": [product["id"]]}, headers=host["headers"])
    assert r.status_code == 403 and code(r) == "product_not_sellable"
    api.grant(seller, host)
    r = api.client.post("/api/shows", json={"title": "t", "product_ids": [product["id"]]}, headers=host["headers"])
    assert r.status_code == 201
    assert api.client.get("/api/sellers/me/hosts", headers=seller["headers"]).json() == {"host_ids": [host["id"]]}
    api.client.delete(f"/api/sellers/me/hosts/{host['id']}", headers=seller["headers"])
    r = api.client.post("/api/shows", json={"title": "t", "product_ids": [product["id"]]}, headers=host["headers"])
    assert r.status_code == 403


def test_size_guide_travels_with_the_product(api: Api) -> None:
    seller = api.user("seller")
    guide = {"unit": "cm", "sizes": [{"label": "S", "measurements": {"hips": 92}},
                                     {"label": "M", "measurements": {"hips": 98}}]}
    body = {"title": "Skirt", "price": {"amount": 5900, "currency": "EUR"}, "size_guide": guide,
            "variants": [{"sku": "SK-S", "label": "S", "stock": 1}, {"sku": "SK-M", "label": "M", "stock": 1}]}
    product = api.client.post("/api/products", json=body, headers=seller["headers"]).json()
    assert api.client.get(f"/api/products/{product['id']}").json()["size_guide"] == guide
    bad = {**body, "size_guide": {"unit": "cm", "sizes": [{"label": "S", "measurements": {"hips": -1}}]}}
    assert api.client.post("/api/products", json=bad, headers=seller["headers"]).status_code == 422


def test_live_sales_for_the_host(api: Api, shop: dict[str, Any]) -> None:
    paid = place(api, order_body(shop, quantity=2)).json()
    pay(api, paid)
    place(api, order_body(shop, buyer=buyer(2)))
    sales = api.client.get(f"/api/shows/{shop['show']['id']}/sales", headers=shop["host"]["headers"]).json()
    assert sales["orders"] == 2 and sales["units"] == 3 and sales["buyers"] == 2
    assert sales["audience"] >= 2 and 0 < sales["conversion"] <= 1, "never more buyers than viewers"
    assert sales["revenue"] == [{"amount": 9800, "currency": "EUR"}]
    other = api.user("host")
    assert api.client.get(f"/api/shows/{shop['show']['id']}/sales", headers=other["headers"]).status_code == 403


def test_sellers_edit_and_restock_only_their_own_products(api: Api, shop: dict[str, Any]) -> None:
    pid, vid, seller = shop["product"]["id"], shop["variant"]["id"], shop["seller"]["headers"]
    r = api.client.patch(f"/api/products/{pid}", json={"title": "Linen shirt, washed",
                                                       "price": {"amount": 3900, "currency": "EUR"}}, headers=seller)
    assert r.status_code == 200 and r.json()["title"] == "Linen shirt, washed" and r.json()["price"]["amount"] == 3900
    other = api.user("seller")
    r = api.client.patch(f"/api/products/{pid}", json={"title": "mine now"}, headers=other["headers"])
    assert r.status_code == 403 and code(r) == "not_product_seller"
    r = api.client.put(f"/api/products/{pid}/variants/{vid}/stock", json={"stock": 7}, headers=other["headers"])
    assert r.status_code == 403
    assert place(api, order_body(shop, quantity=3)).status_code == 201
    assert place(api, order_body(shop, quantity=2, buyer=buyer(3))).status_code == 201
    assert code(place(api, order_body(shop, buyer=buyer(2)))) == "sold_out"
    with api.client.websocket_connect(f"/ws/shows/{shop['show']['id']}") as ws:
        recv(ws)
        r = api.client.put(f"/api/products/{pid}/variants/{vid}/stock", json={"stock": 2}, headers=seller)
        assert r.status_code == 200 and r.json()["variants"][0]["available"] == 2
        while recv_type(ws, "stock")["data"]["available"] != 2:  # the orders' levels may come first
            pass
    assert place(api, order_body(shop, quantity=2, buyer=buyer(2))).status_code == 201, "the gate follows a restock"
    assert api.client.put(f"/api/products/{pid}/variants/{vid}/stock", json={"stock": -1},
                          headers=seller).status_code == 422
