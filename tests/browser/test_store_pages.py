"""The pop-up store pages in a real Chromium (Playwright driving /usr/bin/chromium) against a real server
process seeded with the demo (which also opens a pop-up store carrying every demo product, linked to the
demo show): the store's big screen follows the host's pins with a code a real QR reader decodes to the
right item, a phone scans a label and orders from it, a forged code gets the invalid page with a 404, and
the label sheet prints on A4."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Request, Route, ViewportSize, expect

from server.stores import qr
from tests.support.browser import BUYER, DESKTOP, PHONE, SHOTS, OpenPage, assert_fits, sign_in_host, token_for
from tests.support.processes import ROOT, ServerProcess, start_server
from tests.support.qrcodes import read_code, wait_for_screen_code

pytestmark = pytest.mark.browser

BIG_SCREEN: ViewportSize = {"width": 1920, "height": 1080}
A4: ViewportSize = {"width": 794, "height": 1123}  # 210 x 297 mm at 96 px per inch
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


@dataclass
class Demo:
    server: ServerProcess
    show_id: str
    store_id: str
    host_email: str
    seller_email: str
    password: str

    @property
    def base_url(self) -> str:
        return self.server.base_url


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """A server process on SQLite and the in-process bus, seeded with the demo; the store's id and the
    logins are read from what `python -m server demo` prints (server/demo.py describe())."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", "SECRET_KEY": secrets.token_hex(24),
           "REDIS_URL": ""}
    out = subprocess.run([sys.executable, "-m", "server", "demo"], cwd=ROOT, env={**os.environ, **env},
                         capture_output=True, text=True, check=True).stdout
    lines = {key.strip(): value.strip() for key, value in
             (line.split(":", 1) for line in out.splitlines() if ":" in line)}
    show_id = lines["Viewer page"].rsplit("/", 1)[1]
    store_id = lines["Store screen"].split("/stores/", 1)[1].split("/", 1)[0]
    host_email, password = (p.strip() for p in lines["Host login"].split("/"))
    seller_email = lines["Seller login"].split("/")[0].strip()
    server = start_server(env, log_dir=tmp_path)
    yield Demo(server=server, show_id=show_id, store_id=store_id, host_email=host_email,
               seller_email=seller_email, password=password)
    server.stop()


@pytest.fixture
def web_base_url(demo: Demo) -> str:
    """The pages open on this module's demo server (the one whose store id is known)."""
    return demo.base_url


# --- helpers --------------------------------------------------------------------------------------


def get(demo: Demo, path: str, **kwargs: Any) -> Any:
    r = httpx.get(f"{demo.base_url}{path}", timeout=10, **kwargs)
    assert r.status_code == 200, r.text
    return r.json()


def bearer(demo: Demo, email: str) -> dict[str, str]:
    return token_for(demo.base_url, email, demo.password)


