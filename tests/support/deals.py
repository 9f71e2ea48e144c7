"""Flash deals through the API: the show's product pinned, a deal started on it."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api


def start_deal(api: Api, shop: dict[str, Any], **over: Any) -> Any:
    body = {"product_id": shop["product"]["id"], "price": {"amount": 2900, "currency": "EUR"}, "quantity": 3,
            "duration_s": 60, **over}
    return api.client.post(f"/api/shows/{shop['show']['id']}/deals", json=body, headers=shop["host"]["headers"])


def pin(api: Api, shop: dict[str, Any]) -> None:
    r = api.client.post(f"/api/shows/{shop['show']['id']}/pin", json={"product_id": shop["product"]["id"]},
                        headers=shop["host"]["headers"])
    assert r.status_code == 200
