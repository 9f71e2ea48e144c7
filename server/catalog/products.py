"""Products and their variants. Sellers own their products."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.errors import Forbidden, NotFound
from server.infra.db import Database
from server.infra.ids import new_id
from server.infra.sql import fetch
from server.models import Product, ProductIn, ProductPatch, Variant, product_public


class Catalog:
    def __init__(self, *, db: Database) -> None:
        self.db = db

    async def create(self, *, principal: Principal, data: ProductIn) -> dict[str, Any]:
        principal.require("seller")
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
            if "price" in changes and data.price is not None:
                product.price_amount, product.currency = data.price.amount, data.price.currency
            for name in ("title", "description", "brand", "images"):
                if name in changes and changes[name] is not None:
                    setattr(product, name, changes[name])
            if "size_guide" in changes:
                product.size_guide = changes["size_guide"]
            await session.commit()
            return (await self.load(session, [product.id]))[0]

    async def restock(self, *, principal: Principal, product_id: str, variant_id: str, stock: int) -> dict[str, Any]:
        """Set the units on hand that are not already held by an order; returns the product."""
        async with self.db.session() as session:
            await self._owned(session, principal, product_id)
            variant = await fetch(session, Variant, variant_id)
            if variant is None or variant.product_id != product_id:
                raise NotFound(f"no variant {variant_id} in this product", code="variant_not_found")
            variant.stock = stock
            await session.commit()
            return (await self.load(session, [product_id]))[0]

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
