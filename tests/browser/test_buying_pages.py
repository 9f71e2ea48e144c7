"""Buying in a real Chromium (Playwright driving /usr/bin/chromium) against a real server process seeded
with the demo: a viewer buys the pinned coat from the player, pays on the sandbox page and follows the
order; the next purchase is one tap; a flash deal shows and goes; a bad postal code is refused and
nothing is ordered; the size guide suggests a size."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.browser import BUYER, WAIT_MS, OpenPage, assert_fits, pin_over_http
from tests.support.buying import (
    COAT,
    Demo,
    available,
    coat_of,
    fill_checkout,
    order_from_url,
    pick,
    seller_orders,
    shot,
    sign_in,
    watch_the_coat,
)

pytestmark = pytest.mark.browser

TIMES, EN_DASH, MINUS = "\u00d7", "\u2013", "\u2212"  # the signs of "x1", "3-4 business days", "-€18.90"


def day(iso: str) -> str:
    """A date as Chromium's en-US Intl.DateTimeFormat writes {weekday, day, month: short}: "Wed, Nov 25"."""
    d = date.fromisoformat(iso)
    return f"{d:%a}, {d:%b} {d.day}"


# --- the tests -------------------------------------------------------------------------------------


def test_a_viewer_buys_pays_and_follows_the_order(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    m_before = available(server, coat["id"], "M")

    host = open_page(f"/host/{demo['show_id']}")
    sign_in(host, demo)
    host.get_by_test_id(f"pin-{coat['id']}").click()
    expect(host.get_by_test_id("sales-orders")).to_have_text("0")

    viewer = open_page(f"/watch/{demo['show_id']}")
    watcher = open_page(f"/watch/{demo['show_id']}")  # someone else watching: sees the sale go by
    for page in (viewer, watcher):
        watch_the_coat(page)
    expect(viewer.get_by_test_id("pinned-price")).to_have_text("€189.00")
    expect(viewer.get_by_test_id("buy-as")).to_be_hidden()  # a first visit: nobody to buy as yet

    pick(viewer, "M")
    viewer.get_by_test_id("qty-more").click()
    expect(viewer.get_by_test_id("quantity")).to_have_text("2")
    expect(viewer.get_by_test_id("buy")).to_contain_text("€378.00")
    viewer.get_by_test_id("qty-less").click()
    expect(viewer.get_by_test_id("quantity")).to_have_text("1")
    viewer.get_by_test_id("buy").click()
    fill_checkout(viewer)
    expect(viewer.get_by_test_id("checkout-summary")).to_have_text(f"{COAT} · Size M · {TIMES}1")
    expect(viewer.get_by_test_id("checkout-submit")).to_have_text("Order · €189.00")
    shot(viewer, "buy-checkout-phone")
    viewer.get_by_test_id("checkout-submit").click()

    expect(viewer.get_by_test_id("order-placed")).to_be_visible()
    expect(viewer.get_by_test_id("checkout-sheet")).to_be_hidden()
    expect(viewer.get_by_test_id("placed-total")).to_have_text("€189.00")
    expect(watcher.get_by_test_id("sales-ticker")).to_contain_text("1 sold")
    expect(host.get_by_test_id("sales-orders")).to_have_text("1")
    expect(host.get_by_test_id("sales-units")).to_have_text("1")
    shot(viewer, "buy-placed-phone")

    expect(viewer.get_by_test_id("placed-new-tab")).to_have_text("Opens in a new tab: the show keeps playing here.")
    with viewer.context.expect_page() as paying:  # paying opens a new tab: the show keeps playing here
        viewer.get_by_test_id("pay").click()
    watching, viewer = viewer, paying.value
    viewer.wait_for_url(re.compile(r"/pay/sandbox/[\w-]+$"))
    expect(viewer.get_by_test_id("pay-amount")).to_have_text("€189.00")
    expect(viewer.get_by_test_id("sandbox")).to_contain_text("TEST payment")
    expect(viewer.get_by_test_id("pay-fail")).to_have_text("Fail (test)")
    shot(viewer, "buy-sandbox-phone")
    viewer.get_by_test_id("pay-succeed").click()

    viewer.wait_for_url(re.compile(r"/orders/ord_\w+\?t="))
    status = viewer.get_by_test_id("order-status")
    expect(status).to_have_attribute("data-status", "paid")
    expect(status).to_have_text("Paid, we are preparing it")
    expect(viewer.get_by_test_id("order-timeline").locator("li")).to_have_text(
        [re.compile("^Placed"), re.compile("^Paid"), "Shipped", "Delivered"])
    expect(viewer.get_by_test_id("pay-now")).to_be_hidden()
    expect(viewer.get_by_test_id("order-item-meta")).to_have_text("Size M · Quantity 1")
    expect(viewer.get_by_test_id("order-total")).to_have_text("€189.00")
    expect(viewer.get_by_test_id("order-address")).to_contain_text("12 rue de la Paix")
    expect(viewer.get_by_test_id("order-address")).to_contain_text("75002 Paris")
    expect(viewer.get_by_test_id("order-address")).to_contain_text("France")

    order = order_from_url(server, viewer.url)
    assert order["status"] == "paid", order
    assert order["variant"]["label"] == "M" and order["quantity"] == 1, order
    assert order["buyer"]["address"]["postal_code"] == "75002", order
    delivery = order["delivery"]
    expect(viewer.get_by_test_id("delivery-window")).to_have_text(
        f"Delivered between {day(delivery['earliest'])} and {day(delivery['latest'])}")
    expect(viewer.get_by_test_id("delivery-days")).to_have_text(
        f"{delivery['min_days']}{EN_DASH}{delivery['max_days']} business days")
    shot(viewer, "buy-order-phone", full_page=True)

    assert available(server, coat["id"], "M") == m_before - 1
    # what the page keeps on this device: the buyer for the next one-tap purchase, the order link
    kept = viewer.evaluate("[localStorage.getItem('vitrine.buyer'), localStorage.getItem('vitrine.orders')]")
    assert '"lea@example.com"' in kept[0] and '"75002"' in kept[0], kept
    token = parse_qs(urlparse(viewer.url).query)["t"][0]
    assert order["id"] in kept[1] and f"t={token}" in kept[1], kept
    expect(watching.get_by_test_id("status")).to_have_text("LIVE")  # the show never left its tab
    # the host sees the paid revenue and a conversion rate
    expect(host.get_by_test_id("sales-revenue")).to_have_text("€189.00", timeout=WAIT_MS)
    expect(host.get_by_test_id("sales-conversion")).to_have_text(re.compile(r"^\d+(\.\d)?%$"))


def test_the_second_purchase_is_one_tap(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    pin_over_http(server, demo, coat["id"])
    viewer = open_page(f"/watch/{demo['show_id']}")
    watch_the_coat(viewer)
    pick(viewer, "M")
    viewer.get_by_test_id("buy").click()
    fill_checkout(viewer)
    viewer.get_by_test_id("checkout-submit").click()
    expect(viewer.get_by_test_id("order-placed")).to_be_visible()

    viewer.reload()
    watch_the_coat(viewer)
    expect(viewer.get_by_test_id("buy-as")).to_contain_text("Buy as Léa · Paris")
    viewer.evaluate("""() => {
      const sheet = document.getElementById('checkout-sheet');
      window.__formShown = !sheet.hidden;
      new MutationObserver(() => { if (!sheet.hidden) window.__formShown = true; })
        .observe(sheet, { attributes: true });
    }""")
    pick(viewer, "L")
    viewer.get_by_test_id("buy").click()
    expect(viewer.get_by_test_id("order-placed")).to_be_visible()
    expect(viewer.get_by_test_id("order-placed")).to_contain_text(f"{COAT} · Size L · {TIMES}1")
    assert viewer.evaluate("window.__formShown") is False, "the checkout form showed on a one-tap purchase"

    orders = viewer.evaluate("JSON.parse(localStorage.getItem('vitrine.orders'))")
    assert len(orders) == 2 and orders[0]["id"] != orders[1]["id"], orders
    second = order_from_url(server, orders[0]["url"])
    assert second["variant"]["label"] == "L" and second["status"] == "pending", second
    assert second["buyer"]["email"] == BUYER["email"], second
    assert viewer.get_by_test_id("pay").get_attribute("href") == second["payment"]["url"]


def test_a_flash_deal_shows_counts_down_and_goes(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    host = open_page(f"/host/{demo['show_id']}")
    sign_in(host, demo)
    expect(host.get_by_test_id("deal-start")).to_be_hidden()  # nothing pinned: no deal to start
    host.get_by_test_id(f"pin-{coat['id']}").click()
    viewer = open_page(f"/watch/{demo['show_id']}")
    watch_the_coat(viewer)
    expect(viewer.get_by_test_id("deal")).to_be_hidden()

    host.get_by_test_id("deal-price").fill("99.00")
    host.get_by_test_id("deal-quantity").fill("5")
    host.get_by_test_id("deal-duration").fill("60")
    host.get_by_test_id("deal-start").click()
    expect(host.get_by_test_id("deal-running")).to_be_visible()
    expect(host.get_by_test_id("deal-run-price")).to_have_text("€99.00")

    expect(viewer.get_by_test_id("deal")).to_be_visible()
    expect(viewer.get_by_test_id("pinned-price")).to_have_text("€99.00")
    expect(viewer.get_by_test_id("deal-was")).to_have_text("€189.00")
    expect(viewer.get_by_test_id("deal-left")).to_have_text("5 left")
    countdown = viewer.get_by_test_id("deal-countdown")
    expect(countdown).to_have_text(re.compile(r"^Ends in (1:00|0:[0-5]\d)$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3000)  # it ticks
    shot(viewer, "buy-deal-phone")
    shot(host, "host-deal-phone", full_page=True)

    # buying during the deal gets the deal price, and the pieces left go down for everyone
    pick(viewer, "M")
    viewer.get_by_test_id("buy").click()
    fill_checkout(viewer)
    expect(viewer.get_by_test_id("checkout-submit")).to_have_text("Order · €99.00")
    viewer.get_by_test_id("checkout-submit").click()
    expect(viewer.get_by_test_id("placed-total")).to_have_text("€99.00")
    order = order_from_url(server, viewer.get_by_test_id("order-link").get_attribute("href") or "")
    assert order["unit_price"]["amount"] == 9900 and order["deal_id"], order
    expect(viewer.get_by_test_id("deal-left")).to_have_text("4 left")
    expect(host.get_by_test_id("deal-run-sold")).to_have_text("1 of 5 sold")

    host.get_by_test_id("deal-end").click()
    expect(viewer.get_by_test_id("deal")).to_be_hidden()
    expect(viewer.get_by_test_id("deal-was")).to_be_hidden()
    expect(viewer.get_by_test_id("pinned-price")).to_have_text("€189.00")
    expect(host.get_by_test_id("deal-running")).to_be_hidden()
    expect(host.get_by_test_id("deal-start")).to_be_visible()
    r = httpx.get(f"{server.base_url}/api/shows/{demo['show_id']}", timeout=10)
    assert r.json()["deal"] is None, r.json()


@pytest.mark.parametrize(("locale", "message", "fix"), [
    ("en-US", "This postal code is not valid for France.", "Check the highlighted fields."),
    ("fr-FR", "Ce code postal n'est pas valide pour ce pays (France).", "Vérifiez les champs signalés."),
])
def test_a_bad_postal_code_is_refused_and_nothing_is_ordered(
    open_page: OpenPage, demo_server: Demo, locale: str, message: str, fix: str
) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    pin_over_http(server, demo, coat["id"])
    m_before = available(server, coat["id"], "M")
    viewer = open_page(f"/watch/{demo['show_id']}", locale=locale)
    expect(viewer.get_by_test_id("pinned-title")).to_have_text(COAT)
    pick(viewer, "M")
    viewer.get_by_test_id("buy").click()
    fill_checkout(viewer, postal_code="ABC")
    viewer.get_by_test_id("checkout-submit").click()

    postal = viewer.get_by_test_id("checkout-postal")
    expect(postal).to_have_attribute("aria-invalid", "true")
    expect(viewer.locator(".f", has=postal).locator(".f-error")).to_have_text(message)
    expect(viewer.get_by_test_id("checkout-error")).to_have_text(fix)
    expect(viewer.get_by_test_id("checkout-sheet")).to_be_visible()
    expect(viewer.get_by_test_id("order-placed")).to_be_hidden()
    assert seller_orders(server, demo) == []
    assert available(server, coat["id"], "M") == m_before
    assert viewer.evaluate("localStorage.getItem('vitrine.buyer')") is None
    if locale == "en-US":
        shot(viewer, "buy-checkout-error-phone")

    # corrected, the same form goes through
    postal.fill("75002")
    viewer.get_by_test_id("checkout-submit").click()
    expect(viewer.get_by_test_id("order-placed")).to_be_visible()
    assert len(seller_orders(server, demo)) == 1
    assert_fits(viewer, "[data-testid=order-link]", "[data-testid=placed-close]", "[data-testid=pay]")


def test_the_demo_voucher_shows_the_new_total_before_ordering(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    pin_over_http(server, demo, coat["id"])
    viewer = open_page(f"/watch/{demo['show_id']}")
    expect(viewer.get_by_test_id("pinned-title")).to_have_text(COAT)
    pick(viewer, "M")
    viewer.get_by_test_id("buy").click()
    fill_checkout(viewer)
    expect(viewer.get_by_test_id("checkout-submit")).to_have_text("Order · €189.00")

    code = viewer.get_by_test_id("checkout-voucher")
    code.fill("nope")
    viewer.get_by_test_id("voucher-apply").click()
    expect(viewer.locator(".f", has=code).locator(".f-error")).to_have_text("This voucher code is not valid here.")
    expect(viewer.get_by_test_id("checkout-submit")).to_have_text("Order · €189.00")

    code.fill("welcome10")  # the demo's voucher, printed with its links: 10 % off
    viewer.get_by_test_id("voucher-apply").click()
    expect(viewer.get_by_test_id("voucher-result")).to_have_text(f"WELCOME10: {MINUS}€18.90. New total €170.10")
    expect(viewer.get_by_test_id("checkout-submit")).to_have_text("Order · €170.10")
    expect(viewer.locator(".f", has=code).locator(".f-error")).to_be_hidden()
    expect(viewer.get_by_test_id("order-placed")).to_be_hidden()
    assert seller_orders(server, demo) == [], "a quote orders nothing"
    shot(viewer, "buy-voucher-phone")
    assert_fits(viewer, "[data-testid=voucher-apply]")

    code.fill("welcome1")  # another code: the quote shown was the last one's
    expect(viewer.get_by_test_id("voucher-result")).to_be_hidden()
    expect(viewer.get_by_test_id("checkout-submit")).to_have_text("Order · €189.00")
    code.fill("welcome10")
    code.press("Enter")  # Enter in the code applies it, and orders nothing
    expect(viewer.get_by_test_id("checkout-submit")).to_have_text("Order · €170.10")
    expect(viewer.get_by_test_id("order-placed")).to_be_hidden()
    viewer.get_by_test_id("checkout-submit").click()
    expect(viewer.get_by_test_id("placed-total")).to_have_text("€170.10")
    assert [o["discount"]["amount"] for o in seller_orders(server, demo)] == [1890]


def test_the_size_guide_suggests_a_size(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    pin_over_http(server, demo, coat["id"])
    viewer = open_page(f"/watch/{demo['show_id']}")
    watch_the_coat(viewer)
    viewer.get_by_test_id("size-guide-open").click()
    table = viewer.get_by_test_id("size-table")
    expect(table.locator("thead th")).to_have_text(["Size", "Chest", "Waist", "Hips"])
    expect(table.locator("tbody tr")).to_have_text([re.compile(r"^S\s*88\s*72\s*94$"),
                                                   re.compile(r"^M\s*96\s*80\s*100$"),
                                                   re.compile(r"^L\s*104\s*88\s*106$")])
    viewer.get_by_test_id("size-measure").select_option("hips")
    viewer.get_by_test_id("size-value").fill("95")
    viewer.get_by_test_id("size-find").click()
    expect(viewer.get_by_test_id("size-suggestion")).to_have_text("We suggest M")  # S is 94, M the next
    shot(viewer, "buy-size-guide-phone")
    viewer.get_by_test_id("size-value").fill("120")
    viewer.get_by_test_id("size-find").click()
    expect(viewer.get_by_test_id("size-result")).to_have_text("Larger than our largest size (L).")
    viewer.get_by_test_id("size-value").fill("88")
    viewer.get_by_test_id("size-find").click()
    viewer.get_by_test_id("size-choose").click()
    expect(viewer.get_by_test_id("size-sheet")).to_be_hidden()
    expect(viewer.get_by_test_id("size-S")).to_have_attribute("aria-checked", "true")


LOSE_THE_ANSWER = """
(() => {
  const Native = window.WebSocket;
  window.__buys = [];
  window.__loseNextAnswer = true;
  window.WebSocket = class extends Native {
    send(data) {
      super.send(data);
      const frame = JSON.parse(data);
      if (frame.type !== 'buy') return;
      window.__buys.push(frame);
      if (window.__loseNextAnswer) {  // the frame is on its way; the answer will find the socket closed
        window.__loseNextAnswer = false;
        this.close();
      }
    }
  };
})();
"""


def test_a_retry_after_a_lost_answer_reuses_the_key(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    pin_over_http(server, demo, coat["id"])
    viewer = open_page(f"/watch/{demo['show_id']}", script=LOSE_THE_ANSWER)
    watch_the_coat(viewer)
    pick(viewer, "M")
    viewer.get_by_test_id("buy").click()
    fill_checkout(viewer)
    viewer.get_by_test_id("checkout-submit").click()
    expect(viewer.get_by_test_id("checkout-error")).to_contain_text("No answer yet")
    expect(viewer.get_by_test_id("order-placed")).to_be_hidden()
    expect(viewer.get_by_test_id("connection")).to_be_hidden(timeout=WAIT_MS)  # back online

    viewer.get_by_test_id("checkout-submit").click()  # the buyer tries again
    expect(viewer.get_by_test_id("order-placed")).to_be_visible()
    buys = viewer.evaluate("window.__buys")
    assert len(buys) == 2 and buys[0]["key"] == buys[1]["key"], buys
    assert len(seller_orders(server, demo)) == 1  # the first try went through: the retry got it back

    # a new purchase is a new key
    viewer.get_by_test_id("placed-close").click()
    viewer.get_by_test_id("buy").click()
    expect(viewer.get_by_test_id("order-placed")).to_be_visible()
    buys = viewer.evaluate("window.__buys")
    assert len(buys) == 3 and buys[2]["key"] != buys[0]["key"], buys
    assert len(seller_orders(server, demo)) == 2


TAP_HEARTS_WHILE_BUYING = """
(() => {
  const Native = window.WebSocket;
  window.__buys = [];
  window.__errors = [];
  window.__holdPlaced = true;
  window.__held = null;
  window.WebSocket = class extends Native {
    set onmessage(handle) {
      super.onmessage = (event) => {
        const frame = JSON.parse(event.data);
        if (frame.type === 'error') window.__errors.push(frame.data);
        if (frame.type === 'order.placed' && window.__holdPlaced) {  // the answer is slow to come
          window.__held = () => handle.call(this, event);
          return;
        }
        handle.call(this, event);
      };
    }
    get onmessage() { return super.onmessage; }
    send(data) {
      super.send(data);
      const frame = JSON.parse(data);
      if (frame.type !== 'buy') return;
      window.__buys.push(frame);
      // the viewer keeps tapping hearts: past the reactions' limit each gets a rate_limited error, no key
      for (let i = 0; i < 50; i++) super.send('{"type":"react","kind":"heart"}');
    }
  };
})();
"""


def test_an_error_that_names_no_purchase_does_not_end_it(open_page: OpenPage, demo_server: Demo) -> None:
    """0.6.4's player took any error frame during a purchase for its refusal: a rate_limited from the
    viewer's own reactions showed as the purchase's failure, and trying again made a second order."""
    server, demo = demo_server
    coat = coat_of(server, demo)
    pin_over_http(server, demo, coat["id"])
    viewer = open_page(f"/watch/{demo['show_id']}", script=TAP_HEARTS_WHILE_BUYING)
    watch_the_coat(viewer)
    pick(viewer, "M")
    viewer.get_by_test_id("buy").click()
    fill_checkout(viewer)
    viewer.get_by_test_id("checkout-submit").click()
    viewer.wait_for_function("() => window.__held !== null")  # the order is placed; its answer is held back
    errors = viewer.evaluate("window.__errors")
    assert any(e["code"] == "rate_limited" and "key" not in e for e in errors), errors
    expect(viewer.get_by_test_id("checkout-submit")).to_be_disabled()  # still waiting for its own answer
    expect(viewer.get_by_test_id("checkout-error")).to_be_hidden()
    viewer.evaluate("window.__holdPlaced = false; window.__held()")
    expect(viewer.get_by_test_id("order-placed")).to_be_visible()
    assert len(viewer.evaluate("window.__buys")) == 1
    assert len(seller_orders(server, demo)) == 1
