"""The studio's products and hosts pages in Chromium, as a seller uses them on a phone: a product created with
two sizes, a size guide and a photo uploaded from the phone; its price changed; a size restocked, also when it
sold meanwhile; refusals shown by their field; a host allowed by email, then revoked."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.browser import PHONE, OpenPage, assert_fits
from tests.support.processes import ServerProcess
from tests.support.studio import api_token, demo_with, open_studio, photo_png

Demo = tuple[ServerProcess, dict[str, str]]
MAX_BYTES = 3 * 1024 * 1024  # the server's MEDIA_MAX_BYTES here: a phone's photo is larger


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[Demo]:
    """The demo server, its uploads in the test's own folder."""
    with demo_with(tmp_path, MEDIA_DIR=str(tmp_path / "media"), MEDIA_MAX_BYTES=str(MAX_BYTES)) as (server, demo):
        yield server, {**demo, "media_dir": str(tmp_path / "media")}


def phone_photo() -> bytes:
    """A 12-megapixel JPEG of some 5 MB, as a phone takes it (noise does not compress)."""
    grain = [Image.effect_noise((3000, 2000), 60) for _ in range(3)]
    out = io.BytesIO()
    Image.merge("RGB", grain).save(out, "JPEG", quality=92)
    assert len(out.getvalue()) > MAX_BYTES
    return out.getvalue()


def fill_variant(page: Page, row: int, label: str, sku: str, stock: int) -> None:
    line = page.get_by_test_id("variant-row").nth(row)
    line.get_by_test_id("variant-label").fill(label)
    line.get_by_test_id("variant-sku").fill(sku)
    line.get_by_test_id("variant-stock").fill(str(stock))


def product_by_title(base_url: str, title: str) -> dict[str, Any]:
    items = httpx.get(f"{base_url}/api/products", timeout=10).json()["items"]
    return next(p for p in items if p["title"] == title)


def restock_form(page: Page, sku: str) -> Any:
    return page.locator(f'[data-testid="restock"][data-sku="{sku}"]')


