"""The till: orders are placed in batches, one database transaction per batch (a group commit).

In a flash sale thousands of buyers want one variant within seconds. With a transaction per order,
every order pays for its own statements, round trips and commit, and all of them queue for the
variant's row lock. The till collects the orders that arrive while the previous batch is being placed
and places them together: one read of the rows they depend on, one call to the stock gate, one upsert
of the buyers' quotas, one insert of the orders, and one conditional UPDATE per variant (and per deal)
for the whole batch, right before the commit, so that the hot rows stay locked for one round trip.

Every rule is still checked for each order, and an order refused leaves the others of its batch
alone. When a variant's stock or a deal's cap cannot cover the whole batch (the gate let through
more than the database holds), the batch is rolled back, the orders that do not fit are refused from
a fresh read, and the others are placed again: nothing is sold twice, and nobody hears "sold out"
while the database still had a unit for them. A buyer hears "placed" only after the commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import fields
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.commerce import offers
from server.commerce.asks import (
    Ask,
    Placed,
    Shortfall,
    SoldOut,
    Written,
    buyer_limit,
    deal_gone,
    fingerprint,
    idempotency_key,
    sold_out,
)
from server.commerce.buyers import same_buyer
from server.commerce.feed import CommerceFeed
from server.commerce.payments.base import PaymentProvider
from server.commerce.quotes import Quotes, Rows, orders_by_key
from server.commerce.stock import StockGate, take_in_db
from server.commerce.vouchers import Vouchers
from server.errors import Conflict, DomainError, InvalidInput
from server.infra import metrics
from server.infra.db import Database
from server.infra.ids import as_utc, new_id, utcnow
from server.infra.sql import add_up_to, any_of, insert_new
from server.models import Product, Variant
from server.models.commerce import BuyerQuota, Deal, Order, OrderIn, OrderRow

log = logging.getLogger("vitrine.till")

QUOTA_KEY = ("show_id", "product_id", "buyer_email")
ORDER_FIELDS = tuple(f.name for f in fields(OrderRow))
MAX_REFITS = 3  # attempts at a batch (cut down after a shortfall) before its orders are placed one by one
RETRYABLE = ("40P01", "40001")  # PostgreSQL's deadlock_detected and serialization_failure
DealSoldOut = Callable[[str], Awaitable[None]]  # told the id of a deal whose last piece a batch took


async def give_back_quota(session: AsyncSession, data: OrderIn | Order) -> None:
    """Take an order's units off its buyer's count for its product in its show (a cancel, a refusal)."""
    if data.show_id is None:
        return
    email = same_buyer(data.buyer.email if isinstance(data, OrderIn) else data.buyer_email)
    await session.exec(
        sa.update(BuyerQuota)
        .where(col(BuyerQuota.show_id) == data.show_id, col(BuyerQuota.product_id) == data.product_id,
               col(BuyerQuota.buyer_email) == email)
        .values(quantity=col(BuyerQuota.quantity) - data.quantity))


class Till:
    def __init__(self, *, db: Database, gate: StockGate, feed: CommerceFeed, payments: PaymentProvider,
                 vouchers: Vouchers, public: Callable[..., dict[str, Any]], return_url: str,
                 reservation: timedelta, on_deal_sold_out: DealSoldOut, max_batch: int = 256,
                 lanes: int = 2) -> None:
        self.db = db
        self.gate = gate
        self.feed = feed
        self.payments = payments
        self.vouchers = vouchers
        self.quotes = Quotes(vouchers=vouchers)
        self.public = public
        self.return_url = return_url
        self.on_deal_sold_out = on_deal_sold_out
        self.reservation = reservation
        self.max_batch = max_batch
        self.lanes = lanes
        self._queue: deque[Ask] = deque()
        self._workers: set[asyncio.Task[None]] = set()
        self._resync: set[str] = set()

    async def place(self, *, data: OrderIn, key: str) -> Placed:
        idempotency_key(key)
        loop = asyncio.get_running_loop()
        ask = Ask(data=data, key=key, digest=fingerprint(data), answer=loop.create_future())
        self._queue.append(ask)
        # Only workers still running count: one that has just ended is dropped by its done-callback a loop
        # step later, and a closed loop's task never ends.
        for gone in [w for w in self._workers if w.done() or w.get_loop() is not loop]:
            self._workers.discard(gone)
        if len(self._workers) < self.lanes:  # a batch being placed waits on round trips: others go meanwhile
            worker = loop.create_task(self._work(), name="vitrine-till")
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
        return await ask.answer

    # --- batches -----------------------------------------------------------------------------------

    async def _work(self) -> None:
        """Batches until the queue is empty: whatever arrived while the last one was being placed. Up to
        `lanes` of these run at once; their batches lock the rows they share in one order (quotas, then
        variants, then deals, each sorted), so two batches wait for each other but never deadlock."""
        while self._queue:
            batch = self._next_batch()
            started = time.perf_counter()
            await self._run(batch)
            metrics.TILL_BATCH.observe(len(batch))
            metrics.TILL_SECONDS.observe(time.perf_counter() - started)

    def _next_batch(self) -> list[Ask]:
        """Up to max_batch orders in arrival order. An order with the key or the buyer's quota row of an
        order already in the batch waits for the next one: one statement cannot touch a row twice."""
        batch: list[Ask] = []
        later: list[Ask] = []
        keys: set[str] = set()
        quotas: set[tuple[str, str, str]] = set()
        while self._queue and len(batch) < self.max_batch and len(later) < self.max_batch:
            ask = self._queue.popleft()
            quota = ask.quota_key
            if ask.key in keys or (quota is not None and quota in quotas):
                later.append(ask)
                continue
            keys.add(ask.key)
            if quota is not None:
                quotas.add(quota)
            batch.append(ask)
        self._queue.extendleft(reversed(later))
        return batch

    async def _run(self, asks: list[Ask]) -> None:
        try:
            # One session for the batch: under load every round trip waits for two processes to be
            # scheduled, so a batch makes as few as it can (reads, then writes, then one commit).
            async with self.db.session() as session:
                rows = await Rows.read(session, [(a.data, a.key) for a in asks])
                for ask in asks:
                    await self._judge(session, ask, rows)
                # The rows read stay as they were read: a rollback after a shortfall must not expire
                # them, and the batch's UPDATEs need not look for them in the session.
                session.expunge_all()
                await self._take(session, [a for a in asks if a.open])
                await self._place(session, [a for a in asks if a.open])
                await self._replays(session, [a for a in asks if a.replay])
        except Exception as exc:  # the database or Redis failed: every order not yet decided hears it
            for ask in asks:
                if ask.open or ask.replay:
                    ask.outcome, ask.replay = exc, False
        finally:
            try:
                await self.gate.give([a.units for a in asks if a.gated and not a.placed])
                if self._resync:
                    variant_ids, self._resync = self._resync, set()
                    await self.gate.sync(variant_ids, force=True)  # the gate let through what the database refused
            except Exception:
                log.exception("could not give units back to the stock gate (the next sync rebuilds it)")
            for ask in asks:
                ask.settle()

    # --- reading and judging -----------------------------------------------------------------------

    async def _judge(self, session: AsyncSession, ask: Ask, rows: Rows) -> None:
        """An order this key placed answers first, even if the show has ended since; then every rule that
        can refuse the order before its stock is taken."""
        try:
            order = rows.orders.get(ask.key)
            if order is not None:
                ask.outcome = await self._replay_of(session, order, ask.digest, rows)
                return
            ask.quote = await self.quotes.quote(session, ask.data, rows)
            if ask.quote.variant.stock < ask.data.quantity:  # as read just now; the conditional UPDATE decides
                raise sold_out()
        except DomainError as exc:
            ask.outcome = exc

    # --- the stock gate ----------------------------------------------------------------------------

    async def _take(self, session: AsyncSession, asks: list[Ask]) -> None:
        """Units from the gate for every order, in one call. Where the gate says no, the database decides
        (the gate may be behind it), and an order the same key placed meanwhile answers."""
        passed = await self.gate.take([a.units for a in asks])
        refused = []
        for ask, ok in zip(asks, passed, strict=True):
            ask.gated = ok
            if not ok:
                refused.append(ask)
        if not refused:
            return
        wrong = []
        stock = await self._stock(session, {a.units[0] for a in refused})
        orders = await orders_by_key(session, (a.key for a in refused))
        for ask in refused:
            try:
                if (order := orders.get(ask.key)) is not None:
                    ask.outcome = await self._replay_of(session, order, ask.digest)
                elif stock.get(ask.units[0], 0) < ask.data.quantity:
                    ask.outcome = sold_out()
                else:
                    wrong.append(ask)
            except DomainError as exc:
                ask.outcome = exc
        if wrong:  # the gate was wrong: rebuilt from the database, then asked again (the database still decides)
            await self.gate.sync({a.units[0] for a in wrong}, force=True)
            for ask, ok in zip(wrong, await self.gate.take([a.units for a in wrong]), strict=True):
                ask.gated = ok

    @staticmethod
    async def _stock(session: AsyncSession, variant_ids: set[str]) -> dict[str, int]:
        found = await session.exec(select(Variant.id, Variant.stock).where(any_of(session, Variant.id, variant_ids)))
        return {variant_id: int(stock) for variant_id, stock in found}

    # --- placing -----------------------------------------------------------------------------------

    async def _place(self, session: AsyncSession, asks: list[Ask]) -> None:
        """Commit the batch; after a shortfall, again with what fits a fresh read; in the end one by one."""
        for _ in range(MAX_REFITS):
            if not asks:
                return
            try:
                await self._commit(session, asks)
                return
            except Shortfall as short:
                if len(asks) == 1:
                    asks[0].outcome, asks[0].replay = short.error, True
                    if isinstance(short.error, SoldOut):
                        self._resync.add(asks[0].units[0])  # the gate let it through: it is ahead of the database
                    return
                asks = await self._fit(session, asks, counted=set(short.counted))
            except IntegrityError as exc:  # a constraint held: each order gets its own answer
                if len(asks) == 1:
                    asks[0].outcome, asks[0].replay = exc, True
                    return
                break
            except DBAPIError as exc:  # a deadlock with a cancel, a refund or another node: the batch goes again
                if getattr(exc.orig, "sqlstate", None) not in RETRYABLE:
                    raise
                log.warning("the till's batch of %d orders met %s; placing it again", len(asks), exc.orig)
        for ask in asks:
            await self._place(session, [ask])

    async def _fit(self, session: AsyncSession, asks: list[Ask], *, counted: set[Ask]) -> list[Ask]:
        """After a shortfall: the stock and the deals' caps as they are now; the orders that fit them, in
        arrival order, go on, and the others are refused. Orders the failed attempt had refused before
        asking for stock (over a limit, a voucher used up, a key raced) go on uncounted: the next attempt
        decides them again, and their units are left for the others."""
        deal_ids = {a.quote.deal.id for a in asks if a.quote is not None and a.quote.deal is not None}
        stock = await self._stock(session, {a.units[0] for a in asks})
        caps: dict[str, int] = {}
        if deal_ids:
            now = utcnow()
            for row in await session.exec(select(Deal).where(any_of(session, Deal.id, deal_ids))):
                running = row.ended_at is None and as_utc(row.ends_at) > now
                caps[row.id] = row.quantity - row.sold if running else 0
        going = []
        for ask in asks:
            assert ask.quote is not None
            variant_id, quantity = ask.units
            deal = ask.quote.deal
            if ask not in counted:
                going.append(ask)
            elif stock.get(variant_id, 0) < quantity:
                ask.outcome, ask.replay = sold_out(), True
                self._resync.add(variant_id)
            elif deal is not None and caps.get(deal.id, 0) < quantity:
                ask.outcome, ask.replay = deal_gone(), True
            else:
                stock[variant_id] -= quantity
                if deal is not None:
                    caps[deal.id] -= quantity
                going.append(ask)
        return going

    async def _commit(self, session: AsyncSession, asks: list[Ask]) -> None:
        """One transaction for the batch. What it refuses is only applied once it has committed: a
        rolled-back attempt (a shortfall) decides nothing."""
        try:
            done = await self._write(session, asks)
        except BaseException:
            await session.rollback()  # before anything else: its row locks would block the next attempt
            raise
        for ask, error in done.refused.items():
            ask.outcome, ask.replay = error, True  # unless this is the same order's first attempt answering
        for ask in done.raced:
            ask.replay = True
        products = {}
        for ask, order in done.placed.items():
            quote = ask.quote
            assert quote is not None
            ask.outcome = Placed(order=self.public(order, product=quote.product, variant=quote.variant, token=True),
                                 replayed=False)
            self.feed.note_sale(show_id=ask.data.show_id, product_id=quote.product.id, quantity=ask.data.quantity)
            products[quote.variant.id] = quote.product.id
        for variant_id, available in done.left.items():
            self.feed.note_stock(product_id=products[variant_id], variant_id=variant_id, available=available)
        for deal_id in done.finished:
            try:
                await self.on_deal_sold_out(deal_id)
            except Exception:  # its orders are placed; the deal's next order finds it ended all the same
                log.exception("could not announce the end of deal %s", deal_id)

    async def _write(self, session: AsyncSession, asks: list[Ask]) -> Written:
        # Every multi-row step takes its row locks in one order on every node and lane (keys, buyers'
        # counts, vouchers, variants, deals, each sorted), as a cancel or a refund does: no deadlock.
        refused: dict[Ask, DomainError] = {}
        now = utcnow()
        # The orders first: a retry whose first attempt is still in flight waits here for it, and is
        # found a duplicate before it takes anyone's quota or voucher use.
        orders = {ask: self._order(ask, now) for ask in sorted(asks, key=lambda a: a.key)}
        inserted = await insert_new(session, Order, [{f: getattr(o, f) for f in ORDER_FIELDS}
                                                     for o in orders.values()], unique="idempotency_key")
        raced = [a for a in asks if a.key not in inserted]  # another request with the same key committed first
        going = [a for a in asks if a.key in inserted]
        await self._hold_quotas(session, going, refused)
        vouchered = [a for a in going if a.quote is not None and a.quote.voucher is not None and a not in refused]
        for ask in sorted(vouchered, key=lambda a: a.quote.voucher.id if a.quote and a.quote.voucher else ""):
            assert ask.quote is not None and ask.quote.voucher is not None
            try:  # one by one: each use is counted against the voucher's limits
                await self.vouchers.claim(session, voucher=ask.quote.voucher,
                                          buyer_email=same_buyer(ask.data.buyer.email))
            except DomainError as exc:
                refused[ask] = exc
                await give_back_quota(session, ask.data)
        if refused:
            await session.exec(sa.delete(Order).where(any_of(session, Order.id, [orders[a].id for a in refused]))
                               .execution_options(synchronize_session=False))
        going = [a for a in going if a not in refused]
        # The rows every buyer of a flash sale wants, the variant's stock and the deal's count, are
        # updated last, once for the batch and in one order on every node (no deadlock): their locks
        # are held for one round trip. Deals after stock, as a cancel or a refund takes them.
        units: Counter[str] = Counter()
        per_deal: Counter[str] = Counter()
        for ask in going:
            units[ask.units[0]] += ask.data.quantity
            if ask.quote is not None and ask.quote.deal is not None:
                per_deal[ask.quote.deal.id] += ask.data.quantity
        left: dict[str, int] = {}
        for variant_id in sorted(units):
            taken = await take_in_db(session, variant_id=variant_id, quantity=units[variant_id])
            if taken is None:
                raise Shortfall(sold_out(), going)
            left[variant_id] = taken
        deals = {a.quote.deal.id: a.quote.deal for a in going if a.quote is not None and a.quote.deal is not None}
        finished = []
        for deal_id in sorted(per_deal):
            try:
                if await offers.claim(session, deal=deals[deal_id], quantity=per_deal[deal_id]):
                    finished.append(deal_id)
            except Conflict:
                raise Shortfall(deal_gone(), going) from None
        await session.commit()
        return Written(placed={ask: orders[ask] for ask in going}, refused=refused, raced=raced, left=left,
                       finished=finished)

    @staticmethod
    async def _hold_quotas(session: AsyncSession, asks: list[Ask], refused: dict[Ask, DomainError]) -> None:
        """Each buyer's units of a product in a show, against the show's limit: one upsert per show."""
        shows: dict[str, list[Ask]] = {}
        for ask in asks:
            show = ask.quote.show if ask.quote is not None else None
            if show is None:
                continue
            if ask.data.quantity > show.buyer_limit:
                refused[ask] = buyer_limit(show)
            else:
                shows.setdefault(show.id, []).append(ask)
        for group in (shows[k] for k in sorted(shows)):
            group.sort(key=lambda a: a.quota_key or ())  # one lock order on every node
            show = group[0].quote.show if group[0].quote is not None else None
            assert show is not None
            held = await add_up_to(session, BuyerQuota, [
                {"show_id": show.id, "product_id": a.data.product_id, "buyer_email": same_buyer(a.data.buyer.email),
                 "quantity": a.data.quantity} for a in group], keys=QUOTA_KEY, column="quantity",
                ceiling=show.buyer_limit)
            for ask in group:
                if ask.quota_key not in held:
                    refused[ask] = buyer_limit(show)

    def _order(self, ask: Ask, now: Any) -> OrderRow:
        data, quote = ask.data, ask.quote
        assert quote is not None
        product, deal, voucher = quote.product, quote.deal, quote.voucher
        total = quote.total
        checkout = self.payments.checkout(order_id="", amount=total, currency=product.currency,
                                          return_url=self.return_url)
        return OrderRow(
            id=new_id("ord"), product_id=product.id, variant_id=quote.variant.id, seller_id=product.seller_id,
            quantity=data.quantity, unit_amount=quote.unit, discount_amount=quote.discount, total_amount=total,
            currency=product.currency, show_id=data.show_id, store_item_id=data.store_item_id,
            deal_id=deal.id if deal else None, voucher_id=voucher.id if voucher else None,
            buyer_name=data.buyer.name, buyer_email=data.buyer.email, address=data.buyer.address.model_dump(),
            idempotency_key=ask.key, request_hash=ask.digest, payment_provider=self.payments.name,
            payment_ref=checkout.ref, created_at=now, expires_at=now + self.reservation)

    # --- replays -----------------------------------------------------------------------------------

    async def _replays(self, session: AsyncSession, asks: list[Ask]) -> None:
        """A refusal may be this very order losing to its own first attempt: then that order answers."""
        if not asks:
            return
        orders = await orders_by_key(session, (a.key for a in asks))
        for ask in asks:
            ask.replay = False
            order = orders.get(ask.key)
            if order is None:
                if ask.outcome is None:  # its key's order went away: cannot happen, orders are kept
                    ask.outcome = Conflict("this Idempotency-Key is in use", code="idempotency_key_in_use")
                continue
            try:
                ask.outcome = await self._replay_of(session, order, ask.digest)
            except DomainError as exc:
                ask.outcome = exc

    async def _replay_of(self, session: AsyncSession, order: Order, digest: str, rows: Rows | None = None) -> Placed:
        if order.request_hash != digest:
            raise InvalidInput("this Idempotency-Key was used for another order", code="idempotency_key_reused")
        item = rows.items.get(order.variant_id) if rows is not None else None
        product: Product | None
        variant: Variant | None
        if item is not None and item[1].id == order.product_id:
            variant, product = item
        else:
            product = await session.get(Product, order.product_id)
            variant = await session.get(Variant, order.variant_id)
        return Placed(order=self.public(order, product=product, variant=variant, token=True), replayed=True)