def business_days_after(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def forge(url: str) -> str:
    """The same link with its token's last character changed: no longer one of ours."""
    last = url[-1]
    return url[:-1] + next(ch for ch in qr.ALPHABET if ch != last)


# --- the store screen -----------------------------------------------------------------------------


def test_store_screen_code_follows_the_pinned_product(open_page: OpenPage, demo: Demo, tmp_path: Path) -> None:
    store = get(demo, f"/api/stores/{demo.store_id}")
    show = get(demo, f"/api/shows/{demo.show_id}")
    item_for = {item["product_id"]: item for item in store["items"]}
    first, second = show["products"][0], show["products"][1]
    assert first["id"] in item_for and second["id"] in item_for, store

    screen = open_page(f"/stores/{demo.store_id}/screen", viewport=BIG_SCREEN)
    code = screen.get_by_test_id("screen-qr")
    expect(screen.get_by_test_id("screen-store-name")).to_have_text(store["name"])
    expect(screen.get_by_test_id("screen-status")).to_have_text("LIVE")
    # nothing pinned yet: the code leads to the show
    wait_for_screen_code(screen, "")
    assert read_code(code, tmp_path / "show.png") == f"{demo.base_url}/watch/{demo.show_id}"
    expect(screen.get_by_test_id("screen-pinned")).to_be_hidden()

    host = open_page(f"/host/{demo.show_id}", viewport=DESKTOP)
    sign_in_host(host, demo.host_email, demo.password)
    host.get_by_test_id(f"pin-{first['id']}").click()
    expect(code).to_have_attribute("src", re.compile(re.escape(f"product_id={first['id']}")))
    expect(screen.get_by_test_id("screen-pinned-title")).to_have_text(first["title"])
    expect(screen.get_by_test_id("screen-pinned-price")).to_have_text("€189.00")
    # the screen promises what the phone's checkout says for the store's own country (France)
    expect(screen.get_by_test_id("screen-qr-caption")).to_have_text(
        "Scan to buy — delivered at home in 3 to 4 business days")
    expect(screen.get_by_test_id("screen-idle-text")).to_have_text(
        "Welcome. Scan the code on any label to buy: we deliver at home in 3 to 4 business days.")
    wait_for_screen_code(screen, first["id"])
    assert read_code(code, tmp_path / "first.png") == item_for[first["id"]]["qr_url"]

    # the code is large on the big screen: a good third of its height
    box = code.bounding_box()
    assert box is not None and box["height"] >= 0.4 * BIG_SCREEN["height"], box
    assert box["x"] + box["width"] <= BIG_SCREEN["width"] and box["y"] + box["height"] <= BIG_SCREEN["height"], box
    assert screen.evaluate("document.scrollingElement.scrollWidth") <= BIG_SCREEN["width"]
    caption = screen.get_by_test_id("screen-qr-caption").bounding_box()
    assert caption is not None and caption["y"] + caption["height"] <= BIG_SCREEN["height"], caption
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=SHOTS / "store-screen-1920.png", animations="disabled")

    host.get_by_test_id(f"pin-{second['id']}").click()
    expect(code).to_have_attribute("src", re.compile(re.escape(f"product_id={second['id']}")))
    expect(screen.get_by_test_id("screen-pinned-title")).to_have_text(second["title"])
    wait_for_screen_code(screen, second["id"])
    decoded = read_code(code, tmp_path / "second.png")
    assert decoded == item_for[second["id"]]["qr_url"]
    assert decoded != item_for[first["id"]]["qr_url"]

    host.get_by_test_id("unpin").click()
    expect(screen.get_by_test_id("screen-pinned")).to_be_hidden()
    wait_for_screen_code(screen, "")

    # a store that follows no show: a calm screen with its name, and no code
    r = httpx.post(f"{demo.base_url}/api/stores", json={"name": "Atelier Nord, Canal Saint-Martin"},
                   headers=bearer(demo, demo.seller_email), timeout=10)
    assert r.status_code == 201, r.text
    idle = open_page(f"/stores/{r.json()['id']}/screen", viewport=BIG_SCREEN)
    expect(idle.get_by_test_id("screen-idle")).to_be_visible()
    expect(idle.get_by_test_id("screen-idle")).to_contain_text("Atelier Nord, Canal Saint-Martin")
    expect(idle.get_by_test_id("screen-qr")).to_be_hidden()
    idle.screenshot(path=SHOTS / "store-screen-idle-1920.png", animations="disabled")


# --- scan to checkout -----------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [{"width": 1080, "height": 1920}, {"width": 800, "height": 600},
                                      {"width": 600, "height": 900}], ids=["totem", "small", "small-portrait"])
