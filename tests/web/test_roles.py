"""The role-by-route matrix: every API route that declares who may call it (its operation's `auth`) is called
anonymously (401), by every role it does not name (403), by the owner's peers where it names an owner (403),
and by each role it names (neither 401 nor 403). Routes that declare no `auth` are public and listed here by
name, so that a new route without a declaration fails this test instead of slipping through open."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Route

from server.infra.openapi import roles_of
from tests.support.api import Api
from tests.support.orders import order_body, place

ROLES = ("host", "seller", "admin")

# what anyone may call, signed in or not (the buyer's links carry their own tokens)
PUBLIC = {
    ("POST", "/api/auth/token"), ("POST", "/api/auth/invitation"), ("POST", "/api/auth/reset"),
    ("POST", "/api/auth/reset/confirm"), ("GET", "/api/products"), ("GET", "/api/products/{product_id}"),
    ("GET", "/api/shows"), ("GET", "/api/shows/{show_id}"), ("GET", "/api/shows/{show_id}/timeline"),
    ("POST", "/api/orders"),
    ("POST", "/api/quotes"), ("GET", "/api/orders/{order_id}"), ("POST", "/api/orders/{order_id}/cancel"),
    ("POST", "/api/payments/{provider}/webhook"), ("GET", "/api/pay/sandbox/{ref}"),
    ("POST", "/api/pay/sandbox/{ref}"), ("GET", "/api/stores/{store_id}"),
    ("GET", "/api/stores/{store_id}/items/{item_id}/qr.png"), ("GET", "/api/stores/{store_id}/items/{item_id}/qr.svg"),
    ("GET", "/api/stores/{store_id}/screen-qr.svg"), ("GET", "/api/stores/{store_id}/labels.pdf"),
    ("GET", "/api/q/{token}"), ("GET", "/api/shows/{show_id}/interactions"),
    ("POST", "/api/shows/{show_id}/polls/{game_id}/votes"), ("POST", "/api/shows/{show_id}/quizzes/{game_id}/answers"),
    ("POST", "/api/shows/{show_id}/giveaways/{game_id}/entries"), ("GET", "/api/giveaways/{game_id}/proof"),
    ("GET", "/api/claims/{token}"), ("POST", "/api/claims/{token}"),
}
# routes that look the thing up among the caller's own (a seller's voucher codes): a peer's is unknown to it, 404
OWN_LOOKUP = {("GET", "/api/vouchers/{code}/uses")}
# calls that end the caller's own sign-in: only their anonymous refusal is checked here (tests/accounts has the rest)
ENDS_OWN_TOKEN = {("POST", "/api/auth/signout")}


def declared_routes(api: Api) -> list[tuple[str, str, str | None]]:
    app: Any = api.client.app
    found = []
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/api/"):
            declared = getattr(route.endpoint, "__operation__", None)
            for method in sorted((route.methods or set()) - {"HEAD"}):
                found.append((method, route.path, declared.auth if declared else None))
    return found


def who(auth: str) -> tuple[set[str], str | None]:
    """The roles a declaration lets in, and the role it names as an owner ("the product's seller" → seller:
    only the product's own seller among the sellers)."""
    roles = roles_of(auth)
    owner = re.search(r"the \w+'s (\w+)", auth)
    return (set(ROLES) if roles is None else set(roles)), owner.group(1) if owner else None


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    """Two of each role (the owner and a peer), and one of everything a route's path can name, owned by the
    first seller or host."""
    people = {role: api.user(role) for role in ROLES}
    peers = {role: api.user(role) for role in ("seller", "host")}
    product = api.product(people["seller"])
    show = api.live_show(people["host"], [product["id"]])
    store = api.client.post("/api/stores", json={"name": "Pop-up", "address": "1 rue de Rivoli",
                                                 "opens_on": "2026-11-20", "closes_on": "2027-12-24"},
                            headers=people["seller"]["headers"])
    assert store.status_code == 201, store.text
    item = api.client.post(f"/api/stores/{store.json()['id']}/items", json={"product_id": product["id"]},
                           headers=people["seller"]["headers"])
    assert item.status_code == 201, item.text
    shop = {"product": product, "variant": product["variants"][0], "show": show}
    order = place(api, order_body(shop))
    assert order.status_code == 201, order.text
    voucher = api.client.post("/api/vouchers", json={"code": "ROLES10", "kind": "percent", "value": 10},
                              headers=people["seller"]["headers"])
    assert voucher.status_code == 201, voucher.text
    target = api.user("host")  # the account the admin's routes act on
    ids = {"product_id": product["id"], "variant_id": product["variants"][0]["id"], "show_id": show["id"],
           "order_id": order.json()["id"], "store_id": store.json()["id"], "item_id": item.json()["id"],
           "user_id": target["id"], "host_id": people["host"]["id"], "message_id": "msg_unknown",
           "viewer_id": "vwr_unknown", "author": "Someone", "deal_id": "deal_unknown", "code": "ROLES10"}
    return {"people": people, "peers": peers, "ids": ids}


# bodies the owner's peers send where a route reads its body before it finds the object's owner: their 403 is
# then about whose object it is, not about the body
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/products/{product_id}/variants"): {"sku": "PEER-1", "label": "P", "stock": 1},
    ("PUT", "/api/products/{product_id}/variants/{variant_id}/stock"): {"stock": 5},
    ("POST", "/api/orders/{order_id}/ship"): {"tracking_number": "LA123456789FR"},
    ("POST", "/api/products/{product_id}/variants/{variant_id}/stock/adjust"): {"delta": 1},
    ("POST", "/api/stores/{store_id}/items"): {"product_id": "{product_id}"},
    ("POST", "/api/shows/{show_id}/mutes"): {"author": "Someone"},
    ("PUT", "/api/shows/{show_id}/blocklist"): {"words": []},
    ("POST", "/api/shows/{show_id}/pin"): {"product_id": "{product_id}"},
    ("POST", "/api/shows/{show_id}/deals"): {"product_id": "{product_id}", "price": {"amount": 100, "currency": "EUR"},
                                             "quantity": 1, "duration_s": 60},
    ("POST", "/api/shows/{show_id}/polls"): {"question": "Q?", "options": ["A", "B"], "duration_s": 60},
    ("POST", "/api/shows/{show_id}/quizzes"): {"question": "Q?", "options": ["A", "B"], "answer": 0, "duration_s": 60},
    ("POST", "/api/shows/{show_id}/giveaways"): {"prize": {"product_id": "prd_x", "variant_id": "var_x"}, "winners": 1,
                                                 "duration_s": 60},
}


