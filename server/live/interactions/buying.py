"""Buying in the stream: the socket's `buy` frame places an order with the same service as
`POST /api/orders` (the buy path: live/ws.py → here → commerce/orders.py → commerce/till.py), the stock of
every variant in the snapshot, live `stock` and `sale` figures with the hub's tick, and unpaid orders
given back to stock by the sweep."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import ValidationError

from server.commerce.feed import CommerceFeed
from server.commerce.orders import Orders
from server.errors import DomainError
from server.infra.http import validation_details
from server.live.interactions.base import Figures, FrameHandler, Interaction, ShowView
from server.live.session import Refused, Session
from server.models.commerce import OrderIn
from server.realtime.events import reply_frame

BUY_FIELDS = ("product_id", "variant_id", "quantity", "deal_id", "voucher", "buyer")


class Buying(Interaction):
    name = "buying"
    snapshot_keys: ClassVar[tuple[str, ...]] = ("stock",)

    def __init__(self, *, orders: Orders, feed: CommerceFeed) -> None:
        self.orders = orders
        self.feed = feed

    def frames(self) -> Mapping[str, FrameHandler]:
        return {"buy": self.buy}

    async def buy(self, session: Session, frame: dict[str, Any]) -> bytes | None:
        """`key` is the Idempotency-Key; a refusal names the purchase it answers."""
        key = frame.get("key")
        if not isinstance(key, str):
            raise Refused("key (a random string that makes a retry safe) is required",
                          code="idempotency_key_required")
        fields = {k: frame.get(k) for k in BUY_FIELDS if frame.get(k) is not None}
        try:
            if "buyer" not in fields:
                raise Refused("give the buyer's name, email and address", code="buyer_required")
            try:
                data = OrderIn.model_validate({**fields, "show_id": session.show_id})
            except ValidationError as exc:
                raise Refused("some fields are not valid", code="invalid_request",
                              details={"details": validation_details(exc)}) from None
            placed = await self.orders.place(data=data, key=key)
        except DomainError as exc:
            exc.details = {**(exc.details or {}), "key": key}
            raise
        return reply_frame("order.placed", {"order": placed.order, "replayed": placed.replayed, "key": key})

    async def snapshot_part(self, view: ShowView) -> dict[str, Any]:
        return {"stock": {v["id"]: v["available"] for p in view.products for v in p["variants"]}}

    async def tick(self) -> Figures:
        return await self.feed.take()

    async def sweep(self) -> None:
        await self.orders.expire_due()
