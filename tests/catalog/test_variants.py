"""A product's sizes: one added after the product was made, at the end; a SKU unique within the product, a
refusal naming the field that repeats it."""

from __future__ import annotations

from tests.support.api import Api


def test_a_seller_adds_a_size_to_a_product(api: Api) -> None:
    seller = api.user("seller")
    product = api.product(seller, sizes=("S", "M"))
    url = f"/api/products/{product['id']}/variants"
    r = api.client.post(url, json={"sku": "SKU-L", "label": "L", "stock": 7}, headers=seller["headers"])
    assert r.status_code == 201, r.text
    assert [(v["label"], v["available"]) for v in r.json()["variants"]] == [("S", 10), ("M", 10), ("L", 7)]
    assert api.client.get(f"/api/products/{product['id']}").json()["variants"][2]["sku"] == "SKU-L"

    r = api.client.post(url, json={"sku": "SKU-M", "label": "M again", "stock": 1}, headers=seller["headers"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "duplicate_sku"
    assert r.json()["error"]["details"][0]["field"] == "sku"
    r = api.client.post(url, json={"sku": "SKU-XL", "label": "", "stock": 1}, headers=seller["headers"])
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "label"
    other = api.user("seller")
    r = api.client.post(url, json={"sku": "SKU-XL", "label": "XL", "stock": 1}, headers=other["headers"])
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_product_seller"
    r = api.client.post("/api/products/prd_missing/variants", json={"sku": "X", "label": "X", "stock": 1},
                        headers=seller["headers"])
    assert r.status_code == 404


def test_a_product_has_at_most_fifty_sizes(api: Api) -> None:
    seller = api.user("seller")
    product = api.product(seller, sizes=tuple(f"S{i}" for i in range(50)))
    r = api.client.post(f"/api/products/{product['id']}/variants", json={"sku": "ONE-MORE", "label": "+", "stock": 1},
                        headers=seller["headers"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_many_variants"


def test_a_duplicate_sku_is_told_by_its_field(api: Api) -> None:
    body = {"title": "Shirt", "price": {"amount": 4900, "currency": "EUR"},
            "variants": [{"sku": "A-1", "label": "S", "stock": 1}, {"sku": "A-1", "label": "M", "stock": 1}]}
    r = api.client.post("/api/products", json=body, headers=api.user("seller")["headers"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "duplicate_sku"
    assert r.json()["error"]["details"][0]["field"] == "variants.1.sku"
