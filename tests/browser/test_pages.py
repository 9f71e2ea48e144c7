"""The pages in a real Chromium (Playwright driving /usr/bin/chromium) against a real server process
seeded with the demo: the host pins and viewers see it, chat text stays text, the language follows the
browser, and the player fits a phone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import (
    DESKTOP,
    PHONE,
    SHOTS,
    WAIT_MS,
    OpenPage,
    assert_fits,
    chat,
    pin_over_http,
    sign_in_host,
    token_for,
)
from tests.support.processes import ServerProcess

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def demo_show(server: ServerProcess, demo: dict[str, str]) -> dict[str, Any]:
    r = httpx.get(f"{server.base_url}/api/shows/{demo['show_id']}", timeout=10)
    assert r.status_code == 200, r.text
    show: dict[str, Any] = r.json()
    assert show["status"] == "live" and len(show["products"]) >= 2, show
    return show


def sign_in(page: Page, demo: dict[str, str]) -> None:
    sign_in_host(page, demo["host_email"], demo["password"])
    expect(page.get_by_test_id("login-submit")).to_be_hidden()


def test_host_pins_a_product_and_viewers_see_it(
    open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]
) -> None:
    server, demo = demo_server
    show = demo_show(server, demo)
    product = show["products"][1]
    viewer = open_page(f"/watch/{demo['show_id']}")
    expect(viewer.get_by_test_id("status")).to_have_text("LIVE")
    expect(viewer.get_by_test_id("pinned-title")).to_be_hidden()

    host = open_page(f"/host/{demo['show_id']}")
    sign_in(host, demo)
    host.get_by_test_id(f"pin-{product['id']}").click()

    # the viewer was already watching: the pin reaches it as a live event
    expect(viewer.get_by_test_id("pinned-title")).to_have_text(product["title"], timeout=WAIT_MS)
    expect(viewer.get_by_test_id("pinned-price")).to_have_text("€89.00")
    expect(viewer.locator("#chips .chip")).to_have_count(len(product["variants"]))
    expect(host.get_by_test_id(f"pin-{product['id']}")).to_be_disabled()
    # one viewer watches: the host's own page is not one
    expect(host.get_by_test_id("viewer-count")).to_have_text("1", timeout=WAIT_MS)

    # someone arriving later gets it in the snapshot
    latecomer = open_page(f"/watch/{demo['show_id']}")
    expect(latecomer.get_by_test_id("pinned-title")).to_have_text(product["title"])

    host.get_by_test_id("unpin").click()
    expect(viewer.get_by_test_id("pinned-title")).to_be_hidden(timeout=WAIT_MS)


def test_a_refused_chat_message_stays_in_the_field(
    open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]
) -> None:
    """A message the show refuses (a blocked word) is explained and given back, not lost."""
    server, demo = demo_server
    headers = token_for(server.base_url, demo["host_email"], demo["password"])
    r = httpx.put(f"{server.base_url}/api/shows/{demo['show_id']}/blocklist", json={"words": ["knockoff"]},
                  headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    try:
        page = open_page(f"/watch/{demo['show_id']}")
        expect(page.get_by_test_id("status")).to_have_text("LIVE")
        page.get_by_test_id("chat-input").fill("is this a knockoff?")
        page.get_by_test_id("chat-input").press("Enter")
        page.get_by_test_id("chat-name").fill("Zoé")
        page.get_by_test_id("chat-name-save").click()
        expect(page.locator(".toast-error")).to_contain_text("does not allow", timeout=WAIT_MS)
        expect(page.get_by_test_id("chat-input")).to_have_value("is this a knockoff?")
        page.get_by_test_id("chat-input").fill("is this genuine?")
        page.get_by_test_id("chat-input").press("Enter")
        expect(page.get_by_test_id("chat-list").locator("li").filter(has_text="is this genuine?")).to_have_count(1)
        expect(page.get_by_test_id("chat-input")).to_have_value("")
    finally:
        httpx.put(f"{server.base_url}/api/shows/{demo['show_id']}/blocklist", json={"words": []}, headers=headers,
                  timeout=10)


def test_the_landing_page_takes_a_pasted_link(
    open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]
) -> None:
    """The demo prints whole links: pasted into the landing page's field, they open the show, not a 404."""
    server, demo = demo_server
    landing = open_page("/")
    heights = landing.locator("footer.links a").evaluate_all("links => links.map(a => a.offsetHeight)")
    assert heights and min(heights) >= 44, heights  # a finger's tap
    landing.locator("#show-id").fill(f"  {server.base_url}/watch/{demo['show_id']}?since=3  ")
    landing.locator("button[value=host]").click()
    landing.wait_for_url(f"**/host/{demo['show_id']}")
    landing.goto("/")
    landing.locator("#show-id").fill(demo["show_id"])
    landing.locator("button[value=watch]").click()
    landing.wait_for_url(f"**/watch/{demo['show_id']}")
    expect(landing.get_by_test_id("status")).to_have_text("LIVE")


