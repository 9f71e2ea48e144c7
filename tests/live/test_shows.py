"""A host's shows over HTTP: the listing (filters, keyset pages), a scheduled show's changes and their rules,
and the products a host may put in a show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.api import Api


def code(r: httpx.Response) -> str:
    return str(r.json()["error"]["code"])


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def new_show(api: Api, host: dict[str, Any], title: str, **fields: Any) -> dict[str, Any]:
    r = api.client.post("/api/shows", json={"title": title, **fields}, headers=host["headers"])
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def titles(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return [s["title"] for s in r.json()["items"]]


def test_the_listing_filters_by_host_and_status_in_one_order(api: Api) -> None:
    host, other = api.user("host"), api.user("host")
    h = host["headers"]
    new_show(api, host, "Later", scheduled_at=later(days=2))
    soon = new_show(api, host, "Soon", scheduled_at=later(hours=2))
    new_show(api, host, "Unscheduled")
    first, second = new_show(api, host, "Live 1"), new_show(api, host, "Live 2")
    done = new_show(api, host, "Done")
    for show in (done, first, second):
        assert api.client.post(f"/api/shows/{show['id']}/start", headers=h).status_code == 200
    assert api.client.post(f"/api/shows/{done['id']}/end", headers=h).status_code == 200
    new_show(api, other, "Not mine")

    mine = api.client.get("/api/shows?host=me", headers=h)
    # live (latest started first), scheduled (soonest first; one with no time by its creation), ended
    assert titles(mine) == ["Live 2", "Live 1", "Unscheduled", "Soon", "Later", "Done"]
    assert titles(api.client.get(f"/api/shows?host={host['id']}")) == titles(mine)
    assert titles(api.client.get("/api/shows?host=me&status=ended,scheduled", headers=h)) == [
        "Unscheduled", "Soon", "Later", "Done"]
    assert titles(api.client.get("/api/shows?host=me&status=live", headers=h)) == ["Live 2", "Live 1"]
    card = next(s for s in mine.json()["items"] if s["id"] == soon["id"])
    assert card["host"] == {"id": host["id"], "name": "Host"} and card["scheduled_at"] == soon["scheduled_at"]
    assert set(card) == {"id", "title", "status", "host", "stream_url", "scheduled_at", "started_at", "ended_at",
                         "buyer_limit", "products"}
    assert titles(api.client.get("/api/shows?host=me", headers=other["headers"])) == ["Not mine"]


def test_the_listing_pages_with_a_cursor_across_statuses(api: Api) -> None:
    host = api.user("host")
    h = host["headers"]
    for i in range(3):
        show = new_show(api, host, f"Live {i}")
        assert api.client.post(f"/api/shows/{show['id']}/start", headers=h).status_code == 200
    for i in range(4):
        new_show(api, host, f"At {i}", scheduled_at=later(hours=i + 1))
    everything = titles(api.client.get("/api/shows?host=me&limit=100", headers=h))
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        r = api.client.get("/api/shows", params={"host": "me", "limit": 2, **({"cursor": cursor} if cursor else {})},
                           headers=h)
        seen += titles(r)
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == everything == ["Live 2", "Live 1", "Live 0", "At 0", "At 1", "At 2", "At 3"]
    last = api.client.get("/api/shows", params={"host": "me", "limit": 7, "cursor": ""}, headers=h).json()
    assert last["next_cursor"] is None and len(last["items"]) == 7


def test_the_listing_refuses_bad_queries_with_4xx(api: Api) -> None:
    r = api.client.get("/api/shows?host=me")
    assert r.status_code == 401 and code(r) == "auth_required"
    for query, field in (("status=soon", "status"), ("limit=0", "limit"), ("limit=x", "limit"),
                         ("limit=101", "limit")):
        r = api.client.get(f"/api/shows?{query}")
        assert r.status_code == 422 and code(r) == "invalid_request", r.text
        assert r.json()["error"]["details"][0]["field"].split(".")[0] == field
    for cursor in ("nope", "W10", "WyJsaXZlIiwgIngiLCAiYSJd", "%00"):
        r = api.client.get(f"/api/shows?cursor={cursor}")
        assert r.status_code == 422 and code(r) in ("invalid_cursor", "invalid_request"), r.text


def test_a_scheduled_show_changes_and_a_live_one_does_not(api: Api) -> None:
    seller, host = api.user("seller"), api.user("host")
    shirt, scarf = api.product(seller), api.product(seller)
    api.grant(seller, host)
    show = new_show(api, host, "Friday drop", product_ids=[shirt["id"]], scheduled_at=later(days=1))
    when = later(days=3)
    r = api.client.patch(f"/api/shows/{show['id']}", headers=host["headers"],
                         json={"title": "Saturday drop", "product_ids": [scarf["id"], shirt["id"]], "buyer_limit": 2,
                               "scheduled_at": when, "stream_url": "https://video.example.com/live.m3u8"})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["title"] == "Saturday drop" and changed["buyer_limit"] == 2
    assert [p["id"] for p in changed["products"]] == [scarf["id"], shirt["id"]]
    assert changed["stream_url"] == "https://video.example.com/live.m3u8"
    assert datetime.fromisoformat(changed["scheduled_at"]) == datetime.fromisoformat(when)
    r = api.client.patch(f"/api/shows/{show['id']}", json={"stream_url": None, "title": None}, headers=host["headers"])
    assert r.status_code == 200 and r.json()["stream_url"] is None and r.json()["title"] == "Saturday drop"
    assert api.client.get(f"/api/shows/{show['id']}").json()["title"] == "Saturday drop"

    assert api.client.post(f"/api/shows/{show['id']}/start", headers=host["headers"]).status_code == 200
    r = api.client.patch(f"/api/shows/{show['id']}", json={"title": "Too late"}, headers=host["headers"])
    assert r.status_code == 409 and code(r) == "show_not_scheduled"


def test_a_change_keeps_the_rules_of_create(api: Api) -> None:
    seller, stranger_seller = api.user("seller"), api.user("seller")
    host, other_host, admin = api.user("host"), api.user("host"), api.user("admin")
    shirt = api.product(seller)
    foreign = api.product(stranger_seller)
    api.grant(seller, host)
    show = new_show(api, host, "Friday drop", product_ids=[shirt["id"]])
    url = f"/api/shows/{show['id']}"

    r = api.client.patch(url, json={"title": "Mine now"}, headers=other_host["headers"])
    assert r.status_code == 403 and code(r) == "not_show_host"
    r = api.client.patch(url, json={"title": "Anyone"})
    assert r.status_code == 401
    r = api.client.patch(url, json={"product_ids": [shirt["id"], foreign["id"]]}, headers=host["headers"])
    assert r.status_code == 403 and code(r) == "product_not_sellable"
    r = api.client.patch(url, json={"product_ids": ["prd_nothing"]}, headers=host["headers"])
    assert r.status_code == 422 and code(r) == "unknown_product"
    r = api.client.patch(url, json={"scheduled_at": later(minutes=-5)}, headers=host["headers"])
    assert r.status_code == 422 and code(r) == "schedule_in_past"
    assert r.json()["error"]["details"][0]["field"] == "scheduled_at"
    r = api.client.patch(url, json={"buyer_limit": 0, "stream_url": "ftp://x"}, headers=host["headers"])
    assert r.status_code == 422 and {d["field"] for d in r.json()["error"]["details"]} == {"buyer_limit", "stream_url"}
    r = api.client.patch("/api/shows/shw_nothing", json={"title": "x"}, headers=host["headers"])
    assert r.status_code == 404 and code(r) == "show_not_found"
    assert api.client.get(url).json()["title"] == "Friday drop"

    # a product already in the show stays when its seller stops letting the host sell it
    assert api.client.delete(f"/api/sellers/me/hosts/{host['id']}", headers=seller["headers"]).status_code == 200
    r = api.client.patch(url, json={"title": "Still", "product_ids": [shirt["id"]]}, headers=host["headers"])
    assert r.status_code == 200, r.text
    # an admin may change any host's show, with any product
    r = api.client.patch(url, json={"product_ids": [foreign["id"]]}, headers=admin["headers"])
    assert r.status_code == 200 and [p["id"] for p in r.json()["products"]] == [foreign["id"]]


def test_a_show_cannot_be_created_in_the_past(api: Api) -> None:
    host = api.user("host")
    r = api.client.post("/api/shows", json={"title": "Yesterday", "scheduled_at": later(days=-1)},
                        headers=host["headers"])
    assert r.status_code == 422 and code(r) == "schedule_in_past"
    assert r.json()["error"]["details"] == [{"field": "scheduled_at", "type": "schedule_in_past",
                                             "message": "this time has passed"}]


def test_a_host_sees_the_products_its_sellers_let_it_sell(api: Api) -> None:
    seller, stranger_seller, host = api.user("seller"), api.user("seller"), api.user("host")
    shirt = api.product(seller)
    foreign = api.product(stranger_seller)
    r = api.client.get("/api/hosts/me/products", headers=host["headers"])
    assert r.status_code == 200 and r.json()["items"] == []
    api.grant(seller, host)
    items = api.client.get("/api/hosts/me/products", headers=host["headers"]).json()["items"]
    assert [p["id"] for p in items] == [shirt["id"]]
    assert items[0]["seller"] == {"id": seller["id"], "name": "Seller"} and items[0]["variants"]
    admin_items = api.client.get("/api/hosts/me/products", headers=api.user("admin")["headers"]).json()["items"]
    assert {shirt["id"], foreign["id"]} <= {p["id"] for p in admin_items}
    assert api.client.get("/api/hosts/me/products").status_code == 401
    r = api.client.get("/api/hosts/me/products", headers=seller["headers"])
    assert r.status_code == 403
