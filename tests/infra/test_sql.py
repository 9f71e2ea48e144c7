"""The SQL helpers for batches, on both backends: right results for batches of any size and, on
PostgreSQL, one statement text per helper whatever the size (asyncpg prepares every new text: a text
per batch size costs a PREPARE round trip per batch)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from server.commerce.quotes import orders_by_key
from server.commerce.till import ORDER_FIELDS, QUOTA_KEY, Till
from server.infra.db import Database
from server.infra.ids import as_utc, new_id, utcnow
from server.infra.migrate import upgrade
from server.infra.sql import add_up_to, any_of, insert_new
from server.models import Product, Show, User, Variant
from server.models.commerce import BuyerQuota, Order, OrderRow
from tests.support.databases import fresh_pg_database

pytestmark = pytest.mark.anyio

SIZES = (1, 3, 17)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this module's own: its orders are rows no product could make (an address that is a JSON
    list, bigint prices), which the shared test database's other readers (an admin's order list) must not meet."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sql') / 'sql.db'}"
        upgrade(url)
        yield url
        return
    url, drop = fresh_pg_database(request.getfixturevalue("pg_server_url"))
    upgrade(url)
    yield url
    drop()


@asynccontextmanager
async def database(url: str) -> AsyncIterator[tuple[Database, list[str]]]:
    """A Database, and the SQL texts it sends to the driver."""
    db = Database(url)
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield db, sent
    finally:
        await db.dispose()


def texts(sent: list[str], start: str) -> set[str]:
    return {s for s in sent if s.startswith(start)}


async def seed(db: Database) -> dict[str, str]:
    """A seller's product with one variant, in a show the seller hosts."""
    user = User(id=new_id("usr"), email=f"{secrets.token_hex(6)}@example.com", password_hash="x", role="seller",
                name="Seller")
    product = Product(id=new_id("prd"), seller_id=user.id, title="Linen shirt", price_amount=4900, currency="EUR")
    variant = Variant(id=new_id("var"), product_id=product.id, sku="SKU-S", label="S", stock=7)
    show = Show(id=new_id("shw"), title="Friday drop", host_id=user.id)
    async with db.session() as session:
        for row in (user, product, variant, show):  # one by one: the models declare no relationships to sort by
            session.add(row)
            await session.flush()
        await session.commit()
    return {"seller": user.id, "product": product.id, "variant": variant.id, "show": show.id}


def order_row(ids: dict[str, str], key: str, i: int) -> dict[str, Any]:
    """An order as the till inserts it, with NULLs, JSON (a list too), bigints and both kinds of times."""
    now = utcnow()
    address: Any = {"line1": f"{i} rue de la Paix", "line2": None, "city": "Paris", "tags": [i, [i, None]]}
    if i % 5 == 4:  # a JSON value that is itself a list is one element of the array, not a dimension
        address = ["rue", {"n": i}, None]
    row = OrderRow(
        id=new_id("ord"), product_id=ids["product"], variant_id=ids["variant"], seller_id=ids["seller"],
        quantity=1 + i % 3, unit_amount=2**40 + i, discount_amount=i, total_amount=2**40, currency="EUR",
        show_id=ids["show"] if i % 2 else None, store_item_id=None, deal_id=f"dl_{i}" if i % 3 == 0 else None,
        voucher_id=None, buyer_name=f"Buyer {i}", buyer_email=f"b{i}@example.com", address=address,
        idempotency_key=key, request_hash="h" * 64, payment_provider="sandbox",
        payment_ref=None if i % 2 else f"ref-{i}", created_at=now - timedelta(seconds=i, microseconds=i),
        expires_at=None if i % 3 == 1 else now + timedelta(minutes=15), status="paid" if i % 4 == 0 else "pending",
        paid_at=now if i % 4 == 0 else None)
    return {f: getattr(row, f) for f in ORDER_FIELDS}


def plain(values: dict[str, Any]) -> dict[str, Any]:
    """Times in UTC: SQLite hands them back naive."""
    return {f: as_utc(v) if isinstance(v, datetime) else v for f, v in values.items()}


