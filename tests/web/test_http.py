"""The HTTP API of the contract, on both backends: auth, products, shows, moderation, errors."""

from __future__ import annotations

import dataclasses
import functools
import gc
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.web.errors import HANDLERS
from tests.support.api import Api, at_once, make_api
from tests.support.api import test_settings as settings_for
from tests.support.sockets import recv, recv_type


def error_code(response: Any) -> str:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    return str(body["error"]["code"])


def test_login_gives_a_token_that_works(api: Api) -> None:
    host = api.user("host")
    r = api.client.post("/api/auth/token", json={"email": host["email"].upper(), "password": host["password"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["user"]["role"] == "host" and body["user"]["id"] == host["id"]
    me = api.client.get("/api/auth/me", headers={"authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"id": host["id"], "role": "host", "email": host["email"], "name": me.json()["name"]}


def test_failed_logins_are_limited(api: Api) -> None:
    host = api.user("host")
    for _ in range(5):
        r = api.client.post("/api/auth/token", json={"email": host["email"], "password": "wrong password"})
        assert r.status_code == 401 and error_code(r) == "bad_credentials"
    r = api.client.post("/api/auth/token", json={"email": host["email"], "password": host["password"]})
    assert r.status_code == 429 and error_code(r) == "too_many_attempts"


@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, "auth_required"), ({"authorization": "Bearer nonsense"}, "bad_token"),
     ({"authorization": "Basic abc"}, "auth_required")],
)
def test_protected_routes_need_a_valid_token(api: Api, headers: dict[str, str], code: str) -> None:
    r = api.client.post("/api/shows", json={"title": "x"}, headers=headers)
    assert r.status_code == 401 and error_code(r) == code


def test_expired_token_is_refused(api: Api) -> None:
    import jwt

    host = api.user("host")
    token = jwt.encode({"sub": host["id"], "role": "host", "exp": 1, "typ": "access"},
                       api.services.settings.secret_key, algorithm="HS256")
    r = api.client.post("/api/shows", json={"title": "x"}, headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 401 and error_code(r) == "token_expired"


def test_products_roles_validation_and_read(api: Api) -> None:
    seller, host = api.user("seller"), api.user("host")
    product = api.product(seller, stock=7)
    assert product["price"] == {"amount": 4900, "currency": "EUR"}
    assert [v["available"] for v in product["variants"]] == [7, 7]
    assert all(isinstance(v["id"], str) for v in product["variants"])
    assert api.client.get(f"/api/products/{product['id']}").json() == product
    r = api.client.post("/api/products", json={"title": "t", "price": EUR1,
                                               "variants": ONE},
                        headers=host["headers"])
    assert r.status_code == 403 and error_code(r) == "forbidden"
    assert error_code(api.client.get("/api/products/prd_missing")) == "product_not_found"


ONE = [{"sku": "A", "label": "A", "stock": 1}]
EUR1 = {"amount": 1, "currency": "EUR"}


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "price": {"amount": 1, "currency": "EUR"}, "variants": ONE},
        {"title": "t", "price": {"amount": -1, "currency": "EUR"}, "variants": ONE},
        {"title": "t", "price": {"amount": 1.5, "currency": "EUR"}, "variants": ONE},
        {"title": "t", "price": {"amount": 1, "currency": "euro"}, "variants": ONE},
        {"title": "t", "price": EUR1, "variants": []},
        {"title": "t", "price": EUR1,
         "variants": [{"sku": "A", "label": "A", "stock": 1}, {"sku": "A", "label": "B", "stock": 1}]},
        {"title": "t", "price": EUR1, "variants": [{"sku": "A", "label": "A", "stock": -3}]},
        {"title": "t", "price": EUR1, "images": ["javascript:alert(1)"],
         "variants": ONE},
        {"title": "t", "price": EUR1, "variants": ONE,
         "unexpected": True},
    ],
)
def test_invalid_products_get_422_with_fields(api: Api, body: dict[str, Any]) -> None:
    seller = api.user("seller")
    r = api.client.post("/api/products", json=body, headers=seller["headers"])
    assert r.status_code == 422 and error_code(r) == "invalid_request"
    assert r.json()["error"]["details"]


