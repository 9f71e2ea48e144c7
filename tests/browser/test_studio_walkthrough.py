"""Issue 18's "Done when" as one walk through the pages, in Chromium, each role in a browser of its own: the admin
invites a seller and a host; the seller signs in from the invitation, creates a product with two sizes and an
uploaded photo and lets the host sell it; the host signs in from its invitation, schedules a show with it for
tomorrow, opens the control room from its shows, goes live and pins it; two viewers buy a size each and pay in the
sandbox; the seller ships one order with a tracking number and refunds the other; the admin suspends the host while
its control room is open, and the control room loses its rights at once. The API only reads back and checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.support.browser import PHONE, OpenPage, assert_fits
from tests.support.buying import fill_checkout, order_from_url, pick
from tests.support.mail import link_in, mail_to
from tests.support.processes import ServerProcess
from tests.support.studio import api_token, demo_with, open_studio, photo_png

pytestmark = pytest.mark.browser

Demo = tuple[ServerProcess, dict[str, str]]
PARIS = "Europe/Paris"
SELLER = "atelier.nord@example.com"
HOST = "camille.live@example.com"
TITLE = "Merino rib jumper"


@pytest.fixture
def outbox_dir(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def demo_server(tmp_path: Path, outbox_dir: Path) -> Iterator[Demo]:
    """The demo server, its mail and its uploads in this test's own folders."""
    with demo_with(tmp_path, OUTBOX_DIR=str(outbox_dir), MEDIA_DIR=str(tmp_path / "media")) as (server, demo):
        yield server, {**demo, "media_dir": str(tmp_path / "media")}


def accept_invitation(open_page: OpenPage, outbox: Path, email: str, password: str, base_url: str) -> Page:
    """The invited person opens the mailed link in a browser of its own, on a phone, and chooses a password."""
    link = link_in(mail_to(outbox, email))
    assert link.startswith(f"{base_url}/studio#/invitation/"), link
    page = open_page(link, viewport=PHONE, timezone=PARIS)
    expect(page.get_by_test_id("invitation-form")).to_be_visible()
    page.get_by_test_id("pw-password").fill(password)
    page.get_by_test_id("pw-password-again").fill(password)
    page.get_by_test_id("invitation-submit").click()
    expect(page.get_by_test_id("studio-nav")).to_be_visible()
    return page


def invite(admin: Page, email: str, name: str, role: str) -> None:
    admin.get_by_test_id("account-email").fill(email)
    admin.get_by_test_id("account-name").fill(name)
    admin.get_by_test_id("account-role").select_option(role)
    admin.get_by_test_id("account-submit").click()
    row = admin.locator(f'[data-testid="account-row"][data-email="{email}"]')
    expect(row.get_by_test_id("account-status")).to_have_text("Invited")


def buy_and_pay(server: ServerProcess, viewer: Page, size: str, **buyer: str) -> tuple[dict[str, Any], Page]:
    """On the player: the pinned product, a size, Buy, the checkout form, Pay in the sandbox's tab; the order read
    back with the link of its page, and that page (the buyer's)."""
    expect(viewer.get_by_test_id("status")).to_have_text("LIVE")
    expect(viewer.get_by_test_id("pinned-title")).to_have_text(TITLE)
    pick(viewer, size)
    viewer.get_by_test_id("buy").click()
    fill_checkout(viewer, **buyer)
    viewer.get_by_test_id("checkout-submit").click()
    expect(viewer.get_by_test_id("order-placed")).to_be_visible()
    assert_fits(viewer)
    with viewer.context.expect_page() as opened:
        viewer.get_by_test_id("pay").click()
    paying = opened.value
    paying.wait_for_url(re.compile(r"/pay/sandbox/[\w-]+$"))
    paying.get_by_test_id("pay-succeed").click()
    paying.wait_for_url(re.compile(r"/orders/ord_\w+\?t="))
    expect(paying.get_by_test_id("order-status")).to_have_text("Paid, we are preparing it")
    expect(viewer.get_by_test_id("order-strip")).to_have_attribute("data-state", "paid")
    return order_from_url(server, paying.url), paying


