"""Live shows: create, change while scheduled, list (lineup.py), start, end, the timeline and sales, and the
show's view: its own fields, then each live interaction's part (GET /api/shows/{id}), and for a joining socket
the snapshot's parts too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.catalog.products import Catalog, host_allowed
from server.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from server.infra.db import Database
from server.infra.ids import as_utc, iso, new_id, utcnow
from server.infra.sql import fetch, plausible_id
from server.live import lineup
from server.live.events import ShowEnded, ShowStarted
from server.live.interactions.base import Interaction, ShowView
from server.models import Product, Show, ShowIn, ShowPatch, ShowProduct, TimelineEntry, User
from server.models.commerce import Order, SellerHost
from server.realtime.bus import Bus
from server.realtime.publisher import Publisher


async def find(session: AsyncSession, show_id: str) -> Show:
    show = await fetch(session, Show, show_id)
    if show is None:
        raise NotFound(f"no show {show_id}", code="show_not_found")
    return show


async def driven(session: AsyncSession, principal: Principal, show_id: str, *, lock: bool = False) -> Show:
    """The show, if this principal hosts it. `lock`: first hold the show's row until the session ends
    (a no-op UPDATE: PostgreSQL locks the row, SQLite takes its write lock), so that changes to one show
    that depend on what it holds (its status, its running deal) are made one after the other, each
    reading what the previous one wrote."""
    if lock and plausible_id(show_id):
        await session.exec(sa.update(Show).where(col(Show.id) == show_id).values(status=Show.status))
    show = await find(session, show_id)
    if not (principal.admin or show.host_id == principal.id):
        raise Forbidden("only this show's host or an admin may do this", code="not_show_host")
    return show


def require_live(show: Show) -> None:
    if show.status != "live":
        raise Conflict("the show is not live", code="show_not_live")


async def carrying(db: Database, product_ids: list[str]) -> dict[str, list[str]]:
    """Live shows that carry each product: where its stock levels are announced."""
    async with db.session() as session:
        rows = (await session.exec(
            select(ShowProduct.product_id, ShowProduct.show_id).join(Show, col(Show.id) == ShowProduct.show_id)
            .where(col(ShowProduct.product_id).in_(product_ids), Show.status == "live")
        )).all()
    shows: dict[str, list[str]] = {}
    for product_id, show_id in rows:
        shows.setdefault(product_id, []).append(show_id)
    return shows


def _check_schedule(when: datetime | None) -> None:
    if when is not None and when < utcnow():
        raise InvalidInput("the show's time has passed: schedule it later", code="schedule_in_past",
                           details=[{"field": "scheduled_at", "type": "schedule_in_past",
                                     "message": "this time has passed"}])


async def _check_products(session: AsyncSession, principal: Principal, product_ids: list[str]) -> None:
    """Products that exist, of sellers who let this host sell them (an admin sells anything)."""
    if not product_ids:
        return
    sellers = dict((await session.exec(
        select(Product.id, Product.seller_id).where(col(Product.id).in_(product_ids)))).all())
    missing = [p for p in product_ids if p not in sellers]
    if missing:
        raise InvalidInput(f"unknown products: {', '.join(missing)}", code="unknown_product")
    if principal.admin:
        return
    granted = set((await session.exec(
        select(SellerHost.seller_id).where(SellerHost.host_id == principal.id))).all())
    refused = [pid for pid, seller in sellers.items() if seller not in granted and seller != principal.id]
    if refused:
        raise Forbidden(f"the sellers of {', '.join(refused)} have not let you sell their products",
                        code="product_not_sellable")


class Shows:
    def __init__(self, *, db: Database, bus: Bus, publisher: Publisher, parts: Sequence[Interaction] = (),
                 media_hosts: tuple[str, ...] = ()) -> None:
        self.db = db
        self.bus = bus
        self.publisher = publisher
        self.parts = tuple(parts)
        self.media_hosts = media_hosts  # with some, a stream comes from one of them (the pages' CSP allows no other)

    async def create(self, *, principal: Principal, data: ShowIn) -> dict[str, Any]:
        principal.require("host")
        self._check_stream(data.stream_url)
        _check_schedule(data.scheduled_at)
        product_ids = list(dict.fromkeys(data.product_ids))
        async with self.db.session() as session:
            await _check_products(session, principal, product_ids)
            show = Show(id=new_id("shw"), title=data.title, host_id=principal.id, stream_url=data.stream_url,
                        scheduled_at=data.scheduled_at, buyer_limit=data.buyer_limit)
            session.add(show)
            await session.flush()
            session.add_all(ShowProduct(show_id=show.id, product_id=p, position=i) for i, p in enumerate(product_ids))
            await session.commit()
            return await self.view(session, show)

    async def update(self, *, principal: Principal, show_id: str, data: ShowPatch) -> dict[str, Any]:
        """Change a scheduled show (its host or an admin). Products already in the show stay allowed even if
        their seller has since stopped letting this host sell them (a revoked grant holds for new ones)."""
        changes = data.model_dump(exclude_unset=True)
        async with self.db.session() as session:
            show = await driven(session, principal, show_id, lock=True)
            if show.status != "scheduled":
                raise Conflict(f"only a scheduled show may be changed: this one is {show.status}",
                               code="show_not_scheduled")
            if "stream_url" in changes:
                self._check_stream(data.stream_url)
                show.stream_url = data.stream_url
            if "scheduled_at" in changes:
                kept = show.scheduled_at and as_utc(show.scheduled_at)
                if data.scheduled_at != kept:  # a time already passed may stay while other fields change
                    _check_schedule(data.scheduled_at)
                show.scheduled_at = data.scheduled_at
            if data.title is not None:
                show.title = data.title
            if data.buyer_limit is not None:
                show.buyer_limit = data.buyer_limit
            if data.product_ids is not None:
                product_ids = list(dict.fromkeys(data.product_ids))
                held = set((await session.exec(
                    select(ShowProduct.product_id).where(ShowProduct.show_id == show.id))).all())
                await _check_products(session, principal, [p for p in product_ids if p not in held])
                await session.exec(sa.delete(ShowProduct).where(col(ShowProduct.show_id) == show.id))
                session.add_all(ShowProduct(show_id=show.id, product_id=p, position=i)
                                for i, p in enumerate(product_ids))
            session.add(show)
            await session.commit()
            return await self.view(session, show)

    async def browse(self, *, principal: Principal | None, host: str | None = None,
                     statuses: Sequence[str] = (), limit: int = 20, cursor: str | None = None) -> dict[str, Any]:
        """A page of shows (lineup.py has the order); `host` "me" needs a principal."""
        if host == "me":
            if principal is None:
                raise Unauthorized("host=me needs a signed-in host: send Authorization: Bearer <token>",
                                   code="auth_required")
            host = principal.id
        async with self.db.session() as session:
            return await lineup.page(session, host_id=host, statuses=statuses, limit=limit, cursor=cursor)

    def _check_stream(self, url: str | None) -> None:
        if url and not host_allowed(url, self.media_hosts):
            raise InvalidInput(f"streams come from {', '.join(self.media_hosts)} (MEDIA_HOSTS)",
                               code="stream_host_not_allowed")

    async def get(self, *, show_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            return await self.view(session, await find(session, show_id))

    async def exists(self, *, show_id: str) -> bool:
        if not plausible_id(show_id):
            return False
        async with self.db.session() as session:
            return (await session.exec(select(Show.id).where(Show.id == show_id))).first() is not None

    async def snapshot(self, show_id: str) -> dict[str, Any]:
        """What a joining socket gets first: the show's view and every interaction's snapshot part."""
        async with self.db.session() as session:
            return await self.view(session, await find(session, show_id), snapshot=True)

    async def start(self, *, principal: Principal, show_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            show = await driven(session, principal, show_id, lock=True)
            if show.status == "ended":
                raise Conflict("this show has ended", code="show_ended")
            if show.status == "scheduled":
                show.status, show.started_at = "live", utcnow()
                session.add(TimelineEntry(show_id=show.id, kind="started", actor_id=principal.id))
                await session.commit()
                await self.publisher.publish(show.id, ShowStarted(show_id=show.id, started_at=iso(show.started_at)))
            return await self.view(session, show)

    async def end(self, *, principal: Principal, show_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            show = await driven(session, principal, show_id, lock=True)
            if show.status != "ended":
                show.status, show.ended_at, show.pinned_product_id = "ended", utcnow(), None
                session.add(TimelineEntry(show_id=show.id, kind="ended", actor_id=principal.id))
                await session.commit()
                await self.publisher.publish(show.id, ShowEnded(show_id=show.id, ended_at=iso(show.ended_at)))
            return await self.view(session, show)

    async def sales(self, *, principal: Principal, show_id: str) -> dict[str, Any]:
        """Orders placed in the show that still hold stock, their units and revenue, and conversion."""
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            held = col(Order.status).in_(("pending", "paid", "shipped", "delivered"))
            sold = Order.payment_provider != "giveaway"  # a prize given away is no sale (nor a buyer)
            row = (await session.exec(
                select(sa.func.count(), sa.func.coalesce(sa.func.sum(col(Order.quantity)), 0),
                       sa.func.count(sa.distinct(col(Order.buyer_email))))
                .where(Order.show_id == show_id, held, sold)
            )).one()
            revenue = (await session.exec(
                select(Order.currency, sa.func.sum(Order.total_amount))
                .where(Order.show_id == show_id, col(Order.status).in_(("paid", "shipped", "delivered")), sold)
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
            await find(session, show_id)
            rows = (await session.exec(
                select(TimelineEntry).where(TimelineEntry.show_id == show_id).order_by(col(TimelineEntry.id))
            )).all()
        return [{"kind": r.kind, "product_id": r.product_id, "at": iso(r.at)} for r in rows]

    async def may_drive(self, *, principal: Principal, show_id: str) -> bool:
        async with self.db.session() as session:
            show = await find(session, show_id)
        return principal.admin or show.host_id == principal.id

    async def view(self, session: AsyncSession, show: Show, *, snapshot: bool = False) -> dict[str, Any]:
        """The show as the API shows it: its own fields, then each interaction's part (and its snapshot part)."""
        ids = (await session.exec(
            select(ShowProduct.product_id).where(ShowProduct.show_id == show.id).order_by(col(ShowProduct.position))
        )).all()
        products = await Catalog.load(session, ids)
        host = await session.get(User, show.host_id)
        data: dict[str, Any] = {
            "id": show.id,
            "title": show.title,
            "status": show.status,
            "host": {"id": show.host_id, "name": host.name if host else ""},
            "stream_url": show.stream_url,
            "scheduled_at": iso(show.scheduled_at),
            "started_at": iso(show.started_at),
            "ended_at": iso(show.ended_at),
            "viewers": await self.bus.viewers(show.id),
            "products": products,
            "buyer_limit": show.buyer_limit,
        }
        parts = ShowView(session=session, show=show, products=products)
        for interaction in self.parts:
            data.update(await interaction.show_part(parts))
            if snapshot:
                data.update(await interaction.snapshot_part(parts))
        return data
