"""Flash deals, the show's half: the host starts a deal on the pinned product with a price, a quantity cap
and a duration; every viewer sees the countdown. It ends when its time or its pieces run out, when the
host ends it, or when its product is unpinned (pinning another one included). The order's half (the price
and the cap, taken in the order's transaction) is commerce/offers.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.errors import Conflict, InvalidInput, NotFound
from server.infra.db import Database
from server.infra.ids import new_id, utcnow
from server.infra.sql import fetch
from server.live.interactions.deals.events import DealEnded, DealStarted
from server.live.shows import driven
from server.models import Product
from server.models.commerce import Deal, DealIn, deal_public
from server.realtime.publisher import Publisher


class Deals:
    def __init__(self, *, db: Database, publisher: Publisher) -> None:
        self.db = db
        self.publisher = publisher

    async def start(self, *, principal: Principal, show_id: str, data: DealIn) -> dict[str, Any]:
        async with self.db.session() as session:
            show = await driven(session, principal, show_id, lock=True)  # one deal at a time
            if show.status != "live":
                raise Conflict("the show is not live", code="show_not_live")
            if show.pinned_product_id != data.product_id:
                raise InvalidInput("a deal runs on the pinned product: pin it first", code="product_not_pinned")
            product = await session.get(Product, data.product_id)
            assert product is not None  # pinned products exist
            if data.price.currency != product.currency:
                raise InvalidInput(f"the deal price must be in {product.currency}", code="currency_mismatch")
            if data.price.amount >= product.price_amount:
                raise InvalidInput("a deal price is below the product's price", code="deal_not_cheaper")
            if await self.active(session, show_id=show_id) is not None:
                raise Conflict("a deal is already running in this show: end it first", code="deal_running")
            now = utcnow()
            deal = Deal(id=new_id("dea"), show_id=show_id, product_id=product.id, price_amount=data.price.amount,
                        currency=product.currency, quantity=data.quantity, starts_at=now,
                        ends_at=now + timedelta(seconds=data.duration_s))
            session.add(deal)
            await session.commit()
        public = deal_public(deal)
        await self.publisher.publish(show_id, DealStarted(deal=public))
        return public

    async def stop(self, *, principal: Principal, show_id: str, deal_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            deal = await fetch(session, Deal, deal_id)
            if deal is None or deal.show_id != show_id:
                raise NotFound(f"no deal {deal_id} in this show", code="deal_not_found")
        await self.announce_end(deal_id=deal_id, reason="host")
        async with self.db.session() as session:
            ended = await session.get(Deal, deal_id)
            assert ended is not None
            return deal_public(ended)

    @staticmethod
    async def active(session: AsyncSession, *, show_id: str) -> Deal | None:
        return (await session.exec(
            select(Deal).where(Deal.show_id == show_id, col(Deal.ended_at).is_(None), col(Deal.ends_at) > utcnow())
        )).first()

    async def announce_end(self, *, deal_id: str, reason: str) -> None:
        """End the deal once (whichever node gets there first) and tell every viewer."""
        await self._end(col(Deal.id) == deal_id, reason=reason)

    async def product_unpinned(self, *, show_id: str, product_id: str) -> None:
        """The host unpinned the product, or pinned another: its running deal ends (viewers no longer see it,
        and the next product may have a deal of its own)."""
        await self._end(col(Deal.show_id) == show_id, col(Deal.product_id) == product_id, reason="unpinned")

    async def _end(self, *where: sa.ColumnElement[bool], reason: str) -> None:
        async with self.db.session() as session:
            ended = (await session.exec(
                sa.update(Deal).where(*where, col(Deal.ended_at).is_(None))
                .values(ended_at=utcnow(), end_reason=reason)
                .returning(col(Deal.id), col(Deal.show_id), col(Deal.product_id), col(Deal.sold))
            )).all()
            await session.commit()
        for deal_id, show_id, product_id, sold in ended:
            await self.publisher.publish(show_id, DealEnded(id=deal_id, product_id=product_id, reason=reason,
                                                        sold=int(sold)))

    async def sold_out(self, deal_id: str) -> None:
        """The till took the deal's last piece (commerce calls this back, knowing nothing of shows)."""
        await self.announce_end(deal_id=deal_id, reason="sold_out")

    async def expire_due(self) -> int:
        async with self.db.session() as session:
            due = (await session.exec(
                select(Deal.id).where(col(Deal.ended_at).is_(None), col(Deal.ends_at) <= utcnow()).limit(100)
            )).all()
        for deal_id in due:
            await self.announce_end(deal_id=deal_id, reason="time")
        return len(due)
