"""Sign-ins that end when they should, and limits that strangers cannot turn against an account's owner
(issue 16): 0.6.4's tokens lived their 12 hours whatever happened (a demoted admin still listed every order, a
changed password left old tokens working), and five wrong passwords from anywhere locked the owner out."""

from __future__ import annotations

from typing import Any

import jwt

from tests.support.api import Api, until


def code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def sign_in(api: Api, user: dict[str, Any], **extra: Any) -> Any:
    return api.client.post("/api/auth/token", json={"email": user["email"], "password": user["password"], **extra})


def test_signing_out_ends_every_token_of_the_account(api: Api) -> None:
    host = api.user("host")
    other_device = sign_in(api, host).json()["access_token"]
    assert api.client.get("/api/auth/me", headers=host["headers"]).status_code == 200
    assert api.client.post("/api/auth/signout", headers=host["headers"]).status_code == 204
    for token in (host["token"], other_device):
        r = api.client.get("/api/auth/me", headers={"authorization": f"Bearer {token}"})
        assert r.status_code == 401 and code(r) == "token_revoked"
    fresh = sign_in(api, host).json()["access_token"]
    assert api.client.get("/api/auth/me", headers={"authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_new_password_ends_the_other_sign_ins(api: Api) -> None:
    seller = api.user("seller")
    wrong = api.client.post("/api/auth/password", json={"current_password": "nope", "new_password": "another pw 1"},
                            headers=seller["headers"])
    assert wrong.status_code == 401 and code(wrong) == "bad_credentials"
    r = api.client.post("/api/auth/password", json={"current_password": seller["password"],
                                                   "new_password": "another pw 1"}, headers=seller["headers"])
    assert r.status_code == 200
    assert code(api.client.get("/api/auth/me", headers=seller["headers"])) == "token_revoked"
    fresh = {"authorization": f"Bearer {r.json()['access_token']}"}
    assert api.client.get("/api/auth/me", headers=fresh).status_code == 200
    assert sign_in(api, seller).status_code == 401
    assert sign_in(api, {**seller, "password": "another pw 1"}).status_code == 200


def test_a_demoted_admin_loses_its_powers_at_once(api: Api) -> None:
    boss, demoted, seller = api.user("admin"), api.user("admin"), api.user("seller")
    assert api.client.get("/api/orders", headers=demoted["headers"]).status_code == 200
    refused = api.client.put(f"/api/users/{boss['id']}/role", json={"role": "host"}, headers=seller["headers"])
    assert refused.status_code == 403
    r = api.client.put(f"/api/users/{demoted['id']}/role", json={"role": "seller"}, headers=boss["headers"])
    assert r.status_code == 200 and r.json()["role"] == "seller"
    r = api.client.get("/api/orders", headers=demoted["headers"])
    assert r.status_code == 401 and code(r) == "token_revoked", "0.6.4: it still listed every order"
    again = sign_in(api, demoted).json()
    assert again["user"]["role"] == "seller"
    assert api.client.put("/api/users/nobody/role", json={"role": "host"}, headers=boss["headers"]).status_code == 404
    assert api.client.put(f"/api/users/{demoted['id']}/role", json={"role": "king"},
                          headers=boss["headers"]).status_code == 422


def test_a_token_from_before_token_versions_holds_until_the_account_changes(api: Api) -> None:
    host = api.user("host")
    claims = jwt.decode(host["token"], options={"verify_signature": False})
    del claims["ver"]  # as 0.7.0 issued them
    old = jwt.encode(claims, api.services.settings.secret_key, algorithm="HS256")
    assert api.client.get("/api/auth/me", headers={"authorization": f"Bearer {old}"}).status_code == 200
    api.client.post("/api/auth/signout", headers=host["headers"])
    assert code(api.client.get("/api/auth/me", headers={"authorization": f"Bearer {old}"})) == "token_revoked"


def test_another_node_refuses_a_revoked_token_at_once(two_nodes: tuple[Api, Api]) -> None:
    a, b = two_nodes
    host = a.user("host")
    assert b.client.get("/api/auth/me", headers=host["headers"]).status_code == 200  # b keeps the version now
    assert a.client.post("/api/auth/signout", headers=host["headers"]).status_code == 204
    until(lambda: b.client.get("/api/auth/me", headers=host["headers"]).status_code == 401,
          "the other node kept the revoked token's version")


def test_strangers_guessing_do_not_lock_the_owner_out_of_a_known_device(api: Api) -> None:
    owner = api.user("seller")
    device = sign_in(api, owner).json()["device_token"]  # the owner signed in from this device before
    api.client.cookies.clear()  # the test client kept it as a cookie: the next sign-ins are from elsewhere
    for _ in range(5):  # a stranger guesses
        assert sign_in(api, {**owner, "password": "guess"}).status_code == 401
    locked = sign_in(api, owner)
    assert locked.status_code == 429 and code(locked) == "too_many_attempts", "an unknown device waits"
    assert sign_in(api, owner, device_token=device).status_code == 200, "the owner's known device gets through"
    api.client.cookies.set("vt_dev", device, path="/api/auth")
    assert sign_in(api, owner).status_code == 200, "the pages' cookie does the same"
    api.client.cookies.clear()
    stranger_device = sign_in(api, api.user("host")).json()["device_token"]
    api.client.cookies.clear()
    for _ in range(5):
        sign_in(api, {**owner, "password": "guess"})
    assert sign_in(api, owner, device_token=stranger_device).status_code == 429, "another account's device is not"
    assert sign_in(api, owner, device_token="forged.token").status_code == 429


def test_the_account_s_limit_backs_off(api: Api) -> None:
    """After 5 failures each further one closes the account to unknown devices for twice as long: 1, 2, 4…
    minutes (read off the bus's counter, whose window is the closing)."""
    owner = api.user("host")
    bus = api.services.bus
    device = sign_in(api, owner).json()["device_token"]
    api.client.cookies.clear()
    for _ in range(5):
        assert sign_in(api, {**owner, "password": "guess"}).status_code == 401
    closed = f"login-closed:{owner['email']}"
    assert api.call(bus.count, key=closed) == 1
    if api.services.settings.redis_url:  # Redis says how long is left; the in-process bus does not
        redis = bus.redis  # type: ignore[attr-defined]
        first = api.call(redis.ttl, name=f"vt:hit:{closed}")
        assert 50 <= first <= 60
        api.call(bus.forget, key=closed)  # as if the minute had passed
        assert sign_in(api, {**owner, "password": "guess"}).status_code == 401  # the 6th failure
        assert 110 <= api.call(redis.ttl, name=f"vt:hit:{closed}") <= 120, "twice as long"
    assert sign_in(api, owner).status_code == 429
    assert sign_in(api, owner, device_token=device).status_code == 200, \
        "a known device gets through, and a success forgets the failures"
    api.client.cookies.clear()
    assert api.call(bus.count, key=closed) == 0 and sign_in(api, owner).status_code == 200