def test_bad_bodies_get_clear_4xx(api: Api) -> None:
    seller = api.user("seller")
    r = api.client.post("/api/products", content=b"{not json", headers=seller["headers"])
    assert r.status_code == 400 and error_code(r) == "invalid_json"
    r = api.client.post("/api/products", content=b"[]", headers=seller["headers"])
    assert r.status_code == 400 and error_code(r) == "invalid_json"
    r = api.client.post("/api/products", content=b"x" * (2 * 1024 * 1024), headers=seller["headers"])
    assert r.status_code == 413 and error_code(r) == "body_too_large"
    assert error_code(api.client.get("/api/nothing-here")) == "not_found"
    r = api.client.put("/api/products", json={})
    assert r.status_code == 405 and error_code(r) == "method_not_allowed"


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_time_past_the_calendar_in_utc_gets_422(api: Api, when: str) -> None:
    """A date and time a request gives is kept in UTC: one that UTC cannot hold is refused, not a 500."""
    seller, host = api.user("seller"), api.user("host")
    r = api.client.post("/api/shows", json={"title": "Edge", "scheduled_at": when}, headers=host["headers"])
    assert r.status_code == 422 and error_code(r) == "invalid_request", r.text
    assert [d["field"] for d in r.json()["error"]["details"]] == ["scheduled_at"]
    r = api.client.post("/api/vouchers", json={"code": "EDGE1", "kind": "percent", "value": 5, "expires_at": when},
                        headers=seller["headers"])
    assert r.status_code == 422 and error_code(r) == "invalid_request", r.text
    assert [d["field"] for d in r.json()["error"]["details"]] == ["expires_at"]
    r = api.client.post("/api/shows", json={"title": "Paris", "scheduled_at": "2027-01-01T10:00:00+02:00"},
                        headers=host["headers"])
    assert r.status_code == 201 and r.json()["scheduled_at"] == "2027-01-01T08:00:00Z"


def test_an_empty_id_is_refused_not_stored(api: Api) -> None:
    """An id given as "" (or blanks) is a 422, not "no show" and not a row that names nothing."""
    seller = api.user("seller")
    h = seller["headers"]
    for blank in ("", "  "):
        r = api.client.post("/api/stores", json={"name": "Pop-up", "show_id": blank}, headers=h)
        assert r.status_code == 422 and error_code(r) == "invalid_request", r.text
        r = api.client.post("/api/vouchers", json={"code": "BLANK1", "kind": "percent", "value": 5, "show_id": blank},
                            headers=h)
        assert r.status_code == 422 and error_code(r) == "invalid_request", r.text
    store = api.client.post("/api/stores", json={"name": "Pop-up"}, headers=h).json()
    r = api.client.put(f"/api/stores/{store['id']}/show", json={"show_id": ""}, headers=h)
    assert r.status_code == 422 and error_code(r) == "invalid_request", r.text
    assert api.client.put(f"/api/stores/{store['id']}/show", json={"show_id": None}, headers=h).status_code == 200


@pytest.mark.parametrize(("exc", "status", "code"), [
    (IntegrityError("INSERT …", {}, Exception("FOREIGN KEY constraint failed")), 409, "conflict"),
    (OperationalError("SELECT 1", {}, Exception("connection refused")), 503, "unavailable"),
])
def test_a_database_refusal_is_a_conflict_and_an_outage_a_503(exc: Exception, status: int, code: str) -> None:
    """A constraint the database enforces but a check of ours missed is the request's conflict with the
    data, not an outage."""

    async def fails(_request: Any) -> Any:
        raise exc

    app = Starlette(routes=[Route("/fails", fails)], exception_handlers=HANDLERS)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/fails")
    assert r.status_code == status and error_code(r) == code


def test_show_lifecycle_and_timeline(api: Api) -> None:
    seller, host = api.user("seller"), api.user("host")
    p1, p2 = api.product(seller), api.product(seller)
    show = api.live_show(host, [p1["id"], p2["id"]], start=False)
    assert show["status"] == "scheduled" and show["host"]["id"] == host["id"] and show["pinned"] is None
    sid, h = show["id"], host["headers"]
    r = api.client.post(f"/api/shows/{sid}/pin", json={"product_id": p1["id"]}, headers=h)
    assert r.status_code == 409 and error_code(r) == "show_not_live"
    assert api.client.post(f"/api/shows/{sid}/start", headers=h).json()["status"] == "live"
    assert api.client.post(f"/api/shows/{sid}/pin", json={"product_id": p1["id"]}, headers=h).status_code == 200
    assert api.client.get(f"/api/shows/{sid}").json()["pinned"]["id"] == p1["id"]
    assert api.client.post(f"/api/shows/{sid}/pin", json={"product_id": p2["id"]}, headers=h).status_code == 200
    assert api.client.delete(f"/api/shows/{sid}/pin", headers=h).json() == {"pinned": None}
    assert api.client.post(f"/api/shows/{sid}/end", headers=h).json()["status"] == "ended"
    kinds = [(e["kind"], e["product_id"]) for e in api.client.get(f"/api/shows/{sid}/timeline").json()["items"]]
    assert kinds == [("started", None), ("pinned", p1["id"]), ("pinned", p2["id"]), ("unpinned", p2["id"]),
                     ("ended", None)]
    r = api.client.post(f"/api/shows/{sid}/start", headers=h)
    assert r.status_code == 409 and error_code(r) == "show_ended"


