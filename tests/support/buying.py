"""Buying in the browser tests: the demo's coat, a viewer watching it, picking a size, the checkout form, the
order read back with its link's token, what is left in stock, the seller's orders and screenshots."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from playwright.sync_api import Page, expect

from server.demo import SELLER
from tests.support.browser import BUYER, SHOTS, sign_in_host, token_for
from tests.support.processes import ServerProcess

COAT = "Oversized wool coat"

Demo = tuple[ServerProcess, dict[str, str]]


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=full_page, animations="disabled")
    assert (SHOTS / f"{name}.png").stat().st_size > 10_000, name


def coat_of(server: ServerProcess, demo: dict[str, str]) -> dict[str, Any]:
    r = httpx.get(f"{server.base_url}/api/shows/{demo['show_id']}", timeout=10)
    assert r.status_code == 200, r.text
    show = r.json()
    assert show["status"] == "live", show
    return next(p for p in show["products"] if p["title"] == COAT)


def available(server: ServerProcess, product_id: str, label: str) -> int:
    r = httpx.get(f"{server.base_url}/api/products/{product_id}", timeout=10)
    assert r.status_code == 200, r.text
    return int(next(v["available"] for v in r.json()["variants"] if v["label"] == label))


def seller_orders(server: ServerProcess, demo: dict[str, str]) -> list[dict[str, Any]]:
    headers = token_for(server.base_url, SELLER, demo["password"])
    r = httpx.get(f"{server.base_url}/api/orders", headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def sign_in(page: Page, demo: dict[str, str]) -> None:
    sign_in_host(page, demo["host_email"], demo["password"])


def watch_the_coat(page: Page) -> None:
    """The player shows the live show (in any language) with the coat pinned."""
    expect(page.get_by_test_id("status")).to_have_class(re.compile(r"\bbadge-live\b"))
    expect(page.get_by_test_id("connection")).to_be_hidden()
    expect(page.get_by_test_id("pinned-title")).to_have_text(COAT)


def pick(page: Page, size: str) -> None:
    page.get_by_test_id(f"size-{size}").click()
    expect(page.get_by_test_id(f"size-{size}")).to_have_attribute("aria-checked", "true")


def fill_checkout(page: Page, **changes: str) -> None:
    values = {**BUYER, **changes}
    sheet = page.get_by_test_id("checkout-sheet")
    expect(sheet).to_be_visible()
    page.get_by_test_id("checkout-name").fill(values["name"])
    page.get_by_test_id("checkout-email").fill(values["email"])
    page.get_by_test_id("checkout-line1").fill(values["line1"])
    page.get_by_test_id("checkout-postal").fill(values["postal_code"])
    page.get_by_test_id("checkout-city").fill(values["city"])
    page.get_by_test_id("checkout-country").select_option(values["country"])


def order_from_url(server: ServerProcess, url: str) -> dict[str, Any]:
    """The order JSON, read with the token of the buyer's signed link."""
    parsed = urlparse(url)
    order_id = parsed.path.rsplit("/", 1)[1]
    token = parse_qs(parsed.query)["t"][0]
    r = httpx.get(f"{server.base_url}/api/orders/{order_id}", params={"t": token}, timeout=10)
    assert r.status_code == 200, r.text
    order: dict[str, Any] = r.json()
    return order
