"""Buying through the API the way the buyer's page does: order bodies, placing with an idempotency key,
paying on the sandbox, signed webhooks, and reading back what is left and what an error was."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from tests.support.api import Api

ADDRESS = {"line1": "12 rue de la Paix", "city": "Paris", "postal_code": "75002", "country": "FR"}


def buyer(n: int = 1) -> dict[str, Any]:
    return {"name": f"Léa {n}", "email": f"lea{n}@example.com", "address": ADDRESS}


def order_body(shop: dict[str, Any], **over: Any) -> dict[str, Any]:
    body = {"product_id": shop["product"]["id"], "variant_id": shop["variant"]["id"], "quantity": 1,
            "show_id": shop["show"]["id"], "buyer": buyer()}
    return {**body, **over}


def place(api: Api, body: dict[str, Any], key: str | None = None) -> Any:
    return api.client.post("/api/orders", json=body, headers={"idempotency-key": key or f"key-{time.time_ns()}"})


def available(api: Api, shop: dict[str, Any], index: int = 0) -> int:
    return int(api.client.get(f"/api/products/{shop['product']['id']}").json()["variants"][index]["available"])


def code(r: Any) -> str:
    return str(r.json()["error"]["code"])


def pay(api: Api, order: dict[str, Any], outcome: str = "succeeded") -> Any:
    ref = order["payment"]["url"].rsplit("/", 1)[1]
    return api.client.post(f"/api/pay/sandbox/{ref}", json={"outcome": outcome})


def webhook(api: Api, order: dict[str, Any], *, outcome: str = "succeeded", at: datetime | None = None,
            tamper: bool = False) -> tuple[dict[str, str], bytes]:
    sandbox = api.services.sandbox
    assert sandbox is not None
    ref = order["payment"]["url"].rsplit("/", 1)[1]
    headers, body = sandbox.signed_delivery(ref=ref, outcome=outcome, amount=order["total"]["amount"],  # type: ignore[arg-type]
                                            currency="EUR", at=at)
    if tamper:
        body = body.replace(b"EUR", b"USD")
    return headers, body
