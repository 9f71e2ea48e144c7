"""Payment providers. A provider hands out a hosted checkout URL for an order and tells us the
outcome by a signed webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64 HMAC-SHA256>`). The built-in `sandbox` provider is a hosted test page
that succeeds or fails; a Stripe-style adapter implements the same Protocol.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import orjson
from standardwebhooks.webhooks import Webhook

from server.errors import DomainError

Outcome = Literal["succeeded", "failed", "refunded"]


@dataclass(frozen=True, slots=True)
class Checkout:
    url: str
    ref: str


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """What a verified webhook says: the delivery's id (for replays), the payment it is about, the outcome."""

    id: str
    ref: str
    outcome: Outcome
    amount: int | None = None
    currency: str | None = None


class WebhookRefused(DomainError):
    status = 400
    code = "bad_signature"


class PaymentProvider(Protocol):
    name: str

    def checkout(self, *, order_id: str, amount: int, currency: str, return_url: str) -> Checkout:
        """Where the buyer pays. Called before the order is stored, so it must not need the order row."""
        ...

    def verify(self, *, headers: dict[str, str], body: bytes) -> PaymentEvent:
        """The event, from a delivery whose signature and timestamp check out; WebhookRefused otherwise."""
        ...

    async def refund(self, *, ref: str, amount: int, currency: str) -> None: ...


def webhook_secret(secret_key: str) -> str:
    """The sandbox's signing secret, derived from SECRET_KEY, in the whsec_ form Standard Webhooks uses."""
    raw = hmac.new(secret_key.encode(), b"vitrine.sandbox.webhooks", hashlib.sha256).digest()
    return "whsec_" + base64.b64encode(raw).decode()


class SandboxProvider:
    """A test provider served by Vitrine itself at /pay/sandbox/{ref}."""

    name = "sandbox"

    def __init__(self, *, base_url: str, secret: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.webhook = Webhook(secret)

    def checkout(self, *, order_id: str, amount: int, currency: str, return_url: str) -> Checkout:
        ref = "sbx_" + secrets.token_urlsafe(12)
        return Checkout(url=f"{self.base_url}/pay/sandbox/{ref}", ref=ref)

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