def test_starts_and_ends_at_once_start_and_end_the_show_once(api: Api) -> None:
    """Starts and ends sent together, three times over: each is made once (one "started" at most, one
    "ended" in the timeline), and a start that comes after the end is refused."""
    seller, host = api.user("seller"), api.user("host")
    product = api.product(seller)
    for _round in range(3):
        show = api.live_show(host, [product["id"]], start=False)
        sid, h = show["id"], host["headers"]
        actions = ["start" if i % 2 else "end" for i in range(10)]
        answers = zip(actions, at_once([functools.partial(api.client.post, f"/api/shows/{sid}/{action}", headers=h)
                                        for action in actions]), strict=True)
        kinds = [e["kind"] for e in api.client.get(f"/api/shows/{sid}/timeline").json()["items"]]
        assert kinds.count("ended") == 1 and kinds.count("started") <= 1, kinds
        assert api.client.get(f"/api/shows/{sid}").json()["status"] == "ended"
        for action, r in answers:
            assert r.status_code == 200 or (action == "start" and error_code(r) == "show_ended"), r.text


def test_only_products_of_the_show_can_be_pinned(api: Api) -> None:
    seller, host = api.user("seller"), api.user("host")
    inside, outside = api.product(seller), api.product(seller)
    show = api.live_show(host, [inside["id"]])
    r = api.client.post(f"/api/shows/{show['id']}/pin", json={"product_id": outside["id"]}, headers=host["headers"])
    assert r.status_code == 422 and error_code(r) == "product_not_in_show"
    r = api.client.post("/api/shows", json={"title": "t", "product_ids": ["prd_ghost"]}, headers=host["headers"])
    assert r.status_code == 422 and error_code(r) == "unknown_product"


def test_another_host_gets_403_on_every_action_admin_may(api: Api) -> None:
    seller, host, other, admin = api.user("seller"), api.user("host"), api.user("host"), api.user("admin")
    product = api.product(seller)
    show = api.live_show(host, [product["id"]])
    sid, o = show["id"], other["headers"]
    attempts = [
        api.client.post(f"/api/shows/{sid}/start", headers=o),
        api.client.post(f"/api/shows/{sid}/pin", json={"product_id": product["id"]}, headers=o),
        api.client.delete(f"/api/shows/{sid}/pin", headers=o),
        api.client.post(f"/api/shows/{sid}/mutes", json={"viewer_id": "vwr_x"}, headers=o),
        api.client.put(f"/api/shows/{sid}/blocklist", json={"words": ["x"]}, headers=o),
        api.client.delete(f"/api/shows/{sid}/chat/msg_x", headers=o),
        api.client.post(f"/api/shows/{sid}/end", headers=o),
    ]
    for r in attempts:
        assert r.status_code == 403 and error_code(r) == "not_show_host", r.text
    assert api.client.post(f"/api/shows/{sid}/pin", json={"product_id": product["id"]},
                           headers=admin["headers"]).status_code == 200
    r = api.client.post("/api/shows", json={"title": "mine"}, headers=seller["headers"])
    assert r.status_code == 403


