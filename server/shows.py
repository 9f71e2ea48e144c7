"""Live shows: create, start, end, pin and unpin, the timeline, and the snapshot a joining viewer gets."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import metrics
from server.auth import Principal
from server.bus import Bus
from server.catalog import Catalog
from server.db import Database
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.events import Event, ProductPinned, ProductUnpinned, ShowEnded, ShowStarted
from server.ids import iso, new_id, utcnow
from server.models import ChatMessage, Product, Show, ShowIn, ShowProduct, TimelineEntry, User, chat_public
from server.models.commerce import Deal, Order, SellerHost, deal_public
from server.sql import fetch, plausible_id


class Shows:
    def __init__(self, *, db: Database, bus: Bus, chat_history: int = 50) -> None:
        self.db = db
        self.bus = bus
        self.chat_history = chat_history

    async def publish(self, show_id: str, event: Event) -> int:
        seq = await self.bus.publish(show_id, event)
        metrics.EVENTS_PUBLISHED.labels(event.type).inc()
        return seq

    async def create(self, *, principal: Principal, data: ShowIn) -> dict[str, Any]:
        principal.require("host")
        product_ids = list(dict.fromkeys(data.product_ids))
        async with self.db.session() as session:
            if product_ids:
                found = set((await session.exec(select(Product.id).where(col(Product.id).in_(product_ids)))).all())
                missing = [p for p in product_ids if p not in found]
                if missing:
                    raise InvalidInput(f"unknown products: {', '.join(missing)}", code="unknown_product")
                await self._require_sellable(session, principal, product_ids)
            show = Show(id=new_id("shw"), title=data.title, host_id=principal.id, stream_url=data.stream_url,
                        scheduled_at=data.scheduled_at, buyer_limit=data.buyer_limit)
            session.add(show)
            await session.flush()
            session.add_all(ShowProduct(show_id=show.id, product_id=p, position=i) for i, p in enumerate(product_ids))
            await session.commit()
            return await self._public(session, show)

    @staticmethod
    async def _require_sellable(session: AsyncSession, principal: Principal, product_ids: list[str]) -> None:
        """A host sells only the products of sellers who let it (an admin sells anything)."""
        if principal.admin:
            return
        sellers = (await session.exec(
            select(Product.id, Product.seller_id).where(col(Product.id).in_(product_ids)))).all()
        granted = set((await session.exec(
            select(SellerHost.seller_id).where(SellerHost.host_id == principal.id))).all())
        refused = [pid for pid, seller in sellers if seller not in granted and seller != principal.id]
        if refused:
            raise Forbidden(f"the sellers of {', '.join(refused)} have not let you sell their products",
                            code="product_not_sellable")

    async def carrying(self, product_ids: list[str]) -> dict[str, list[str]]:
        """Live shows that carry each product: where its stock levels are announced."""
        async with self.db.session() as session:
            rows = (await session.exec(
                select(ShowProduct.product_id, ShowProduct.show_id).join(Show, col(Show.id) == ShowProduct.show_id)
                .where(col(ShowProduct.product_id).in_(product_ids), Show.status == "live")
            )).all()
        shows: dict[str, list[str]] = {}
        for product_id, show_id in rows:
            shows.setdefault(product_id, []).append(show_id)
        return shows

    async def get(self, *, show_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            return await self._public(session, await self._show(session, show_id))

    async def exists(self, *, show_id: str) -> bool:
        if not plausible_id(show_id):
            return False
        async with self.db.session() as session:
            return (await session.exec(select(Show.id).where(Show.id == show_id))).first() is not None

    async def snapshot(self, show_id: str) -> dict[str, Any]:
        """The show, the stock of each variant it carries, and the newest chat messages."""
        async with self.db.session() as session:
            show = await self._show(session, show_id)
            data = await self._public(session, show)
            chat = (await session.exec(
                select(ChatMessage)
                .where(ChatMessage.show_id == show_id, col(ChatMessage.deleted_at).is_(None))
                .order_by(col(ChatMessage.created_at).desc())
                .limit(self.chat_history)
            )).all()
        data["stock"] = {v["id"]: v["available"] for p in data["products"] for v in p["variants"]}
        data["chat"] = [chat_public(m) for m in reversed(chat)]
        return data

    async def start(self, *, principal: Principal, show_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            show = await self.driven(session, principal, show_id, lock=True)
            if show.status == "ended":
                raise Conflict("this show has ended", code="show_ended")
            if show.status == "scheduled":
                show.status, show.started_at = "live", utcnow()
                session.add(TimelineEntry(show_id=show.id, kind="started", actor_id=principal.id))
                await session.commit()
                await self.publish(show.id, ShowStarted(show_id=show.id, started_at=iso(show.started_at)))
            return await self._public(session, show)

    async def end(self, *, principal: Principal, show_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            show = await self.driven(session, principal, show_id, lock=True)
            if show.status != "ended":
                show.status, show.ended_at, show.pinned_product_id = "ended", utcnow(), None
                session.add(TimelineEntry(show_id=show.id, kind="ended", actor_id=principal.id))
                await session.commit()
                await self.publish(show.id, ShowEnded(show_id=show.id, ended_at=iso(show.ended_at)))
            return await self._public(session, show)

    async def pin(self, *, principal: Principal, show_id: str, product_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            show = await self.driven(session, principal, show_id)
            self._require_live(show)
            carried = await session.get(ShowProduct, (show.id, product_id))
            if carried is None:
                raise InvalidInput("this product is not part of the show", code="product_not_in_show")
            product = (await Catalog.load(session, [product_id]))[0]
            show.pinned_product_id = product_id
            session.add(TimelineEntry(show_id=show.id, kind="pinned", product_id=product_id, actor_id=principal.id))
            await session.commit()
        await self.publish(show_id, ProductPinned(product=product))
        return product

    async def unpin(self, *, principal: Principal, show_id: str) -> None:
        async with self.db.session() as session:
            show = await self.driven(session, principal, show_id)
            self._require_live(show)
            previous, show.pinned_product_id = show.pinned_product_id, None
            session.add(TimelineEntry(show_id=show.id, kind="unpinned", product_id=previous, actor_id=principal.id))
            await session.commit()
        await self.publish(show_id, ProductUnpinned(product_id=previous))

    async def sales(self, *, principal: Principal, show_id: str) -> dict[str, Any]:
        """Orders placed in the show that still hold stock, their units and revenue, and conversion."""
        async with self.db.session() as session:
            await self.driven(session, principal, show_id)
            held = col(Order.status).in_(("pending", "paid", "shipped", "delivered"))
            row = (await session.exec(
                select(sa.func.count(), sa.func.coalesce(sa.func.sum(col(Order.quantity)), 0),
                       sa.func.count(sa.distinct(col(Order.buyer_email))))
                .where(Order.show_id == show_id, held)
            )).one()
            revenue = (await session.exec(
                select(Order.currency, sa.func.sum(Order.total_amount))
                .where(Order.show_id == show_id, col(Order.status).in_(("paid", "shipped", "delivered")))
                .group_by(Order.currency)
            )).all()
        viewers, audience = await self.bus.viewers(show_id), await self.bus.audience(show_id)
        orders, units, buyers = (int(x) for x in row)
        audience = max(audience, buyers)  # an estimate: never let it read as more buyers than viewers
        return {"orders": orders, "units": units, "buyers": buyers,
                "revenue": [{"amount": int(total), "currency": currency} for currency, total in revenue],
                "viewers": viewers, "audience": audience,
                "conversion": round(buyers / audience, 4) if audience else None}

    async def timeline(self, *, show_id: str) -> list[dict[str, Any]]:
        async with self.db.session() as session:
            await self._show(session, show_id)
            rows = (await session.exec(
                select(TimelineEntry).where(TimelineEntry.show_id == show_id).order_by(col(TimelineEntry.id))
            )).all()
        return [{"kind": r.kind, "product_id": r.product_id, "at": iso(r.at)} for r in rows]

    async def may_drive(self, *, principal: Principal, show_id: str) -> bool:
        async with self.db.session() as session:
            show = await self._show(session, show_id)
        return principal.admin or show.host_id == principal.id

    # --- helpers -----------------------------------------------------------------------------------

    @staticmethod
    async def _show(session: AsyncSession, show_id: str) -> Show:
        show = await fetch(session, Show, show_id)
        if show is None:
            raise NotFound(f"no show {show_id}", code="show_not_found")
        return show

    async def driven(self, session: AsyncSession, principal: Principal, show_id: str, *,
                     lock: bool = False) -> Show:
        """The show, if this principal hosts it. `lock`: first hold the show's row until the session ends
        (a no-op UPDATE: PostgreSQL locks the row, SQLite takes its write lock), so that changes to one show
        that depend on what it holds (its status, its running deal) are made one after the other, each
        reading what the previous one wrote."""
        if lock and plausible_id(show_id):
            await session.exec(sa.update(Show).where(col(Show.id) == show_id).values(status=Show.status))
        show = await self._show(session, show_id)
        if not (principal.admin or show.host_id == principal.id):
            raise Forbidden("only this show's host or an admin may do this", code="not_show_host")
        return show

    @staticmethod
    def _require_live(show: Show) -> None:
        if show.status != "live":
            raise Conflict("the show is not live", code="show_not_live")

    async def _public(self, session: AsyncSession, show: Show) -> dict[str, Any]:
        ids = (await session.exec(
            select(ShowProduct.product_id).where(ShowProduct.show_id == show.id).order_by(col(ShowProduct.position))
        )).all()
        products = await Catalog.load(session, ids)
        host = await session.get(User, show.host_id)
        pinned = next((p for p in products if p["id"] == show.pinned_product_id), None)
        deal = (await session.exec(
            select(Deal).where(Deal.show_id == show.id, col(Deal.ended_at).is_(None), col(Deal.ends_at) > utcnow())
        )).first()
        return {
            "id": show.id,
            "title": show.title,
            "status": show.status,
            "host": {"id": show.host_id, "name": host.name if host else ""},
            "stream_url": show.stream_url,
            "scheduled_at": iso(show.scheduled_at),
            "started_at": iso(show.started_at),
            "ended_at": iso(show.ended_at),
            "pinned": pinned,
            "viewers": await self.bus.viewers(show.id),
            "products": products,
            "buyer_limit": show.buyer_limit,
            "deal": deal_public(deal) if deal else None,
        }