def test_store_screen_lays_out_in_portrait_and_on_small_screens(open_page: OpenPage, demo: Demo,
                                                                viewport: ViewportSize) -> None:
    """0.8.0 on a 1080 x 1920 totem and on small screens: the show's title ran over the store's name and the code's
    caption was cut off at the bottom."""
    show = get(demo, f"/api/shows/{demo.show_id}")
    pinned = show["products"][0]
    r = httpx.post(f"{demo.base_url}/api/shows/{demo.show_id}/pin", json={"product_id": pinned["id"]},
                   headers=bearer(demo, demo.host_email), timeout=10)
    assert r.status_code == 200, r.text
    screen = open_page(f"/stores/{demo.store_id}/screen", viewport=viewport)
    expect(screen.get_by_test_id("screen-pinned-title")).to_have_text(pinned["title"])
    wait_for_screen_code(screen, pinned["id"])
    caption = screen.get_by_test_id("screen-qr-caption")
    expect(caption).to_have_text("Scan to buy — delivered at home in 3 to 4 business days")
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=SHOTS / f"store-screen-{viewport['width']}x{viewport['height']}.png",
                      animations="disabled")
    title, name = (screen.get_by_test_id(i).bounding_box() for i in ("screen-show-title", "screen-store-name"))
    assert title is not None and name is not None
    apart = (title["x"] + title["width"] <= name["x"] or name["x"] + name["width"] <= title["x"]
             or title["y"] + title["height"] <= name["y"] or name["y"] + name["height"] <= title["y"])
    assert apart, ("the show's title and the store's name overlap", title, name)
    width, height = viewport["width"], viewport["height"]
    for what in ("screen-qr-caption", "screen-qr", "screen-pinned-price", "screen-store-name", "screen-show-title"):
        box = screen.get_by_test_id(what).bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0, (what, box)
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, (what, box)
    # nothing clips the caption: its text is whole, and no box around it cuts it off
    assert caption.evaluate("""el => {
      if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) return false;
      const own = el.getBoundingClientRect();
      for (let up = el.parentElement; up; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (style.overflow === 'visible' && style.overflowY === 'visible') continue;
        const box = up.getBoundingClientRect();
        if (own.top < box.top - 1 || own.bottom > box.bottom + 1) return false;
      }
      return true;
    }""")


