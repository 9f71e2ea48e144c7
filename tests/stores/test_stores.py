"""Pop-up stores on both backends: codes read by a real QR reader, the scan link, labels, stats."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.support.api import Api, open_shop
from tests.support.games import end_game, start_game
from tests.support.orders import ADDRESS, code
from tests.support.qrcodes import svg_png

ZBARIMG = shutil.which("zbarimg")


def decode(png: bytes, tmp_path: Path) -> str:
    """A real QR reader: zbar's zbarimg (Debian's zbar-tools; .ci/run installs it)."""
    assert ZBARIMG, "zbarimg is missing: apt-get install zbar-tools"
    image = tmp_path / "code.png"
    image.write_bytes(png)
    out = subprocess.run([ZBARIMG, "--raw", "-q", str(image)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.fixture
def store(api: Api) -> dict[str, Any]:
    seller = api.user("seller")
    coat = api.product(seller, stock=4, sizes=("S", "M"))
    r = api.client.post("/api/stores", json={"name": "Le Marais pop-up", "address": "12 rue des Francs-Bourgeois",
                                             "opens_on": "2026-11-20", "closes_on": "2026-12-24"},
                        headers=seller["headers"])
    assert r.status_code == 201, r.text
    shop = r.json()
    item = api.client.post(f"/api/stores/{shop['id']}/items", json={"product_id": coat["id"]},
                           headers=seller["headers"]).json()
    return {"seller": seller, "product": coat, "store": shop, "item": item}


def test_the_code_decodes_to_the_link_and_the_link_to_the_checkout_page(api: Api, store: dict[str, Any],
                                                                        tmp_path: Path) -> None:
    item = store["item"]
    assert item["qr_url"].startswith(api.services.settings.public_base_url + "/q/")
    assert len(item["qr_url"].rsplit("/", 1)[1]) == 20
    png = api.client.get(f"/api/stores/{store['store']['id']}/items/{item['id']}/qr.png")
    assert png.headers["content-type"] == "image/png"
    link = decode(png.content, tmp_path)
    assert link == item["qr_url"]
    svg = api.client.get(f"/api/stores/{store['store']['id']}/items/{item['id']}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    path = link.removeprefix(api.services.settings.public_base_url)
    landed = api.client.get(path, headers={"user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Mobile"})
    assert landed.status_code == 200 and len(landed.history) == 1, "at most one redirect"
    assert "text/html" in landed.headers["content-type"]
    view = api.client.get(f"/api/q/{path.rsplit('/', 1)[1]}").json()
    assert view["item"]["id"] == item["id"] and view["product"]["id"] == store["product"]["id"]
    assert view["store"]["name"] == "Le Marais pop-up"


@pytest.mark.parametrize("tamper", ["flip-last", "flip-first", "short", "garbage", "upper-other"])
def test_forged_or_altered_links_get_a_404_page(api: Api, store: dict[str, Any], tamper: str) -> None:
    token = store["item"]["qr_url"].rsplit("/", 1)[1]
    forged = {
        "flip-last": token[:-1] + ("0" if token[-1] != "0" else "1"),
        "flip-first": ("0" if token[0] != "0" else "1") + token[1:],
        "short": token[:-3],
        "garbage": "not-a-token-at-all-%00",
        "upper-other": "Z" * 20,
    }[tamper]
    r = api.client.get(f"/q/{forged}", follow_redirects=False)
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert r.headers["x-error-code"] == "qr_not_found"
    r = api.client.get(f"/api/q/{forged}")
    assert r.status_code == 404 and code(r) == "qr_not_found"


def test_a_revoked_item_answers_404(api: Api, store: dict[str, Any]) -> None:
    s, item = store["store"], store["item"]
    assert api.client.delete(f"/api/stores/{s['id']}/items/{item['id']}",
                             headers=store["seller"]["headers"]).status_code == 204
    token = item["qr_url"].rsplit("/", 1)[1]
    r = api.client.get(f"/q/{token}", follow_redirects=False)
    assert r.status_code == 404 and r.headers["x-error-code"] == "qr_revoked"
    assert api.client.get(f"/api/stores/{s['id']}/items/{item['id']}/qr.png").status_code == 404
    assert api.client.get(f"/api/stores/{s['id']}").json()["items"] == []


def test_scans_count_once_per_phone_and_the_order_that_follows(api: Api, store: dict[str, Any]) -> None:
    s, item, product = store["store"], store["item"], store["product"]
    token = item["qr_url"].rsplit("/", 1)[1]
    phone = {"user-agent": "Mozilla/5.0 (Linux; Android 15; Pixel 9) Mobile Safari"}
    for _ in range(3):  # the same phone reloading and rescanning
        assert api.client.get(f"/q/{token}", headers=phone).status_code == 200
    api.client.cookies.clear()  # another phone: no visitor cookie yet
    api.client.get(f"/q/{token}", headers={"user-agent": "Mozilla/5.0 (iPad; CPU OS 18_0)"})
    order = api.client.post("/api/orders", headers={"idempotency-key": "store-order-0001"}, json={
        "product_id": product["id"], "variant_id": product["variants"][1]["id"], "quantity": 1,
        "store_item_id": item["id"], "buyer": {"name": "Inès", "email": "ines@example.com", "address": ADDRESS}})
    assert order.status_code == 201 and order.json()["store_item_id"] == item["id"]
    stats = api.client.get(f"/api/stores/{s['id']}/stats", headers=store["seller"]["headers"]).json()
    assert stats["scans"] == 2 and stats["orders"] == 1 and stats["conversion"] == 0.5
    assert stats["devices"] == {"mobile": 1, "tablet": 1, "desktop": 0, "unknown": 0}
    assert stats["items"][0] == {"id": item["id"], "product_id": product["id"], "scans": 2, "orders": 1,
                                 "conversion": 0.5, "revenue": {"amount": 0, "currency": "EUR"}}
    other_seller = api.user("seller")
    assert api.client.get(f"/api/stores/{s['id']}/stats", headers=other_seller["headers"]).status_code == 403


def test_a_store_order_must_match_its_item(api: Api, store: dict[str, Any]) -> None:
    seller, product = store["seller"], store["product"]
    fixed = api.client.post(f"/api/stores/{store['store']['id']}/items", headers=seller["headers"],
                            json={"product_id": product["id"], "variant_id": product["variants"][0]["id"]}).json()
    body = {"product_id": product["id"], "variant_id": product["variants"][1]["id"], "quantity": 1,
            "store_item_id": fixed["id"], "buyer": {"name": "A", "email": "a@example.com", "address": ADDRESS}}
    r = api.client.post("/api/orders", json=body, headers={"idempotency-key": "store-order-0002"})
    assert r.status_code == 422 and code(r) == "variant_not_found"
    r = api.client.post("/api/orders", json={**body, "store_item_id": "itm_nope"},
                        headers={"idempotency-key": "store-order-0003"})
    assert r.status_code == 422 and code(r) == "store_item_not_found"


def test_only_the_seller_stocks_its_store_with_its_products(api: Api, store: dict[str, Any]) -> None:
    other = api.user("seller")
    foreign = api.product(other)
    r = api.client.post(f"/api/stores/{store['store']['id']}/items", json={"product_id": foreign["id"]},
                        headers=store["seller"]["headers"])
    assert r.status_code == 403 and code(r) == "not_product_seller"
    r = api.client.post(f"/api/stores/{store['store']['id']}/items", json={"product_id": foreign["id"]},
                        headers=other["headers"])
    assert r.status_code == 403 and code(r) == "not_store_seller"
    bad = api.client.post("/api/stores", json={"name": "x", "opens_on": "2026-12-01", "closes_on": "2026-11-01"},
                          headers=other["headers"])
    assert bad.status_code == 422


def test_the_label_sheet_pdf_reads_back(api: Api, store: dict[str, Any]) -> None:
    seller, s = store["seller"], store["store"]
    for _ in range(25):  # more than one A4 page of 21 labels
        api.client.post(f"/api/stores/{s['id']}/items", json={"product_id": store["product"]["id"]},
                        headers=seller["headers"])
    pdf = api.client.get(f"/api/stores/{s['id']}/labels.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 2
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert round(width) == 595 and round(height) == 842, "A4"
    text = reader.pages[0].extract_text()
    assert text.count("Linen shirt") == 21 and "€49.00" in text and "ATELIER" in text


def test_the_label_pdf_wraps_names_says_scan_to_buy_in_the_pages_language_and_its_codes_read(
        api: Api, store: dict[str, Any], tmp_path: Path) -> None:
    """0.8.0's PDF cut names to one line ("Oversized woo…") and said nothing of the code, where the HTML sheet wraps
    names on two lines and says "Scan to buy"."""
    seller, s = store["seller"], store["store"]
    names = ["Oversized wool coat", "Double-faced oversized wool coat with horn buttons and a belt in camel"]
    items = []
    for name in names:
        product = api.client.post("/api/products", json={
            "title": name, "brand": "Maison Lune", "price": {"amount": 18900, "currency": "EUR"},
            "variants": [{"sku": f"C-{len(items)}", "label": "M", "stock": 3}]}, headers=seller["headers"]).json()
        items.append(api.client.post(f"/api/stores/{s['id']}/items", json={
            "product_id": product["id"], "variant_id": product["variants"][0]["id"]},
            headers=seller["headers"]).json())
    pdf = api.client.get(f"/api/stores/{s['id']}/labels.pdf")
    page = PdfReader(io.BytesIO(pdf.content)).pages[0]
    lines = page.extract_text().splitlines()
    text = " ".join(lines)
    assert "Oversized wool coat" in text, lines  # on two lines, whole
    assert "Double-faced oversized…" in text, "past two lines: whole words, then an ellipsis"
    assert text.count("Scan to buy") == 3 and "Size M" in text
    assert "€189.00" in text and "189,00" not in text, "the price as the English label page writes it"
    fr = api.client.get(f"/api/stores/{s['id']}/labels.pdf?lang=fr")
    french = " ".join(PdfReader(io.BytesIO(fr.content)).pages[0].extract_text().splitlines())
    assert french.count("Scannez pour acheter") == 3 and "Taille M" in french and "Scan to buy" not in french
    assert "189,00 €" in french.replace("\u00a0", " ") and "€189.00" not in french
    by_browser = api.client.get(f"/api/stores/{s['id']}/labels.pdf", headers={"accept-language": "fr-CA,fr;q=0.9"})
    assert "Scannez pour acheter" in PdfReader(io.BytesIO(by_browser.content)).pages[0].extract_text()
    bad = api.client.get(f"/api/stores/{s['id']}/labels.pdf?lang=de")
    assert bad.status_code == 422 and code(bad) == "unsupported_language"
    codes = sorted(decode(image.data, tmp_path) for image in page.images)
    assert codes == sorted(i["qr_url"] for i in [store["item"], *items])


def test_the_screen_code_follows_the_pinned_product(api: Api, store: dict[str, Any], tmp_path: Path) -> None:
    s, item, product = store["store"], store["item"], store["product"]
    host = api.user("host")
    show = api.live_show(host, [product["id"]])
    r = api.client.put(f"/api/stores/{s['id']}/show", json={"show_id": show["id"]}, headers=store["seller"]["headers"])
    assert r.json()["show_id"] == show["id"]
    pinned = api.client.get(f"/api/stores/{s['id']}/screen-qr.svg?product_id={product['id']}")
    assert pinned.headers["x-qr-url"] == item["qr_url"]
    other = api.client.get(f"/api/stores/{s['id']}/screen-qr.svg?product_id=prd_elsewhere")
    assert other.headers["x-qr-url"].endswith(f"/watch/{show['id']}")


def test_the_screen_code_opens_a_game_of_the_stores_show_and_refuses_anything_else(
        api: Api, store: dict[str, Any], tmp_path: Path) -> None:
    s, product = store["store"], store["product"]
    host = api.user("host")
    show = api.live_show(host, [product["id"]])
    shop = {"show": show, "host": host}
    screen = f"/api/stores/{s['id']}/screen-qr.svg"
    poll = start_game(api, shop, "polls").json()
    r = api.client.get(f"{screen}?game_id={poll['id']}")
    assert r.status_code == 404 and code(r) == "interaction_not_found", "the store follows no show yet"
    assert api.client.put(f"/api/stores/{s['id']}/show", json={"show_id": show["id"]},
                          headers=store["seller"]["headers"]).status_code == 200
    r = api.client.get(f"{screen}?game_id={poll['id']}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    link = f"{api.services.settings.public_base_url}/watch/{show['id']}#game={poll['id']}"
    assert r.headers["x-qr-url"] == link
    assert decode(svg_png(r.content), tmp_path) == link, "a real reader reads the game's link in the SVG"
    assert end_game(api, shop, "polls", poll["id"]).status_code == 200
    assert api.client.get(f"{screen}?game_id={poll['id']}").headers["x-qr-url"] == link, "its result, after the end"
    # another show's game, an unknown one, junk, or two codes at once: a clear refusal, never a 500
    elsewhere = open_shop(api, stock=1, buyer_limit=1)
    foreign = start_game(api, elsewhere, "polls").json()
    for bad, status, why in ((f"game_id={foreign['id']}", 404, "interaction_not_found"),
                             ("game_id=pol_nope", 404, "interaction_not_found"),
                             ("game_id=" + "x" * 33, 422, "invalid_request"),
                             ("game_id=pol%27%3B--", 422, "invalid_request"),
                             ("game_id=pol_%00", 422, "invalid_request"),
                             (f"game_id={poll['id']}&product_id={product['id']}", 422, "invalid_request"),
                             ("product_id=" + "p" * 65, 422, "invalid_request")):
        r = api.client.get(f"{screen}?{bad}")
        assert r.status_code == status and code(r) == why, (bad, r.status_code, r.text)
    assert api.client.get(f"/api/stores/sto_nope/screen-qr.svg?game_id={poll['id']}").status_code == 404
