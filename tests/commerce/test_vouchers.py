"""Vouchers, on both backends."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.api import Api, open_shop
from tests.support.orders import available, buyer, code, order_body, place


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    return open_shop(api, stock=10, buyer_limit=10)


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


def test_a_quote_shows_the_voucher_before_the_order_and_takes_nothing(api: Api, shop: dict[str, Any]) -> None:
    seller, once, old = shop["seller"], f"ONCE{secrets.token_hex(4)}", f"OLD{secrets.token_hex(4)}"  # codes are unique
    assert voucher(api, seller, code=once, kind="percent", value=20, max_uses=1).status_code == 201
    assert voucher(api, seller, code=old, kind="percent", value=5,
                   expires_at=(datetime.now(UTC) - timedelta(days=1)).isoformat()).status_code == 201

    def quote(**over: Any) -> Any:
        body = {k: v for k, v in order_body(shop, **over).items() if k != "buyer"}  # no buyer needed
        return api.client.post("/api/quotes", json=body)

    r = quote(quantity=2, voucher=once.lower())
    assert r.status_code == 200, r.text
    q = r.json()
    assert (q["subtotal"]["amount"], q["discount"]["amount"], q["total"]["amount"]) == (9800, 1960, 7840)
    assert q["currency"] == "EUR" and q["voucher"] == {"code": once.upper(), "state": "valid"}
    assert quote(voucher=once).json()["voucher"]["state"] == "valid", "a quote uses nothing up"
    assert available(api, shop) == 10, "nor takes stock"
    order = place(api, order_body(shop, quantity=2, voucher=once)).json()
    assert order["total"] == q["total"] and order["discount"] == q["discount"], "the order costs what it was quoted"

    states = {c: quote(voucher=c).json() for c in ("NOPE", old, once)}
    assert {c: a["voucher"]["state"] for c, a in states.items()} == {
        "NOPE": "voucher_invalid", old: "voucher_expired", once: "voucher_exhausted"}
    assert all(a["discount"]["amount"] == 0 and a["total"]["amount"] == 4900 for a in states.values())
    plain = quote(buyer=buyer(2)).json()
    assert plain["voucher"] is None and plain["total"]["amount"] == 4900, "a buyer may come along, as in an order"
    assert code(quote(variant_id="var_nope")) == "variant_not_found"
    assert code(quote(quantity=0)) == "invalid_request"
    assert code(quote(show_id="shw_nope")) == "show_not_found"
    assert api.client.post("/api/quotes", content=b"{").status_code == 400, "not JSON: refused, as an order"


def test_quotes_that_guess_codes_are_refused_after_twenty_unknown_ones(api: Api, shop: dict[str, Any]) -> None:
    """A quote takes nothing, so it must not become a free oracle for a shop's codes: after 20 unknown codes from
    one address (in 10 minutes, over every node), a quote naming a code answers 429; one without a code still
    prices the order."""
    body = {k: v for k, v in order_body(shop).items() if k != "buyer"}
    for i in range(20):
        r = api.client.post("/api/quotes", json={**body, "voucher": f"GUESS{i:02d}{secrets.token_hex(3)}"})
        assert r.status_code == 200 and r.json()["voucher"]["state"] == "voucher_invalid", r.text
    r = api.client.post("/api/quotes", json={**body, "voucher": "GUESSAGAIN"})
    assert r.status_code == 429 and code(r) == "too_many_attempts", r.text
    r = api.client.post("/api/quotes", json=body)
    assert r.status_code == 200 and r.json()["voucher"] is None, r.text
