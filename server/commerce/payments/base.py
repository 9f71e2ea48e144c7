"""The payment provider's contract. A provider hands out a hosted checkout URL for an order and tells us the
outcome by a signed webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64 HMAC-SHA256>`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

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
