"""Giveaways, on both backends: the prize's units leave the stock at the start, one entry per viewer and per
email (min_watch_s timed by the server), a draw anyone can recompute from the published proof alone, the email
never published, each winner's claim link (to itself and by mail), the claim as an order at price 0, and the
prize passed down the ranking when unclaimed, back to stock when the ranking runs out."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

import orjson
import pytest

from tests.support.api import Api, at_once, open_shop
from tests.support.games import age_claims, end_game, enter, start_giveaway, sweep_claims
from tests.support.mail import mail_to
from tests.support.orders import ADDRESS, available, code
from tests.support.sockets import recv, recv_type, until_pong


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    return open_shop(api, stock=5, buyer_limit=10)


def _email() -> str:
    return f"fan-{secrets.token_hex(6)}@example.com"


def _viewer() -> str:
    return f"vwr_{secrets.token_hex(6)}"


def _claim_token(url: str) -> str:
    assert "/claim/" in url, url
    return url.rsplit("/", 1)[1]


def _recompute(proof: dict[str, Any], count: int) -> list[str]:
    """The draw from the published proof alone (README's verifier does the same)."""
    seed = proof["seed"]
    assert hashlib.sha256(seed.encode("ascii")).hexdigest() == proof["commitment"]
    assert proof["entries"] == sorted(proof["entries"])
    ranked = sorted(proof["entries"],
                    key=lambda e: hmac.new(seed.encode("ascii"), e.encode("ascii"), hashlib.sha256).hexdigest())
    return ranked[:count]


def test_a_giveaway_takes_its_prize_from_stock_and_needs_the_host(api: Api, shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    for bad in ({"winners": 0}, {"winners": 51}, {"duration_s": 9}, {"duration_s": 3601}, {"min_watch_s": 3601},
                {"eligibility": "friends"}, {"prize": {"product_id": shop["product"]["id"]}}):
        assert start_giveaway(api, shop, **bad).status_code == 422, bad
    r = start_giveaway(api, shop, eligibility="followers")
    assert r.status_code == 422 and code(r) == "not_supported"
    stranger = api.user("host")
    r = api.client.post(f"/api/shows/{sid}/giveaways", headers=stranger["headers"],
                        json={"prize": {"product_id": shop["product"]["id"], "variant_id": shop["variant"]["id"]},
                              "winners": 1, "duration_s": 60})
    assert r.status_code == 403 and code(r) == "not_show_host"
    other = api.product(shop["seller"], stock=5)
    r = start_giveaway(api, shop, prize={"product_id": other["id"], "variant_id": other["variants"][0]["id"]})
    assert r.status_code == 422 and code(r) == "product_not_in_show"
    r = start_giveaway(api, shop, prize={"product_id": shop["product"]["id"], "variant_id": other["variants"][0]["id"]})
    assert r.status_code == 422 and code(r) == "variant_not_found"
    r = start_giveaway(api, shop, winners=6)
    assert r.status_code == 409 and code(r) == "sold_out"
    assert available(api, shop) == 5, "a refused start takes nothing"
    with api.client.websocket_connect(f"/ws/shows/{sid}") as ws:
        recv(ws)
        r = start_giveaway(api, shop, winners=3)
        assert r.status_code == 201, r.text
        giveaway = r.json()
        started = recv_type(ws, "giveaway.started")["data"]["giveaway"]
        assert started["id"] == giveaway["id"] and started["commitment"] == giveaway["commitment"]
    assert giveaway["kind"] == "giveaway" and giveaway["winners"] == 3 and giveaway["count"] == 0
    assert len(giveaway["commitment"]) == 64 and giveaway["prize"]["variant_id"] == shop["variant"]["id"]
    assert giveaway["prize"]["title"] == shop["product"]["title"]
    assert available(api, shop) == 2, "one unit per winner left the stock at the start"
    for text in (r.text, orjson.dumps(started).decode(), api.client.get(f"/api/shows/{sid}").text,
                 api.client.get(f"/api/shows/{sid}/interactions").text):
        assert "seed" not in text, "the seed stays secret until the draw"
    assert code(start_giveaway(api, shop)) == "interaction_running"
    r = api.client.get(f"/api/giveaways/{giveaway['id']}/proof")
    assert r.status_code == 409 and code(r) == "interaction_running", "no proof before the draw"
    assert api.client.get("/api/giveaways/giv_nope/proof").status_code == 404


def test_one_entry_per_viewer_and_per_email_and_the_email_is_never_published(api: Api,
                                                                               shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    mine, theirs = _email(), _email()
    with api.client.websocket_connect(f"/ws/shows/{sid}") as ws:
        me = recv(ws)["data"]["you"]
        giveaway = start_giveaway(api, shop, winners=2).json()
        gid = giveaway["id"]
        seen = [recv_type(ws, "giveaway.started")]
        ws.send_json({"type": "enter", "giveaway_id": gid, "name": "Léa", "email": mine.upper()})
        entered = recv_type(ws, "giveaway.entered")["data"]
        assert entered["giveaway_id"] == gid and entered["entry_id"].startswith("ent_")
        ws.send_json({"type": "enter", "giveaway_id": gid, "name": "Léa again", "email": _email()})
        assert recv_type(ws, "error")["data"]["code"] == "already_entered", "one entry per viewer"
        ws.send_json({"type": "enter", "giveaway_id": gid, "name": "Léa", "email": "not an email"})
        assert recv_type(ws, "error")["data"]["code"] == "invalid_request"
        ws.send_json({"type": "enter", "giveaway_id": 3, "name": "Léa", "email": mine})
        assert recv_type(ws, "error")["data"]["code"] == "invalid_frame"
        ws.send_json({"type": "enter", "giveaway_id": "giv_nope", "name": "Léa", "email": _email()})
        assert recv_type(ws, "error")["data"]["code"] == "interaction_not_found"
        r = enter(api, shop, gid, viewer=me["viewer_id"], name="Léa", email=_email())
        assert r.status_code == 409 and code(r) == "already_entered", "the same viewer over HTTP"
        r = enter(api, shop, gid, viewer=_viewer(), name="Copycat", email=mine)
        assert r.status_code == 409 and code(r) == "already_entered", "one entry per email"
        sam = _viewer()
        r = enter(api, shop, gid, viewer=sam, name="Sam", email=theirs)
        assert r.status_code == 201 and r.json()["entry_id"].startswith("ent_")
        r = api.client.post(f"/api/shows/{sid}/giveaways/{gid}/entries", json={"name": "X", "email": _email()})
        assert r.status_code == 401 and code(r) == "viewer_required"
        count = recv_type(ws, "giveaway.entries")
        assert count["data"]["giveaway_id"] == gid and count["data"]["count"] >= 1
        seen.append(count)
        assert api.client.get(f"/api/shows/{sid}").json()["interactions"][0]["count"] == 2
        assert end_game(api, shop, "giveaways", gid).status_code == 200
        drawn = recv_type(ws, "giveaway.drawn", limit=100)
        seen.append(drawn)
        assert sorted(w["name"] for w in drawn["data"]["winners"]) == ["Léa", "Sam"]
        assert {w["viewer_id"] for w in drawn["data"]["winners"]} == {me["viewer_id"], sam}
    seen_text = [orjson.dumps(f).decode() for f in seen] + [
        api.client.get(f"/api/shows/{sid}/interactions").text,
        api.client.get(f"/api/giveaways/{gid}/proof").text]
    for text in seen_text:
        assert mine not in text.lower() and theirs not in text and "@" not in text, text
    r = enter(api, shop, gid, viewer=_viewer(), name="Late", email=_email())
    assert r.status_code == 409 and code(r) == "interaction_ended"


def test_min_watch_s_is_timed_by_the_server_on_the_socket(api: Api, shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    with api.client.websocket_connect(f"/ws/shows/{sid}") as ws:
        recv(ws)
        joined = time.monotonic()
        gid = start_giveaway(api, shop, min_watch_s=3600).json()["id"]
        ws.send_json({"type": "enter", "giveaway_id": gid, "name": "Early", "email": _email()})
        refused = recv_type(ws, "error")["data"]
        assert refused["code"] == "not_eligible" and 3500 < refused["remaining_s"] <= 3600
        assert "s" in refused["message"]
        r = enter(api, shop, gid, viewer=_viewer(), name="Http", email=_email())
        assert r.status_code == 403 and code(r) == "not_eligible" and "player" in r.json()["error"]["message"]
        assert end_game(api, shop, "giveaways", gid).status_code == 200
        gid = start_giveaway(api, shop, min_watch_s=1).json()["id"]
        time.sleep(max(0.0, 1.1 - (time.monotonic() - joined)))  # the socket has been in the show for 1 s at least
        ws.send_json({"type": "enter", "giveaway_id": gid, "name": "Patient", "email": _email()})
        assert recv_type(ws, "giveaway.entered")["data"]["giveaway_id"] == gid


def test_the_draw_recomputes_from_the_published_proof_alone(api: Api, shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    giveaway = start_giveaway(api, shop, winners=3).json()
    gid = giveaway["id"]
    mine = []
    for i in range(12):
        r = enter(api, shop, gid, viewer=_viewer(), name=f"Fan {i}", email=_email())
        assert r.status_code == 201, r.text
        mine.append(r.json()["entry_id"])
    ended = end_game(api, shop, "giveaways", gid).json()
    assert ended["status"] == "ended" and ended["count"] == 12 and len(ended["drawn"]) == 3
    proof = api.client.get(f"/api/giveaways/{gid}/proof").json()
    assert proof["commitment"] == giveaway["commitment"] and sorted(mine) == proof["entries"]
    assert _recompute(proof, 3) == proof["winners"] == [w["entry_id"] for w in ended["drawn"]]
    assert proof["passed"] == [] and "HMAC-SHA256" in proof["algorithm"]
    listing = api.client.get(f"/api/shows/{sid}/interactions").json()["interactions"][0]
    assert listing["seed"] == proof["seed"], "after the draw, the seed is public"
    assert available(api, shop) == 2, "three units stay aside for the three winners"


def test_a_winner_is_told_alone_gets_a_mail_and_claims_an_order_at_price_0(api: Api, shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    mine = _email()
    with api.client.websocket_connect(f"/ws/shows/{sid}") as ws:
        recv(ws)
        gid = start_giveaway(api, shop, winners=1).json()["id"]
        ws.send_json({"type": "enter", "giveaway_id": gid, "name": "Léa", "email": mine})
        entry_id = recv_type(ws, "giveaway.entered")["data"]["entry_id"]
        assert end_game(api, shop, "giveaways", gid).status_code == 200
        assert recv_type(ws, "giveaway.drawn", limit=100)["data"]["winners"][0]["entry_id"] == entry_id
        api.call(api.services.sweep)
        won = recv_type(ws, "giveaway.won", limit=100)["data"]
    assert won["giveaway_id"] == gid
    token = _claim_token(won["claim_url"])
    mail = mail_to(api.services.settings.outbox_dir, mine)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and won["claim_url"] in body.get_content()
    claim = api.client.get(f"/api/claims/{token}").json()
    assert claim["status"] == "offered" and claim["winner_name"] == "Léa" and claim["giveaway_id"] == gid
    assert claim["prize"]["product"]["id"] == shop["product"]["id"] and "email" not in orjson.dumps(claim).decode()
    assert api.client.get("/api/claims/forged.token").status_code == 404
    url = f"/api/claims/{token}"
    winner = {"name": "Léa Martin", "email": mine, "address": ADDRESS}
    r = api.client.post(url, json={"buyer": {**winner, "address": {**ADDRESS, "country": "ZZ"}}},
                        headers={"idempotency-key": "claim-bad-1"})
    assert r.status_code == 422, "the address is checked as an order's"
    r = api.client.post(url, json={"buyer": winner})
    assert r.status_code == 422 and code(r) == "idempotency_key_required"
    keys = [f"claim-{secrets.token_hex(6)}" for _ in range(2)]
    both = at_once([lambda k=k: api.client.post(url, json={"buyer": winner}, headers={"idempotency-key": k})
                    for k in keys])
    assert sorted(r.status_code for r in both) == [201, 409], [r.text for r in both]
    assert code(next(r for r in both if r.status_code == 409)) == "already_claimed", "two clicks, one order"
    r, key = next((r, k) for r, k in zip(both, keys, strict=True) if r.status_code == 201)
    order = r.json()
    assert order["status"] == "paid" and order["total"]["amount"] == 0 and order["payment"]["provider"] == "giveaway"
    assert order["buyer"]["address"]["city"] == ADDRESS["city"] and order["variant"]["id"] == shop["variant"]["id"]
    again = api.client.post(url, json={"buyer": winner}, headers={"idempotency-key": key})
    assert again.status_code == 201 and again.json()["id"] == order["id"]
    assert again.headers.get("idempotent-replayed") == "true"
    r = api.client.post(url, json={"buyer": winner}, headers={"idempotency-key": key + "-other"})
    assert r.status_code == 409 and code(r) == "already_claimed"
    assert api.client.get(url).json()["status"] == "claimed"
    assert available(api, shop) == 4, "the claim holds the unit the start took: no second unit"
    assert api.client.get(f"/api/orders/{order['id']}", params={"t": order["token"]}).json()["status"] == "paid"
    sales = api.client.get(f"/api/shows/{shop['show']['id']}/sales", headers=shop["host"]["headers"]).json()
    assert sales["orders"] == 0 and sales["buyers"] == 0 and sales["revenue"] == [], "a prize is no sale"
    r = api.client.post(f"/api/orders/{order['id']}/refund", headers=shop["seller"]["headers"])
    assert r.status_code == 200 and r.json()["status"] == "refunded", r.text
    assert available(api, shop) == 5, "a prize's order refunded (not sent after all): its unit is back on sale"


def test_an_unclaimed_prize_passes_down_the_ranking_then_back_to_stock(api: Api, shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    gid = start_giveaway(api, shop, winners=1).json()["id"]
    with api.client.websocket_connect(f"/ws/shows/{sid}") as one, \
            api.client.websocket_connect(f"/ws/shows/{sid}") as two:
        sockets, emails = {}, {}
        for ws in (one, two):
            recv(ws)
            email = _email()
            ws.send_json({"type": "enter", "giveaway_id": gid, "name": "Fan", "email": email})
            entry_id = recv_type(ws, "giveaway.entered")["data"]["entry_id"]
            sockets[entry_id], emails[entry_id] = ws, email
        end_game(api, shop, "giveaways", gid)
        first = api.client.get(f"/api/giveaways/{gid}/proof").json()
        ranking = _recompute(first, 2)
        api.call(api.services.sweep)
        old_url = recv_type(sockets[ranking[0]], "giveaway.won", limit=100)["data"]["claim_url"]
        assert _url_in(mail_to(api.services.settings.outbox_dir, emails[ranking[0]])) == old_url
        assert available(api, shop) == 4
        api.call(age_claims, api=api, game_id=gid)
        sweep_claims(api)
        proof = api.client.get(f"/api/giveaways/{gid}/proof").json()
        assert proof["winners"] == [ranking[1]] and proof["passed"] == [ranking[0]]
        api.call(api.services.sweep)
        won = [f for f in until_pong(sockets[ranking[1]]) if f["type"] == "giveaway.won"]
        assert len(won) == 1, "the next entry is told at once, live, when the prize passes to it"
        new_url = won[0]["data"]["claim_url"]
    assert new_url != old_url and _url_in(mail_to(api.services.settings.outbox_dir, emails[ranking[1]])) == new_url
    assert api.client.get(f"/api/claims/{_claim_token(old_url)}").json()["status"] == "passed"
    r = api.client.post(f"/api/claims/{_claim_token(old_url)}", headers={"idempotency-key": "late-claim-1"},
                        json={"buyer": {"name": "Too late", "email": emails[ranking[0]], "address": ADDRESS}})
    assert r.status_code == 409 and code(r) == "claim_expired"
    assert api.client.get(f"/api/claims/{_claim_token(new_url)}").json()["status"] == "offered"
    api.call(age_claims, api=api, game_id=gid)
    sweep_claims(api)
    assert api.client.get(f"/api/giveaways/{gid}/proof").json()["winners"] == []
    assert available(api, shop) == 5, "the ranking ran out: the unit is back on sale"


def test_a_giveaway_nobody_entered_gives_its_units_back_at_once(api: Api, shop: dict[str, Any]) -> None:
    gid = start_giveaway(api, shop, winners=4).json()["id"]
    assert available(api, shop) == 1
    ended = end_game(api, shop, "giveaways", gid).json()
    assert ended["drawn"] == [] and ended["count"] == 0
    assert available(api, shop) == 5
    proof = api.client.get(f"/api/giveaways/{gid}/proof").json()
    assert proof["entries"] == [] and proof["winners"] == []


def _url_in(message: Any) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return next(word for word in body.get_content().split() if "/claim/" in word)
