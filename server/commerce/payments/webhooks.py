"""Payment webhooks: verify the signature and its time, apply each delivery once."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy.exc import IntegrityError

from server.commerce.orders import Orders
from server.commerce.payments.base import PaymentProvider, WebhookRefused
from server.infra.db import Database
from server.models.commerce import WebhookReceipt


class PaymentWebhooks:
    def __init__(self, *, db: Database, orders: Orders, provider: PaymentProvider) -> None:
        self.db = db
        self.orders = orders
        self.provider = provider

    async def receive(self, *, headers: dict[str, str], body: bytes) -> dict[str, str | None]:
        """Refuses a bad signature or a stale timestamp before anything changes; a delivery whose id was
        applied already is acknowledged and changes nothing (providers retry until they get a 2xx)."""
        event = self.provider.verify(headers=headers, body=body)
        if not event.id or not event.id.isprintable():
            raise WebhookRefused("webhook-id must be printable text", code="bad_webhook_body")
        if event.outcome == "succeeded" and not _money(event.amount, event.currency):
            # whatever the provider: a success that does not say how much was paid, in what, pays nothing
            raise WebhookRefused("a payment.succeeded names its amount (minor units) and its currency",
                                 code="bad_webhook_body")
        # Claim the delivery before acting on it: two copies arriving at once apply once.
        receipt = event.id if len(event.id) <= 100 else "sha256:" + hashlib.sha256(event.id.encode()).hexdigest()
        if not await self._claim(receipt):
            return {"status": "duplicate", "order_id": None}
        try:
            if event.outcome == "succeeded":
                assert event.amount is not None and event.currency is not None  # checked above
                order_id, status = await self.orders.paid(payment_ref=event.ref, amount=event.amount,
                                                          currency=event.currency)
            elif event.outcome == "failed":
                order_id, status = await self.orders.payment_failed(payment_ref=event.ref)
            else:
                order_id, status = await self.orders.refunded(payment_ref=event.ref)
        except BaseException:
            await self._release(receipt)  # nothing was applied: a retry of this delivery must be able to
            raise
        return {"status": status, "order_id": order_id}

    async def _claim(self, event_id: str) -> bool:
        async with self.db.session() as session:
            session.add(WebhookReceipt(id=event_id, provider=self.provider.name))
            try:
                await session.commit()
            except IntegrityError:
                return False
        return True

    async def _release(self, event_id: str) -> None:
        async with self.db.session() as session:
            receipt = await session.get(WebhookReceipt, event_id)
            if receipt is not None:
                await session.delete(receipt)
                await session.commit()


def _money(amount: object, currency: object) -> bool:
    return (isinstance(amount, int) and not isinstance(amount, bool) and 0 <= amount <= 10**12
            and isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency) is not None)