def test_scan_a_label_and_order_on_a_phone(open_page: OpenPage, demo: Demo) -> None:
    store = get(demo, f"/api/stores/{demo.store_id}")
    coat_item = store["items"][0]
    coat = get(demo, f"/api/products/{coat_item['product_id']}")
    assert coat["title"] == "Oversized wool coat"

    phone = open_page(None, viewport=PHONE, user_agent=IPHONE)
    response = phone.goto(coat_item["qr_url"])
    assert response is not None and response.status == 200
    token = coat_item["qr_url"].rsplit("/", 1)[1]
    assert phone.url == f"{demo.base_url}/shop/{token}"
    scan = response.request.redirected_from  # exactly one hop: /q/{token} -> /shop/{token}
    assert scan is not None and scan.url == coat_item["qr_url"] and scan.redirected_from is None

    expect(phone.get_by_test_id("product-title")).to_have_text(coat["title"])
    expect(phone.get_by_test_id("product-brand")).to_have_text("Maison Lune")
    expect(phone.get_by_test_id("product-price")).to_have_text("€189.00")
    expect(phone.get_by_test_id("store-name")).to_have_text("Maison Lune pop-up, Le Marais")
    expect(phone.get_by_test_id("gallery").locator("img")).to_have_count(len(coat["images"]))
    expect(phone.get_by_test_id("sizes").locator(".chip")).to_have_count(3)

    # the promise follows the country: France by default
    promise, window = phone.get_by_test_id("promise"), phone.get_by_test_id("promise-window")
    expect(promise).to_have_text("Delivered at home in 3 to 4 business days")
    latest = business_days_after(date.today(), 4)
    expect(window).to_contain_text("France: between ")
    expect(window).to_contain_text(f"{latest.strftime('%b')} {latest.day}")
    phone.get_by_test_id("shop-country").select_option("DE")
    expect(promise).to_have_text("Delivered at home in 3 to 5 business days")
    phone.get_by_test_id("shop-country").select_option("US")
    expect(promise).to_have_text("Delivered at home in 5 to 10 business days")
    phone.get_by_test_id("shop-country").select_option("FR")
    expect(promise).to_have_text("Delivered at home in 3 to 4 business days")

    # ordering without a size or an address says what is missing, and orders nothing
    orders: list[Request] = []
    phone.on("request", lambda r: orders.append(r) if r.url.endswith("/api/orders") else None)
    phone.get_by_test_id("shop-submit").click()
    expect(phone.get_by_test_id("size-note")).to_have_text("Pick a size")
    expect(phone.locator("#f-name-error")).to_have_text("Required")
    assert orders == []

    # "find my size": the smallest size whose chest is at least 90 cm is M (S is 88, M 96, L 104)
    phone.get_by_test_id("size-guide").locator("summary").click()
    expect(phone.get_by_test_id("size-table").locator("tbody tr")).to_have_count(3)
    phone.get_by_test_id("finder-measure").select_option("chest")
    phone.get_by_test_id("finder-value").fill("90")
    phone.get_by_test_id("finder-go").click()
    expect(phone.get_by_test_id("finder-suggestion")).to_have_text("We suggest M")
    phone.get_by_test_id("finder-choose").click()
    expect(phone.get_by_test_id("size-M")).to_have_attribute("aria-checked", "true")
    phone.get_by_test_id("size-L").click()
    expect(phone.get_by_test_id("size-L")).to_have_attribute("aria-checked", "true")
    expect(phone.get_by_test_id("size-M")).to_have_attribute("aria-checked", "false")

    phone.get_by_test_id("shop-name").fill(BUYER["name"])
    phone.get_by_test_id("shop-email").fill("lea@shop.test")  # the server refuses a reserved domain
    phone.get_by_test_id("shop-line1").fill(BUYER["line1"])
    phone.get_by_test_id("shop-postal").fill(BUYER["postal_code"])
    phone.get_by_test_id("shop-city").fill(BUYER["city"])
    expect(phone.get_by_test_id("shop-submit")).to_have_text("Order · €189.00")
    phone.get_by_test_id("shop-submit").click()
    expect(phone.locator("#f-email-error")).to_have_text("Enter a valid email address")  # the server's 422
    expect(phone.get_by_test_id("shop-email")).to_have_attribute("aria-invalid", "true")
    assert len(orders) == 1 and "/shop/" in phone.url

    # the order goes through but its answer is lost: trying again must not order twice
    phone.get_by_test_id("shop-email").fill(BUYER["email"])
    phone.screenshot(path=SHOTS / "store-checkout-phone.png", full_page=True, animations="disabled")

    def lose_the_answer(route: Route) -> None:
        route.fetch()  # the server places the order…
        route.abort("connectionreset")  # …and the phone never hears back

    phone.route("**/api/orders", lose_the_answer)
    phone.get_by_test_id("shop-submit").click()
    expect(phone.get_by_test_id("shop-error")).to_contain_text("you will not be charged twice")
    phone.unroute("**/api/orders")
    phone.get_by_test_id("shop-submit").click()
    phone.wait_for_url(re.compile(r"/pay/sandbox/[^/?#]+"))  # the sandbox payment page

    keys = [r.headers.get("idempotency-key") for r in orders]
    assert len(keys) == 3 and all(keys), keys
    assert keys[0] != keys[1], "a changed order needs a new key"
    assert keys[1] == keys[2], "a retry of the same order keeps its key"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", keys[2] or "")
    sent = orders[-1].post_data_json
    assert sent["store_item_id"] == coat_item["id"] and sent["quantity"] == 1, sent
    assert sent["variant_id"] == next(v["id"] for v in coat["variants"] if v["label"] == "L"), sent
    assert sent["buyer"]["address"] == {"line1": "12 rue de la Paix", "city": "Paris", "postal_code": "75002",
                                        "country": "FR"}, sent
    saved = phone.evaluate("JSON.parse(localStorage.getItem('vitrine.buyer'))")
    assert saved["email"] == BUYER["email"] and saved["address"]["city"] == "Paris", saved

    # the seller sees one scan (from a phone) and one order for that item, not two
    stats = get(demo, f"/api/stores/{demo.store_id}/stats", headers=bearer(demo, demo.seller_email))
    row = next(i for i in stats["items"] if i["id"] == coat_item["id"])
    assert (row["scans"], row["orders"]) == (1, 1), stats
    assert (stats["scans"], stats["orders"]) == (1, 1), stats
    assert stats["devices"].get("mobile") == 1, stats

    # a buyer coming back has the address filled in
    again = open_page(None, viewport=PHONE, user_agent=IPHONE)
    again.context.add_init_script(
        "localStorage.setItem('vitrine.buyer', JSON.stringify({name: 'Léa Martin', email: 'lea@example.com', "
        "address: {line1: '12 rue de la Paix', city: 'Paris', postal_code: '75002', country: 'BE'}}))")
    again.goto(f"/shop/{token}")
    expect(again.get_by_test_id("shop-name")).to_have_value("Léa Martin")
    expect(again.get_by_test_id("shop-country")).to_have_value("BE")
    expect(again.get_by_test_id("promise")).to_have_text("Delivered at home in 3 to 5 business days")

    # the seller's page, signed in in the browser
    seller = open_page(f"/stores/{demo.store_id}/stats", viewport=DESKTOP)
    seller.get_by_test_id("stats-email").fill(demo.seller_email)
    seller.get_by_test_id("stats-password").fill(demo.password)
    seller.get_by_test_id("stats-submit").click()
    expect(seller.get_by_test_id("stats-scans")).to_have_text("1")
    expect(seller.get_by_test_id("stats-orders")).to_have_text("1")
    expect(seller.get_by_test_id("stats-conversion")).to_have_text("100%")
    item_row = seller.get_by_test_id(f"stats-item-{coat_item['id']}")
    expect(item_row).to_contain_text(coat["title"])
    expect(item_row.get_by_test_id("item-scans")).to_have_text("1")
    expect(item_row.get_by_test_id("item-orders")).to_have_text("1")
    expect(seller.get_by_test_id("device-mobile")).to_contain_text("Phones")
    seller.screenshot(path=SHOTS / "store-stats-desktop.png", full_page=True, animations="disabled")
    seller_phone = open_page(f"/stores/{demo.store_id}/stats", viewport=PHONE)
    seller_phone.get_by_test_id("stats-email").fill(demo.seller_email)
    seller_phone.get_by_test_id("stats-password").fill(demo.password)
    seller_phone.get_by_test_id("stats-submit").click()
    expect(seller_phone.get_by_test_id("stats-orders")).to_have_text("1")
    assert seller_phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    seller_phone.screenshot(path=SHOTS / "store-stats-phone.png", full_page=True, animations="disabled")


