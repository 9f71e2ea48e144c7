"""Paying as a shopper sees it, in a real Chromium against a demo server (issue 17): a declined payment leaves
the order pending with "Try paying again" and a retry pays; the buyer cancels a pending order from its page;
paying opens a new tab while the player's order strip follows the order; a double tap on Buy places and pays
nothing extra."""

from __future__ import annotations

import re
from typing import Any

import httpx
import orjson
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BUYER, OpenPage, assert_fits, assert_one_row, pin_over_http
from tests.support.buying import (
    Demo,
    available,
    coat_of,
    fill_checkout,
    order_from_url,
    pick,
    seller_orders,
    shot,
    watch_the_coat,
)

pytestmark = pytest.mark.browser


def buy_the_coat(viewer: Page, size: str = "M") -> None:
    """A first purchase from the player: size, Buy, the checkout form, the confirmation."""
    watch_the_coat(viewer)
    pick(viewer, size)
    viewer.get_by_test_id("buy").click()
    fill_checkout(viewer)
    viewer.get_by_test_id("checkout-submit").click()
    expect(viewer.get_by_test_id("order-placed")).to_be_visible()


def pay_in_a_new_tab(viewer: Page) -> Page:
    """Pay on the confirmation opens the sandbox's checkout in a new tab; the player stays where it is."""
    with viewer.context.expect_page() as opened:
        viewer.get_by_test_id("pay").click()
    paying = opened.value
    paying.wait_for_url(re.compile(r"/pay/sandbox/[\w-]+$"))
    assert re.search(r"/watch/\w+$", viewer.url), viewer.url
    return paying


