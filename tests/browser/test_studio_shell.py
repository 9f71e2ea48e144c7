"""The studio's shell in Chromium: signing in, the role in the bar, a refusal shown where it belongs, a page that
does not exist, and a token that ends under an open studio (sign in again, then back where one was)."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.support.api import until
from tests.support.browser import PHONE, OpenPage, assert_fits
from tests.support.processes import ServerProcess
from tests.support.studio import api_token, open_studio, sign_in_studio

Demo = tuple[ServerProcess, dict[str, str]]


def test_a_wrong_password_is_said_under_the_form_and_the_right_one_opens_the_studio(
    open_page: OpenPage, demo_server: Demo
) -> None:
    _, demo = demo_server
    page = open_page("/studio")
    page.get_by_test_id("login-email").fill(demo["seller_email"])
    page.get_by_test_id("login-password").fill("not the password")
    page.get_by_test_id("login-submit").click()
    expect(page.locator("#signin-form").get_by_test_id("form-error")).to_be_visible()
    expect(page.get_by_test_id("studio-nav")).to_be_hidden()
    # an empty field is refused by the page before any call, next to the field
    page.get_by_test_id("login-password").fill("")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("error-password")).to_be_visible()
    sign_in_studio(page, demo["seller_email"], demo["password"])
    expect(page.get_by_test_id("studio-user")).to_contain_text("Seller")
    expect(page.get_by_test_id("nav-home")).to_have_attribute("aria-current", "page")
    assert_fits(page, ".bar", ".s-main")


def test_a_page_that_does_not_exist_says_so_with_a_way_back(open_page: OpenPage, demo_server: Demo) -> None:
    _, demo = demo_server
    page = open_studio(open_page, "#/no-such-page", email=demo["host_email"], password=demo["password"],
                       locale="fr-FR")
    expect(page.get_by_test_id("studio-refusal")).to_contain_text("Cette page n'existe pas")
    page.get_by_test_id("studio-refusal").get_by_role("link").click()
    expect(page.get_by_test_id("studio-view")).to_contain_text("Bonjour")
    expect(page.get_by_test_id("studio-user")).to_contain_text("Animateur")


def test_a_token_that_ends_under_an_open_studio_asks_to_sign_in_again_and_goes_on(
    open_page: OpenPage, demo_server: Demo
) -> None:
    server, demo = demo_server
    page = open_studio(open_page, "#/", email=demo["seller_email"], password=demo["password"], viewport=PHONE)
    # the account signs out everywhere (another device): this page's token no longer opens anything
    token = page.evaluate("JSON.parse(localStorage.getItem('vitrine.host.session')).token")
    r = httpx.post(f"{server.base_url}/api/auth/signout", headers={"authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code in (200, 204), r.text
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # the page comes back to the front
    expect(page.get_by_test_id("resignin")).to_be_visible()
    expect(page.get_by_test_id("again-email")).to_have_value(demo["seller_email"])
    page.get_by_test_id("again-password").fill(demo["password"])
    page.get_by_test_id("again-submit").click()
    expect(page.get_by_test_id("resignin")).to_be_hidden()
    expect(page.get_by_test_id("studio-nav")).to_be_visible()
    # the new token works
    fresh = page.evaluate("JSON.parse(localStorage.getItem('vitrine.host.session')).token")
    assert fresh != token
    me = httpx.get(f"{server.base_url}/api/auth/me", headers={"authorization": f"Bearer {fresh}"}, timeout=10)
    assert me.status_code == 200 and me.json()["email"] == demo["seller_email"]


def test_signing_out_ends_the_token_and_shows_the_form(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    page = open_studio(open_page, "#/", email=demo["admin_email"], password=demo["password"])
    token = page.evaluate("JSON.parse(localStorage.getItem('vitrine.host.session')).token")
    page.get_by_test_id("signout").click()
    expect(page.get_by_test_id("login-email")).to_be_visible()
    assert page.evaluate("localStorage.getItem('vitrine.host.session')") is None

    def refused() -> bool:
        r = httpx.get(f"{server.base_url}/api/auth/me", headers={"authorization": f"Bearer {token}"}, timeout=10)
        return r.status_code == 401

    until(refused, "the signed-out token still opens /api/auth/me")
    assert api_token(server.base_url, demo["admin_email"], demo["password"])