def test_stats_signed_in_as_another_account_says_so_and_asks_again(open_page: OpenPage, demo: Demo) -> None:
    """The host is not the store's seller: the page says it in French and shows the form again (the token
    it kept would otherwise lock the tab on the refusal)."""
    page = open_page(f"/stores/{demo.store_id}/stats", locale="fr-FR")
    page.get_by_test_id("stats-email").fill(demo.host_email)
    page.get_by_test_id("stats-password").fill(demo.password)
    page.get_by_test_id("stats-submit").click()
    expect(page.get_by_test_id("stats-login-error")).to_have_text(
        "Ce compte n'est pas le vendeur de cette boutique : connectez-vous avec le sien.")
    expect(page.get_by_test_id("stats-email")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("stats-email")).to_be_visible()
    page.get_by_test_id("stats-email").fill(demo.seller_email)
    page.get_by_test_id("stats-password").fill(demo.password)
    page.get_by_test_id("stats-submit").click()
    expect(page.get_by_test_id("stats-signout")).to_be_visible()


def test_a_label_for_one_size_in_french(open_page: OpenPage, demo: Demo) -> None:
    """A label made for one size offers that size only; the page speaks the phone's language."""
    show = get(demo, f"/api/shows/{demo.show_id}")
    boots = next(p for p in show["products"] if p["title"] == "Leather ankle boots")
    size_40 = next(v for v in boots["variants"] if v["label"] == "40")  # 4 in stock
    r = httpx.post(f"{demo.base_url}/api/stores/{demo.store_id}/items",
                   json={"product_id": boots["id"], "variant_id": size_40["id"]},
                   headers=bearer(demo, demo.seller_email), timeout=10)
    assert r.status_code == 201, r.text
    phone = open_page(r.json()["qr_url"], locale="fr-FR", user_agent=IPHONE)
    expect(phone.get_by_test_id("product-title")).to_have_text("Leather ankle boots")
    chips = phone.get_by_test_id("sizes").locator(".chip")
    expect(chips).to_have_count(1)
    expect(phone.get_by_test_id("size-40")).to_have_attribute("aria-checked", "true")
    expect(phone.get_by_test_id("size-40")).to_contain_text("Plus que 4")
    expect(phone.get_by_test_id("size-note")).to_contain_text("Cette étiquette est pour la taille 40.")
    expect(phone.get_by_test_id("promise")).to_have_text("Livré à domicile en 3 à 4 jours ouvrés")
    expect(phone.get_by_test_id("size-guide")).to_be_hidden()  # the boots have no size guide
    assert phone.evaluate("document.documentElement.lang") == "fr"
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SHOTS / "store-checkout-phone-fr.png", animations="disabled")

    # the last pieces go while the shopper types: the page says so and offers the size no more
    phone.get_by_test_id("shop-name").fill(BUYER["name"])
    phone.get_by_test_id("shop-email").fill(BUYER["email"])
    phone.get_by_test_id("shop-line1").fill(BUYER["line1"])
    phone.get_by_test_id("shop-postal").fill(BUYER["postal_code"])
    phone.get_by_test_id("shop-city").fill(BUYER["city"])
    seller = bearer(demo, demo.seller_email)
    r = httpx.put(f"{demo.base_url}/api/products/{boots['id']}/variants/{size_40['id']}/stock", json={"stock": 0},
                  headers=seller, timeout=10)
    assert r.status_code == 200, r.text
    phone.get_by_test_id("shop-submit").click()
    expect(phone.get_by_test_id("shop-error")).to_have_text("Désolé, cette taille vient d'être épuisée.")
    expect(phone.get_by_test_id("size-40")).to_be_disabled()
    expect(phone.get_by_test_id("shop-submit")).to_have_text("Épuisé")
    expect(phone.get_by_test_id("shop-submit")).to_be_disabled()
    assert "/shop/" in phone.url

    # on the label for every size, a sold-out size cannot be picked
    boots_item = next(i for i in get(demo, f"/api/stores/{demo.store_id}")["items"]
                      if i["product_id"] == boots["id"] and i["variant_id"] is None)
    every_size = open_page(boots_item["qr_url"], locale="fr-FR", user_agent=IPHONE)
    expect(every_size.get_by_test_id("sizes").locator(".chip")).to_have_count(3)
    expect(every_size.get_by_test_id("size-40")).to_be_disabled()
    expect(every_size.get_by_test_id("size-40")).to_contain_text("Épuisé")
    expect(every_size.get_by_test_id("size-38")).to_be_enabled()
    expect(every_size.get_by_test_id("size-38")).to_have_attribute("aria-checked", "false")


