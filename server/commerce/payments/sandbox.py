"""The built-in `sandbox` provider: a test checkout page served by Vitrine itself, which succeeds or fails
when the buyer presses a button and then sends its signed webhook, as a real provider would. It moves no
money."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

import orjson
from standardwebhooks.webhooks import Webhook

from server.commerce.orders import Orders
from server.commerce.payments.base import Checkout, Outcome, PaymentEvent, WebhookRefused
from server.commerce.payments.webhooks import PaymentWebhooks
from server.errors import Conflict
from server.links import Links


def webhook_secret(secret_key: str) -> str:
    """The sandbox's signing secret, derived from SECRET_KEY, in the whsec_ form Standard Webhooks uses."""
    raw = hmac.new(secret_key.encode(), b"vitrine.sandbox.webhooks", hashlib.sha256).digest()
    return "whsec_" + base64.b64encode(raw).decode()


class SandboxProvider:
    """A test provider served by Vitrine itself at /pay/sandbox/{ref}."""

    name = "sandbox"

    def __init__(self, *, links: Links, secret: str) -> None:
        self.links = links
        self.webhook = Webhook(secret)

    def checkout(self, *, order_id: str, amount: int, currency: str, return_url: str) -> Checkout:
        ref = "sbx_" + secrets.token_urlsafe(12)
        return Checkout(url=self.links.payment(self.name, ref), ref=ref)

    def signed_delivery(self, *, ref: str, outcome: Outcome, amount: int, currency: str,
                        at: datetime | None = None) -> tuple[dict[str, str], bytes]:
        """The webhook the sandbox sends when the buyer presses Pay or Fail on its page."""
        at = at or datetime.now(UTC)
        msg_id = "msg_" + secrets.token_urlsafe(12)
        body = orjson.dumps({"type": f"payment.{outcome}", "data": {"ref": ref, "amount": amount,
                                                                    "currency": currency}})
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
                   "webhook-signature": self.webhook.sign(msg_id, at, body.decode())}
        return headers, body

    def verify(self, *, headers: dict[str, str], body: bytes) -> PaymentEvent:
        headers = {k.lower(): v for k, v in headers.items()}
        try:
            payload: Any = self.webhook.verify(body, headers)
        except Exception as exc:  # the library raises its own error, or ValueError on mangled headers
            message = str(exc) or "the signature does not match"
            code = "webhook_too_old" if "too old" in message or "too new" in message else "bad_signature"
            raise WebhookRefused(f"webhook refused: {message}", code=code) from None
        try:
            kind = payload["type"].removeprefix("payment.")
            data = payload["data"]
            if kind not in ("succeeded", "failed", "refunded"):
                raise ValueError(kind)
            return PaymentEvent(id=headers["webhook-id"], ref=str(data["ref"]),
                                outcome=kind, amount=data.get("amount"), currency=data.get("currency"))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise WebhookRefused("the webhook body is not a payment event", code="bad_webhook_body") from None

    async def refund(self, *, ref: str, amount: int, currency: str) -> None:
        return None  # the sandbox holds no money


class SandboxCheckout:
    """The sandbox's checkout page: what it shows, and its Pay and Fail buttons."""

    def __init__(self, *, provider: SandboxProvider, orders: Orders, webhooks: PaymentWebhooks) -> None:
        self.provider = provider
        self.orders = orders
        self.webhooks = webhooks

    async def info(self, *, ref: str) -> dict[str, Any]:
        """The amount, the currency and the order's status, with the order's link."""
        return await self.orders.by_payment_ref(ref=ref, with_url=True)

    async def pay(self, *, ref: str, outcome: Outcome) -> dict[str, Any]:
        """The buyer pressed Pay (succeeded) or Fail (failed): the sandbox sends its signed webhook, which is
        received as any provider's. Returns the order's status after, its link, and what the webhook did."""
        order = await self.orders.by_payment_ref(ref=ref)
        if order["status"] != "pending":
            raise Conflict(f"this payment is no longer pending: the order is {order['status']}",
                           code="payment_not_pending")
        headers, payload = self.provider.signed_delivery(ref=order["payment_ref"], outcome=outcome,
                                                         amount=order["amount"], currency=order["currency"])
        receipt = await self.webhooks.receive(headers=headers, body=payload)
        after = await self.orders.by_payment_ref(ref=ref, with_url=True)
        return {"status": after["status"], "order_id": after["order_id"], "order_url": after["order_url"],
                "webhook": receipt["status"]}
