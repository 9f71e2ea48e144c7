"""The studio's accounts in Chromium (issue 18): an admin invites a seller from the accounts page, the seller opens
the mailed link (read from the outbox) in a browser of its own, chooses a password and lands signed in; a
forgotten password comes back by mail; the admin suspends and restores with in-page confirmations; the pages
speak French to a French browser and fit a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import PHONE, OpenPage, assert_fits, sign_in_host
from tests.support.mail import link_in, mail_to
from tests.support.processes import ServerProcess
from tests.support.studio import api_token, demo_with, open_studio

Demo = tuple[ServerProcess, dict[str, str]]


@pytest.fixture
def outbox_dir(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def demo_server(tmp_path: Path, outbox_dir: Path) -> Iterator[Demo]:
    """The demo server, its mail written to a folder of this test's."""
    with demo_with(tmp_path, OUTBOX_DIR=str(outbox_dir)) as demo:
        yield demo


def choose_password(page: Page, prefix: str, password: str) -> None:
    page.get_by_test_id("pw-password").fill(password)
    page.get_by_test_id("pw-password-again").fill(password)
    page.get_by_test_id(f"{prefix}-submit").click()


def open_link(open_page: OpenPage, link: str, base_url: str) -> Page:
    """The mailed link, in a fresh browser (the invited person's)."""
    assert link.startswith(f"{base_url}/studio#/"), link
    return open_page(link, viewport=PHONE)  # type: ignore[no-any-return]


def test_an_admin_invites_a_seller_who_chooses_a_password_and_lands_signed_in(
        open_page: OpenPage, demo_server: Demo, outbox_dir: Path) -> None:
    server, demo = demo_server
    admin = open_studio(open_page, "#/accounts", email=demo["admin_email"], password=demo["password"],
                        viewport=PHONE)
    admin.get_by_test_id("account-email").fill("Nouvelle.Boutique@example.com")
    admin.get_by_test_id("account-name").fill("Nouvelle Boutique")
    admin.get_by_test_id("account-role").select_option("seller")
    admin.get_by_test_id("account-submit").click()
    row = admin.locator('[data-testid="account-row"][data-email="nouvelle.boutique@example.com"]')
    expect(row.get_by_test_id("account-status")).to_have_text("Invited")
    assert_fits(admin, '[data-testid="account-row"]', '[data-testid="account-form"]')

    mail = mail_to(outbox_dir, "nouvelle.boutique@example.com")
    seller = open_link(open_page, link_in(mail), server.base_url)
    expect(seller.get_by_test_id("invitation-form")).to_be_visible()
    seller.get_by_test_id("pw-password").fill("ma boutique 2026")
    seller.get_by_test_id("pw-password-again").fill("ma boutique 2027")
    seller.get_by_test_id("invitation-submit").click()
    expect(seller.get_by_test_id("error-password_again")).to_be_visible()  # the two differ: nothing sent
    choose_password(seller, "invitation", "ma boutique 2026")
    expect(seller.get_by_test_id("studio-user")).to_have_attribute("data-role", "seller")
    expect(seller.get_by_test_id("studio-user")).to_contain_text("Nouvelle Boutique")
    expect(seller.get_by_test_id("studio-view")).to_have_attribute("data-section", "home")
    assert_fits(seller)

    admin.reload()
    expect(admin.get_by_test_id("studio-view")).to_have_attribute("data-section", "accounts")
    expect(row.get_by_test_id("account-status")).to_have_text("Active")
    row.get_by_test_id("account-suspend").click()
    admin.get_by_test_id("confirm-cancel").click()
    expect(row.get_by_test_id("account-status")).to_have_text("Active")
    row.get_by_test_id("account-suspend").click()
    admin.get_by_test_id("confirm-ok").click()
    expect(row.get_by_test_id("account-status")).to_have_text("Suspended")
    r = httpx.post(f"{server.base_url}/api/auth/token", json={"email": "nouvelle.boutique@example.com",
                                                              "password": "ma boutique 2026"}, timeout=10)
    assert r.status_code == 403 and r.json()["error"]["code"] == "account_suspended"
    row.get_by_test_id("account-restore").click()
    admin.get_by_test_id("confirm-ok").click()
    expect(row.get_by_test_id("account-status")).to_have_text("Active")


