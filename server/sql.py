"""Small SQL helpers that differ by dialect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T", bound=SQLModel)


def _insert(session: AsyncSession, model: type[SQLModel]) -> Any:
    """The dialect's INSERT (PostgreSQL's or SQLite's: both have ON CONFLICT) into the model's table."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model.__table__)  # type: ignore[attr-defined]


async def insert_ignore(session: AsyncSession, model: type[SQLModel], values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike."""
    await session.exec(_insert(session, model).values(**values).on_conflict_do_nothing())


async def insert_new(session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]], *,
                     unique: str) -> set[Any]:
    """Insert the rows whose `unique` column is not taken yet (waiting for a racing transaction that holds
    the same value to end). Returns the values of the rows inserted. The statement is compiled once and
    sent for all rows as one multi-row INSERT (SQLAlchemy's "insertmanyvalues")."""
    if not rows:
        return set()
    insert = _insert(session, model)
    stmt = insert.on_conflict_do_nothing(index_elements=[unique]).returning(insert.table.c[unique])
    return set((await session.exec(stmt, params=list(rows))).scalars().all())


async def add_up_to(session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]], *,
                    keys: Sequence[str], column: str, ceiling: int) -> set[tuple[Any, ...]]:
    """Add each row's `column` to the stored row with the same `keys` (creating it at that amount) unless
    that would pass `ceiling`: INSERT … ON CONFLICT DO UPDATE … WHERE, one multi-row statement for all
    rows. The rows' keys must be distinct. Returns the keys of the rows that were added."""
    if not rows:
        return set()
    insert = _insert(session, model)
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
