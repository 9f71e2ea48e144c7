"""Orders: one service for the HTTP `POST /api/orders`, the socket's `buy` and the store checkout.

Orders are placed by the till (server/till.py), in batches: a unit of stock is taken by the conditional
UPDATE of inventory.take_in_db in the same transaction that stores the order, and the buyer hears
"placed" only after that commit. An Idempotency-Key makes a retry return the first order. A pending
order not paid in time goes back to stock; an order moves on by conditional updates of its status.
A declined payment leaves the order pending (its buyer may pay again) and is only recorded; the buyer
may cancel an order until it is paid.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.commerce import offers
from server.commerce.addresses import promise_for
from server.commerce.asks import Placed
from server.commerce.buyers import same_buyer
from server.commerce.feed import CommerceFeed
from server.commerce.payments.base import PaymentProvider
from server.commerce.stock import StockGate, give_in_db
from server.commerce.till import DealSoldOut, Till, give_back_quota
from server.commerce.vouchers import VoucherGuesses, Vouchers
from server.errors import Conflict, DomainError, Forbidden, NotFound, Unauthorized
from server.infra.db import Database
from server.infra.ids import as_utc, iso, utcnow
from server.infra.sql import fetch
from server.links import Links
from server.models import Product, Show, ShowProduct, Variant
from server.models.commerce import Order, OrderIn, OrderRow, OrdersQuery, QuoteIn, Voucher
from server.models.common import encode_cursor
from server.models.stores import StoreItem

log = logging.getLogger("vitrine.orders")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "paid": ("pending",),
    "shipped": ("paid",),
    "delivered": ("shipped",),
    "cancelled": ("pending",),  # a paid order leaves only through "refunded", which returns the money
    "refunded": ("paid", "shipped", "delivered"),
}
# Why a reservation ended, decided by the cancelling UPDATE itself: its payment was declined, or nobody paid.
EXPIRY_REASON = sa.case((col(Order.payment_declined_at).is_not(None), "payment_failed"), else_="expired")
STAMP = {"paid": "paid_at", "shipped": "shipped_at", "delivered": "delivered_at", "cancelled": "cancelled_at",
         "refunded": "refunded_at"}


class Orders:
    def __init__(self, *, db: Database, gate: StockGate, feed: CommerceFeed, payments: PaymentProvider,
                 vouchers: Vouchers, guesses: VoucherGuesses, links: Links, secret_key: str,
                 on_deal_sold_out: DealSoldOut, reservation_s: int = 600) -> None:
        self.db = db
        self.gate = gate
        self.feed = feed
        self.payments = payments
        self.vouchers = vouchers
        self.guesses = guesses
        self.links = links
        self._tokens = URLSafeSerializer(secret_key, salt="vitrine.order")
        self.till = Till(db=db, gate=gate, feed=feed, payments=payments, vouchers=vouchers, public=self.public,
                         return_url=links.base, reservation=timedelta(seconds=reservation_s),
                         on_deal_sold_out=on_deal_sold_out)

    @property
    def reservation(self) -> timedelta:
        """How long a pending order holds its stock before it expires."""
        return self.till.reservation

    @reservation.setter
    def reservation(self, value: timedelta) -> None:
        self.till.reservation = value

    async def place(self, *, data: OrderIn, key: str) -> Placed:
        """Place an order (in the till's next batch); the same Idempotency-Key answers with the same order."""
        return await self.till.place(data=data, key=key)

    async def quote(self, *, data: QuoteIn, client: str) -> dict[str, Any]:
        """What this order would cost before it is placed (the voucher's discount included): no stock taken.
        A client that tried too many unknown codes is refused for a while (`VoucherGuesses`)."""
        if data.voucher:
            await self.guesses.check(client)
        async with self.db.session() as session:
            quote = await self.till.quotes.preview(session, data)
        if (quote.get("voucher") or {}).get("state") == "voucher_invalid":
            await self.guesses.missed(client)
        return quote

    # --- reading -----------------------------------------------------------------------------------

    def token(self, order_id: str) -> str:
        return self._tokens.dumps(order_id)

    def check_token(self, order_id: str, token: str | None) -> bool:
        if not token:
            return False
        try:
            return bool(self._tokens.loads(token) == order_id)
        except BadSignature:
            return False

    async def get(self, *, order_id: str, token: str | None, principal: Principal | None) -> dict[str, Any]:
        async with self.db.session() as session:
            order = await fetch(session, Order, order_id)
            if order is None:
                raise NotFound(f"no order {order_id}", code="order_not_found")
            allowed = self.check_token(order_id, token) or (
                principal is not None and (principal.admin or principal.id == order.seller_id))
            if not allowed:
                raise (Forbidden if principal else Unauthorized)("this order needs its link or a seller's sign-in",
                                                                 code="order_token_required")
            product = await session.get(Product, order.product_id)
            variant = await session.get(Variant, order.variant_id)
        return self.public(order, product=product, variant=variant)

    def public(self, order: Order | OrderRow, *, product: Product | None, variant: Variant | None,
               token: bool = False) -> dict[str, Any]:
        promise = promise_for(str(order.address.get("country", "")))
        start = as_utc(order.paid_at or order.created_at).date()
        earliest, latest = promise.window(start)
        money = lambda amount: {"amount": amount, "currency": order.currency}  # noqa: E731
        body: dict[str, Any] = {
            "id": order.id, "status": order.status, "quantity": order.quantity,
            "product": {"id": order.product_id, "title": product.title if product else "",
                        "brand": product.brand if product else "",
                        "image": product.images[0] if product and product.images else None},
            "variant": {"id": order.variant_id, "label": variant.label if variant else ""},
            "unit_price": money(order.unit_amount), "discount": money(order.discount_amount),
            "total": money(order.total_amount), "show_id": order.show_id, "store_item_id": order.store_item_id,
            "deal_id": order.deal_id,
            "buyer": {"name": order.buyer_name, "email": order.buyer_email, "address": order.address},
            "created_at": iso(order.created_at), "expires_at": iso(order.expires_at) if order.status == "pending"
            else None, "paid_at": iso(order.paid_at), "shipped_at": iso(order.shipped_at),
            "delivered_at": iso(order.delivered_at), "cancelled_at": iso(order.cancelled_at),
            "refunded_at": iso(order.refunded_at), "cancel_reason": order.cancel_reason,
            "delivery": {"min_days": promise.min_days, "max_days": promise.max_days,
                         "earliest": earliest.isoformat(), "latest": latest.isoformat()},
            "payment": {"provider": order.payment_provider,
                        "url": self.links.payment(order.payment_provider, order.payment_ref or "")
                        if order.status == "pending" else None,
                        "declined_at": iso(order.payment_declined_at)},
            "tracking": {"number": order.tracking_number, "carrier": order.carrier} if order.tracking_number
            else None,
        }
        if token:
            body["token"] = self.token(order.id)
            body["url"] = self.links.order(order.id, body["token"])
        return body

    # --- moving ------------------------------------------------------------------------------------

    async def transition(self, *, order_id: str, to: str, principal: Principal | None = None,
                         reason: str | sa.ColumnElement[str] | None = None,
                         refund_at_provider: bool = True, stamps: dict[str, Any] | None = None) -> dict[str, Any]:
        """Move an order along pending → paid → shipped → delivered, or to cancelled / refunded.
        A conditional UPDATE on the status makes each move happen once, whoever tries it; stock,
        quotas, deal and voucher uses come back in the same transaction as a cancel or refund."""
        left: int | None = None
        async with self.db.session() as session:
            order = await fetch(session, Order, order_id)
            if order is None:
                raise NotFound(f"no order {order_id}", code="order_not_found")
            if principal is not None and not (principal.admin or principal.id == order.seller_id):
                raise Forbidden("only the order's seller or an admin may do this", code="not_order_seller")
            moved = await session.exec(
                sa.update(Order).where(col(Order.id) == order.id, col(Order.status).in_(TRANSITIONS[to]))
                .values(status=to, **{STAMP[to]: utcnow()},
                        **({"cancel_reason": reason[:32] if isinstance(reason, str) else reason}
                           if reason is not None else {}), **(stamps or {}))
                .returning(col(Order.id))
            )
            if moved.first() is None:
                await session.rollback()
                await session.refresh(order)
                raise Conflict(f"an order that is {order.status} cannot become {to}", code="invalid_transition")
            if to in ("cancelled", "refunded"):
                # in the till's lock order: the buyer's count, the voucher, then the variant, then the deal
                await give_back_quota(session, order)
                if order.voucher_id:
                    await self.vouchers.release(session, voucher_id=order.voucher_id,
                                                buyer_email=same_buyer(order.buyer_email))
                left = await give_in_db(session, variant_id=order.variant_id, quantity=order.quantity)
                if order.deal_id:
                    await offers.release(session, deal_id=order.deal_id, quantity=order.quantity)
            if to == "refunded" and refund_at_provider and order.total_amount > 0:  # a prize's order paid nothing
                # before the commit: if the provider fails, the order stays as it was and can be retried
                try:
                    await self.payments.refund(ref=order.payment_ref or "", amount=order.total_amount,
                                               currency=order.currency)
                except Exception as exc:
                    await session.rollback()
                    raise DomainError(f"the payment provider refused the refund: {exc}", code="refund_failed",
                                      status=502) from None
            await session.commit()
            await session.refresh(order)
            product = await session.get(Product, order.product_id)
            variant = await session.get(Variant, order.variant_id)
        if left is not None:
            await self.gate.give([(order.variant_id, order.quantity)])
            self.feed.note_stock(product_id=order.product_id, variant_id=order.variant_id, available=left)
        return self.public(order, product=product, variant=variant)

    async def ship(self, *, order_id: str, principal: Principal, tracking_number: str,
                   carrier: str | None = None) -> dict[str, Any]:
        """paid → shipped, recording the parcel's tracking number (and its carrier) with the move."""
        return await self.transition(order_id=order_id, to="shipped", principal=principal,
                                     stamps={"tracking_number": tracking_number, "carrier": carrier})

    async def paid(self, *, payment_ref: str, amount: int, currency: str) -> tuple[str | None, str]:
        """A provider says the payment succeeded: pending → paid, when it paid the order's total in the
        order's currency; money that does not match goes back to the buyer, and so does money for an order
        that was cancelled meanwhile. Returns (order id, what happened): applied, amount_mismatch,
        refunded_late, ignored (paid already) or unknown_payment."""
        async with self.db.session() as session:
            order = (await session.exec(select(Order).where(Order.payment_ref == payment_ref))).first()
        if order is None:
            return None, "unknown_payment"
        if (amount, currency) != (order.total_amount, order.currency):
            if amount > 0:
                await self.payments.refund(ref=payment_ref, amount=amount, currency=currency)
            return order.id, "amount_mismatch"
        return order.id, await self._move(order.id, "paid", payment_ref=payment_ref)

    async def refunded(self, *, payment_ref: str) -> tuple[str | None, str]:
        return await self._by_ref(payment_ref, "refunded")

    async def payment_failed(self, *, payment_ref: str) -> tuple[str | None, str]:
        """A provider says a payment was declined: the order stays pending and keeps its pieces, so that its
        buyer can pay again until the reservation ends (which then cancels it as `payment_failed`). Only the
        decline is recorded: applied, ignored (the order had moved on) or unknown_payment."""
        async with self.db.session() as session:
            order_id = (await session.exec(select(Order.id).where(Order.payment_ref == payment_ref))).first()
            if order_id is None:
                return None, "unknown_payment"
            declined = await session.exec(
                sa.update(Order).where(col(Order.id) == order_id, col(Order.status) == "pending")
                .values(payment_declined_at=utcnow()).returning(col(Order.id)))
            applied = declined.first() is not None
            await session.commit()
        return order_id, "applied" if applied else "ignored"

    async def _by_ref(self, payment_ref: str, to: str) -> tuple[str | None, str]:
        async with self.db.session() as session:
            order_id = (await session.exec(select(Order.id).where(Order.payment_ref == payment_ref))).first()
        if order_id is None:
            return None, "unknown_payment"
        return order_id, await self._move(order_id, to, payment_ref=payment_ref)

    async def _move(self, order_id: str, to: str, *, payment_ref: str) -> str:
        """What a provider's event did to the order: applied, refunded_late (money for an order cancelled
        meanwhile went back to the buyer) or ignored (the order had moved on: paid twice, failed after
        paying, refunded before paying)."""
        try:
            await self.transition(order_id=order_id, to=to, refund_at_provider=False)
            return "applied"
        except Conflict:
            async with self.db.session() as session:
                order = await session.get(Order, order_id)
            if to == "paid" and order is not None and order.status == "cancelled":
                await self.payments.refund(ref=payment_ref, amount=order.total_amount, currency=order.currency)
                return "refunded_late"
            return "ignored"

    async def by_payment_ref(self, *, ref: str, with_url: bool = False) -> dict[str, Any]:
        async with self.db.session() as session:
            order = (await session.exec(select(Order).where(Order.payment_ref == ref))).first() if len(ref) <= 100 \
                else None
        if order is None:
            raise NotFound("no payment with this reference", code="payment_not_found")
        info: dict[str, Any] = {"order_id": order.id, "payment_ref": ref, "amount": order.total_amount,
                                "currency": order.currency, "status": order.status}
        if with_url:
            info["order_url"] = self.links.order(order.id, self.token(order.id))
        return info

    async def cancel_by_buyer(self, *, order_id: str, token: str | None) -> dict[str, Any]:
        """The buyer, with the order's link token, cancels an order not paid yet (`buyer_cancelled`): its
        pieces go back on sale at once. A paid order is refused: its money comes back by a refund."""
        if not self.check_token(order_id, token):
            raise Unauthorized("cancelling an order needs its link", code="order_token_required")
        try:
            return await self.transition(order_id=order_id, to="cancelled", reason="buyer_cancelled")
        except Conflict:
            async with self.db.session() as session:
                order = await session.get(Order, order_id)
            if order is not None and order.status in TRANSITIONS["refunded"]:
                raise Conflict("this order is paid and cannot be cancelled: ask the shop for a refund",
                               code="order_paid") from None
            raise

    async def expire_due(self, *, limit: int = 200) -> int:
        """Pending orders past their time go back to stock (`payment_failed` when their payment was declined,
        else `expired`). Safe on every node at once."""
        async with self.db.session() as session:
            due = (await session.exec(
                select(Order.id).where(Order.status == "pending", col(Order.expires_at) < utcnow()).limit(limit)
            )).all()
        expired = 0
        for order_id in due:
            try:
                await self.transition(order_id=order_id, to="cancelled", reason=EXPIRY_REASON)
                expired += 1
            except Conflict:
                continue  # paid, or expired by another node, in the meantime
            except Exception:
                log.exception("could not expire order %s", order_id)  # the next sweep tries again
        return expired

    # --- the seller's list and export ----------------------------------------------------------------

    async def for_seller(self, *, principal: Principal, query: OrdersQuery) -> dict[str, Any]:
        """One page of the seller's orders (everyone's for an admin) that pass the filters, newest first, and
        the cursor of the next page (None on the last)."""
        principal.require("seller")
        async with self.db.session() as session:
            orders = await self._page(session, principal, query, after=query.cursor, limit=query.limit + 1)
            lines = await self._lines(session, orders[:query.limit])
        more = len(orders) > query.limit
        return {"items": [self.public(line.order, product=line.product, variant=line.variant) for line in lines],
                "next_cursor": encode_cursor(lines[-1].order.created_at, lines[-1].order.id) if more else None}

    async def seller_shows(self, *, principal: Principal, limit: int = 200) -> list[dict[str, Any]]:
        """The shows that carry the seller's products (every show for an admin), newest first: what its orders
        may be filtered by."""
        principal.require("seller")
        query = select(Show).order_by(col(Show.created_at).desc(), col(Show.id).desc()).limit(limit)
        if not principal.admin:
            query = query.where(col(Show.id).in_(
                select(ShowProduct.show_id).join(Product, col(Product.id) == col(ShowProduct.product_id))
                .where(Product.seller_id == principal.id)))
        async with self.db.session() as session:
            shows = (await session.exec(query)).all()
        return [{"id": show.id, "title": show.title, "status": show.status, "scheduled_at": iso(show.scheduled_at),
                 "started_at": iso(show.started_at)} for show in shows]

    def export(self, *, principal: Principal, query: OrdersQuery, page: int = 500) -> AsyncIterator[list[OrderLine]]:
        """Every order `for_seller` would list with these filters (its limit and cursor aside), newest first, in
        pages of `page` read one after another. The role is checked now, before the first page is read."""
        principal.require("seller")
        return self._pages(principal, query, page)

    async def _pages(self, principal: Principal, query: OrdersQuery, page: int) -> AsyncIterator[list[OrderLine]]:
        after: tuple[datetime, str] | None = None
        while True:
            async with self.db.session() as session:
                orders = await self._page(session, principal, query, after=after, limit=page)
                lines = await self._lines(session, orders)
            if lines:
                yield lines
            if len(orders) < page:
                return
            after = (as_utc(orders[-1].created_at), orders[-1].id)

    @staticmethod
    async def _page(session: AsyncSession, principal: Principal, query: OrdersQuery, *,
                    after: tuple[datetime, str] | None, limit: int) -> list[Order]:
        created, order_id = col(Order.created_at), col(Order.id)
        select_ = select(Order).order_by(created.desc(), order_id.desc()).limit(limit)
        if not principal.admin:
            select_ = select_.where(Order.seller_id == principal.id)
        if query.status:
            select_ = select_.where(col(Order.status).in_(query.status))
        if query.show_id:
            select_ = select_.where(Order.show_id == query.show_id)
        if query.store_id:
            select_ = select_.where(col(Order.store_item_id).in_(
                select(StoreItem.id).where(StoreItem.store_id == query.store_id)))
        if query.from_:
            select_ = select_.where(created >= query.from_)
        if query.to:
            select_ = select_.where(created < query.to)
        if after is not None:  # spelled out rather than a row value, so that the time is bound as a column's
            at, last = after
            select_ = select_.where(sa.or_(created < at, sa.and_(created == at, order_id < last)))
        return list((await session.exec(select_)).all())

    @staticmethod
    async def _lines(session: AsyncSession, orders: list[Order]) -> list[OrderLine]:
        """The orders with their product, variant, voucher code and store, read in one query each."""
        async def by_id(model: Any, ids: set[str | None]) -> dict[str, Any]:
            wanted = {i for i in ids if i}
            if not wanted:
                return {}
            return {row.id: row for row in (await session.exec(select(model).where(col(model.id).in_(wanted)))).all()}

        products = await by_id(Product, {o.product_id for o in orders})
        variants = await by_id(Variant, {o.variant_id for o in orders})
        vouchers = await by_id(Voucher, {o.voucher_id for o in orders})
        items = await by_id(StoreItem, {o.store_item_id for o in orders})
        return [OrderLine(order=o, product=products.get(o.product_id), variant=variants.get(o.variant_id),
                          voucher_code=vouchers[o.voucher_id].code if o.voucher_id in vouchers else None,
                          store_id=items[o.store_item_id].store_id if o.store_item_id in items else None)
                for o in orders]


@dataclass(frozen=True, slots=True)
class OrderLine:
    """An order as a seller's list and export show it: with its product, variant, voucher code and store."""

    order: Order
    product: Product | None
    variant: Variant | None
    voucher_code: str | None
    store_id: str | None