def test_the_deal_panel_says_why_no_deal_can_start(
    open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]
) -> None:
    """Live with nothing pinned: pin first. Ended: no deal any more (not "pin a product", which it can't)."""
    _, demo = demo_server
    host = open_page(f"/host/{demo['show_id']}")
    sign_in(host, demo)
    hint = host.locator("#deal-hint")
    expect(hint).to_have_text("Pin a product to run a flash deal on it.")
    host.get_by_test_id("end").click()
    host.get_by_test_id("end").click()  # the second tap confirms
    expect(hint).to_have_text("The show has ended: no more flash deals in it.")
    expect(hint).to_be_visible()


def test_chat_html_is_shown_as_text(
    open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]
) -> None:
    _, demo = demo_server
    alice = open_page(f"/watch/{demo['show_id']}")
    bob = open_page(f"/watch/{demo['show_id']}")
    for page in (alice, bob):
        expect(page.get_by_test_id("status")).to_have_text("LIVE")
        expect(page.get_by_test_id("connection")).to_be_hidden()

    chat(alice, f"look {XSS}", name="Alice <b>bold</b>")

    for page in (bob, alice):
        message = page.get_by_test_id("chat-list").locator("li").filter(has_text=XSS)
        expect(message).to_have_count(1, timeout=WAIT_MS)  # once, even for its sender
        expect(message.locator(".msg-text")).to_have_text(f"look {XSS}")
        expect(message.locator(".msg-author")).to_have_text("Alice <b>bold</b>")
        assert page.get_by_test_id("chat-list").locator("img, b").count() == 0
    assert bob.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0


WS_SPY = """
(() => {
  const Native = window.WebSocket;
  window.__urls = [];
  window.__sockets = [];
  window.__blockWs = false;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      window.__urls.push(String(url));
      super(window.__blockWs ? 'ws://127.0.0.1:9/' : url, protocols);
      window.__sockets.push(this);
    }
  };
})();
"""


