"""What the browser tests share besides their fixtures: Debian's Chromium and how it is launched, the
viewports, where screenshots go, signing in as the host, a few API calls and a check that a page fits."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Page, ViewportSize, expect

from tests.support.processes import ServerProcess

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


def chat(page: Page, text: str, *, name: str | None = None) -> None:
    """Posts a chat message from the player (the first message asks for a display name) and waits for the
    field to empty."""
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-input").press("Enter")
    if name is not None:
        page.get_by_test_id("chat-name").fill(name)
        page.get_by_test_id("chat-name-save").click()
    expect(page.get_by_test_id("chat-input")).to_have_value("")


def assert_fits(page: Page, *selectors: str) -> None:
    """The page is no wider than its viewport, and each element named is wholly inside it, left to right."""
    width = page.viewport_size["width"] if page.viewport_size else PHONE["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    for what in selectors:
        box = page.locator(what).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (what, box)
