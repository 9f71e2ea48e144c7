"""A seller lets hosts sell its products, naming them by their account's email, and sees them by email."""

from __future__ import annotations

from tests.support.api import Api


def test_a_seller_grants_a_host_by_email_and_revokes_it(api: Api) -> None:
    seller, host = api.user("seller"), api.user("host")
    r = api.client.post("/api/sellers/me/hosts", json={"email": host["email"].upper()}, headers=seller["headers"])
    assert r.status_code == 200, r.text
    assert r.json() == {"host_ids": [host["id"]], "hosts": [{"id": host["id"], "email": host["email"],
                                                             "name": "Host"}]}
    assert api.client.get("/api/sellers/me/hosts", headers=seller["headers"]).json()["host_ids"] == [host["id"]]
    r = api.client.delete(f"/api/sellers/me/hosts/{host['id']}", headers=seller["headers"])
    assert r.json() == {"host_ids": [], "hosts": []}


def test_only_a_host_account_is_granted(api: Api) -> None:
    seller, other = api.user("seller"), api.user("seller")
    for body in ({"email": other["email"]}, {"email": "nobody@example.com"}, {"host_id": "usr_missing"}):
        r = api.client.post("/api/sellers/me/hosts", json=body, headers=seller["headers"])
        assert r.status_code == 422 and r.json()["error"]["code"] == "host_not_found", body
    for body in ({}, {"email": "a@example.com", "host_id": "usr_x"}):
        r = api.client.post("/api/sellers/me/hosts", json=body, headers=seller["headers"])
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", body