def test_chat_moderation(api: Api) -> None:
    seller, host = api.user("seller"), api.user("host")
    show = api.live_show(host, [api.product(seller)["id"]])
    sid = show["id"]
    r = api.client.put(f"/api/shows/{sid}/blocklist", json={"words": ["Fake", " replica "]}, headers=host["headers"])
    assert r.json() == {"words": ["fake", "replica"]}
    with api.client.websocket_connect(f"/ws/shows/{sid}") as ws:
        me = recv(ws)["data"]["you"]
        ws.send_text('{"type":"chat","text":"lovely coat"}')
        assert recv_type(ws, "error")["data"]["code"] == "name_required"
        ws.send_text('{"type":"chat","name":"Lea","text":"is it a FAKE?"}')
        assert recv_type(ws, "error")["data"]["code"] == "blocked_word"
        ws.send_text('{"type":"chat","name":"Lea","text":"lovely <b>coat</b>"}')
        message = recv_type(ws, "chat.message")["data"]
        assert message["author"] == "Lea" and message["text"] == "lovely <b>coat</b>"
        assert message["viewer_id"] == me["viewer_id"]
        r = api.client.delete(f"/api/shows/{sid}/chat/{message['id']}", headers=host["headers"])
        assert r.status_code == 204
        assert recv_type(ws, "chat.deleted")["data"]["id"] == message["id"]
        api.client.post(f"/api/shows/{sid}/mutes", json={"viewer_id": me["viewer_id"]}, headers=host["headers"])
        assert api.client.get(f"/api/shows/{sid}/mutes", headers=host["headers"]).json()["items"] == [me["viewer_id"]]
        ws.send_text('{"type":"chat","text":"hello again"}')
        assert recv_type(ws, "error")["data"]["code"] == "muted"
    # the mute follows the viewer across reconnects (signed viewer token)
    with api.client.websocket_connect(f"/ws/shows/{sid}?viewer={me['viewer_token']}") as ws:
        assert recv(ws)["data"]["you"]["viewer_id"] == me["viewer_id"]
        ws.send_text('{"type":"chat","name":"Lea","text":"let me talk"}')
        assert recv_type(ws, "error")["data"]["code"] == "muted"
        api.client.delete(f"/api/shows/{sid}/mutes/{me['viewer_id']}", headers=host["headers"])
        ws.send_text('{"type":"chat","text":"thanks"}')
        assert recv_type(ws, "chat.message")["data"]["text"] == "thanks"
    with api.client.websocket_connect(f"/ws/shows/{sid}") as ws:
        chat = recv(ws)["data"]["chat"]
    assert [m["text"] for m in chat] == ["thanks"], "deleted messages stay out of the snapshot"


def test_chat_rate_limit_per_viewer(api: Api) -> None:
    seller, host = api.user("seller"), api.user("host")
    show = api.live_show(host, [api.product(seller)["id"]])
    with api.client.websocket_connect(f"/ws/shows/{show['id']}") as ws:
        recv(ws)
        for i in range(6):
            ws.send_text(f'{{"type":"chat","name":"Bo","text":"msg {i}"}}')
        assert recv_type(ws, "error")["data"]["code"] == "rate_limited"


def test_forged_viewer_token_gets_a_new_id(api: Api) -> None:
    seller, host = api.user("seller"), api.user("host")
    show = api.live_show(host, [api.product(seller)["id"]])
    with api.client.websocket_connect(f"/ws/shows/{show['id']}?viewer=vwr_someone.forged") as ws:
        assert recv(ws)["data"]["you"]["viewer_id"] != "vwr_someone"