def test_a_forged_code_shows_the_invalid_page(open_page: OpenPage, demo: Demo) -> None:
    store = get(demo, f"/api/stores/{demo.store_id}")
    genuine = store["items"][0]["qr_url"]
    forged = forge(genuine)
    assert forged != genuine

    for url in (forged, forged.replace("/q/", "/shop/")):
        page = open_page(None)
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        assert response.request.redirected_from is None  # answered where it was asked, not redirected
        expect(page.get_by_test_id("invalid-code")).to_contain_text("This code is not valid or no longer on sale")
        expect(page.get_by_test_id("invalid-code")).to_contain_text(
            "Ce code n'est pas valide ou n'est plus en vente")
        expect(page.get_by_test_id("invalid-home")).to_have_attribute("href", "/")
        # the page is styled although it is served at /q/… and /shop/…
        assert page.evaluate("getComputedStyle(document.querySelector('.invalid-main')).display") == "flex"
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SHOTS / "store-invalid-phone.png", animations="disabled")

    r = httpx.get(f"{demo.base_url}/api/q/{forged.rsplit('/', 1)[1]}", timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "qr_not_found", r.text
    # nothing was counted for the forged scans
    stats = get(demo, f"/api/stores/{demo.store_id}/stats", headers=bearer(demo, demo.seller_email))
    assert stats["scans"] == 0, stats


# --- the label sheet ------------------------------------------------------------------------------


def test_label_sheet_prints_on_a4(open_page: OpenPage, demo: Demo, tmp_path: Path) -> None:
    store = get(demo, f"/api/stores/{demo.store_id}")
    titles = [get(demo, f"/api/products/{item['product_id']}")["title"] for item in store["items"]]
    assert len(titles) == 3

    page = open_page(f"/stores/{demo.store_id}/labels", viewport=A4)
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    labels = page.get_by_test_id("label")
    expect(labels).to_have_count(3)
    expect(page.get_by_test_id("label-title")).to_have_text(titles)
    expect(page.get_by_test_id("label-price")).to_have_text(["€189.00", "€89.00", "€145.00"])
    codes = page.get_by_test_id("label-code")
    for i, item in enumerate(store["items"]):
        expect(codes.nth(i)).to_have_attribute("src", f"{demo.base_url}{item['qr_svg']}")
        assert codes.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), item
    expect(page.get_by_test_id("labels-pdf")).to_have_attribute(
        "href", f"/api/stores/{demo.store_id}/labels.pdf?lang=en")  # the PDF in the page's language
    expect(page.get_by_test_id("labels-print")).to_be_enabled()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "store-labels-screen.png", animations="disabled")

    page.emulate_media(media="print")
    expect(page.get_by_test_id("labels-print")).to_be_hidden()
    expect(page.get_by_test_id("labels-pdf")).to_be_hidden()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= A4["width"]
    # 70 x 42 mm each, three across, and nothing spills out of a label
    first = labels.first.bounding_box()
    assert first is not None
    assert abs(first["width"] - 70 / 25.4 * 96) < 1.5 and abs(first["height"] - 42 / 25.4 * 96) < 1.5, first
    tops = {round(box["y"]) for box in (labels.nth(i).bounding_box() or {"y": -1} for i in range(3))}
    assert len(tops) == 1, "the three labels share the first row"
    assert labels.evaluate_all(
        "ls => ls.every(l => l.scrollWidth <= l.clientWidth && l.scrollHeight <= l.clientHeight)")
    page.screenshot(path=SHOTS / "store-labels-print.png", full_page=True, animations="disabled")
    # a label's code, at its printed size, reads as the item's link
    assert read_code(codes.nth(1), tmp_path / "label.png") == store["items"][1]["qr_url"]

    # printed, the sheet is one A4 page
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1


