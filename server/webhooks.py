"""Payment webhooks: verify the signature and its time, apply each delivery once."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from server.db import Database
from server.models.commerce import WebhookReceipt
from server.orders import Orders
from server.payments import PaymentProvider


class PaymentWebhooks:
    def __init__(self, *, db: Database, orders: Orders, provider: PaymentProvider) -> None:
        self.db = db
        self.orders = orders
        self.provider = provider

    async def receive(self, *, headers: dict[str, str], body: bytes) -> dict[str, str | None]:
        """Refuses a bad signature or a stale timestamp before anything changes; a delivery whose id was
        applied already is acknowledged and changes nothing (providers retry until they get a 2xx)."""
        event = self.provider.verify(headers=headers, body=body)
        async with self.db.session() as session:
            if await session.get(WebhookReceipt, event.id) is not None:
                return {"status": "duplicate", "order_id": None}
        if event.outcome == "succeeded":
            order_id = await self.orders.paid(payment_ref=event.ref)
        elif event.outcome == "failed":
            order_id = await self.orders.payment_failed(payment_ref=event.ref)
        else:
            order_id = await self.orders.refunded(payment_ref=event.ref)
        async with self.db.session() as session:
            session.add(WebhookReceipt(id=event.id, provider=self.provider.name))
            try:
                await session.commit()
            except IntegrityError:
                return {"status": "duplicate", "order_id": order_id}
        return {"status": "applied" if order_id else "unknown_payment", "order_id": order_id}
