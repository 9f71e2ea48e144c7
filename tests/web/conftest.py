"""What the browser tests share: Debian's Chromium driven by Playwright, pages opened in fresh contexts that
fail the test on any uncaught script error or dialog, signing in as the host and a few API calls."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, ViewportSize, expect, sync_playwright

from tests.conftest import ServerProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
SHOTS = Path(os.environ.get("VITRINE_SHOTS", "/tmp/vitrine-shots"))
WAIT_MS = 10_000
BUYER = {"name": "Léa Martin", "email": "lea@example.com", "line1": "12 rue de la Paix", "city": "Paris",
         "postal_code": "75002", "country": "FR"}

OpenPage = Callable[..., Page]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{CHROMIUM} is missing: in CI the browser tests must run")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def web_base_url(demo_server: tuple[ServerProcess, dict[str, str]]) -> str:
    """The server the pages are opened on: the demo server (a test module may override this fixture)."""
    server, _ = demo_server
    return server.base_url


@pytest.fixture
def open_page(browser: Browser, web_base_url: str) -> Iterator[OpenPage]:
    """Opens a path of the demo server in a fresh browser context (its own storage: another person).
    Any uncaught script error or dialog on any page fails the test."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_(path: str | None, *, locale: str = "en-US", viewport: ViewportSize = PHONE,
              script: str | None = None, user_agent: str | None = None) -> Page:
        phone = viewport["width"] < 600
        context = browser.new_context(base_url=web_base_url, locale=locale, viewport=viewport, is_mobile=phone,
                                      has_touch=phone, device_scale_factor=2 if phone else 1,
                                      **({"user_agent": user_agent} if user_agent else {}))
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        if script:
            context.add_init_script(script)
        page = context.new_page()

        def on_dialog(dialog: Dialog) -> None:
            errors.append(f"{page.url}: a dialog opened: {dialog.message}")
            dialog.dismiss()

        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.on("dialog", on_dialog)
        if path is not None:
            page.goto(path)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors


def token_for(base_url: str, email: str, password: str) -> dict[str, str]:
    """The Authorization header of a login."""
    r = httpx.post(f"{base_url}/api/auth/token", json={"email": email, "password": password}, timeout=10)
    assert r.status_code == 200, r.text
    return {"authorization": f"Bearer {r.json()['access_token']}"}


def pin_over_http(server: ServerProcess, demo: dict[str, str], product_id: str) -> None:
    headers = token_for(server.base_url, demo["host_email"], demo["password"])
    r = httpx.post(f"{server.base_url}/api/shows/{demo['show_id']}/pin", json={"product_id": product_id},
                   headers=headers, timeout=10)
    assert r.status_code == 200, r.text


def sign_in_host(page: Page, email: str, password: str) -> None:
    """Signs in on the host page (already open) and waits for the live show's controls."""
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("end")).to_be_visible()  # the demo show is live


def assert_fits(page: Page, *selectors: str) -> None:
    """The page is no wider than its viewport, and each element named is wholly inside it, left to right."""
    width = page.viewport_size["width"] if page.viewport_size else PHONE["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    for what in selectors:
        box = page.locator(what).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (what, box)