def test_a_declined_payment_keeps_the_order_and_a_retry_pays(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    pin_over_http(server, demo, coat["id"])
    m_before = available(server, coat["id"], "M")
    viewer = open_page(f"/watch/{demo['show_id']}")
    buy_the_coat(viewer)
    strip = viewer.get_by_test_id("order-strip")
    expect(strip).to_have_attribute("data-state", "pending")

    paying = pay_in_a_new_tab(viewer)
    paying.get_by_test_id("pay-fail").click()
    paying.wait_for_url(re.compile(r"/orders/ord_\w+\?t="))
    status = paying.get_by_test_id("order-status")
    expect(status).to_have_text("Your payment was declined")
    expect(status).to_have_attribute("data-status", "pending")
    expect(paying.get_by_test_id("order-reason")).to_contain_text("stays reserved for you")
    order = order_from_url(server, paying.url)
    assert order["status"] == "pending" and order["payment"]["declined_at"], order
    again = paying.get_by_test_id("pay-now")
    expect(again).to_have_text("Try paying again")
    expect(again).to_have_attribute("href", order["payment"]["url"])
    expect(paying.get_by_test_id("order-expires")).to_contain_text("Reserved for you")
    back = paying.locator("#back")
    expect(back).to_be_visible()
    expect(back).to_have_attribute("href", f"/watch/{demo['show_id']}")
    assert available(server, coat["id"], "M") == m_before - 1, "the piece stays reserved"
    shot(paying, "pay-declined-phone", full_page=True)

    # the player, in its own tab, says so too, with its own way to try again
    expect(strip).to_have_attribute("data-state", "declined")
    expect(viewer.get_by_test_id("order-strip-state")).to_have_text("Payment declined")
    expect(viewer.get_by_test_id("order-strip-action")).to_have_text("Try again")
    expect(viewer.get_by_test_id("order-strip-action")).to_have_attribute("href", order["payment"]["url"])
    expect(viewer.get_by_test_id("order-strip-action")).to_have_attribute("target", "_blank")

    again.click()  # the retry, on the order's own tab
    paying.wait_for_url(re.compile(r"/pay/sandbox/[\w-]+$"))
    paying.get_by_test_id("pay-succeed").click()
    paying.wait_for_url(re.compile(r"/orders/ord_\w+\?t="))
    expect(paying.get_by_test_id("order-status")).to_have_text("Paid, we are preparing it")
    expect(strip).to_have_attribute("data-state", "paid")
    assert order_from_url(server, paying.url)["status"] == "paid"
    assert available(server, coat["id"], "M") == m_before - 1


@pytest.mark.parametrize(("locale", "declined"), [("en-US", "Payment declined"), ("fr-FR", "Paiement refusé")])
def test_the_order_strip_stays_one_line_on_a_phone_when_the_payment_is_declined(
    open_page: OpenPage, demo_server: Demo, locale: str, declined: str
) -> None:
    """0.9.0 wrapped "See order" and its close onto a second line at 390 px wide, under the label and Try
    again: now "Your order" is the link to the order, cut short first, and the strip is one row of 44 px targets."""
    server, demo = demo_server
    pin_over_http(server, demo, coat_of(server, demo)["id"])
    viewer = open_page(f"/watch/{demo['show_id']}", locale=locale)  # a phone held upright: 390 x 844
    buy_the_coat(viewer)
    paying = pay_in_a_new_tab(viewer)
    paying.get_by_test_id("pay-fail").click()
    paying.wait_for_url(re.compile(r"/orders/ord_\w+\?t="))
    paying.close()

    strip = viewer.get_by_test_id("order-strip")
    expect(strip).to_have_attribute("data-state", "declined")
    expect(viewer.get_by_test_id("order-strip-state")).to_have_text(declined)
    expect(viewer.get_by_test_id("order-strip-action")).to_be_visible()
    shot(viewer, f"player-strip-declined-phone-{locale}")
    assert_one_row(viewer, "[data-testid=order-strip-state]", "[data-testid=order-strip-action]",
                   "[data-testid=order-strip-view]", "[data-testid=order-strip-hide]")
    assert_fits(viewer, "[data-testid=order-strip]", "[data-testid=order-strip-hide]")
    box = strip.bounding_box()
    assert box is not None and box["height"] <= 44 + 2 + 2, box  # one row of 44 px targets and its border


def test_the_buyer_cancels_a_pending_order_from_its_page(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    variant = next(v for v in coat["variants"] if v["label"] == "L")
    l_before = available(server, coat["id"], "L")
    address = {k: BUYER[k] for k in ("line1", "city", "postal_code", "country")}
    r = httpx.post(f"{server.base_url}/api/orders", timeout=10, headers={"idempotency-key": "cancel-from-page-1"},
                   json={"product_id": coat["id"], "variant_id": variant["id"], "quantity": 1,
                         "show_id": demo["show_id"],
                         "buyer": {"name": BUYER["name"], "email": BUYER["email"], "address": address}})
    assert r.status_code == 201, r.text
    placed: dict[str, Any] = r.json()
    assert available(server, coat["id"], "L") == l_before - 1

    page = open_page(placed["url"].removeprefix(server.base_url))
    expect(page.get_by_test_id("order-status")).to_have_text("Waiting for payment")
    page.get_by_test_id("order-cancel").click()
    expect(page.get_by_test_id("order-cancel-confirm")).to_be_visible()  # a second step: not on one slip
    expect(page.locator("#cancel-ask")).to_contain_text("Cancel this order? The item goes back on sale.")
    page.get_by_test_id("order-cancel-keep").click()
    expect(page.get_by_test_id("order-cancel-confirm")).to_be_hidden()
    assert order_from_url(server, placed["url"])["status"] == "pending"

    page.get_by_test_id("order-cancel").click()
    shot(page, "order-cancel-ask-phone")
    page.get_by_test_id("order-cancel-confirm").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("order-reason")).to_have_text("You cancelled this order; the item went back on sale.")
    expect(page.get_by_test_id("pay-now")).to_be_hidden()
    expect(page.get_by_test_id("order-cancel")).to_be_hidden()
    got = order_from_url(server, placed["url"])
    assert got["status"] == "cancelled" and got["cancel_reason"] == "buyer_cancelled", got
    assert available(server, coat["id"], "L") == l_before, "the piece is back on sale"


def test_paying_in_a_new_tab_keeps_the_show_and_the_strip_follows(open_page: OpenPage,
                                                                   demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    pin_over_http(server, demo, coat["id"])
    viewer = open_page(f"/watch/{demo['show_id']}")
    buy_the_coat(viewer)
    for link in ("pay", "order-link"):
        expect(viewer.get_by_test_id(link)).to_have_attribute("target", "_blank")
        expect(viewer.get_by_test_id(link)).to_have_attribute("rel", "noopener")
    expect(viewer.get_by_test_id("placed-new-tab")).to_have_text("Opens in a new tab: the show keeps playing here.")
    strip = viewer.get_by_test_id("order-strip")
    expect(strip).to_have_attribute("data-state", "pending")
    expect(viewer.get_by_test_id("order-strip-action")).to_have_text("Pay")

    paying = pay_in_a_new_tab(viewer)
    expect(viewer.get_by_test_id("order-placed")).to_be_hidden()  # the sheet stepped aside for the strip
    paying.get_by_test_id("pay-succeed").click()
    paying.wait_for_url(re.compile(r"/orders/ord_\w+\?t="))
    expect(strip).to_have_attribute("data-state", "paid")
    expect(viewer.get_by_test_id("order-strip-state")).to_have_text("Paid ✓")
    expect(viewer.get_by_test_id("order-strip-action")).to_be_hidden()
    expect(viewer.get_by_test_id("status")).to_have_text("LIVE")
    shot(viewer, "player-strip-paid-phone")
    paid = order_from_url(server, paying.url)
    view = viewer.get_by_test_id("order-strip-view")
    expect(view).to_have_attribute("href", re.compile(rf"/orders/{paid['id']}\?t="))

    # a reload keeps following the recent order; hidden, it stays hidden
    viewer.reload()
    watch_the_coat(viewer)
    expect(strip).to_have_attribute("data-state", "paid")
    viewer.get_by_test_id("order-strip-hide").click()
    expect(strip).to_be_hidden()
    viewer.reload()
    watch_the_coat(viewer)
    expect(viewer.get_by_test_id("buy")).to_be_enabled()
    expect(strip).to_be_hidden()


HOLD_THE_ANSWER = """
(() => {
  localStorage.setItem('vitrine.buyer', %s);
  const Native = window.WebSocket;
  window.__held = null;
  window.WebSocket = class extends Native {
    set onmessage(handle) {
      super.onmessage = (event) => {
        const frame = JSON.parse(event.data);
        if (frame.type === 'order.placed' && !window.__held) {  // kept until the test lets it through
          window.__held = () => handle.call(this, event);
          return;
        }
        handle.call(this, event);
      };
    }
    get onmessage() { return super.onmessage; }
  };
})();
"""


def test_a_double_tap_on_buy_places_and_pays_nothing_extra(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    pin_over_http(server, demo, coat["id"])

    # a first purchase: Buy opens the form under the finger; the second tap neither closes nor submits it
    viewer = open_page(f"/watch/{demo['show_id']}")
    watch_the_coat(viewer)
    pick(viewer, "M")
    viewer.get_by_test_id("buy").dblclick()
    sheet = viewer.get_by_test_id("checkout-sheet")
    expect(sheet).not_to_have_attribute("data-guarded", "")  # the guard is over: what the taps did is done
    expect(sheet).to_be_visible()
    expect(viewer.get_by_test_id("checkout-error")).to_be_hidden()
    assert seller_orders(server, demo) == []

    # a one-tap purchase: the confirmation, with Pay, slides in under the finger between the two taps
    kept = orjson.dumps({"name": BUYER["name"], "email": BUYER["email"], "address": {
        k: BUYER[k] for k in ("line1", "city", "postal_code", "country")}}).decode()
    buyer = open_page(None, script=HOLD_THE_ANSWER % orjson.dumps(kept).decode())
    buyer.clock.install()  # the page's timers, paused below: the guard lasts however slow this machine is
    buyer.goto(f"/watch/{demo['show_id']}")
    watch_the_coat(buyer)
    expect(buyer.get_by_test_id("buy-as")).to_be_visible()
    pick(buyer, "L")
    tap = buyer.get_by_test_id("buy").bounding_box()
    assert tap is not None
    buyer.clock.pause_at(buyer.evaluate("Date.now()") / 1000 + 2)  # in seconds: a little ahead, then still
    buyer.get_by_test_id("buy").click()  # the first tap: the order is placed, its answer held back
    buyer.wait_for_function("() => window.__held !== null", polling=100)
    buyer.evaluate("window.__held()")  # the answer arrives: the confirmation opens
    placed = buyer.get_by_test_id("order-placed")
    expect(placed).to_be_visible()
    pay = buyer.get_by_test_id("pay").bounding_box()
    assert pay is not None
    pages = len(buyer.context.pages)
    buyer.mouse.click(pay["x"] + pay["width"] / 2, pay["y"] + pay["height"] / 2)  # the second tap lands on Pay
    buyer.mouse.click(tap["x"] + tap["width"] / 2, tap["y"] + tap["height"] / 2)  # and where Buy was
    expect(placed).to_be_visible()
    assert len(buyer.context.pages) == pages, "the second tap opened the payment"
    assert len(seller_orders(server, demo)) == 1
    buyer.clock.resume()
    expect(placed).not_to_have_attribute("data-guarded", "")
    with buyer.context.expect_page():  # a tap after the moment pays as it should
        buyer.get_by_test_id("pay").click()
    assert len(seller_orders(server, demo)) == 1