def test_the_issue_done_when_walked_through_the_pages(open_page: OpenPage, demo_server: Demo,
                                                       outbox_dir: Path) -> None:
    server, demo = demo_server
    base = server.base_url

    # 1. the admin invites a seller and a host
    admin = open_studio(open_page, "#/accounts", email=demo["admin_email"], password=demo["password"],
                        viewport=PHONE)
    invite(admin, SELLER, "Atelier Nord", "seller")
    invite(admin, HOST, "Camille Live", "host")

    # 2. the seller: its invitation, a product with two sizes and a photo, the host allowed to sell it
    seller = accept_invitation(open_page, outbox_dir, SELLER, "atelier nord 2026", base)
    expect(seller.get_by_test_id("studio-user")).to_have_attribute("data-role", "seller")
    seller.get_by_test_id("nav-products").click()
    seller.get_by_test_id("product-new").click()
    seller.get_by_test_id("product-title").fill(TITLE)
    seller.get_by_test_id("product-brand").fill("Atelier Nord")
    seller.get_by_test_id("product-price").fill("79")
    photo: FilePayload = {"name": "jumper.png", "mimeType": "image/png", "buffer": photo_png()}
    seller.get_by_test_id("photo-files").set_input_files(files=[photo])
    expect(seller.get_by_test_id("product-photo")).to_have_count(1)
    for index, (label, stock) in enumerate((("S", 3), ("M", 2))):
        if index:
            seller.get_by_test_id("variant-add").click()
        line = seller.get_by_test_id("variant-row").nth(index)
        line.get_by_test_id("variant-label").fill(label)
        line.get_by_test_id("variant-sku").fill(f"JUMPER-{label}")
        line.get_by_test_id("variant-stock").fill(str(stock))
    seller.get_by_test_id("product-save").click()
    expect(seller.get_by_test_id("stock-panel")).to_be_visible()
    product_id = seller.url.rsplit("/", 1)[1]
    product = httpx.get(f"{base}/api/products/{product_id}", timeout=10).json()
    assert product["title"] == TITLE and product["price"] == {"amount": 7900, "currency": "EUR"}
    assert [(v["label"], v["available"]) for v in product["variants"]] == [("S", 3), ("M", 2)]
    [image] = product["images"]
    assert [p.name for p in Path(demo["media_dir"]).iterdir()] == [image.rsplit("/", 1)[1]]
    assert httpx.get(f"{base}{image}", timeout=10).headers["content-type"] == "image/jpeg"
    assert_fits(seller)

    seller.get_by_test_id("nav-hosts").click()
    seller.get_by_test_id("host-email").fill(HOST)
    seller.get_by_test_id("host-grant").click()
    expect(seller.locator(f'[data-testid="host-row"][data-email="{HOST}"]')).to_be_visible()

    # 3. the host: its invitation, a show with the product for tomorrow, the control room, live, pinned
    host = accept_invitation(open_page, outbox_dir, HOST, "camille en direct", base)
    expect(host.get_by_test_id("studio-user")).to_have_attribute("data-role", "host")
    host.get_by_test_id("nav-shows").click()
    host.get_by_test_id("show-new").click()
    host.get_by_test_id("show-title-input").fill("Knitwear night")
    host.get_by_test_id("show-product").filter(has_text=TITLE).locator("input").check()
    tomorrow = datetime.now(ZoneInfo(PARIS)).date() + timedelta(days=1)
    host.get_by_test_id("show-when").fill(f"{tomorrow.isoformat()}T19:30")
    host.get_by_test_id("show-save").click()
    show_row = host.get_by_test_id("show-row").filter(
        has=host.get_by_test_id("show-title").get_by_text("Knitwear night", exact=True))
    expect(host.get_by_test_id("shows-scheduled")).to_contain_text("Knitwear night")
    mine = httpx.get(f"{base}/api/shows?host=me", headers=api_token(base, HOST, "camille en direct"),
                     timeout=10).json()["items"]
    [show] = [s for s in mine if s["title"] == "Knitwear night"]
    assert show["status"] == "scheduled" and [p["id"] for p in show["products"]] == [product_id]
    assert show["scheduled_at"].startswith(tomorrow.isoformat())
    frames: list[str] = []  # what the control room's sockets hear
    host.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    refused: list[int] = []  # and the control room's calls the API refused (its sales figures poll with the token)
    host.on("response", lambda r: refused.append(r.status) if r.url.startswith(f"{base}/api/") else None)
    show_row.get_by_test_id("show-control").click()
    host.wait_for_url(f"**/host/{show['id']}")
    host.get_by_test_id("start").click()
    expect(host.get_by_test_id("end")).to_be_visible()
    host.get_by_test_id(f"pin-{product_id}").click()
    assert_fits(host)
    live = httpx.get(f"{base}/api/shows/{show['id']}", timeout=10).json()
    assert live["status"] == "live"

    # 4. two viewers, each in a browser of its own, buy a size and pay in the sandbox
    first, first_page = buy_and_pay(server, open_page(f"/watch/{show['id']}", viewport=PHONE), "S")
    second, second_page = buy_and_pay(server, open_page(f"/watch/{show['id']}", viewport=PHONE), "M", name="Hugo Petit",
                         email="hugo@example.com")
    assert first["status"] == second["status"] == "paid"

    # 5. the seller ships the first with a tracking number and refunds the second, each after its confirmation
    seller.get_by_test_id("nav-orders").click()
    expect(seller.get_by_test_id("order-row")).to_have_count(2)
    seller.locator(f"[data-testid=order-row][data-id='{first['id']}']").click()
    seller.get_by_test_id("ship-tracking").fill("6A98765432101")
    seller.get_by_test_id("ship-carrier").fill("Colissimo")
    seller.get_by_test_id("order-ship").click()
    expect(seller.get_by_test_id("confirm-text")).to_contain_text("6A98765432101")
    seller.get_by_test_id("confirm-ok").click()
    expect(seller.get_by_test_id("order-status")).to_have_text("Shipped")
    assert_fits(seller)
    seller.get_by_test_id("orders-back").click()
    seller.locator(f"[data-testid=order-row][data-id='{second['id']}']").click()
    seller.get_by_test_id("order-refund").click()
    expect(seller.get_by_test_id("confirm-text")).to_contain_text("Hugo Petit")
    seller.get_by_test_id("confirm-ok").click()
    expect(seller.get_by_test_id("order-status")).to_have_text("Refunded")

    # the buyers' own order pages say so
    first_page.reload()
    expect(first_page.get_by_test_id("order-tracking")).to_have_text("Tracking number: 6A98765432101 (Colissimo)")
    assert order_from_url(server, first_page.url)["status"] == "shipped"
    second_page.reload()
    expect(second_page.get_by_test_id("order-status")).to_have_attribute("data-status", "refunded")
    assert order_from_url(server, second_page.url)["status"] == "refunded"

    # 6. the admin suspends the host while its control room is open: the control room is signed out at once
    host_token = api_token(base, HOST, "camille en direct")
    admin.reload()
    row = admin.locator(f'[data-testid="account-row"][data-email="{HOST}"]')
    expect(row.get_by_test_id("account-status")).to_have_text("Active")
    row.get_by_test_id("account-suspend").click()
    expect(admin.get_by_test_id("confirm-text")).to_contain_text(HOST)
    admin.get_by_test_id("confirm-ok").click()
    expect(row.get_by_test_id("account-status")).to_have_text("Suspended")
    expect(host.get_by_test_id("login-email")).to_be_visible()  # no click, no reload
    expect(host.get_by_test_id("end")).to_be_hidden()
    expect(host.get_by_test_id("login-error")).to_contain_text("signed out")
    # the show's socket said so, or the page's next call was refused first (then the page closed its socket itself)
    assert any('"token_revoked"' in frame for frame in frames) or 401 in refused, (frames[-5:], refused[-5:])
    r = httpx.get(f"{base}/api/auth/me", headers=host_token, timeout=10)
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_revoked", r.text
