"""The studio's selling pages in Chromium, as the demo's seller uses them on a phone: orders filtered (the filter
kept across a reload), one shipped with a tracking number and one refunded, each after its confirmation, a
refusal shown, the CSV downloaded and read; a voucher created and its use seen; a store created, an item added
and taken off; French on one page; nothing wider than 390 px."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import PHONE, OpenPage, assert_fits
from tests.support.buying import shot
from tests.support.processes import ServerProcess
from tests.support.studio import api_token, open_studio

pytestmark = pytest.mark.browser

Demo = tuple[ServerProcess, dict[str, str]]
ADDRESS = {"line1": "12 rue de la Paix", "city": "Paris", "postal_code": "75002", "country": "FR"}


def coat(server: ServerProcess, demo: dict[str, str]) -> dict[str, Any]:
    show = httpx.get(f"{server.base_url}/api/shows/{demo['show_id']}", timeout=10).json()
    return next(p for p in show["products"] if p["title"] == "Oversized wool coat")


def order(server: ServerProcess, demo: dict[str, str], name: str, *, paid: bool, **fields: Any) -> dict[str, Any]:
    product = coat(server, demo)
    body = {"product_id": product["id"], "variant_id": product["variants"][1]["id"], "quantity": 1,
            "show_id": demo["show_id"], "buyer": {"name": name, "email": f"{name.lower()}@example.com",
                                                  "address": ADDRESS}, **fields}
    r = httpx.post(f"{server.base_url}/api/orders", json=body, headers={"idempotency-key": f"k-{time.time_ns()}"},
                   timeout=10)
    assert r.status_code == 201, r.text
    placed: dict[str, Any] = r.json()
    if paid:
        ref = placed["payment"]["url"].rsplit("/", 1)[1]
        assert httpx.post(f"{server.base_url}/api/pay/sandbox/{ref}", json={"outcome": "succeeded"},
                          timeout=10).status_code == 200
    return placed


def confirm(page: Page, *words: str) -> None:
    """The in-page confirmation names what it does; press its confirm button."""
    for word in words:
        expect(page.get_by_test_id("confirm-text")).to_contain_text(word)
    page.get_by_test_id("confirm-ok").click()


def read_csv(path: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"), newline="")))


def rows(page: Page) -> list[str]:
    return [str(row.get_attribute("data-id")) for row in page.get_by_test_id("order-row").all()]


def test_a_seller_filters_ships_refunds_and_exports_orders(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    zoe = order(server, demo, "Zoé", paid=True)
    marc = order(server, demo, "Marc", paid=True)
    ines = order(server, demo, "Inès", paid=False)
    late = order(server, demo, "Late", paid=True)
    page = open_studio(open_page, "#/orders", email=demo["seller_email"], password=demo["password"], viewport=PHONE)
    expect(page.get_by_test_id("order-row")).to_have_count(4)
    assert rows(page) == [late["id"], ines["id"], marc["id"], zoe["id"]], "newest first"

    page.get_by_test_id("filter-status").select_option("paid")
    expect(page).to_have_url(re.compile(r"#/orders\?status=paid$"))
    expect(page.get_by_test_id("order-row")).to_have_count(3)
    page.reload()
    expect(page.get_by_test_id("filter-status")).to_have_value("paid")
    expect(page.get_by_test_id("order-row")).to_have_count(3)
    assert ines["id"] not in rows(page), "the filter outlives a reload"
    assert_fits(page, "[data-testid=orders-filters]", "[data-testid=orders-export]")
    shot(page, "studio-orders-list", full_page=True)
    expect(page.get_by_test_id("studio-view")).not_to_contain_text("null")

    # ship Zoé's order with a tracking number, after the confirmation that names it and its amount
    page.locator(f"[data-testid=order-row][data-id='{zoe['id']}']").click()
    expect(page.get_by_test_id("order-total")).to_have_text(re.compile(r"189"))
    page.get_by_test_id("order-ship").click()
    expect(page.get_by_test_id("error-tracking_number")).to_be_visible()  # required, as the API says
    page.get_by_test_id("ship-tracking").fill("6A12345678901")
    page.get_by_test_id("ship-carrier").fill("Colissimo")
    page.get_by_test_id("order-ship").click()
    confirm(page, zoe["id"], "189", "6A12345678901")
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.get_by_test_id("order-tracking")).to_have_text("Colissimo · 6A12345678901")
    assert_fits(page, "[data-testid=order-refund]")
    shot(page, "studio-order-shipped", full_page=True)
    expect(page.get_by_test_id("studio-view")).not_to_contain_text("null")
    headers = api_token(server.base_url, demo["seller_email"], demo["password"])
    got = httpx.get(f"{server.base_url}/api/orders/{zoe['id']}", headers=headers, timeout=10).json()
    assert got["status"] == "shipped" and got["tracking"] == {"number": "6A12345678901", "carrier": "Colissimo"}
    buyer = open_page(zoe["url"].replace(server.base_url, ""), viewport=PHONE)  # the buyer's own order page
    expect(buyer.get_by_test_id("order-tracking")).to_have_text("Tracking number: 6A12345678901 (Colissimo)")

    # back to the filtered list, refund Marc's
    page.get_by_test_id("orders-back").click()
    expect(page).to_have_url(re.compile(r"#/orders\?status=paid$"))
    page.locator(f"[data-testid=order-row][data-id='{marc['id']}']").click()
    page.get_by_test_id("order-refund").click()
    expect(page.get_by_test_id("confirm-text")).to_contain_text("Marc")
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Paid")  # cancelled: nothing happened
    page.get_by_test_id("order-refund").click()
    confirm(page, marc["id"], "189", "Marc")
    expect(page.get_by_test_id("order-status")).to_have_text("Refunded")
    expect(page.get_by_test_id("order-refund")).to_have_count(0)

    # a move the order can no longer make (refunded meanwhile, elsewhere): the API's refusal is said
    page.goto(f"/studio#/orders/{late['id']}")
    expect(page.get_by_test_id("order-refund")).to_be_visible()
    assert httpx.post(f"{server.base_url}/api/orders/{late['id']}/refund", headers=headers,
                      timeout=10).status_code == 200
    page.get_by_test_id("order-refund").click()
    confirm(page, late["id"])
    expect(page.get_by_test_id("order-error")).to_contain_text("cannot make that move")

    # the CSV of every order, then of the refunded ones only
    page.goto("/studio#/orders")
    expect(page.get_by_test_id("order-row")).to_have_count(4)
    with page.expect_download() as download:
        page.get_by_test_id("orders-export").click()
    assert re.fullmatch(r"orders-\d{4}-\d{2}-\d{2}\.csv", download.value.suggested_filename)
    table = read_csv(download.value.path())
    assert [row["order_id"] for row in table] == [late["id"], ines["id"], marc["id"], zoe["id"]]
    shipped = next(row for row in table if row["order_id"] == zoe["id"])
    assert (shipped["status"], shipped["total"], shipped["currency"], shipped["tracking_number"]) == (
        "shipped", "189.00", "EUR", "6A12345678901")
    assert shipped["buyer_name"] == "Zoé"
    page.get_by_test_id("filter-status").select_option("refunded")
    expect(page.get_by_test_id("order-row")).to_have_count(2)
    with page.expect_download() as download:
        page.get_by_test_id("orders-export").click()
    table = read_csv(download.value.path())
    assert {row["order_id"] for row in table} == {late["id"], marc["id"]}, "the export keeps the filters"


def test_a_seller_makes_a_voucher_sees_its_use_and_stocks_a_store(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    page = open_studio(open_page, "#/vouchers", email=demo["seller_email"], password=demo["password"],
                       viewport=PHONE, locale="fr-FR")
    expect(page.get_by_role("heading", name="Codes promo", exact=True)).to_be_visible()
    page.get_by_test_id("voucher-code").fill("ete15")
    page.get_by_test_id("voucher-value").fill("150")
    page.get_by_test_id("voucher-create").click()
    expect(page.get_by_test_id("error-value")).to_be_visible()  # a percentage is 1 to 100
    page.get_by_test_id("voucher-value").fill("15")
    page.get_by_test_id("voucher-max-per-buyer").fill("1")
    page.get_by_test_id("voucher-create").click()
    row = page.locator("[data-testid=voucher-row][data-code=ETE15]")
    expect(row.get_by_test_id("voucher-used")).to_have_text(re.compile(r"^utilisé 0 fois"))
    expect(row).to_contain_text("15 % de remise")
    page.get_by_test_id("voucher-code").fill("ETE15")
    page.get_by_test_id("voucher-value").fill("5")
    page.get_by_test_id("voucher-create").click()
    expect(page.get_by_test_id("error-code")).to_have_text("Ce code est déjà pris : choisissez-en un autre.")
    assert_fits(page, "[data-testid=voucher-form]", "[data-testid=vouchers-list]")
    shot(page, "studio-vouchers-fr", full_page=True)

    used = order(server, demo, "Zoé", paid=True, voucher="ete15")
    assert used["discount"]["amount"] == 2835
    page.reload()
    row = page.locator("[data-testid=voucher-row][data-code=ETE15]")
    expect(row.get_by_test_id("voucher-used")).to_have_text(re.compile(r"^utilisé 1 fois"))
    row.get_by_test_id("voucher-uses-open").click()
    expect(row.get_by_test_id("voucher-use")).to_have_count(1)
    expect(row.get_by_test_id("voucher-use")).to_contain_text(used["id"])
    expect(row.get_by_test_id("voucher-use")).to_contain_text("28,35")
    row.get_by_test_id("voucher-use").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Payée")

    # a store: created, an item added, then taken off
    page.get_by_test_id("nav-stores").click()
    page.get_by_test_id("store-name").fill("Lyon pop-up")
    page.get_by_test_id("store-address").fill("1 place Bellecour, 69002 Lyon")
    page.get_by_test_id("store-create").click()
    expect(page.get_by_role("heading", name="Lyon pop-up")).to_be_visible()
    store_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("items-empty")).to_be_visible()
    expect(page.get_by_test_id("screen-url")).to_have_value(f"{server.base_url}/stores/{store_id}/screen")
    expect(page.get_by_test_id("store-labels")).to_have_attribute("href", f"/stores/{store_id}/labels")
    expect(page.get_by_test_id("store-stats")).to_have_attribute("href", f"/stores/{store_id}/stats")
    product = coat(server, demo)
    page.get_by_test_id("item-product").select_option(f"{product['id']}:{product['variants'][1]['id']}")
    page.get_by_test_id("item-add").click()
    expect(page.get_by_test_id("item-row")).to_have_count(1)
    expect(page.get_by_test_id("item-row")).to_contain_text("Oversized wool coat")
    assert_fits(page, "[data-testid=item-row]", "[data-testid=screen-url]")
    shot(page, "studio-store-fr", full_page=True)
    store = httpx.get(f"{server.base_url}/api/stores/{store_id}", timeout=10).json()
    size_m = product["variants"][1]["id"]
    assert [(i["product_id"], i["variant_id"]) for i in store["items"]] == [(product["id"], size_m)]
    page.get_by_test_id("item-revoke").click()
    confirm(page, "Oversized wool coat", "Lyon pop-up")
    expect(page.get_by_test_id("items-empty")).to_be_visible()
    assert httpx.get(f"{server.base_url}/api/stores/{store_id}", timeout=10).json()["items"] == []
    page.get_by_text("← Toutes les boutiques").click()
    expect(page.locator(f"[data-testid=store-row][data-id='{store_id}']")).to_contain_text("0 article en vente")
