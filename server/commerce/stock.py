"""Stock. The database is the source of truth: a unit is taken by one conditional UPDATE
(`stock = stock - q WHERE stock >= q`) in the same transaction as the order, so nothing is ever
sold twice. With Redis, a Lua gate answers "sold out" first, so a storm of buyers for a few
pieces costs the database only the winners; its counters are rebuilt from the database at start
and whenever one is found missing or wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from redis.asyncio import Redis
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.catalog.products import Catalog
from server.commerce.feed import CommerceFeed
from server.infra.db import Database
from server.models import Variant

# One call for a whole batch of orders: for each key, the units left after taking ARGV[i] of it, or -1
# when it cannot cover them, or -2 when the counter is missing. In order, so a batch's first buyers win.
_TAKE = """
local out = {}
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  local q = tonumber(ARGV[i])
  if not v then out[i] = -2
  elseif tonumber(v) < q then out[i] = -1
  else out[i] = redis.call('DECRBY', KEYS[i], q) end
end
return out
"""

_GIVE = """
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], ARGV[i]) end
end
return #KEYS
"""

Units = Sequence[tuple[str, int]]  # (variant id, quantity), one per order


def stock_key(variant_id: str) -> str:
    return f"vt:stock:{variant_id}"


async def take_in_db(session: AsyncSession, *, variant_id: str, quantity: int) -> int | None:
    """The one atomic step: the stock left after taking, or None when it cannot cover `quantity`."""
    result = await session.exec(
        sa.update(Variant)
        .where(col(Variant.id) == variant_id, col(Variant.stock) >= quantity)
        .values(stock=col(Variant.stock) - quantity)
        .returning(col(Variant.stock))
        .execution_options(synchronize_session=False)  # the stock left is the RETURNING's, not a loaded row's
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
    async def take(self, units: Units) -> list[bool]:
        """For each order's units, in order: False when the gate already knows the stock cannot cover
        them (the database still decides)."""
        ...

    async def give(self, units: Units) -> None: ...

    async def sync(self, variant_ids: Iterable[str], *, force: bool = False) -> None:
        """Counters from the database: only missing ones, or all of them with force."""
        ...

    async def level(self, variant_id: str) -> int | None:
        """The gate's counter for the variant (None: the gate keeps none), to see that it matches the database."""
        ...


class OpenGate:
    """No Redis: every request goes to the conditional UPDATE."""

    async def take(self, units: Units) -> list[bool]:
        return [True] * len(units)

    async def give(self, units: Units) -> None:
        return None

    async def sync(self, variant_ids: Iterable[str], *, force: bool = False) -> None:
        return None

    async def level(self, variant_id: str) -> int | None:
        return None


class RedisGate:
    def __init__(self, *, db: Database, redis: Redis) -> None:
        self.db = db
        self.redis = redis
        self._take = redis.register_script(_TAKE)
        self._give = redis.register_script(_GIVE)

    async def take(self, units: Units) -> list[bool]:
        if not units:
            return []
        left = [int(x) for x in await self._take(keys=[stock_key(v) for v, _ in units], args=[q for _, q in units])]
        missing = [i for i, x in enumerate(left) if x == -2]
        if missing:  # no counter (new variant, or Redis lost it): rebuild from the database, then once more
            try:
                await self.sync({units[i][0] for i in missing})
                again = await self._take(keys=[stock_key(units[i][0]) for i in missing],
                                         args=[units[i][1] for i in missing])
            except BaseException:  # the caller never hears of the units taken: they go back first
                await self.give([u for u, x in zip(units, left, strict=True) if x >= 0])
                raise
            for i, x in zip(missing, again, strict=True):
                left[i] = int(x) if int(x) != -2 else 0  # still missing: the database decides
        return [x >= 0 for x in left]

    async def give(self, units: Units) -> None:
        if units:
            await self._give(keys=[stock_key(v) for v, _ in units], args=[q for _, q in units])

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


def create_gate(*, db: Database, redis: Redis | None) -> StockGate:
    """The Redis gate when there is a Redis (the bus's), else the open gate."""
    return OpenGate() if redis is None else RedisGate(db=db, redis=redis)


class Stock:
    """A seller sets a variant's stock, or adjusts it by a delta: the database's count, then the gate's
    counter, then the live shows that carry the product hear the new level with the next tick."""

    def __init__(self, *, catalog: Catalog, gate: StockGate, feed: CommerceFeed) -> None:
        self.catalog = catalog
        self.gate = gate
        self.feed = feed

    async def restock(self, *, principal: Principal, product_id: str, variant_id: str, stock: int,
                      expected: int | None = None) -> dict[str, Any]:
        """Returns the product."""
        product, level = await self.catalog.restock(principal=principal, product_id=product_id,
                                                    variant_id=variant_id, stock=stock, expected=expected)
        return await self._announce(product, variant_id, level)

    async def adjust(self, *, principal: Principal, product_id: str, variant_id: str, delta: int) -> dict[str, Any]:
        """Returns the product."""
        product, level = await self.catalog.adjust(principal=principal, product_id=product_id,
                                                   variant_id=variant_id, delta=delta)
        return await self._announce(product, variant_id, level)

    async def _announce(self, product: dict[str, Any], variant_id: str, level: int) -> dict[str, Any]:
        # the gate's counter from the database (orders taking units meanwhile: the database still decides)
        await self.gate.sync([variant_id], force=True)
        self.feed.note_stock(product_id=product["id"], variant_id=variant_id, available=level)
        return product
