"""A seller changing the stock while a show sells (issue 16): 0.6.4's absolute `PUT …/stock` put back on sale
every unit sold between the seller's read and write (324 orders for 250 physical units). A relative adjustment
in one UPDATE, and a compare-and-set on the absolute form."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api, at_once
from tests.support.orders import available, buyer, code, order_body, place


def stock_url(shop: dict[str, Any]) -> str:
    return f"/api/products/{shop['product']['id']}/variants/{shop['variant']['id']}/stock"


def test_the_absolute_form_with_expected_refuses_a_stale_read(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]["headers"]
    read = available(api, shop)  # 5
    assert place(api, order_body(shop, quantity=2)).status_code == 201  # sold meanwhile
    r = api.client.put(stock_url(shop), json={"stock": read + 10, "expected": read}, headers=seller)
    assert r.status_code == 409 and code(r) == "stock_changed" and r.json()["error"]["details"] == {"stock": 3}
    assert available(api, shop) == 3, "a refused write changes nothing"
    r = api.client.put(stock_url(shop), json={"stock": 13, "expected": 3}, headers=seller)
    assert r.status_code == 200 and r.json()["variants"][0]["available"] == 13 and available(api, shop) == 13


def test_an_adjustment_keeps_what_sold_meanwhile(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]["headers"]
    assert place(api, order_body(shop, quantity=2)).status_code == 201
    r = api.client.post(f"{stock_url(shop)}/adjust", json={"delta": 10}, headers=seller)
    assert r.status_code == 200 and r.json()["variants"][0]["available"] == 13
    r = api.client.post(f"{stock_url(shop)}/adjust", json={"delta": -14}, headers=seller)
    assert r.status_code == 409 and code(r) == "stock_out_of_range" and r.json()["error"]["details"] == {"stock": 13}
    r = api.client.post(f"{stock_url(shop)}/adjust", json={"delta": -13}, headers=seller)
    assert r.status_code == 200 and available(api, shop) == 0
    assert code(place(api, order_body(shop, buyer=buyer(2)))) == "sold_out", "the gate follows the adjustment"
    for bad in ({"delta": 1_000_001}, {"delta": 1.5}, {"delta": None}, {}):
        assert api.client.post(f"{stock_url(shop)}/adjust", json=bad, headers=seller).status_code == 422
    assert api.client.post(f"{stock_url(shop)}/adjust", json={"delta": 1},
                           headers=api.user("seller")["headers"]).status_code == 403


def test_adjustments_during_a_sale_neither_lose_nor_invent_a_unit(api: Api, shop: dict[str, Any]) -> None:
    """Buyers and restocks at once: every unit either sold once or still on sale."""
    seller = shop["seller"]["headers"]
    # 5 on sale; 12 buyers take 1 each while the seller adds 3 twice, all at once: 11 units in all
    buys = [lambda n=n: place(api, order_body(shop, buyer=buyer(100 + n))) for n in range(12)]
    adds = [lambda: api.client.post(f"{stock_url(shop)}/adjust", json={"delta": 3}, headers=seller)] * 2
    answers = at_once([*buys, *adds])
    assert all(r.status_code == 200 for r in answers[12:]), [r.text for r in answers[12:]]
    sold = sum(1 for r in answers[:12] if r.status_code == 201)
    assert all(r.status_code == 201 or code(r) == "sold_out" for r in answers[:12])
    assert sold + available(api, shop) == 11, (sold, available(api, shop))
