"""Pop-up stores: their items carry QR codes; a scan lands on the item's phone checkout page and is
counted once per phone per half hour; stats by store and item; the store's big screen follows a show."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.catalog.products import Catalog
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.infra.db import Database
from server.infra.ids import iso, new_id, utcnow
from server.infra.sql import fetch, insert_ignore
from server.links import Links
from server.models import Product, Show, Variant
from server.models.commerce import Order
from server.models.games import Game
from server.models.stores import Scan, Store, StoreIn, StoreItem, StoreItemIn
from server.stores import labels, qr
from server.stores.rendering import Renderer

SCAN_WINDOW_S = 1800
MAX_ITEMS = 500  # items on sale in one store: its label sheet is 24 pages at most
_TABLET = re.compile(r"ipad|tablet|(android(?!.*mobile))", re.I)
_MOBILE = re.compile(r"mobi|iphone|ipod|android|phone", re.I)


def device_class(user_agent: str) -> str:
    if _TABLET.search(user_agent):
        return "tablet"
    if _MOBILE.search(user_agent):
        return "mobile"
    return "desktop" if user_agent else "unknown"


class Stores:
    def __init__(self, *, db: Database, secret_key: str, links: Links, renderer: Renderer | None = None) -> None:
        self.db = db
        self.secret_key = secret_key
        self.links = links
        self.renderer = renderer or Renderer()

    def qr_url(self, item: StoreItem) -> str:
        return self.links.scan(qr.token_for(item.code, self.secret_key))

    def item_public(self, item: StoreItem) -> dict[str, Any]:
        return {"id": item.id, "store_id": item.store_id, "product_id": item.product_id,
                "variant_id": item.variant_id, "qr_url": self.qr_url(item), "revoked": item.revoked_at is not None,
                "qr_png": self.links.item_qr(item.store_id, item.id, "png"),
                "qr_svg": self.links.item_qr(item.store_id, item.id, "svg")}

    def store_public(self, store: Store, items: list[StoreItem]) -> dict[str, Any]:
        return {"id": store.id, "name": store.name, "address": store.address,
                "opens_on": store.opens_on.isoformat() if store.opens_on else None,
                "closes_on": store.closes_on.isoformat() if store.closes_on else None,
                "show_id": store.show_id, "created_at": iso(store.created_at),
                "items": [self.item_public(i) for i in items if i.revoked_at is None]}

    # --- stores and items ----------------------------------------------------------------------------

    async def create(self, *, principal: Principal, data: StoreIn) -> dict[str, Any]:
        principal.require("seller")
        store = Store(id=new_id("sto"), seller_id=principal.id, name=data.name, address=data.address,
                      opens_on=data.opens_on, closes_on=data.closes_on)
        async with self.db.session() as session:
            if data.show_id:
                await self._show(session, data.show_id)
                store.show_id = data.show_id
            session.add(store)
            await session.commit()
        return self.store_public(store, [])

    async def mine(self, *, principal: Principal) -> list[dict[str, Any]]:
        """The seller's stores (every store for an admin), newest first, each with its count of items on sale."""
        principal.require("seller")
        live = (select(StoreItem.store_id, sa.func.count().label("n")).where(col(StoreItem.revoked_at).is_(None))
                .group_by(col(StoreItem.store_id)).subquery())
        query = (select(Store, live.c.n).outerjoin(live, live.c.store_id == Store.id)
                 .order_by(col(Store.created_at).desc(), col(Store.id).desc()))
        if not principal.admin:
            query = query.where(Store.seller_id == principal.id)
        async with self.db.session() as session:
            rows = (await session.exec(query)).all()
        summaries = []
        for store, n in rows:
            summary = self.store_public(store, [])
            del summary["items"]
            summaries.append({**summary, "item_count": int(n or 0)})
        return summaries

    async def get(self, *, store_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            store = await self._store(session, store_id)
            return self.store_public(store, await self._items(session, store_id))

    async def exists(self, *, store_id: str) -> bool:
        async with self.db.session() as session:
            return await fetch(session, Store, store_id) is not None

    async def set_show(self, *, principal: Principal, store_id: str, show_id: str | None) -> dict[str, Any]:
        async with self.db.session() as session:
            store = await self._owned(session, principal, store_id)
            if show_id:
                await self._show(session, show_id)
            store.show_id = show_id
            await session.commit()
            return self.store_public(store, await self._items(session, store_id))

    async def add_item(self, *, principal: Principal, store_id: str, data: StoreItemIn) -> dict[str, Any]:
        async with self.db.session() as session:
            store = await self._owned(session, principal, store_id)
            live = (await session.exec(select(sa.func.count()).select_from(StoreItem).where(
                StoreItem.store_id == store_id, col(StoreItem.revoked_at).is_(None)))).one()
            if live >= MAX_ITEMS:
                raise Conflict(f"a store holds at most {MAX_ITEMS} items on sale: take one off first",
                               code="store_full")
            product = await session.get(Product, data.product_id)
            if product is None:
                raise InvalidInput(f"no product {data.product_id}", code="product_not_found")
            if product.seller_id != store.seller_id and not principal.admin:
                raise Forbidden("a store carries its seller's products", code="not_product_seller")
            if data.variant_id is not None:
                variant = await session.get(Variant, data.variant_id)
                if variant is None or variant.product_id != product.id:
                    raise InvalidInput("this variant is not one of the product's", code="variant_not_found")
            item = StoreItem(id=new_id("itm"), store_id=store.id, product_id=product.id, variant_id=data.variant_id,
                             code=qr.new_code())
            session.add(item)
            await session.commit()
        return self.item_public(item)

    async def revoke_item(self, *, principal: Principal, store_id: str, item_id: str) -> None:
        async with self.db.session() as session:
            await self._owned(session, principal, store_id)
            item = await fetch(session, StoreItem, item_id)
            if item is None or item.store_id != store_id:
                raise NotFound(f"no item {item_id} in this store", code="item_not_found")
            item.revoked_at = item.revoked_at or utcnow()
            await session.commit()

    async def item_code(self, *, store_id: str, item_id: str, kind: str) -> bytes:
        """The item's QR code as PNG or SVG, encoding exactly its qr_url."""
        url = await self.item_qr_url(store_id=store_id, item_id=item_id)
        return await (self.renderer.png(url) if kind == "png" else self.renderer.svg(url))

    async def screen_code(self, *, store_id: str, product_id: str | None = None,
                          game_id: str | None = None) -> tuple[str, bytes]:
        """The store screen's big code (SVG), and the URL it encodes."""
        url = await self.screen_url(store_id=store_id, product_id=product_id, game_id=game_id)
        return url, await self.renderer.svg(url)

    async def item_qr_url(self, *, store_id: str, item_id: str) -> str:
        async with self.db.session() as session:
            item = await fetch(session, StoreItem, item_id)
            if item is None or item.store_id != store_id or item.revoked_at is not None:
                raise NotFound(f"no item {item_id} in this store", code="item_not_found")
            return self.qr_url(item)

    async def screen_url(self, *, store_id: str, product_id: str | None = None, game_id: str | None = None) -> str:
        """What the store screen's big code points to: a game of the store's show (the player, which brings that
        game to the front), the store's item for the pinned product, or the show."""
        async with self.db.session() as session:
            store = await self._store(session, store_id)
            if game_id:
                game = await fetch(session, Game, game_id)
                if game is None or store.show_id is None or game.show_id != store.show_id:
                    raise NotFound(f"no game {game_id} in the show this store plays", code="interaction_not_found")
                return self.links.game(game.show_id, game.id)
            if product_id:
                for item in await self._items(session, store_id):
                    if item.product_id == product_id and item.revoked_at is None:
                        return self.qr_url(item)
        return self.links.watch(store.show_id) if store.show_id else self.links.home()

    async def label_sheet(self, *, store_id: str, lang: str = "en") -> bytes:
        """The printable A4 sheet (a PDF) of the store's live items: name, brand, size, price and code, in `lang`
        (one of labels.LANGUAGES)."""
        async with self.db.session() as session:
            store = await self._store(session, store_id)
            items = [i for i in await self._items(session, store_id) if i.revoked_at is None]
            products = {p["id"]: p for p in await Catalog.load(session, [i.product_id for i in items])}
        sheet = []
        for item in items:
            product = products[item.product_id]
            size = next((v["label"] for v in product["variants"] if v["id"] == item.variant_id), None)
            sheet.append(labels.Label(title=product["title"], brand=product["brand"], size=size,
                                      url=self.qr_url(item), price=labels.price_text(product["price"]["amount"],
                                                                                     product["price"]["currency"],
                                                                                     lang)))
        return await self.renderer.sheet(store.name, sheet, lang)

    # --- scans ---------------------------------------------------------------------------------------

    async def resolve(self, token: str) -> StoreItem:
        """The live item behind a token; NotFound for forged, altered or revoked links."""
        code = qr.code_from(token, self.secret_key)
        if code is None:
            raise NotFound("this code is not one of ours", code="qr_not_found")
        async with self.db.session() as session:
            item = (await session.exec(select(StoreItem).where(StoreItem.code == code))).first()
        if item is None or item.revoked_at is not None:
            raise NotFound("this code is no longer on sale", code="qr_revoked")
        return item

    async def count_scan(self, *, item: StoreItem, visitor: str, user_agent: str) -> None:
        window = int(time.time()) // SCAN_WINDOW_S
        visitor_key = hashlib.sha256(visitor.encode()).hexdigest()[:32]
        async with self.db.session() as session:
            await insert_ignore(session, Scan, {"store_id": item.store_id, "item_id": item.id, "visitor": visitor_key,
                                                "window": window, "device": device_class(user_agent),
                                                "at": utcnow()})
            await session.commit()

    async def checkout_view(self, token: str) -> dict[str, Any]:
        """What the phone checkout page shows for a scanned item."""
        item = await self.resolve(token)
        async with self.db.session() as session:
            store = await self._store(session, item.store_id)
            products = await Catalog.load(session, [item.product_id])
        return {"store": {"id": store.id, "name": store.name, "address": store.address},
                "item": {"id": item.id, "variant_id": item.variant_id}, "product": products[0]}

    # --- stats ---------------------------------------------------------------------------------------

    async def stats(self, *, principal: Principal, store_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            await self._owned(session, principal, store_id)
            items = await self._items(session, store_id)
            scans = dict((await session.exec(
                select(Scan.item_id, sa.func.count()).where(Scan.store_id == store_id).group_by(Scan.item_id)
            )).all())
            devices = dict((await session.exec(
                select(Scan.device, sa.func.count()).where(Scan.store_id == store_id).group_by(Scan.device)
            )).all())
            held = col(Order.status).in_(("pending", "paid", "shipped", "delivered"))
            paid = col(Order.status).in_(("paid", "shipped", "delivered"))
            ids = [i.id for i in items]
            rows = (await session.exec(
                select(Order.store_item_id, sa.func.count(), sa.func.sum(sa.case((paid, Order.total_amount), else_=0)),
                       sa.func.min(Order.currency))
                .where(col(Order.store_item_id).in_(ids), held).group_by(Order.store_item_id)
            )).all() if ids else []
        orders = {item_id: (int(n), int(revenue or 0), currency) for item_id, n, revenue, currency in rows}
        per_item: list[dict[str, Any]] = []
        for item in items:
            n, revenue, currency = orders.get(item.id, (0, 0, None))
            s = int(scans.get(item.id, 0))
            per_item.append({"id": item.id, "product_id": item.product_id, "scans": s, "orders": n,
                             "conversion": round(n / s, 4) if s else None,
                             "revenue": {"amount": revenue, "currency": currency or "EUR"}})
        total_scans = sum(i["scans"] for i in per_item)
        total_orders = sum(i["orders"] for i in per_item)
        return {"scans": total_scans, "orders": total_orders,
                "conversion": round(total_orders / total_scans, 4) if total_scans else None,
                "revenue": {"amount": sum(i["revenue"]["amount"] for i in per_item),
                            "currency": next((i["revenue"]["currency"] for i in per_item if i["orders"]), "EUR")},
                "devices": {kind: int(devices.get(kind, 0)) for kind in ("mobile", "tablet", "desktop", "unknown")},
                "items": per_item}

    # --- helpers -------------------------------------------------------------------------------------

    @staticmethod
    async def _store(session: AsyncSession, store_id: str) -> Store:
        store = await fetch(session, Store, store_id)
        if store is None:
            raise NotFound(f"no store {store_id}", code="store_not_found")
        return store

    async def _owned(self, session: AsyncSession, principal: Principal, store_id: str) -> Store:
        principal.require("seller")
        store = await self._store(session, store_id)
        if not (principal.admin or store.seller_id == principal.id):
            raise Forbidden("only the store's seller may do this", code="not_store_seller")
        return store

    @staticmethod
    async def _items(session: AsyncSession, store_id: str) -> list[StoreItem]:
        return list((await session.exec(
            select(StoreItem).where(StoreItem.store_id == store_id).order_by(col(StoreItem.created_at))
        )).all())

    @staticmethod
    async def _show(session: AsyncSession, show_id: str) -> Show:
        show = await fetch(session, Show, show_id)
        if show is None:
            raise InvalidInput(f"no show {show_id}", code="show_not_found")
        return show