def fill(text: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x"), text)


def call(api: Api, method: str, path: str, ids: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    body: Any = None
    if method in ("POST", "PUT", "PATCH"):
        body = {k: fill(v, ids) if isinstance(v, str) else v for k, v in BODIES.get((method, path), {}).items()}
    return api.client.request(method, fill(path, ids), json=body, headers=headers or {})


def test_every_private_route_declares_who_may_call_it_and_refuses_everyone_else(api: Api,
                                                                                world: dict[str, Any]) -> None:
    routes = declared_routes(api)
    undeclared = [(m, p) for m, p, auth in routes if auth is None and (m, p) not in PUBLIC]
    assert not undeclared, f"routes with no auth declaration that are not listed as public: {undeclared}"
    ids, people, peers = world["ids"], world["people"], world["peers"]
    wrong: list[str] = []
    for method, path, auth in routes:
        if auth is None:
            continue
        roles, owner = who(auth)
        r = call(api, method, path, ids)
        if r.status_code != 401:
            wrong.append(f"anonymous {method} {path}: {r.status_code} {r.text[:120]}")
        if (method, path) in ENDS_OWN_TOKEN:
            continue
        for role in ROLES:
            allowed = role in roles or role == owner
            r = call(api, method, path, ids, people[role]["headers"])
            if allowed and r.status_code in (401, 403):
                wrong.append(f"{role} (may) {method} {path}: {r.status_code} {r.text[:120]}")
            if not allowed and r.status_code != 403:
                wrong.append(f"{role} (may not) {method} {path}: {r.status_code} {r.text[:120]}")
        if owner is not None:
            r = call(api, method, path, ids, peers[owner]["headers"])
            if r.status_code != (404 if (method, path) in OWN_LOOKUP else 403):
                wrong.append(f"another {owner} {method} {path}: {r.status_code} {r.text[:120]}")
    assert not wrong, "\n".join(wrong)
