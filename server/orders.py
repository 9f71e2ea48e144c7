"""Orders: one service for the HTTP `POST /api/orders`, the socket's `buy` and the store checkout.

A unit of stock is taken by the conditional UPDATE of inventory.take_in_db in the same transaction
that stores the order; the buyer hears "placed" only after that commit. An Idempotency-Key makes a
retry return the first order. A pending order not paid in time goes back to stock.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.addresses import promise_for
from server.auth import Principal
from server.db import Database
from server.deals import Deals
from server.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthorized
from server.feed import CommerceFeed
from server.ids import as_utc, iso, new_id, utcnow
from server.inventory import StockGate, give_in_db, take_in_db
from server.models import Product, Show, ShowProduct, Variant
from server.models.commerce import BuyerQuota, Deal, Order, OrderIn, Voucher
from server.models.stores import StoreItem
from server.payments import PaymentProvider
from server.sql import add_up_to, fetch
from server.vouchers import Vouchers

log = logging.getLogger("vitrine.orders")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "paid": ("pending",),
    "shipped": ("paid",),
    "delivered": ("shipped",),
    "cancelled": ("pending",),  # a paid order leaves only through "refunded", which returns the money
    "refunded": ("paid", "shipped", "delivered"),
}
STAMP = {"paid": "paid_at", "shipped": "shipped_at", "delivered": "delivered_at", "cancelled": "cancelled_at",
         "refunded": "refunded_at"}
HOLDS_STOCK = ("pending", "paid", "shipped", "delivered")


class SoldOut(Conflict):
    code = "sold_out"


@dataclass(frozen=True, slots=True)
class Found:
    variant: Variant
    product: Product
    order: Order | None
    show: Show | None
    in_show: bool


@dataclass(frozen=True, slots=True)
class Quote:
    product: Product
    variant: Variant
    show: Show | None
    deal: Deal | None
    voucher: Voucher | None
    unit: int
    discount: int


@dataclass(frozen=True, slots=True)
class Placed:
    order: dict[str, Any]
    replayed: bool


def fingerprint(data: OrderIn) -> str:
    return hashlib.sha256(orjson.dumps(data.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)).hexdigest()


class Orders:
    def __init__(self, *, db: Database, gate: StockGate, feed: CommerceFeed, payments: PaymentProvider,
                 deals: Deals, vouchers: Vouchers, secret_key: str, base_url: str,
                 reservation_s: int = 600) -> None:
        self.db = db
        self.gate = gate
        self.feed = feed
        self.payments = payments
        self.deals = deals
        self.vouchers = vouchers
        self.base_url = base_url.rstrip("/")
        self.reservation = timedelta(seconds=reservation_s)
        self._tokens = URLSafeSerializer(secret_key, salt="vitrine.order")

    # --- placing -----------------------------------------------------------------------------------

    async def place(self, *, data: OrderIn, key: str) -> Placed:
        """Two database sessions for an order placed, two for a sold-out refusal: the reads (with the
        Idempotency-Key lookup), then the commit, or the check of a gate's "no"."""
        if not 8 <= len(key) <= 100 or not key.isprintable():
            raise InvalidInput("Idempotency-Key must be 8 to 100 printable characters", code="invalid_idempotency_key")
        digest = fingerprint(data)
        async with self.db.session() as session:
            found = await self._lookup(session, data, key)
            # An order this key placed answers first, even if the show has ended since. The key and the
            # stock are read in one statement, from one snapshot: an order committed by a racing attempt
            # with this key is seen together with the stock it took, so "sold out" is never that race.
            if found is not None and found.order is not None:
                return await self._replay_of(session, found.order, digest)
            if found is None and (replay := await self._replayed(session, key, digest)) is not None:
                return replay
            quote = await self._quote(session, data, found)
        variant = quote.variant
        if variant.stock < data.quantity:  # as read just now; the conditional UPDATE still decides
            raise SoldOut("sold out: the stock left cannot cover this order")
        gated = await self.gate.take(variant_id=variant.id, quantity=data.quantity)
        if not gated:
            async with self.db.session() as session:  # the gate said no: the database decides
                stock = await self._db_stock(session, variant.id)
                if (replay := await self._replayed(session, key, digest)) is not None:
                    return replay
            if stock < data.quantity:
                raise SoldOut("sold out: the stock left cannot cover this order")
            await self.gate.sync([variant.id], force=True)  # the gate was wrong
            gated = await self.gate.take(variant_id=variant.id, quantity=data.quantity)
        kept = resync = False
        try:
            placed = await self._commit(data=data, key=key, digest=digest, quote=quote)
            kept = True
            return placed
        except IntegrityError:  # the same key committed meanwhile (or a constraint held): that order answers
            replay = await self._replay(key, digest)
            if replay is None:
                raise
            return replay
        except DomainError as exc:
            resync = isinstance(exc, SoldOut)  # the gate let through what the database refused
            return await self._refuse(key, digest, exc)
        finally:
            if gated and not kept:
                await self.gate.give(variant_id=variant.id, quantity=data.quantity)
            if resync:
                await self.gate.sync([variant.id], force=True)

    async def _lookup(self, session: AsyncSession, data: OrderIn, key: str) -> Found | None:
        """The variant with its product, the show, whether the product is in it, and the order this key
        placed, in one statement; None when the variant does not exist."""
        stmt = (sa.select(Variant, Product, Order)
                .join(Product, col(Product.id) == col(Variant.product_id))
                .outerjoin(Order, col(Order.idempotency_key) == key)
                .where(col(Variant.id) == data.variant_id))
        if data.show_id is not None:
            stmt = (stmt.add_columns(Show, col(ShowProduct.show_id))
                    .outerjoin(Show, col(Show.id) == data.show_id)
                    .outerjoin(ShowProduct, sa.and_(col(ShowProduct.show_id) == data.show_id,
                                                    col(ShowProduct.product_id) == col(Variant.product_id))))
        row = (await session.exec(stmt)).first()  # type: ignore[call-overload]
        if row is None:
            return None
        show, in_show = (row[3], row[4] is not None) if data.show_id is not None else (None, False)
        return Found(variant=row[0], product=row[1], order=row[2], show=show, in_show=in_show)

    async def _quote(self, session: AsyncSession, data: OrderIn, found: Found | None) -> Quote:
        """What the order would be, from the rows it depends on; every rule that can refuse it before
        the stock is taken."""
        if found is not None and found.product.id == data.product_id:
            product, variant = found.product, found.variant
            show = self._live_show(data, found.show, in_show=found.in_show)
        else:  # something is wrong: the reads one by one say what
            product, variant = await self._item(session, data)
            show = await self._show(session, data, product.id)
        await self._store_item(session, data)
        unit = product.price_amount
        deal = None
        if data.deal_id:
            deal = await self.deals.usable(session, deal_id=data.deal_id, show_id=data.show_id, product=product)
            unit = min(deal.price_amount, product.price_amount)  # a deal never costs more than the product
        voucher = None
        discount = 0
        if data.voucher:
            voucher, discount = await self.vouchers.quote(session, code=data.voucher, product=product,
                                                          show_id=data.show_id, buyer_email=data.buyer.email,
                                                          subtotal=unit * data.quantity)
        return Quote(product=product, variant=variant, show=show, deal=deal, voucher=voucher, unit=unit,
                     discount=discount)

    async def _refuse(self, key: str, digest: str, exc: DomainError) -> Placed:
        """A refusal may be this very request losing to its own first attempt: then that order is the answer."""
        replay = await self._replay(key, digest)
        if replay is not None:
            return replay
        raise exc

    async def _commit(self, *, data: OrderIn, key: str, digest: str, quote: Quote) -> Placed:
        product, variant, show, deal, voucher = quote.product, quote.variant, quote.show, quote.deal, quote.voucher
        unit, discount = quote.unit, quote.discount
        subtotal = unit * data.quantity
        now = utcnow()
        checkout = self.payments.checkout(order_id="", amount=subtotal - discount, currency=product.currency,
                                          return_url=self.base_url)
        order = Order(id=new_id("ord"), product_id=product.id, variant_id=variant.id, seller_id=product.seller_id,
                      quantity=data.quantity, unit_amount=unit, discount_amount=discount,
                      total_amount=subtotal - discount, currency=product.currency, show_id=data.show_id,
                      store_item_id=data.store_item_id, deal_id=deal.id if deal else None,
                      voucher_id=voucher.id if voucher else None, buyer_name=data.buyer.name,
                      buyer_email=data.buyer.email, address=data.buyer.address.model_dump(),
                      idempotency_key=key, request_hash=digest, payment_provider=self.payments.name,
                      payment_ref=checkout.ref, created_at=now, expires_at=now + self.reservation)
        deal_done = False
        async with self.db.session() as session:
            # The rows every buyer of a flash sale wants (the variant's stock, the deal's count) are
            # updated last, right before the commit: their row locks are held for one round trip, not
            # for the whole transaction, so buyers of one hot variant queue for as short a time as can be.
            if show is not None:
                await self._hold_quota(session, show=show, product_id=product.id, email=data.buyer.email,
                                       quantity=data.quantity)
            if voucher is not None:
                await self.vouchers.claim(session, voucher=voucher, buyer_email=data.buyer.email)
            session.add(order)
            await session.flush()
            left = await take_in_db(session, variant_id=variant.id, quantity=data.quantity)
            if left is None:
                raise SoldOut("sold out: the stock left cannot cover this order")
            if deal is not None:  # after the stock, as a cancel or refund takes them: no deadlock
                deal_done = await self.deals.claim(session, deal=deal, quantity=data.quantity)
            await session.commit()
        self.feed.note_stock(product_id=product.id, variant_id=variant.id, available=left)
        self.feed.note_sale(show_id=order.show_id, product_id=product.id, quantity=order.quantity)
        if deal is not None and deal_done:
            await self.deals.announce_end(deal_id=deal.id, reason="sold_out")
        return Placed(order=self.public(order, product=product, variant=variant, token=True), replayed=False)

    async def _replay(self, key: str, digest: str) -> Placed | None:
        async with self.db.session() as session:
            return await self._replayed(session, key, digest)

    async def _replayed(self, session: AsyncSession, key: str, digest: str) -> Placed | None:
        """The order this Idempotency-Key already placed, if any."""
        order = (await session.exec(select(Order).where(Order.idempotency_key == key))).first()
        return None if order is None else await self._replay_of(session, order, digest)

    async def _replay_of(self, session: AsyncSession, order: Order, digest: str) -> Placed:
        if order.request_hash != digest:
            raise InvalidInput("this Idempotency-Key was used for another order", code="idempotency_key_reused")
        product = await session.get(Product, order.product_id)
        variant = await session.get(Variant, order.variant_id)
        return Placed(order=self.public(order, product=product, variant=variant, token=True), replayed=True)

    async def _item(self, session: AsyncSession, data: OrderIn) -> tuple[Product, Variant]:
        product = await session.get(Product, data.product_id)
        if product is None:
            raise NotFound(f"no product {data.product_id}", code="product_not_found")
        variant = await session.get(Variant, data.variant_id)
        if variant is None or variant.product_id != product.id:
            raise InvalidInput("this variant is not one of the product's", code="variant_not_found")
        return product, variant

    async def _show(self, session: AsyncSession, data: OrderIn, product_id: str) -> Show | None:
        if data.show_id is None:
            return None
        show = await session.get(Show, data.show_id)
        in_show = show is not None and await session.get(ShowProduct, (show.id, product_id)) is not None
        return self._live_show(data, show, in_show=in_show)

    @staticmethod
    def _live_show(data: OrderIn, show: Show | None, *, in_show: bool) -> Show | None:
        if data.show_id is None:
            return None
        if show is None:
            raise NotFound(f"no show {data.show_id}", code="show_not_found")
        if show.status != "live":
            raise Conflict("the show is not live", code="show_not_live")
        if not in_show:
            raise InvalidInput("this product is not part of the show", code="product_not_in_show")
        return show

    @staticmethod
    async def _store_item(session: AsyncSession, data: OrderIn) -> None:
        """An order from a pop-up store's code remembers its item: it must be that item's product."""
        if data.store_item_id is None:
            return
        item = await session.get(StoreItem, data.store_item_id)
        if item is None or item.revoked_at is not None or item.product_id != data.product_id:
            raise InvalidInput("this store item does not sell this product", code="store_item_not_found")
        if item.variant_id is not None and item.variant_id != data.variant_id:
            raise InvalidInput("this store item sells one size only", code="variant_not_found")

    async def _hold_quota(self, session: AsyncSession, *, show: Show, product_id: str, email: str,
                          quantity: int) -> None:
        held = quantity <= show.buyer_limit and await add_up_to(
            session, BuyerQuota, {"show_id": show.id, "product_id": product_id, "buyer_email": email},
            column="quantity", amount=quantity, ceiling=show.buyer_limit)
        if not held:
            raise Conflict(f"a buyer may take at most {show.buyer_limit} of this product in this show",
                           code="buyer_limit")

    @staticmethod
    async def _db_stock(session: AsyncSession, variant_id: str) -> int:
        return int((await session.exec(select(Variant.stock).where(Variant.id == variant_id))).one())

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

    def public(self, order: Order, *, product: Product | None, variant: Variant | None,
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
                        "url": f"{self.base_url}/pay/{order.payment_provider}/{order.payment_ref}"
                        if order.status == "pending" else None},
        }
        if token:
            body["token"] = self.token(order.id)
            body["url"] = f"{self.base_url}/orders/{order.id}?t={body['token']}"
        return body

    # --- moving ------------------------------------------------------------------------------------

    async def transition(self, *, order_id: str, to: str, principal: Principal | None = None,
                         reason: str | None = None, refund_at_provider: bool = True) -> dict[str, Any]:
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
                .values(status=to, **{STAMP[to]: utcnow()}, **({"cancel_reason": reason[:32]} if reason else {}))
                .returning(col(Order.id))
            )
            if moved.first() is None:
                await session.rollback()
                await session.refresh(order)
                raise Conflict(f"an order that is {order.status} cannot become {to}", code="invalid_transition")
            if to in ("cancelled", "refunded"):
                left = await give_in_db(session, variant_id=order.variant_id, quantity=order.quantity)
                await self._release(session, order)
            if to == "refunded" and refund_at_provider:
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
            await self.gate.give(variant_id=order.variant_id, quantity=order.quantity)
            self.feed.note_stock(product_id=order.product_id, variant_id=order.variant_id, available=left)
        return self.public(order, product=product, variant=variant)

    async def _release(self, session: AsyncSession, order: Order) -> None:
        if order.show_id:  # the order's units were added to the quota when it was placed
            await session.exec(
                sa.update(BuyerQuota)
                .where(col(BuyerQuota.show_id) == order.show_id, col(BuyerQuota.product_id) == order.product_id,
                       col(BuyerQuota.buyer_email) == order.buyer_email)
                .values(quantity=col(BuyerQuota.quantity) - order.quantity)
            )
        if order.deal_id:
            await self.deals.release(session, deal_id=order.deal_id, quantity=order.quantity)
        if order.voucher_id:
            await self.vouchers.release(session, voucher_id=order.voucher_id, buyer_email=order.buyer_email)

    async def paid(self, *, payment_ref: str, amount: int | None = None,
                   currency: str | None = None) -> tuple[str | None, str]:
        """A provider says the payment succeeded: pending → paid, when it paid the order's total in the
        order's currency; money that does not match goes back to the buyer. Returns (order id, status)."""
        if amount is not None or currency is not None:
            async with self.db.session() as session:
                order = (await session.exec(select(Order).where(Order.payment_ref == payment_ref))).first()
            if order is not None and (amount, currency) != (order.total_amount, order.currency):
                if amount and currency:
                    await self.payments.refund(ref=payment_ref, amount=amount, currency=currency)
                return order.id, "amount_mismatch"
        return await self._by_ref(payment_ref, "paid"), "applied"

    async def refunded(self, *, payment_ref: str) -> str | None:
        return await self._by_ref(payment_ref, "refunded")

    async def payment_failed(self, *, payment_ref: str) -> str | None:
        return await self._by_ref(payment_ref, "cancelled", reason="payment_failed")

    async def _by_ref(self, payment_ref: str, to: str, reason: str | None = None) -> str | None:
        async with self.db.session() as session:
            order_id = (await session.exec(select(Order.id).where(Order.payment_ref == payment_ref))).first()
        if order_id is None:
            return None
        try:
            await self.transition(order_id=order_id, to=to, reason=reason, refund_at_provider=False)
        except Conflict:
            # moved on already: paid twice is nothing; money for an order that expired goes back to the buyer
            async with self.db.session() as session:
                order = await session.get(Order, order_id)
            if to == "paid" and order is not None and order.status == "cancelled":
                await self.payments.refund(ref=payment_ref, amount=order.total_amount, currency=order.currency)
        return order_id

    async def by_payment_ref(self, *, ref: str, with_url: bool = False) -> dict[str, Any]:
        async with self.db.session() as session:
            order = (await session.exec(select(Order).where(Order.payment_ref == ref))).first() if len(ref) <= 100 \
                else None
        if order is None:
            raise NotFound("no payment with this reference", code="payment_not_found")
        info: dict[str, Any] = {"order_id": order.id, "payment_ref": ref, "amount": order.total_amount,
                                "currency": order.currency, "status": order.status}
        if with_url:
            info["order_url"] = f"{self.base_url}/orders/{order.id}?t={self.token(order.id)}"
        return info

    async def expire_due(self, *, limit: int = 200) -> int:
        """Pending orders past their time go back to stock. Safe on every node at once."""
        async with self.db.session() as session:
            due = (await session.exec(
                select(Order.id).where(Order.status == "pending", col(Order.expires_at) < utcnow()).limit(limit)
            )).all()
        expired = 0
        for order_id in due:
            try:
                await self.transition(order_id=order_id, to="cancelled", reason="expired")
                expired += 1
            except Conflict:
                continue  # paid, or expired by another node, in the meantime
            except Exception:
                log.exception("could not expire order %s", order_id)  # the next sweep tries again
        return expired

    async def for_seller(self, *, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
        principal.require("seller")
        async with self.db.session() as session:
            query = select(Order).order_by(col(Order.created_at).desc()).limit(limit)
            if not principal.admin:
                query = query.where(Order.seller_id == principal.id)
            orders = (await session.exec(query)).all()
            products = {p.id: p for p in (await session.exec(
                select(Product).where(col(Product.id).in_({o.product_id for o in orders})))).all()}
            variants = {v.id: v for v in (await session.exec(
                select(Variant).where(col(Variant.id).in_({o.variant_id for o in orders})))).all()}
        return [self.public(o, product=products.get(o.product_id), variant=variants.get(o.variant_id)) for o in orders]
