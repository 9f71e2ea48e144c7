"""What the browser tests share besides their fixtures: Debian's Chromium and how it is launched, the
viewports, where screenshots go, signing in as the host, a few API calls and a check that a page fits."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import FloatRect, Page, ViewportSize, expect

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


def chat(page: Page, text: str, *, name: str | None = None, sent: bool = True) -> None:
    """Types a chat message on the player and sends it, giving `name` when the player asks for one (the first
    message); with `sent`, waits for the field to empty (the message went out)."""
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-input").press("Enter")
    if name is not None:
        page.get_by_test_id("chat-name").fill(name)
        page.get_by_test_id("chat-name-save").click()
    if sent:
        expect(page.get_by_test_id("chat-input")).to_have_value("")


def assert_fits(page: Page, *selectors: str) -> None:
    """The page is no wider than its viewport, and each element named is wholly inside it, left to right."""
    width = page.viewport_size["width"] if page.viewport_size else PHONE["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    for what in selectors:
        box = page.locator(what).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (what, box)


PHONE_LANDSCAPE: ViewportSize = {"width": 844, "height": 390}

# WCAG 2 contrast of an element's text: its computed color against the first background-color behind it
# that is not transparent (each translucent layer composited over the one below, down to the page's black)
_CONTRAST_JS = """
el => {
  const rgba = (text) => {
    const [r, g, b, a = 1] = text.match(/[\\d.]+/g).map(Number);
    return [r, g, b, a];
  };
  const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3]));
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const bg = rgba(getComputedStyle(node).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] === 1) break;
  }
  let back = [0, 0, 0];
  for (const layer of layers.reverse()) back = over(layer, back);
  const front = over(rgba(getComputedStyle(el).color), back);
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [dark, light] = [lum(front), lum(back)].sort((a, b) => a - b);
  return (light + 0.05) / (dark + 0.05);
}
"""


def contrast_ratio(page: Page, selector: str) -> float:
    """The WCAG contrast ratio of the first element matching `selector`, from its computed styles."""
    return float(page.locator(selector).first.evaluate(_CONTRAST_JS))


def overlaps(a: FloatRect | None, b: FloatRect | None) -> bool:
    """Whether two bounding boxes share any area."""
    assert a is not None and b is not None
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def assert_one_row(page: Page, *selectors: str) -> None:
    """The elements named (the first of each) are laid out side by side on one row: their vertical centres agree
    within 2 px (a wrapped element sits a whole row lower)."""
    boxes = {what: page.locator(what).first.bounding_box() for what in selectors}
    centres = {what: box["y"] + box["height"] / 2 for what, box in boxes.items() if box is not None}
    assert len(centres) == len(selectors), boxes
    first = centres[selectors[0]]
    assert all(abs(centre - first) <= 2 for centre in centres.values()), boxes