async def test_insert_new_inserts_the_new_rows_with_one_text(url: str) -> None:
    async with database(url) as (db, sent):
        ids = await seed(db)
        run = secrets.token_hex(4)
        first: dict[str, dict[str, Any]] = {}  # each key's row as first inserted
        for n in SIZES:
            taken = list(first)[: n // 3]  # keys earlier batches inserted: ON CONFLICT DO NOTHING
            keys = taken + [f"{run}-{n}-{i}" for i in range(n - len(taken))]
            rows = [order_row(ids, key, i) for i, key in enumerate(keys)]
            async with db.session() as session:
                inserted = await insert_new(session, Order, rows, unique="idempotency_key")
                await session.commit()
            assert inserted == set(keys) - set(taken)
            first.update({row["idempotency_key"]: row for row in rows if row["idempotency_key"] in inserted})
        async with db.session() as session:
            stored = {o.idempotency_key: o for o in await session.exec(
                select(Order).where(col(Order.idempotency_key).startswith(run)))}
        assert stored.keys() == first.keys() and len(stored) == 1 + 2 + 14
        for key, row in first.items():
            assert plain({f: getattr(stored[key], f) for f in ORDER_FIELDS}) == plain(row), key
    if url.startswith("postgresql"):
        assert len(texts(sent, "INSERT INTO orders")) == 1, texts(sent, "INSERT INTO orders")


async def test_any_of_finds_the_values_with_one_text(url: str) -> None:
    async with database(url) as (db, sent):
        ids = await seed(db)
        run = secrets.token_hex(4)
        keys = [f"{run}-{i}" for i in range(20)]
        async with db.session() as session:
            await insert_new(session, Order, [order_row(ids, key, i) for i, key in enumerate(keys)],
                             unique="idempotency_key")
            await session.commit()
        sent.clear()
        async with db.session() as session:
            for n in SIZES:  # keys that placed orders and keys that did not
                asked = {*keys[:n], *(f"{run}-missing-{i}" for i in range(n))}
                found = await orders_by_key(session, asked)
                assert set(found) == set(keys[:n])
                assert all(found[k].idempotency_key == k for k in found)
                stock = await Till._stock(session, {ids["variant"], *(f"var_{i}" for i in range(n - 1))})
                assert stock == {ids["variant"]: 7}
            assert await orders_by_key(session, []) == {}
    if url.startswith("postgresql"):
        assert len(texts(sent, "SELECT orders.")) == 1, texts(sent, "SELECT orders.")
        assert len(texts(sent, "SELECT variants.")) == 1, texts(sent, "SELECT variants.")
        assert all(" IN " not in s for s in sent), sent


async def test_add_up_to_adds_what_fits_with_one_text(url: str) -> None:
    async with database(url) as (db, sent):
        ids = await seed(db)

        def quota(buyer: int, quantity: int) -> dict[str, Any]:
            return {"show_id": ids["show"], "product_id": ids["product"], "buyer_email": f"b{buyer}@example.com",
                    "quantity": quantity}

        batches = [
            ([quota(0, 2)], {0}),
            ([quota(0, 3), quota(1, 5), quota(2, 1)], {0, 1, 2}),  # up to the ceiling, not past it
            ([quota(0, 1), quota(1, 1), quota(2, 4)] + [quota(b, 1 + b % 3) for b in range(3, 17)],
             {2, *range(3, 17)}),  # 0 and 1 would pass the ceiling
        ]
        for rows, added in batches:
            assert len(rows) in SIZES
            async with db.session() as session:
                held = await add_up_to(session, BuyerQuota, rows, keys=QUOTA_KEY, column="quantity", ceiling=5)
                await session.commit()
            assert held == {(ids["show"], ids["product"], f"b{b}@example.com") for b in added}
        async with db.session() as session:
            stored = {q.buyer_email: q.quantity for q in await session.exec(
                select(BuyerQuota).where(BuyerQuota.show_id == ids["show"]))}
        assert stored == {"b0@example.com": 5, "b1@example.com": 5, "b2@example.com": 5,
                          **{f"b{b}@example.com": 1 + b % 3 for b in range(3, 17)}}
    if url.startswith("postgresql"):
        assert len(texts(sent, "INSERT INTO buyer_quotas")) == 1, texts(sent, "INSERT INTO buyer_quotas")


async def test_any_of_in_a_delete(url: str) -> None:
    """As the till deletes the orders a batch refused."""
    async with database(url) as (db, _):
        ids = await seed(db)
        run = secrets.token_hex(4)
        rows = [order_row(ids, f"{run}-{i}", i) for i in range(5)]
        async with db.session() as session:
            await insert_new(session, Order, rows, unique="idempotency_key")
            await session.exec(sa.delete(Order).where(any_of(session, Order.id, {r["id"] for r in rows[1:4]}))
                               .execution_options(synchronize_session=False))
            await session.commit()
            left = await orders_by_key(session, (r["idempotency_key"] for r in rows))
        assert set(left) == {f"{run}-0", f"{run}-4"}


def test_rows_as_the_till_gives_them() -> None:
    """The till's rows give every column (a column left out with a per-row default would not go as arrays)."""
    assert set(ORDER_FIELDS) == set(Order.__table__.c.keys())  # type: ignore[attr-defined]
    assert set(QUOTA_KEY) | {"quantity"} == set(BuyerQuota.__table__.c.keys())  # type: ignore[attr-defined]
