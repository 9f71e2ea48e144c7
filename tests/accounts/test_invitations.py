"""Passwords chosen from mailed links (issue 18): an admin invites an account, which chooses its password from the
link the outbox holds; anyone asks for a reset link. A link is signed for its purpose, expires, works once, and a
newer one ends the older; a reset request tells nothing of whether the account exists."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from server.settings import Settings
from tests.support.api import Api, make_api
from tests.support.mail import link_in, mail_to, outbox, token_in
from tests.support.orders import code


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def api(settings: Settings, mail_dir: Path) -> Iterator[Api]:
    yield from make_api(replace(settings, outbox_dir=mail_dir, mail_from="Vitrine <hello@vitrine.example>",
                                public_base_url="https://shop.example"))


def invite(api: Api, admin: dict[str, Any], email: str, **extra: Any) -> Any:
    r = api.client.post("/api/accounts", json={"email": email, "role": "seller", "name": "Maison", **extra},
                        headers=admin["headers"])
    assert r.status_code == 201, r.text
    return r.json()


def sign_in(api: Api, email: str, password: str) -> Any:
    return api.client.post("/api/auth/token", json={"email": email, "password": password})


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_an_invited_account_chooses_its_password_from_the_mail_and_is_signed_in(api: Api, mail_dir: Path) -> None:
    admin = api.user("admin")
    account = invite(api, admin, "Invited@Example.com")
    assert account["invited"] is True and account["email"] == "invited@example.com"
    assert "token" not in str(account) and "studio#" not in str(account)  # the link goes by mail alone
    assert sign_in(api, "invited@example.com", "").status_code == 422
    assert code(sign_in(api, "invited@example.com", "any password at all")) == "bad_credentials"

    mail = mail_to(mail_dir, "invited@example.com")
    assert mail["From"] == "Vitrine <hello@vitrine.example>" and "invited" in mail["Subject"].lower()
    assert link_in(mail).startswith("https://shop.example/studio#/invitation/")
    token = token_in(mail)

    r = api.client.post("/api/auth/invitation", json={"token": token, "password": "my own password"})
    assert r.status_code == 200, r.text
    signed = r.json()
    assert signed["user"]["id"] == account["id"] and signed["user"]["role"] == "seller" and signed["device_token"]
    assert api.client.get("/api/auth/me", headers=auth(signed["access_token"])).json()["id"] == account["id"]
    assert sign_in(api, "invited@example.com", "my own password").status_code == 200
    listed = {a["id"]: a for a in api.client.get("/api/accounts", headers=admin["headers"]).json()["items"]}
    assert listed[account["id"]]["invited"] is False

    again = api.client.post("/api/auth/invitation", json={"token": token, "password": "someone else's"})
    assert again.status_code == 410 and code(again) == "link_used"
    assert sign_in(api, "invited@example.com", "my own password").status_code == 200


def test_a_weak_password_leaves_the_link_usable(api: Api, mail_dir: Path) -> None:
    invite(api, api.user("admin"), "weak@example.com")
    token = token_in(mail_to(mail_dir, "weak@example.com"))
    r = api.client.post("/api/auth/invitation", json={"token": token, "password": "short"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "password"
    assert api.client.post("/api/auth/invitation", json={"token": token, "password": "long enough"}).status_code == 200


def test_forged_expired_and_other_purpose_links_are_refused_with_their_codes(api: Api, mail_dir: Path) -> None:
    admin = api.user("admin")
    account = invite(api, admin, "links@example.com")
    token = token_in(mail_to(mail_dir, "links@example.com"))
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token", "x" * 500):
        r = api.client.post("/api/auth/invitation", json={"token": forged, "password": "long enough"})
        assert r.status_code == 400 and code(r) == "link_invalid", forged
    r = api.client.post("/api/auth/reset/confirm", json={"token": token, "password": "long enough"})
    assert r.status_code == 400 and code(r) == "link_invalid"  # an invitation is no reset link
    reset = api.call(api.services.auth.links.issue, user_id=account["id"], purpose="reset", ttl_s=600)
    r = api.client.post("/api/auth/invitation", json={"token": reset, "password": "long enough"})
    assert r.status_code == 400 and code(r) == "link_invalid"  # nor a reset link an invitation
    expired = api.call(api.services.auth.links.issue, user_id=account["id"], purpose="invitation", ttl_s=-60)
    r = api.client.post("/api/auth/invitation", json={"token": expired, "password": "long enough"})
    assert r.status_code == 410 and code(r) == "link_expired"
    assert api.client.post("/api/auth/invitation", json={"token": "", "password": "long enough"}).status_code == 422


def test_a_new_invitation_replaces_the_old_one(api: Api, mail_dir: Path) -> None:
    admin = api.user("admin")
    account = invite(api, admin, "again@example.com", lang="fr")
    first = mail_to(mail_dir, "again@example.com")
    assert first["Subject"] == "Vous êtes invité sur Vitrine" and "Bonjour Maison" in link_in_text(first)
    r = api.client.post(f"/api/accounts/{account['id']}/invite", headers=admin["headers"])
    assert r.status_code == 200 and r.json()["invited"] is True, r.text
    second = mail_to(mail_dir, "again@example.com", count=2)
    assert "You are invited" in second["Subject"] and "Vous êtes invité" in second["Subject"]  # no lang: both
    old = api.client.post("/api/auth/invitation", json={"token": token_in(first), "password": "long enough"})
    assert old.status_code == 410 and code(old) == "link_expired"
    new = api.client.post("/api/auth/invitation", json={"token": token_in(second), "password": "long enough"})
    assert new.status_code == 200
    active = api.client.post(f"/api/accounts/{account['id']}/invite", json={"lang": "en"}, headers=admin["headers"])
    assert active.status_code == 409 and code(active) == "already_active"
    missing = api.client.post("/api/accounts/usr_nobody/invite", headers=admin["headers"])
    assert missing.status_code == 404 and code(missing) == "user_not_found"


def link_in_text(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def test_a_reset_link_sets_a_new_password_and_ends_every_old_sign_in(api: Api, mail_dir: Path) -> None:
    seller = api.user("seller")
    other_device = sign_in(api, seller["email"], seller["password"]).json()["access_token"]
    r = api.client.post("/api/auth/reset", json={"email": seller["email"].upper(), "lang": "en"})
    assert r.status_code == 202 and r.json() == {"accepted": True}
    mail = mail_to(mail_dir, seller["email"])
    assert mail["Subject"] == "Reset your Vitrine password"
    assert link_in(mail).startswith("https://shop.example/studio#/reset/")
    assert sign_in(api, seller["email"], seller["password"]).status_code == 200  # nothing changed yet
    r = api.client.post("/api/auth/reset/confirm", json={"token": token_in(mail), "password": "a brand new one"})
    assert r.status_code == 200 and r.json()["user"]["id"] == seller["id"], r.text
    for old in (seller["token"], other_device):
        assert code(api.client.get("/api/auth/me", headers=auth(old))) == "token_revoked"
    assert api.client.get("/api/auth/me", headers=auth(r.json()["access_token"])).status_code == 200
    assert code(sign_in(api, seller["email"], seller["password"])) == "bad_credentials"
    assert sign_in(api, seller["email"], "a brand new one").status_code == 200
    again = api.client.post("/api/auth/reset/confirm", json={"token": token_in(mail), "password": "yet another"})
    assert again.status_code == 410 and code(again) == "link_used"


def test_a_reset_tells_nothing_and_mails_no_one_for_an_unknown_or_suspended_account(api: Api,
                                                                                    mail_dir: Path) -> None:
    admin, host = api.user("admin"), api.user("host")
    # an address of this test's own: reset requests are counted per address in the shared Redis, an hour long
    unknown = api.client.post("/api/auth/reset", json={"email": f"nobody-{secrets.token_hex(4)}@example.com"})
    assert unknown.status_code == 202 and unknown.json() == {"accepted": True}
    early = api.call(api.services.auth.links.issue, user_id=host["id"], purpose="reset", ttl_s=600)
    assert api.client.post(f"/api/accounts/{host['id']}/suspend", headers=admin["headers"]).status_code == 200
    suspended = api.client.post("/api/auth/reset", json={"email": host["email"]})
    assert suspended.status_code == 202 and suspended.json() == unknown.json()
    assert outbox(mail_dir) == []
    r = api.client.post("/api/auth/reset/confirm", json={"token": early, "password": "a brand new one"})
    assert r.status_code == 403 and code(r) == "account_suspended"  # a link mailed before the suspension
    bad = api.client.post("/api/auth/reset", json={"email": "not an address"})
    assert bad.status_code == 422 and code(bad) == "invalid_email"


def test_reset_requests_are_limited_per_email(api: Api, mail_dir: Path) -> None:
    seller = api.user("seller")
    for _ in range(3):
        assert api.client.post("/api/auth/reset", json={"email": seller["email"]}).status_code == 202
    r = api.client.post("/api/auth/reset", json={"email": seller["email"]})
    assert r.status_code == 429 and code(r) == "too_many_resets"
    assert len(outbox(mail_dir)) == 3
