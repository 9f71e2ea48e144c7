"""Small SQL helpers that differ by dialect.

On PostgreSQL every statement text costs a PREPARE round trip the first time a connection sends it
(asyncpg prepares each new text; SQLAlchemy's adapter caches the prepared statements by text). The
helpers for batches therefore send one text whatever the batch's size: arrays as single parameters
instead of a placeholder per value or per row. SQLite has no arrays and no prepare round trip: there
they keep IN lists and multi-row INSERTs."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T", bound=SQLModel)


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def dialect_insert(session: AsyncSession, model: type[SQLModel]) -> Any:
    """The dialect's INSERT (PostgreSQL's or SQLite's: both have ON CONFLICT) into the model's table."""
    return (pg_insert if _dialect(session) == "postgresql" else sqlite_insert)(model.__table__)  # type: ignore[attr-defined]


def _array_of(column: Any) -> ARRAY[Any]:
    """The type of a parameter holding a list of the column's values (`$1::VARCHAR(32)[]`). One
    dimension, so that a JSON value that is itself a list stays one element."""
    return ARRAY(column.type, dimensions=1)


def any_of(session: AsyncSession, column: Any, values: Iterable[Any]) -> sa.ColumnElement[bool]:
    """`column IN values`, as `column = ANY(:array)` on PostgreSQL: one parameter, so one statement
    text (one prepared statement per connection) whatever the number of values."""
    target = col(column)
    if _dialect(session) != "postgresql":
        return target.in_(list(values))
    return target == sa.any_(sa.bindparam(None, list(values), type_=_array_of(target)))


async def insert_ignore(session: AsyncSession, model: type[SQLModel], values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike."""
    await session.exec(dialect_insert(session, model).values(**values).on_conflict_do_nothing())


def _columns(model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> tuple[str, ...] | None:
    """The columns the rows give, if they can go to PostgreSQL as one array per column: a column they
    leave out must not have a Python callable default (INSERT … SELECT would call it once, not per row)."""
    columns = tuple(rows[0])
    for c in model.__table__.c:  # type: ignore[attr-defined]
        if c.key not in columns and c.default is not None and c.default.is_callable:
            return None
    return columns


def _from_arrays(table: sa.Table, columns: tuple[str, ...]) -> Any:
    """INSERT INTO table (columns) SELECT * FROM unnest(:a, :b, …): the rows as one array per column."""
    arrays = [sa.bindparam(f"rows_{c}", type_=_array_of(table.c[c])) for c in columns]
    rows = sa.select(sa.func.unnest(*arrays).table_valued(*columns).render_derived())
    return pg_insert(table).from_select(list(columns), rows)


def _arrays(columns: tuple[str, ...], rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    return {f"rows_{c}": [row[c] for row in rows] for c in columns}


@functools.lru_cache(maxsize=64)
def _pg_insert_new(table: sa.Table, columns: tuple[str, ...], unique: str) -> Any:
    insert = _from_arrays(table, columns)
    return insert.on_conflict_do_nothing(index_elements=[unique]).returning(table.c[unique])


@functools.lru_cache(maxsize=64)
def _pg_add_up_to(table: sa.Table, columns: tuple[str, ...], keys: tuple[str, ...], column: str) -> Any:
    insert = _from_arrays(table, columns)
    added = table.c[column] + insert.excluded[column]
    return (insert.on_conflict_do_update(index_elements=list(keys), set_={column: added},
                                         where=added <= sa.bindparam("ceiling_"))
            .returning(*(table.c[k] for k in keys)))


async def insert_new(session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]], *,
                     unique: str) -> set[Any]:
    """Insert the rows whose `unique` column is not taken yet (waiting for a racing transaction that holds
    the same value to end). Returns the values of the rows inserted. One statement for all rows: on
    PostgreSQL INSERT … SELECT FROM unnest(arrays), the same text for any number of rows; elsewhere a
    multi-row INSERT (SQLAlchemy's "insertmanyvalues"). The rows give the same columns."""
    if not rows:
        return set()
    columns = _columns(model, rows) if _dialect(session) == "postgresql" else None
    if columns is not None:
        stmt = _pg_insert_new(model.__table__, columns, unique)  # type: ignore[attr-defined]
        return set((await session.exec(stmt, params=_arrays(columns, rows))).scalars().all())
    insert = dialect_insert(session, model)
    stmt = insert.on_conflict_do_nothing(index_elements=[unique]).returning(insert.table.c[unique])
    return set((await session.exec(stmt, params=list(rows))).scalars().all())


async def add_up_to(session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]], *,
                    keys: Sequence[str], column: str, ceiling: int) -> set[tuple[Any, ...]]:
    """Add each row's `column` to the stored row with the same `keys` (creating it at that amount) unless
    that would pass `ceiling`: INSERT … ON CONFLICT DO UPDATE … WHERE, one statement for all rows (on
    PostgreSQL from unnest(arrays), one text for any number of rows). The rows' keys must be distinct.
    Returns the keys of the rows that were added."""
    if not rows:
        return set()
    columns = _columns(model, rows) if _dialect(session) == "postgresql" else None
    if columns is not None:
        stmt = _pg_add_up_to(model.__table__, columns, tuple(keys), column)  # type: ignore[attr-defined]
        arrays = {**_arrays(columns, rows), "ceiling_": ceiling}
        return {tuple(row) for row in (await session.exec(stmt, params=arrays)).all()}
    insert = dialect_insert(session, model)
    target = insert.table.c[column]
    added = target + insert.excluded[column]
    stmt = (insert.on_conflict_do_update(index_elements=list(keys), set_={column: added},
                                         where=added <= sa.bindparam("_ceiling"))
            .returning(*(insert.table.c[k] for k in keys)))
    params = [{**row, "_ceiling": ceiling} for row in rows]
    return {tuple(row) for row in (await session.exec(stmt, params=params)).all()}


def plausible_id(value: str) -> bool:
    """Opaque ids are 1 to 32 printable characters; anything else cannot be ours (and must not reach SQL)."""
    return 0 < len(value) <= 32 and value.isprintable()


async def fetch(session: AsyncSession, model: type[T], key: str) -> T | None:
    """A row by its id; None for ids that cannot be ours (opaque ids are at most 32 characters)."""
    if not plausible_id(key):
        return None
    return await session.get(model, key)
