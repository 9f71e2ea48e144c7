"""The seller's side of orders, on both backends: the list's filters and pages, the CSV export, shipping with a
tracking number, a voucher's uses, the seller's stores."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.commerce.exports import orders_csv
from server.models.commerce import OrdersQuery
from tests.support.api import Api, at_once, open_shop
from tests.support.orders import buyer, code, order_body, pay, place


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    return open_shop(api, stock=40, buyer_limit=10)


def listed(api: Api, who: dict[str, Any], **params: str) -> list[str]:
    r = api.client.get("/api/orders", params=params, headers=who["headers"])
    assert r.status_code == 200, r.text
    return [o["id"] for o in r.json()["items"]]


def refused(api: Api, who: dict[str, Any], path: str = "/api/orders", **params: str) -> set[str]:
    """The fields a 422 names."""
    r = api.client.get(path, params=params, headers=who["headers"])
    assert r.status_code == 422 and code(r) == "invalid_request", r.text
    return {d["field"] for d in r.json()["error"]["details"]}


def store_with_item(api: Api, shop: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    headers = shop["seller"]["headers"]
    store = api.client.post("/api/stores", json={"name": "Le Marais pop-up"}, headers=headers).json()
    item = api.client.post(f"/api/stores/{store['id']}/items", json={"product_id": shop["product"]["id"]},
                           headers=headers).json()
    return store, item


def test_the_list_filters_by_status_show_store_and_day(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]
    in_show = place(api, order_body(shop)).json()
    pay(api, in_show)
    store, item = store_with_item(api, shop)
    in_store = place(api, order_body(shop, show_id=None, store_item_id=item["id"], buyer=buyer(2))).json()
    elsewhere = open_shop(api, stock=5, buyer_limit=5)  # another seller's order never shows
    theirs = place(api, order_body(elsewhere)).json()

    assert listed(api, seller) == [in_store["id"], in_show["id"]]
    assert listed(api, seller, status="paid") == [in_show["id"]]
    assert listed(api, seller, status="pending, PAID") == [in_store["id"], in_show["id"]]
    assert listed(api, seller, status="shipped,refunded") == []
    assert listed(api, seller, show_id=shop["show"]["id"]) == [in_show["id"]]
    assert listed(api, seller, store_id=store["id"]) == [in_store["id"]]
    assert listed(api, seller, store_id=store["id"], status="paid") == []
    assert listed(api, seller, show_id=elsewhere["show"]["id"]) == [], "another seller's show lists nothing"
    day = datetime.fromisoformat(in_show["created_at"]).date()
    assert listed(api, seller, **{"from": day.isoformat(), "to": day.isoformat()}) == [in_store["id"], in_show["id"]]
    assert listed(api, seller, **{"from": (day + timedelta(days=1)).isoformat()}) == []
    assert listed(api, seller, to=(day - timedelta(days=1)).isoformat()) == []
    # instants are inclusive at both ends
    assert listed(api, seller, **{"from": in_store["created_at"]}) == [in_store["id"]]
    assert listed(api, seller, to=in_show["created_at"]) == [in_show["id"]]
    naive = datetime.fromisoformat(in_show["created_at"]).astimezone(UTC).replace(tzinfo=None).isoformat()
    assert listed(api, seller, to=naive) == [in_show["id"]], "an instant without an offset is UTC"
    admin = api.user("admin")
    assert {in_show["id"], in_store["id"], theirs["id"]} <= set(listed(api, admin, limit="200"))
    shows = api.client.get("/api/sellers/me/shows", headers=seller["headers"]).json()["items"]
    assert [(s["id"], s["status"]) for s in shows] == [(shop["show"]["id"], "live")], "the show filter's choices"


def test_pages_follow_each_other_without_gaps_or_repeats(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]
    placed = at_once([lambda n=n: place(api, order_body(shop, buyer=buyer(n))) for n in range(7)])  # one batch
    assert all(r.status_code == 201 for r in placed)
    everything = listed(api, seller)
    assert sorted(everything) == sorted(r.json()["id"] for r in placed)
    seen: list[str] = []
    cursor = None
    for expected in (3, 3, 1):
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/api/orders", params=params, headers=seller["headers"]).json()
        assert len(page["items"]) == expected
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
    assert cursor is None and seen == everything, "newest first, each order once"
    created = [o["created_at"] for o in api.client.get("/api/orders", headers=seller["headers"]).json()["items"]]
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "sent"}, "status"), ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"), ({"from": "2026-02-30"}, "from"), ({"to": "yesterday"}, "to"),
    ({"to": "9999-12-31"}, "to"), ({"show_id": "x" * 40}, "show_id")])
def test_bad_filters_are_422_with_their_field(api: Api, shop: dict[str, Any], params: dict[str, str],
                                             field: str) -> None:
    assert refused(api, shop["seller"], **params) == {field}
    if field not in ("limit", "cursor"):
        assert refused(api, shop["seller"], "/api/orders.csv", **params) == {field}


def test_only_sellers_and_admins_list_and_export(api: Api, shop: dict[str, Any]) -> None:
    for path in ("/api/orders", "/api/orders.csv", "/api/stores"):
        assert api.client.get(path).status_code == 401
        r = api.client.get(path, headers=shop["host"]["headers"])
        assert r.status_code == 403 and code(r) == "forbidden", path


def read_csv(r: Any) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode()), "a UTF-8 byte-order mark, for spreadsheets"
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def test_the_csv_has_a_row_per_order_quoted_and_guarded(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]
    tricky = {**buyer(1), "name": '=HYPERLINK("http://evil.example","Léa")'}
    quoted = {**buyer(2), "name": 'Anne "Nan", Paris'}
    plus = {**buyer(3), "name": "+33 Marc", "address": {**buyer(3)["address"], "line1": "@home\n2nd floor"}}
    first = place(api, order_body(shop, buyer=tricky, quantity=2)).json()
    second = place(api, order_body(shop, buyer=quoted)).json()
    third = place(api, order_body(shop, buyer=plus)).json()
    pay(api, first)
    api.client.post(f"/api/orders/{first['id']}/ship", json={"tracking_number": "-1Z999", "carrier": "UPS"},
                    headers=seller["headers"])
    other = open_shop(api, stock=5, buyer_limit=5)
    place(api, order_body(other))

    r = api.client.get("/api/orders.csv", headers=seller["headers"])
    today = datetime.now(UTC).date().isoformat()
    assert r.headers["content-disposition"] == f'attachment; filename="orders-{today}.csv"'
    assert b"\r\n" in r.content and b'"Anne ""Nan"", Paris"' in r.content, "RFC 4180: CRLF, quotes doubled"
    rows = read_csv(r)
    assert [row["order_id"] for row in rows] == [third["id"], second["id"], first["id"]], "the seller's own only"
    by_id = {row["order_id"]: row for row in rows}
    row = by_id[first["id"]]
    assert row["buyer_name"] == "'" + tricky["name"], "a formula is not a formula any more"
    assert (row["status"], row["quantity"], row["unit_price"], row["total"], row["currency"]) == (
        "shipped", "2", "49.00", "98.00", "EUR")
    assert (row["tracking_number"], row["carrier"]) == ("'-1Z999", "UPS")
    assert row["paid_at"] and row["shipped_at"] and row["refunded_at"] == ""
    assert row["product"] == "Linen shirt" and row["variant"] == "S" and row["sku"] == "SKU-S"
    assert by_id[second["id"]]["buyer_name"] == 'Anne "Nan", Paris'
    assert by_id[third["id"]]["buyer_name"] == "'+33 Marc"
    assert by_id[third["id"]]["address_line1"] == "'@home\n2nd floor", "a line break survives, quoted"

    paid = read_csv(api.client.get("/api/orders.csv", params={"status": "shipped"}, headers=seller["headers"]))
    assert [row["order_id"] for row in paid] == [first["id"]], "the list's filters"
    none = read_csv(api.client.get("/api/orders.csv", params={"status": "delivered"}, headers=seller["headers"]))
    assert none == []


def test_the_csv_streams_every_page(api: Api, shop: dict[str, Any]) -> None:
    placed = at_once([lambda n=n: place(api, order_body(shop, buyer=buyer(n))) for n in range(5)])
    ids = {r.json()["id"] for r in placed}

    async def read() -> list[str]:
        principal = await api.services.auth.verify(shop["seller"]["token"])
        chunks = [chunk async for chunk in orders_csv(api.services.orders.export(
            principal=principal, query=OrdersQuery(), page=2))]
        return chunks  # type: ignore[return-value]

    chunks = api.call(read)
    assert len(chunks) == 1 + 3, "the header, then pages of 2, 2 and 1"
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))  # type: ignore[arg-type]
    assert {row["order_id"] for row in rows} == ids and len(rows) == 5


def test_shipping_takes_a_tracking_number(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]["headers"]
    order = place(api, order_body(shop)).json()
    ship = f"/api/orders/{order['id']}/ship"
    r = api.client.post(ship, json={"tracking_number": "1Z999"}, headers=seller)
    assert r.status_code == 409 and code(r) == "invalid_transition", "not paid yet"
    pay(api, order)
    for bad in (None, {}, {"tracking_number": ""}, {"tracking_number": "   "}, {"tracking_number": "x" * 65},
                {"tracking_number": "1Z\n99"}, {"tracking_number": "1Z", "carrier": "c" * 65}):
        r = api.client.post(ship, headers=seller) if bad is None else api.client.post(ship, json=bad, headers=seller)
        assert r.status_code == 422 and code(r) == "invalid_request", (bad, r.text)
        field = "carrier" if bad and "carrier" in bad else "tracking_number"
        assert [d["field"] for d in r.json()["error"]["details"]] == [field], bad
    assert api.client.get(f"/api/orders/{order['id']}", headers=seller).json()["status"] == "paid"
    r = api.client.post(ship, json={"tracking_number": " 6A12345678901 ", "carrier": "Colissimo"}, headers=seller)
    assert r.status_code == 200, r.text
    assert r.json()["tracking"] == {"number": "6A12345678901", "carrier": "Colissimo"}
    got = api.client.get(f"/api/orders/{order['id']}", headers=seller).json()
    assert got["status"] == "shipped" and got["tracking"]["number"] == "6A12345678901"
    assert place(api, order_body(shop, buyer=buyer(2))).json()["tracking"] is None


def test_a_vouchers_uses_are_the_orders_that_hold_it(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]
    assert api.client.post("/api/vouchers", json={"code": "live10", "kind": "percent", "value": 10},
                           headers=seller["headers"]).status_code == 201
    kept = place(api, order_body(shop, voucher="LIVE10")).json()
    dropped = place(api, order_body(shop, voucher="LIVE10", buyer=buyer(2))).json()
    place(api, order_body(shop, buyer=buyer(3)))  # no voucher
    api.client.post(f"/api/orders/{dropped['id']}/cancel", headers=seller["headers"])
    vouchers = api.client.get("/api/vouchers", headers=seller["headers"]).json()["items"]
    assert [(v["code"], v["used"]) for v in vouchers] == [("LIVE10", 1)]
    r = api.client.get("/api/vouchers/live10/uses", headers=seller["headers"])
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [{"order_id": kept["id"], "created_at": kept["created_at"], "status": "pending",
                                  "discount": {"amount": 490, "currency": "EUR"},
                                  "total": {"amount": 4410, "currency": "EUR"}}]
    other = api.user("seller")
    r = api.client.get("/api/vouchers/LIVE10/uses", headers=other["headers"])
    assert r.status_code == 404 and code(r) == "voucher_not_found", "another seller's code is not told"
    assert code(api.client.get("/api/vouchers/NOPE/uses", headers=seller["headers"])) == "voucher_not_found"
    assert api.client.get("/api/vouchers/LIVE10/uses", headers=api.user("admin")["headers"]).status_code == 200
    assert api.client.get("/api/vouchers/LIVE10/uses").status_code == 401
    assert api.client.get("/api/vouchers/LIVE10/uses", headers=shop["host"]["headers"]).status_code == 403


def test_a_sellers_stores(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]
    store, item = store_with_item(api, shop)
    second = api.client.post("/api/stores", json={"name": "Lyon", "address": "1 place Bellecour"},
                             headers=seller["headers"]).json()
    api.client.post(f"/api/stores/{store['id']}/items", json={"product_id": shop["product"]["id"],
                                                              "variant_id": shop["variant"]["id"]},
                    headers=seller["headers"])
    api.client.delete(f"/api/stores/{store['id']}/items/{item['id']}", headers=seller["headers"])
    other = api.user("seller")
    theirs = api.client.post("/api/stores", json={"name": "Not mine"}, headers=other["headers"]).json()
    r = api.client.get("/api/stores", headers=seller["headers"])
    assert r.status_code == 200, r.text
    assert [(s["id"], s["item_count"]) for s in r.json()["items"]] == [(second["id"], 0), (store["id"], 1)]
    assert r.json()["items"][0]["address"] == "1 place Bellecour"
    everyone = {s["id"] for s in api.client.get("/api/stores", headers=api.user("admin")["headers"]).json()["items"]}
    assert {store["id"], second["id"], theirs["id"]} <= everyone