def test_the_label_sheet_scrolls_to_its_last_label_on_a_phone(open_page: OpenPage, demo: Demo) -> None:
    """0.8.0 drew the A4 pages at their printed width on a phone, centred in a box that clipped their left side,
    and the page did not scroll to the labels below."""
    store = get(demo, f"/api/stores/{demo.store_id}")
    seller = bearer(demo, demo.seller_email)
    for _ in range(22):  # 25 labels: a second A4 page
        r = httpx.post(f"{demo.base_url}/api/stores/{demo.store_id}/items",
                       json={"product_id": store["items"][0]["product_id"]}, headers=seller, timeout=10)
        assert r.status_code == 201, r.text
    page = open_page(f"/stores/{demo.store_id}/labels", user_agent=IPHONE)
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    labels = page.get_by_test_id("label")
    expect(labels).to_have_count(25)
    assert_fits(page, "[data-testid=labels-pdf]", "[data-testid=labels-print]")
    first = labels.first.bounding_box()
    assert first is not None and first["x"] >= 0 and first["x"] + first["width"] <= PHONE["width"], first
    page.mouse.wheel(0, 100_000)  # a thumb flicking down to the end
    page.wait_for_function("() => window.scrollY + window.innerHeight >= document.scrollingElement.scrollHeight - 1")
    assert page.evaluate("window.scrollY") > 0, "the page scrolled"
    toolbar = page.locator(".toolbar").bounding_box()
    last = labels.last.bounding_box()
    assert toolbar is not None and last is not None
    assert last["x"] >= 0 and last["x"] + last["width"] <= PHONE["width"], last
    assert last["y"] >= toolbar["y"] + toolbar["height"] and last["y"] + last["height"] <= PHONE["height"], last
    page.screenshot(path=SHOTS / "store-labels-phone.png", animations="disabled")


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_the_labels_and_screen_of_an_unknown_store_offer_nothing_but_a_way_home(
    open_page: OpenPage, demo: Demo, locale: str
) -> None:
    """0.9.0 offered "Download PDF" (a link to nothing) and "Print" for a store that does not exist, and its screen
    had no way out."""
    said = "This store does not exist." if locale == "en-US" else "Cette boutique n'existe pas."
    home = "Vitrine home" if locale == "en-US" else "Accueil Vitrine"
    labels = open_page("/stores/sto_nope/labels", locale=locale)
    expect(labels.get_by_test_id("labels-state")).to_have_text(said)
    expect(labels.get_by_test_id("labels-pdf")).to_be_hidden()
    expect(labels.get_by_test_id("labels-print")).to_be_hidden()
    labels.get_by_role("link", name=home).click()
    expect(labels).to_have_url(f"{demo.base_url}/")

    screen = open_page("/stores/sto_nope/screen", locale=locale, viewport={"width": 1920, "height": 1080})
    expect(screen.get_by_test_id("screen-problem")).to_contain_text(said)
    screen.get_by_role("link", name=home).click()
    expect(screen).to_have_url(f"{demo.base_url}/")