def test_player_resumes_after_a_drop_without_duplicates(
    browser: Browser, open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]
) -> None:
    server, demo = demo_server
    context = browser.new_context(base_url=server.base_url, locale="en-US", viewport=PHONE)
    try:
        context.add_init_script(WS_SPY)
        alice = context.new_page()
        errors: list[str] = []
        alice.on("pageerror", lambda exc: errors.append(str(exc)))
        alice.goto(f"/watch/{demo['show_id']}")
        bob = open_page(f"/watch/{demo['show_id']}")
        expect(alice.get_by_test_id("status")).to_have_text("LIVE")
        expect(bob.get_by_test_id("status")).to_have_text("LIVE")
        alice_list = alice.get_by_test_id("chat-list").locator("li")

        chat(bob, "before the drop", name="Bob")
        expect(alice_list).to_have_count(1)
        token = alice.evaluate("localStorage.getItem('vitrine.viewer')")
        assert token

        # the connection drops and cannot come back for a while: the indicator shows, bob keeps chatting
        alice.evaluate("window.__blockWs = true; window.__sockets.at(-1).close()")
        expect(alice.get_by_test_id("connection")).to_have_text("Reconnecting…")
        chat(bob, "during the drop")
        alice.evaluate("window.__blockWs = false")

        expect(alice.get_by_test_id("connection")).to_be_hidden(timeout=WAIT_MS)
        expect(alice.get_by_test_id("chat-list").locator(".msg-text")).to_have_text(
            ["before the drop", "during the drop"])
        last = alice.evaluate("window.__urls.at(-1)")
        assert "since=" in last and "epoch=" in last and f"viewer={token}" in last, last
        chat(bob, "after the drop")
        expect(alice_list).to_have_count(3)
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize(("locale", "lang", "live", "placeholder", "password"), [
    ("fr-FR", "fr", "EN DIRECT", "Écrire un message…", "Mot de passe"),
    ("en-US", "en", "LIVE", "Say something…", "Password"),
])
def test_pages_speak_the_browser_language(
    open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]],
    locale: str, lang: str, live: str, placeholder: str, password: str,
) -> None:
    _, demo = demo_server
    player = open_page(f"/watch/{demo['show_id']}", locale=locale)
    expect(player.get_by_test_id("status")).to_have_text(live)
    expect(player.get_by_test_id("chat-input")).to_have_attribute("placeholder", placeholder)
    assert player.evaluate("document.documentElement.lang") == lang

    host = open_page(f"/host/{demo['show_id']}", locale=locale)
    expect(host.locator("label[for=login-password]")).to_have_text(password)
    sign_in(host, demo)  # French labels are longer: the studio's bar still fits a phone
    assert_fits(host, "[data-testid=signout]", "#open-player", "[data-testid=end]")
    # with the connection's state shown too (while the socket reconnects); once connected, so that the page's
    # own "connected" does not hide it again under the test (a loaded machine connects late)
    expect(host.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    host.get_by_test_id("connection").evaluate("c => { c.hidden = false; c.textContent = 'Reconnexion…'; }")
    host.screenshot(path=SHOTS / f"host-bar-phone-{lang}.png")
    assert_fits(host, "[data-testid=connection]", "[data-testid=signout]", "#open-player")


def test_player_fits_a_phone(open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    server, demo = demo_server
    product = demo_show(server, demo)["products"][0]
    pin_over_http(server, demo, product["id"])
    page = open_page(f"/watch/{demo['show_id']}", viewport=PHONE)
    expect(page.get_by_test_id("pinned-title")).to_have_text(product["title"])
    chat(page, "W" * 120 + " a very long word above, and a long line of text after it " * 3, name="Zoé")
    expect(page.get_by_test_id("chat-list").locator("li")).to_have_count(1, timeout=WAIT_MS)

    card = page.get_by_test_id("product-card").bounding_box()
    assert card is not None
    assert card["x"] >= 0 and card["x"] + card["width"] <= PHONE["width"], card
    assert card["y"] + card["height"] <= PHONE["height"], card  # a bottom sheet, on screen
    assert_fits(page, "[data-testid=react-heart]", "[data-testid=chat-input]", "[data-testid=viewer-count]",
                "[data-testid=status]", "[data-testid=chat-list] li", "#chips")
    # the long word wraps inside its bubble instead of running out of it
    assert page.get_by_test_id("chat-list").locator("li").evaluate("li => li.scrollWidth <= li.clientWidth")


def test_screenshots(open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    """Phone (and desktop) screenshots of both pages in /tmp/vitrine-shots/, for a person to look at."""
    server, demo = demo_server
    product = demo_show(server, demo)["products"][0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    host = open_page(f"/host/{demo['show_id']}")
    sign_in(host, demo)
    host.get_by_test_id(f"pin-{product['id']}").click()

    player = open_page(f"/watch/{demo['show_id']}")
    expect(player.get_by_test_id("pinned-title")).to_have_text(product["title"])
    chat(player, "Is the coat warm enough for Lyon in January?", name="Inès")
    chat(player, "Love the camel colour 😍")
    player.get_by_test_id("react-heart").click()
    player.get_by_test_id("react-fire").click()
    expect(host.get_by_test_id("chat-list").locator("li")).to_have_count(2, timeout=WAIT_MS)
    expect(host.get_by_test_id("reactions-heart")).not_to_have_text("0", timeout=WAIT_MS)
    expect(player.locator(".float").first).to_be_attached()

    player.screenshot(path=SHOTS / "player-phone.png")
    host.screenshot(path=SHOTS / "host-phone.png", full_page=True)

    desktop = open_page(f"/watch/{demo['show_id']}", viewport=DESKTOP)
    expect(desktop.get_by_test_id("pinned-title")).to_have_text(product["title"])
    desktop.screenshot(path=SHOTS / "player-desktop.png", animations="disabled")
    host_wide = open_page(f"/host/{demo['show_id']}", viewport=DESKTOP)
    sign_in(host_wide, demo)
    host_wide.screenshot(path=SHOTS / "host-desktop.png", animations="disabled")
    login = open_page(f"/host/{demo['show_id']}", locale="fr-FR")
    expect(login.get_by_test_id("login-submit")).to_have_text("Se connecter")
    login.screenshot(path=SHOTS / "host-login-phone-fr.png", animations="disabled")
    landing = open_page("/")
    landing.screenshot(path=SHOTS / "landing-phone.png", full_page=True, animations="disabled")
    for name in ("player-phone", "host-phone", "player-desktop", "host-desktop", "host-login-phone-fr",
                 "landing-phone"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000, name
