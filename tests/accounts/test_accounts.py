"""An admin's accounts (issue 18): create with a role, list, suspend and restore. A suspended account may not sign
in, and the tokens it holds stop working at once, on every node; the routes answer only an admin."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.support.api import Api, until
from tests.support.orders import code


def sign_in(api: Api, email: str, password: str) -> Any:
    return api.client.post("/api/auth/token", json={"email": email, "password": password})


def test_an_admin_creates_an_account_that_signs_in_and_is_listed(api: Api) -> None:
    admin = api.user("admin")
    r = api.client.post("/api/accounts", json={"email": "New.Seller@Example.com", "role": "seller",
                                               "name": "Maison Neuve", "password": "a long first password"},
                        headers=admin["headers"])
    assert r.status_code == 201, r.text
    account = r.json()
    assert account["email"] == "new.seller@example.com" and account["role"] == "seller"
    assert account["name"] == "Maison Neuve" and account["suspended_at"] is None and account["created_at"]
    assert sign_in(api, "new.seller@example.com", "a long first password").status_code == 200
    listed = api.client.get("/api/accounts", headers=admin["headers"]).json()["items"]
    assert listed[0]["id"] == account["id"] and {a["id"] for a in listed} >= {account["id"], admin["id"]}
    again = api.client.post("/api/accounts", json={"email": "new.seller@example.com", "role": "host",
                                                   "password": "another password"}, headers=admin["headers"])
    assert again.status_code == 409 and code(again) == "email_taken"


@pytest.mark.parametrize(("body", "expected"), [
    ({"email": "a@b.test", "role": "host", "password": "long enough pw"}, "invalid_email"),
    ({"email": "ok@example.com", "role": "host", "password": "short"}, "invalid_request"),
    ({"email": "ok@example.com", "role": "viewer", "password": "long enough pw"}, "invalid_request"),
    ({"email": "ok@example.com", "role": "host", "password": ""}, "invalid_request"),
    ({"email": "ok@example.com", "role": "host", "lang": "de"}, "invalid_request"),
])
def test_bad_accounts_are_refused_with_a_code(api: Api, body: dict[str, Any], expected: str) -> None:
    r = api.client.post("/api/accounts", json=body, headers=api.user("admin")["headers"])
    assert r.status_code == 422 and code(r) == expected, r.text


ROUTES = [("POST", "/api/accounts", {"email": "x-{n}@example.com", "role": "host", "password": "long enough pw"}, 201),
          ("POST", "/api/accounts", {"email": "y-{n}@example.com", "role": "host"}, 201),
          ("GET", "/api/accounts", None, 200), ("POST", "/api/accounts/{id}/suspend", None, 200),
          ("POST", "/api/accounts/{id}/restore", None, 200), ("POST", "/api/accounts/{invited}/invite", None, 200)]


@pytest.mark.parametrize(("method", "path", "body", "status"), ROUTES)
def test_only_an_admin_runs_the_accounts(api: Api, method: str, path: str, body: Any, status: int) -> None:
    """The role x route matrix: anonymous (a viewer) 401, seller and host 403, admin its answer."""
    target, admin, n = api.user("host"), api.user("admin"), secrets.token_hex(4)
    invited = api.call(api.services.auth.create_user, email=f"inv-{n}@example.com", password=None, role="seller")
    url = path.format(id=target["id"], invited=invited.id)
    if body is not None:
        body = {**body, "email": body["email"].format(n=n)}
    assert code(api.client.request(method, url, json=body)) == "auth_required"
    for role in ("seller", "host"):
        r = api.client.request(method, url, json=body, headers=api.user(role)["headers"])
        assert r.status_code == 403 and code(r) == "forbidden", (role, r.text)
    assert api.client.get("/api/auth/me", headers=target["headers"]).status_code == 200  # nothing happened to it
    assert api.client.request(method, url, json=body, headers=admin["headers"]).status_code == status


def test_a_suspended_account_cannot_sign_in_until_restored_and_its_old_tokens_stay_ended(api: Api) -> None:
    admin, host = api.user("admin"), api.user("host")
    r = api.client.post(f"/api/accounts/{host['id']}/suspend", headers=admin["headers"])
    assert r.status_code == 200 and r.json()["suspended_at"], r.text
    assert code(api.client.get("/api/auth/me", headers=host["headers"])) == "token_revoked"
    refused = sign_in(api, host["email"], host["password"])
    assert refused.status_code == 403 and code(refused) == "account_suspended"
    wrong = sign_in(api, host["email"], "not the password")  # a stranger learns nothing of the suspension
    assert wrong.status_code == 401 and code(wrong) == "bad_credentials"
    r = api.client.post(f"/api/accounts/{host['id']}/restore", headers=admin["headers"])
    assert r.status_code == 200 and r.json()["suspended_at"] is None
    assert code(api.client.get("/api/auth/me", headers=host["headers"])) == "token_revoked"
    fresh = sign_in(api, host["email"], host["password"])
    assert fresh.status_code == 200, fresh.text
    me = api.client.get("/api/auth/me", headers={"authorization": f"Bearer {fresh.json()['access_token']}"})
    assert me.status_code == 200


def test_an_admin_cannot_suspend_itself_and_unknown_accounts_are_404(api: Api) -> None:
    admin = api.user("admin")
    r = api.client.post(f"/api/accounts/{admin['id']}/suspend", headers=admin["headers"])
    assert r.status_code == 409 and code(r) == "cannot_suspend_self"
    r = api.client.post("/api/accounts/usr_nobody/suspend", headers=admin["headers"])
    assert r.status_code == 404 and code(r) == "user_not_found"


def test_a_suspended_token_stops_on_the_other_node_at_once(two_nodes: tuple[Api, Api]) -> None:
    a, b = two_nodes
    admin, host = a.user("admin"), a.user("host")
    assert b.client.get("/api/auth/me", headers=host["headers"]).status_code == 200  # b keeps the version now
    assert a.client.post(f"/api/accounts/{host['id']}/suspend", headers=admin["headers"]).status_code == 200
    until(lambda: b.client.get("/api/auth/me", headers=host["headers"]).status_code == 401,
          "the other node kept the suspended account's token")
