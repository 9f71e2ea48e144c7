"""Products and their variants. Sellers own their products."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.infra.db import Database
from server.infra.ids import new_id
from server.infra.sql import fetch
from server.models import Product, ProductIn, ProductPatch, Variant, VariantIn, product_public
from server.models.core import MAX_STOCK, MAX_VARIANTS


def host_allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """A path of this site, or an URL on one of `hosts` (or a subdomain of one); any when `hosts` is empty."""
    host = urlsplit(url).hostname
    if not hosts or host is None:
        return True
    return any(host == allowed or host.endswith("." + allowed) for allowed in hosts)


class Catalog:
    def __init__(self, *, db: Database, media_hosts: tuple[str, ...] = ()) -> None:
        self.db = db
        self.media_hosts = media_hosts

    def _check_images(self, images: Iterable[str]) -> None:
        refused = [url for url in images if not host_allowed(url, self.media_hosts)]
        if refused:
            raise InvalidInput(f"images come from {', '.join(self.media_hosts)} or this site (MEDIA_HOSTS): "
                               f"{refused[0][:100]} does not", code="image_host_not_allowed")

    async def create(self, *, principal: Principal, data: ProductIn) -> dict[str, Any]:
        principal.require("seller")
        self._check_images(data.images)
        product = Product(id=new_id("prd"), seller_id=principal.id, title=data.title, description=data.description,
                          brand=data.brand, price_amount=data.price.amount, currency=data.price.currency,
                          images=list(data.images),
                          size_guide=data.size_guide.model_dump() if data.size_guide else None)
        variants = [Variant(id=new_id("var"), product_id=product.id, sku=v.sku, label=v.label, stock=v.stock,
                            position=i) for i, v in enumerate(data.variants)]
        async with self.db.session() as session:
            session.add(product)
            await session.flush()
            session.add_all(variants)
            await session.commit()
        return product_public(product, variants)

    async def update(self, *, principal: Principal, product_id: str, data: ProductPatch) -> dict[str, Any]:
        async with self.db.session() as session:
            product = await self._owned(session, principal, product_id)
            changes = data.model_dump(exclude_unset=True)
            self._check_images(data.images or [])
            if "price" in changes and data.price is not None:
                product.price_amount, product.currency = data.price.amount, data.price.currency
            for name in ("title", "description", "brand", "images"):
                if name in changes and changes[name] is not None:
                    setattr(product, name, changes[name])
            if "size_guide" in changes:
                product.size_guide = changes["size_guide"]
            await session.commit()
            return (await self.load(session, [product.id]))[0]

    async def add_variant(self, *, principal: Principal, product_id: str, data: VariantIn) -> dict[str, Any]:
        """A size more (a product's sizes are never removed: orders name them; a size no longer sold has no
        stock). Returns the product."""
        async with self.db.session() as session:
            await self._owned(session, principal, product_id)
            rows = (await session.exec(select(Variant.sku, Variant.position)
                                       .where(col(Variant.product_id) == product_id))).all()
            if any(sku == data.sku for sku, _ in rows):
                raise InvalidInput(f"the SKU {data.sku} is already one of this product's",
                                   code="duplicate_sku", details=[{"field": "sku", "message": "a SKU is unique"}])
            if len(rows) >= MAX_VARIANTS:
                raise InvalidInput(f"a product has at most {MAX_VARIANTS} variants", code="too_many_variants")
            session.add(Variant(id=new_id("var"), product_id=product_id, sku=data.sku, label=data.label,
                                stock=data.stock, position=max((position for _, position in rows), default=-1) + 1))
            await session.commit()
            return (await self.load(session, [product_id]))[0]

    async def restock(self, *, principal: Principal, product_id: str, variant_id: str, stock: int,
                      expected: int | None = None) -> tuple[dict[str, Any], int]:
        """Set the pieces on sale (not counting those already held by orders), only if the variant still
        has `expected` when that is given. Returns the product and the variant's stock now."""
        return await self._set(principal, product_id, variant_id, stock=stock, expected=expected)

    async def adjust(self, *, principal: Principal, product_id: str, variant_id: str,
                     delta: int) -> tuple[dict[str, Any], int]:
        """Add `delta` pieces to what is on sale (take them off when negative), in one UPDATE: sales made
        meanwhile are never put back. Returns the product and the variant's stock now."""
        return await self._set(principal, product_id, variant_id, delta=delta)

    async def _set(self, principal: Principal, product_id: str, variant_id: str, *, stock: int | None = None,
                   expected: int | None = None, delta: int | None = None) -> tuple[dict[str, Any], int]:
        async with self.db.session() as session:
            await self._owned(session, principal, product_id)
            variant = await fetch(session, Variant, variant_id)
            if variant is None or variant.product_id != product_id:
                raise NotFound(f"no variant {variant_id} in this product", code="variant_not_found")
            target = col(Variant.stock) + delta if delta is not None else stock
            update = (sa.update(Variant).where(col(Variant.id) == variant_id).values(stock=target)
                      .returning(col(Variant.stock)).execution_options(synchronize_session=False))
            if expected is not None:
                update = update.where(col(Variant.stock) == expected)
            if delta is not None:
                update = update.where(col(Variant.stock) + delta >= 0, col(Variant.stock) + delta <= MAX_STOCK)
            row = (await session.exec(update)).first()
            if row is None:
                await session.rollback()
                now = (await session.exec(select(Variant.stock).where(col(Variant.id) == variant_id))).one()
                if expected is not None:
                    raise Conflict(f"the stock is {now} now, not {expected}: read it again",
                                   code="stock_changed", details={"stock": now})
                raise Conflict(f"the stock is {now}: it cannot change by {delta}", code="stock_out_of_range",
                               details={"stock": now})
            await session.commit()
            session.expire_all()  # the variant read above holds the old stock: read the product afresh
            return (await self.load(session, [product_id]))[0], int(row[0])

    @staticmethod
    async def _owned(session: AsyncSession, principal: Principal, product_id: str) -> Product:
        principal.require("seller")
        product = await fetch(session, Product, product_id)
        if product is None:
            raise NotFound(f"no product {product_id}", code="product_not_found")
        if not (principal.admin or product.seller_id == principal.id):
            raise Forbidden("only the product's seller may change it", code="not_product_seller")
        return product

    async def get(self, *, product_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            found = await self.load(session, [product_id])
        if not found:
            raise NotFound(f"no product {product_id}", code="product_not_found")
        return found[0]

    async def browse(self, *, seller_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        async with self.db.session() as session:
            query = select(Product.id).order_by(col(Product.created_at).desc()).limit(limit)
            if seller_id:
                query = query.where(Product.seller_id == seller_id)
            ids = list((await session.exec(query)).all())
            return await self.load(session, ids)

    @staticmethod
    async def load(session: AsyncSession, product_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Products in the order asked, with their variants, in two queries."""
        ids = list(dict.fromkeys(product_ids))
        if not ids:
            return []
        products = {p.id: p for p in (await session.exec(select(Product).where(col(Product.id).in_(ids)))).all()}
        variants: dict[str, list[Variant]] = {}
        for v in (await session.exec(select(Variant).where(col(Variant.product_id).in_(ids)))).all():
            variants.setdefault(v.product_id, []).append(v)
        return [product_public(products[i], variants.get(i, [])) for i in ids if i in products]