def test_a_seller_creates_edits_and_restocks_a_product_on_a_phone(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    page = open_studio(open_page, "#/products", email=demo["seller_email"], password=demo["password"],
                       viewport=PHONE)
    expect(page.get_by_test_id("product-row").first).to_be_visible()  # the demo's products
    assert_fits(page, ".s-main", '[data-testid="product-row"]')
    page.get_by_test_id("product-new").click()

    page.get_by_test_id("product-title").fill("Linen wrap dress")
    page.get_by_test_id("product-brand").fill("Maison Lune")
    page.get_by_test_id("product-price").fill("59.90")
    page.get_by_test_id("photo-files").set_input_files(
        files=[{"name": "dress.png", "mimeType": "image/png", "buffer": photo_png()}])
    expect(page.get_by_test_id("product-photo")).to_have_count(1)
    photo = page.get_by_test_id("product-photo").locator("img")
    expect(photo).to_have_attribute("src", re.compile(r"^/media/[0-9a-f]{32}\.jpg$"))
    page.wait_for_function("""() => {  // served, and the Content-Security-Policy lets the page show it
      const img = document.querySelector('[data-testid="product-photo"] img');
      return img && img.complete && img.naturalWidth === 640;
    }""")

    fill_variant(page, 0, "S", "DRESS-S", 3)
    page.get_by_test_id("variant-add").click()
    fill_variant(page, 1, "M", "DRESS-S", 4)
    page.get_by_test_id("guide-add-row").click()
    page.get_by_test_id("guide-col").first.fill("chest")
    page.get_by_test_id("guide-label").first.fill("S")
    page.get_by_test_id("guide-cell").first.fill("86")

    # an empty label is refused by the page, by its field; a SKU given twice by the API, by its field
    page.get_by_test_id("variant-row").nth(1).get_by_test_id("variant-label").fill("")
    page.get_by_test_id("product-save").click()
    expect(page.get_by_test_id("error-variants.1.label")).to_be_visible()
    page.get_by_test_id("variant-row").nth(1).get_by_test_id("variant-label").fill("M")
    page.get_by_test_id("product-save").click()
    expect(page.get_by_test_id("error-variants.1.sku")).to_have_text("Another size has this SKU.")
    page.get_by_test_id("variant-row").nth(1).get_by_test_id("variant-sku").fill("DRESS-M")
    assert_fits(page, ".s-main", '[data-testid="variants"]', '[data-testid="product-save"]')
    page.get_by_test_id("product-save").click()

    expect(page.get_by_test_id("stock-panel")).to_be_visible()  # the product's own page, with its stock
    product = product_by_title(server.base_url, "Linen wrap dress")
    assert page.url.endswith(f"#/products/{product['id']}")
    assert product["price"] == {"amount": 5990, "currency": "EUR"} and product["brand"] == "Maison Lune"
    assert [(v["label"], v["sku"], v["available"]) for v in product["variants"]] == [("S", "DRESS-S", 3),
                                                                                      ("M", "DRESS-M", 4)]
    assert product["size_guide"] == {"unit": "cm", "sizes": [{"label": "S", "measurements": {"chest": 86.0}}]}
    [url] = product["images"]
    assert url.startswith("/media/")
    image = httpx.get(f"{server.base_url}{url}", timeout=10)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert [p.name for p in Path(demo["media_dir"]).iterdir()] == [url.rsplit("/", 1)[1]]

    # the price changes
    page.get_by_test_id("product-price").fill("49")
    page.get_by_test_id("product-save").click()
    expect(page.get_by_test_id("product-price")).to_have_value("49.00")
    assert product_by_title(server.base_url, "Linen wrap dress")["price"]["amount"] == 4900

    # a restock
    small = restock_form(page, "DRESS-S")
    small.get_by_test_id("restock-stock").fill("10")
    small.get_by_test_id("restock-save").click()
    expect(small.get_by_test_id("variant-available")).to_have_text("10 on sale")

    # two pieces of M sell (here: the stock set elsewhere) while the seller types: told by the field
    medium_id = product["variants"][1]["id"]
    r = httpx.put(f"{server.base_url}/api/products/{product['id']}/variants/{medium_id}/stock", json={"stock": 2},
                  headers=api_token(server.base_url, demo["seller_email"], demo["password"]), timeout=10)
    assert r.status_code == 200, r.text
    medium = restock_form(page, "DRESS-M")
    medium.get_by_test_id("restock-stock").fill("12")
    medium.get_by_test_id("restock-save").click()
    expect(medium.get_by_test_id("error-stock")).to_contain_text("It is 2 now")
    expect(medium.get_by_test_id("variant-available")).to_have_text("2 on sale")
    medium.get_by_test_id("restock-save").click()  # the seller checked: 12 it is
    expect(medium.get_by_test_id("variant-available")).to_have_text("12 on sale")
    product = product_by_title(server.base_url, "Linen wrap dress")
    assert [v["available"] for v in product["variants"]] == [10, 12]

    # a size more, its SKU first taken
    page.get_by_test_id("size-add-label").fill("L")
    page.get_by_test_id("size-add-sku").fill("DRESS-M")
    page.get_by_test_id("size-add-stock").fill("5")
    page.get_by_test_id("size-add").click()
    expect(page.get_by_test_id("size-add-form").get_by_test_id("error-sku")).to_have_text("Another size has this SKU.")
    page.get_by_test_id("size-add-sku").fill("DRESS-L")
    page.get_by_test_id("size-add").click()
    expect(restock_form(page, "DRESS-L").get_by_test_id("variant-available")).to_have_text("5 on sale")
    product = product_by_title(server.base_url, "Linen wrap dress")
    assert [(v["label"], v["available"]) for v in product["variants"]] == [("S", 10), ("M", 12), ("L", 5)]
    assert_fits(page, ".s-main", '[data-testid="stock-panel"]', '[data-testid="size-add"]')

    # the list shows it, with its photo and its price
    page.get_by_test_id("products-back").click()
    row = page.locator(f'[data-testid="product-row"][data-id="{product["id"]}"]')
    expect(row.get_by_test_id("product-price")).to_have_text("€49.00")
    expect(row.locator("img")).to_have_attribute("src", url)
    expect(row.get_by_test_id("product-status")).to_have_text("On sale")
    expect(row.get_by_test_id("product-stock")).to_have_text("S · 10M · 12L · 5")


def test_a_large_phone_photo_is_scaled_down_before_it_is_sent(open_page: OpenPage, demo_server: Demo) -> None:
    _, demo = demo_server
    page = open_studio(open_page, "#/products/new", email=demo["seller_email"], password=demo["password"])
    page.get_by_test_id("photo-camera").set_input_files(
        files=[{"name": "IMG_0042.JPG", "mimeType": "image/jpeg", "buffer": phone_photo()}])
    expect(page.get_by_test_id("product-photo")).to_have_count(1)
    expect(page.get_by_test_id("upload-error")).to_be_hidden()
    [stored] = list(Path(demo["media_dir"]).iterdir())
    assert Image.open(stored).size == (2048, 1365)


def test_an_upload_that_is_not_an_image_is_said_and_nothing_is_kept(open_page: OpenPage,
                                                                    demo_server: Demo) -> None:
    _, demo = demo_server
    page = open_studio(open_page, "#/products/new", email=demo["seller_email"], password=demo["password"])
    page.get_by_test_id("photo-camera").set_input_files(
        files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo at all\n" * 20}])
    expect(page.get_by_test_id("upload-error")).to_contain_text("notes.jpg")
    expect(page.get_by_test_id("product-photo")).to_have_count(0)
    assert not Path(demo["media_dir"]).exists() or not list(Path(demo["media_dir"]).iterdir())
    assert page.get_by_test_id("photo-camera").get_attribute("capture") == "environment"
    assert page.get_by_test_id("photo-camera").get_attribute("accept") == "image/*"


def test_a_seller_allows_a_host_by_email_and_revokes_it_in_french(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    page = open_studio(open_page, "#/hosts", email=demo["seller_email"], password=demo["password"], locale="fr-FR",
                       viewport=PHONE)
    demo_host = page.locator(f'[data-testid="host-row"][data-email="{demo["host_email"]}"]')
    expect(demo_host).to_be_visible()  # the demo lets its host sell
    expect(page.get_by_test_id("studio-view").locator("h1")).to_have_text("Animateurs qui vendent mes produits")
    assert_fits(page, ".s-main", '[data-testid="host-grant"]', '[data-testid="host-revoke"]')

    demo_host.get_by_test_id("host-revoke").click()
    expect(page.get_by_test_id("confirm-text")).to_contain_text(demo["host_email"])
    page.get_by_test_id("confirm-cancel").click()
    expect(demo_host).to_be_visible()
    demo_host.get_by_test_id("host-revoke").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("hosts-empty")).to_be_visible()
    seller = api_token(server.base_url, demo["seller_email"], demo["password"])
    assert httpx.get(f"{server.base_url}/api/sellers/me/hosts", headers=seller, timeout=10).json()["hosts"] == []

    page.get_by_test_id("host-email").fill("personne@example.com")
    page.get_by_test_id("host-grant").click()
    expect(page.get_by_test_id("error-email")).to_have_text("Aucun compte animateur n'a cet e-mail.")
    page.get_by_test_id("host-email").fill(demo["host_email"].upper())
    page.get_by_test_id("host-grant").click()
    expect(demo_host).to_be_visible()
    expect(page.get_by_test_id("error-email")).to_have_count(0)
    hosts = httpx.get(f"{server.base_url}/api/sellers/me/hosts", headers=seller, timeout=10).json()["hosts"]
    assert [h["email"] for h in hosts] == [demo["host_email"]]
