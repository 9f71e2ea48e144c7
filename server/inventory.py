"""Stock. The database is the source of truth: a unit is taken by one conditional UPDATE
(`stock = stock - q WHERE stock >= q`) in the same transaction as the order, so nothing is ever
sold twice. With Redis, a Lua gate answers "sold out" first, so a storm of buyers for a few
pieces costs the database only the winners; its counters are rebuilt from the database at start
and whenever one is found missing or wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.bus import Bus
from server.db import Database
from server.models import Variant

_TAKE = """
local v = redis.call('GET', KEYS[1])
if not v then return -2 end
local q = tonumber(ARGV[1])
if tonumber(v) < q then return -1 end
return redis.call('DECRBY', KEYS[1], q)
"""

_GIVE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return -2
"""


def stock_key(variant_id: str) -> str:
    return f"vt:stock:{variant_id}"


async def take_in_db(session: AsyncSession, *, variant_id: str, quantity: int) -> int | None:
    """The one atomic step: the stock left after taking, or None when it cannot cover `quantity`."""
    result = await session.exec(
        sa.update(Variant)
        .where(col(Variant.id) == variant_id, col(Variant.stock) >= quantity)
        .values(stock=col(Variant.stock) - quantity)
        .returning(col(Variant.stock))
    )
    row = result.first()
    return None if row is None else int(row[0])


async def give_in_db(session: AsyncSession, *, variant_id: str, quantity: int) -> int:
    result = await session.exec(
        sa.update(Variant).where(col(Variant.id) == variant_id).values(stock=col(Variant.stock) + quantity)
        .returning(col(Variant.stock))
    )
    return int(result.scalar_one())


class StockGate(Protocol):
    async def take(self, *, variant_id: str, quantity: int) -> bool:
        """False when the gate already knows the stock cannot cover it (the database still decides)."""
        ...

    async def give(self, *, variant_id: str, quantity: int) -> None: ...

    async def sync(self, variant_ids: Iterable[str], *, force: bool = False) -> None:
        """Counters from the database: only missing ones, or all of them with force."""
        ...

    async def level(self, variant_id: str) -> int | None: ...


class OpenGate:
    """No Redis: every request goes to the conditional UPDATE."""

    async def take(self, *, variant_id: str, quantity: int) -> bool:
        return True

    async def give(self, *, variant_id: str, quantity: int) -> None:
        return None

    async def sync(self, variant_ids: Iterable[str], *, force: bool = False) -> None:
        return None

    async def level(self, variant_id: str) -> int | None:
        return None


class RedisGate:
    def __init__(self, *, db: Database, redis: object) -> None:
        from redis.asyncio import Redis

        assert isinstance(redis, Redis)
        self.db = db
        self.redis = redis
        self._take = redis.register_script(_TAKE)
        self._give = redis.register_script(_GIVE)

    async def take(self, *, variant_id: str, quantity: int) -> bool:
        for _ in range(2):
            left = int(await self._take(keys=[stock_key(variant_id)], args=[quantity]))
            if left == -2:  # no counter (new variant, or Redis lost it): rebuild from the database
                await self.sync([variant_id])
                continue
            return left >= 0
        return True  # the database decides

    async def give(self, *, variant_id: str, quantity: int) -> None:
        await self._give(keys=[stock_key(variant_id)], args=[quantity])

    async def sync(self, variant_ids: Iterable[str], *, force: bool = False) -> None:
        ids = list(variant_ids)
        async with self.db.session() as session:
            query = select(Variant.id, Variant.stock)
            if ids:
                query = query.where(col(Variant.id).in_(ids))
            rows = (await session.exec(query)).all()
        if not rows:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for variant_id, stock in rows:
                pipe.set(stock_key(variant_id), stock, nx=not force)
            await pipe.execute()

    async def level(self, variant_id: str) -> int | None:
        value = await self.redis.get(stock_key(variant_id))
        return None if value is None else int(value)


def create_gate(*, db: Database, bus: Bus) -> StockGate:
    redis = getattr(bus, "redis", None)
    return OpenGate() if redis is None else RedisGate(db=db, redis=redis)
