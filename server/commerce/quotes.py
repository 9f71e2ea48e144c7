"""Quotes: what an order would be, from the rows it depends on, and every rule that can refuse it
before its stock is taken. The till reads the rows of a whole batch of orders at once (`Rows.read`)
and quotes each order from them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.commerce import offers
from server.commerce.vouchers import Vouchers
from server.errors import Conflict, DomainError, InvalidInput, NotFound
from server.infra.sql import any_of, plausible_id
from server.models import Product, Show, ShowProduct, Variant
from server.models.commerce import Deal, Order, QuoteIn, Voucher
from server.models.stores import StoreItem


@dataclass(frozen=True, slots=True)
class Quote:
    product: Product
    variant: Variant
    show: Show | None
    deal: Deal | None
    voucher: Voucher | None
    unit: int
    quantity: int
    discount: int

    @property
    def subtotal(self) -> int:
        return self.unit * self.quantity

    @property
    def total(self) -> int:
        return self.subtotal - self.discount

    def public(self, *, voucher: str | None = None, state: str = "valid") -> dict[str, Any]:
        """The price as `POST /api/quotes` answers it; `voucher` the code asked for, `state` "valid" or the
        refusal's code (the order's: voucher_invalid, voucher_expired, voucher_exhausted)."""
        currency = self.product.currency
        money = lambda amount: {"amount": amount, "currency": currency}  # noqa: E731
        return {"product_id": self.product.id, "variant_id": self.variant.id, "quantity": self.quantity,
                "unit_price": money(self.unit), "subtotal": money(self.subtotal), "discount": money(self.discount),
                "total": money(self.total), "currency": currency, "deal_id": self.deal.id if self.deal else None,
                "voucher": {"code": voucher.strip().upper(), "state": state} if voucher else None}


async def orders_by_key(session: AsyncSession, keys: Iterable[str]) -> dict[str, Order]:
    """The orders these Idempotency-Keys placed."""
    found = await session.exec(select(Order).where(any_of(session, Order.idempotency_key, set(keys))))
    return {o.idempotency_key: o for o in found}


@dataclass(slots=True)
class Rows:
    """What a batch of orders depends on, read in a few statements whatever the batch's size."""

    items: dict[str, tuple[Variant, Product]] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    shows: dict[str, Show] = field(default_factory=dict)
    in_show: set[tuple[str, str]] = field(default_factory=set)
    deals: dict[str, Deal] = field(default_factory=dict)

    @classmethod
    async def read(cls, session: AsyncSession, orders: Sequence[tuple[QuoteIn, str]]) -> Rows:
        """For (order, Idempotency-Key) pairs: their variants with products, the orders their keys placed
        (a quote has no key: ""), their shows, which of their products are in those shows, and their deals."""
        rows = cls()
        found = await session.exec(sa.select(Variant, Product)  # type: ignore[call-overload]
                                   .join(Product, col(Product.id) == col(Variant.product_id))
                                   .where(any_of(session, Variant.id, {data.variant_id for data, _ in orders})))
        rows.items = {variant.id: (variant, product) for variant, product in found}
        keys = {key for _, key in orders if key}
        rows.orders = await orders_by_key(session, keys) if keys else {}
        show_ids = {data.show_id for data, _ in orders if data.show_id is not None}
        if show_ids:  # the shows, each with those of the orders' products it sells
            sells = sa.and_(col(ShowProduct.show_id) == col(Show.id),
                            any_of(session, ShowProduct.product_id, {data.product_id for data, _ in orders}))
            for show, product_id in await session.exec(
                    select(Show, ShowProduct.product_id).outerjoin(ShowProduct, sells)
                    .where(any_of(session, Show.id, show_ids))):
                rows.shows[show.id] = show
                if product_id is not None:
                    rows.in_show.add((show.id, product_id))
        deal_ids = {d.deal_id for d, _ in orders if d.deal_id is not None and plausible_id(d.deal_id)}
        if deal_ids:
            rows.deals = {d.id: d for d in (await session.exec(select(Deal).where(any_of(session, Deal.id, deal_ids))))}
        return rows


class Quotes:
    def __init__(self, *, vouchers: Vouchers) -> None:
        self.vouchers = vouchers

    async def preview(self, session: AsyncSession, data: QuoteIn) -> dict[str, Any]:
        """What this order would cost, nothing taken: the price as the order would be priced, and the
        voucher's state. A refused voucher still answers the price without it; any other refusal is the
        order's (product_not_found, show_not_live...)."""
        rows = await Rows.read(session, [(data, "")])
        try:
            return (await self.quote(session, data, rows)).public(voucher=data.voucher)
        except DomainError as refused:
            if not data.voucher or not refused.code.startswith("voucher_"):
                raise
            state = refused.code
        plain = await self.quote(session, data.model_copy(update={"voucher": None}), rows)
        return plain.public(voucher=data.voucher, state=state)

    async def quote(self, session: AsyncSession, data: QuoteIn, rows: Rows) -> Quote:
        item = rows.items.get(data.variant_id)
        if item is not None and item[1].id == data.product_id:
            variant, product = item
        else:  # something is wrong: the reads one by one say what
            product, variant = await _item(session, data)
        show = _live_show(data, rows.shows.get(data.show_id or ""), in_show=(data.show_id, product.id) in rows.in_show)
        await _store_item(session, data)
        unit = product.price_amount
        deal = None
        if data.deal_id:
            deal = offers.usable(rows.deals.get(data.deal_id), show_id=data.show_id, product=product)
            unit = min(deal.price_amount, product.price_amount)  # a deal never costs more than the product
        voucher = None
        discount = 0
        if data.voucher:
            voucher, discount = await self.vouchers.quote(session, code=data.voucher, product=product,
                                                          show_id=data.show_id, subtotal=unit * data.quantity)
        return Quote(product=product, variant=variant, show=show, deal=deal, voucher=voucher, unit=unit,
                     quantity=data.quantity, discount=discount)


async def _item(session: AsyncSession, data: QuoteIn) -> tuple[Product, Variant]:
    product = await session.get(Product, data.product_id)
    if product is None:
        raise NotFound(f"no product {data.product_id}", code="product_not_found")
    variant = await session.get(Variant, data.variant_id)
    if variant is None or variant.product_id != product.id:
        raise InvalidInput("this variant is not one of the product's", code="variant_not_found")
    return product, variant


def _live_show(data: QuoteIn, show: Show | None, *, in_show: bool) -> Show | None:
    if data.show_id is None:
        return None
    if show is None:
        raise NotFound(f"no show {data.show_id}", code="show_not_found")
    if show.status != "live":
        raise Conflict("the show is not live", code="show_not_live")
    if not in_show:
        raise InvalidInput("this product is not part of the show", code="product_not_in_show")
    return show


async def _store_item(session: AsyncSession, data: QuoteIn) -> None:
    """An order from a pop-up store's code remembers its item: it must be that item's product."""
    if data.store_item_id is None:
        return
    item = await session.get(StoreItem, data.store_item_id)
    if item is None or item.revoked_at is not None or item.product_id != data.product_id:
        raise InvalidInput("this store item does not sell this product", code="store_item_not_found")
    if item.variant_id is not None and item.variant_id != data.variant_id:
        raise InvalidInput("this store item sells one size only", code="variant_not_found")