def test_a_used_invitation_says_so_and_a_resent_one_replaces_it(open_page: OpenPage, demo_server: Demo,
                                                                 outbox_dir: Path) -> None:
    server, demo = demo_server
    admin = open_studio(open_page, "#/accounts", email=demo["admin_email"], password=demo["password"])
    admin.get_by_test_id("account-email").fill("late.host@example.com")
    admin.get_by_test_id("account-role").select_option("host")
    admin.get_by_test_id("account-submit").click()
    row = admin.locator('[data-testid="account-row"][data-email="late.host@example.com"]')
    first = link_in(mail_to(outbox_dir, "late.host@example.com"))
    row.get_by_test_id("account-resend").click()
    admin.get_by_test_id("confirm-ok").click()
    second = link_in(mail_to(outbox_dir, "late.host@example.com", count=2))
    old = open_link(open_page, first, server.base_url)
    choose_password(old, "invitation", "a host's password")
    expect(old.get_by_test_id("invitation-form").get_by_test_id("form-error")).to_have_text(re.compile("expired"))
    host = open_link(open_page, second, server.base_url)
    choose_password(host, "invitation", "a host's password")
    expect(host.get_by_test_id("studio-user")).to_have_attribute("data-role", "host")


def test_a_forgotten_password_comes_back_by_mail_and_the_profile_changes_it(
        open_page: OpenPage, demo_server: Demo, outbox_dir: Path) -> None:
    server, demo = demo_server
    page = open_page("/studio", viewport=PHONE)
    page.get_by_test_id("forgot-link").click()
    page.get_by_test_id("forgot-email").fill(demo["seller_email"])
    page.get_by_test_id("forgot-submit").click()
    expect(page.get_by_test_id("forgot-sent")).to_contain_text("If an account exists")
    assert_fits(page)

    reset = open_link(open_page, link_in(mail_to(outbox_dir, demo["seller_email"])), server.base_url)
    choose_password(reset, "reset", "a new seller password")
    expect(reset.get_by_test_id("studio-user")).to_have_attribute("data-role", "seller")

    reset.goto(f"{server.base_url}/studio#/profile")
    expect(reset.get_by_test_id("profile-facts")).to_contain_text(demo["seller_email"])
    reset.get_by_test_id("profile-current").fill("not my password")
    reset.get_by_test_id("pw-new_password").fill("the third password")
    reset.get_by_test_id("pw-new_password-again").fill("the third password")
    reset.get_by_test_id("profile-submit").click()
    expect(reset.get_by_test_id("error-current_password")).to_be_visible()
    reset.get_by_test_id("profile-current").fill("a new seller password")
    reset.get_by_test_id("profile-submit").click()
    expect(reset.get_by_test_id("profile-current")).to_have_value("")
    reset.reload()  # the new token was kept: still signed in
    expect(reset.get_by_test_id("profile-facts")).to_contain_text(demo["seller_email"])
    r = httpx.post(f"{server.base_url}/api/auth/token", json={"email": demo["seller_email"],
                                                              "password": "the third password"}, timeout=10)
    assert r.status_code == 200


def test_the_accounts_pages_speak_french(open_page: OpenPage, demo_server: Demo) -> None:
    _, demo = demo_server
    page = open_page("/studio#/forgot", locale="fr-FR")
    expect(page.get_by_role("heading", name="Mot de passe oublié ?")).to_be_visible()
    expect(page.get_by_test_id("forgot-submit")).to_have_text("M'envoyer un lien")
    admin = open_studio(open_page, "#/accounts", email=demo["admin_email"], password=demo["password"],
                        locale="fr-FR", viewport=PHONE)
    expect(admin.get_by_role("heading", name="Nouveau compte")).to_be_visible()
    expect(admin.get_by_test_id("account-submit")).to_have_text("Créer")
    expect(admin.get_by_test_id("account-status").first).to_have_text(re.compile("Actif|Invité|Suspendu"))
    invitation = open_page("/studio#/invitation/not-a-token", locale="fr-FR")
    choose_password(invitation, "invitation", "un mot de passe")
    refusal = invitation.get_by_test_id("invitation-form").get_by_test_id("form-error")
    expect(refusal).to_have_text("Ce lien n'est pas valide. Demandez-en un nouveau.")


def test_a_suspended_hosts_open_control_room_loses_its_rights_at_once(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    host = open_page(None)
    frames: list[str] = []
    host.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    host.goto(f"/host/{demo['show_id']}")
    sign_in_host(host, demo["host_email"], demo["password"])
    admin = api_token(server.base_url, demo["admin_email"], demo["password"])
    me = httpx.get(f"{server.base_url}/api/auth/me", headers=api_token(server.base_url, demo["host_email"],
                                                                         demo["password"]), timeout=10).json()
    r = httpx.post(f"{server.base_url}/api/accounts/{me['id']}/suspend", headers=admin, timeout=10)
    assert r.status_code == 200, r.text
    # no click: the show's socket says so (the sales panel's polling would too, a few seconds later)
    for _ in range(100):
        if any('"token_revoked"' in frame for frame in frames):
            break
        host.wait_for_timeout(50)
    assert any('"type":"error"' in frame and '"token_revoked"' in frame for frame in frames), frames[-5:]
    expect(host.get_by_test_id("login-error")).to_contain_text("signed out")
    expect(host.get_by_test_id("end")).to_be_hidden()