def test_health_metrics_openapi(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"db": "ok", "bus": "ok"}
    metrics = api.client.get("/metrics")
    assert metrics.status_code == 200 and "vitrine_ws_connections" in metrics.text
    assert 'vitrine_gc_pause_seconds_count{generation="2"}' in metrics.text
    spec = api.client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ["/api/auth/token", "/api/products", "/api/products/{product_id}", "/api/shows",
                 "/api/shows/{show_id}", "/api/shows/{show_id}/start", "/api/shows/{show_id}/end",
                 "/api/shows/{show_id}/pin", "/healthz"]:
        assert path in spec["paths"], path
    assert "ProductIn" in spec["components"]["schemas"]
    ref = spec["paths"]["/api/products"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/ProductIn"


def test_a_worker_freezes_what_startup_made_and_collects_less_often(settings: Settings) -> None:
    """While the app runs: the startup objects are out of every collection, and GC_THRESHOLDS apply;
    after it, the process is as it was."""
    before = gc.get_threshold()
    app = create_app(dataclasses.replace(settings, gc_thresholds=(12_345, 11, 9)))
    with TestClient(app):
        assert gc.get_threshold() == (12_345, 11, 9) and gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


@pytest.mark.parametrize(("env", "token", "sent", "status"), [
    ("development", None, None, 200),  # a laptop: open
    ("production", None, None, 404),  # 0.6.4 served it to anyone, and linked it from the landing page
    ("production", "m" * 8, None, 401),
    ("production", "m" * 8, "Bearer wrong", 401),
    ("production", "m" * 8, "Bearer " + "m" * 8, 200),
    ("development", "m" * 8, None, 401),
])
def test_metrics_are_served_where_the_operator_allows(sqlite_url: str, env: str, token: str | None,
                                                      sent: str | None, status: int) -> None:
    settings = settings_for(database_url=sqlite_url, env=env, metrics_token=token)
    for api in make_api(settings):
        r = api.client.get("/metrics", headers={"authorization": sent} if sent else {})
        assert r.status_code == status
        if status == 200:
            assert "vitrine_ws_connections" in r.text
        else:
            assert error_code(r) in ("metrics_off", "metrics_token_required") and "vitrine_" not in r.text
    assert 'href="/metrics"' not in (Settings().static_dir / "index.html").read_text()


def test_pages_and_answers_carry_the_security_headers(sqlite_url: str) -> None:
    for api in make_api(settings_for(database_url=sqlite_url, media_hosts=("cdn.example.com",))):
        for path in ("/", "/static/player/player.js", "/healthz", f"/watch/{'shw_x'}"):
            headers = api.client.get(path).headers
            csp = headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
            assert "img-src 'self' data: https://cdn.example.com https://*.cdn.example.com;" in csp
            media = next(d for d in csp.split("; ") if d.startswith("media-src")).split()
            assert {"https://cdn.example.com", "https://*.cdn.example.com", "http://cdn.example.com"} <= set(media)
            assert "https:" not in media
            assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
            assert headers["referrer-policy"] == "same-origin" and "camera=()" in headers["permissions-policy"]


@pytest.mark.parametrize(("image", "hosts", "status"), [
    ("/static/demo/coat.svg", (), 201),
    ("https://cdn.example.com/a.jpg", (), 201),
    ("//evil.example/a.png", (), 422),  # protocol-relative: 0.6.4 took it as a path
    ("http://127.0.0.1:22/", (), 422),  # an internal address: 0.6.4 took it
    ("https://10.0.0.7/a.png", (), 422),
    ("https://localhost/a.png", (), 422),
    ("http://cdn.example.com/a.jpg", (), 422),  # not https
    ("/etc/passwd", (), 422),
    # IPv4 literals in the forms browsers still read as addresses (0.7's first check took them)
    ("https://127.1/x.png", (), 422),
    ("https://0177.0.0.1/x.png", (), 422),
    ("https://0x7f.1/x.png", (), 422),
    ("https://%31%32%37.0.0.1/x.png", (), 422),
    ("https://192.168.1/x.png", (), 422),
    ("https://img.cdn.example.com/a.jpg", ("cdn.example.com",), 201),
    ("https://other.example/a.jpg", ("cdn.example.com",), 422),
])
def test_product_images_come_from_https_public_hosts_the_operator_allows(
        sqlite_url: str, image: str, hosts: tuple[str, ...], status: int) -> None:
    for api in make_api(settings_for(database_url=sqlite_url, media_hosts=hosts)):
        seller = api.user("seller")
        body = {"title": "Coat", "price": {"amount": 100, "currency": "EUR"}, "images": [image],
                "variants": [{"sku": "C-1", "label": "M", "stock": 1}]}
        r = api.client.post("/api/products", json=body, headers=seller["headers"])
        assert r.status_code == status, r.text
        if status == 422:
            assert error_code(r) in ("invalid_request", "image_host_not_allowed")
            product = api.product(seller)
            patched = api.client.patch(f"/api/products/{product['id']}", json={"images": [image]},
                                       headers=seller["headers"])
            assert patched.status_code == 422


def test_with_media_hosts_a_show_s_stream_comes_from_them(sqlite_url: str) -> None:
    """The pages' CSP lets video load from MEDIA_HOSTS only: a stream from elsewhere would be a black player."""
    for api in make_api(settings_for(database_url=sqlite_url, media_hosts=("cdn.example.com",))):
        host = api.user("host")
        for url, status in (("https://stream.elsewhere.net/x.m3u8", 422), ("https://live.cdn.example.com/x.m3u8", 201),
                            ("http://cdn.example.com/x.m3u8", 201)):
            r = api.client.post("/api/shows", json={"title": "Live", "stream_url": url}, headers=host["headers"])
            assert r.status_code == status, (url, r.text)
            if status == 422:
                assert error_code(r) == "stream_host_not_allowed"
    for api in make_api(settings_for(database_url=sqlite_url)):
        csp = api.client.get("/").headers["content-security-policy"]
        assert "media-src 'self' blob: https: http:" in csp, "without MEDIA_HOSTS a stream may be http (a LAN)"
