"""Small SQL helpers that differ by dialect."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T", bound=SQLModel)


async def insert_ignore(session: AsyncSession, model: type[SQLModel], values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike."""
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.exec(insert(table).values(**values).on_conflict_do_nothing())


async def add_up_to(session: AsyncSession, model: type[SQLModel], key: dict[str, Any], *, column: str, amount: int,
                    ceiling: int) -> bool:
    """Add `amount` to the row's `column` (creating the row at `amount`) unless that would pass
    `ceiling`, in one statement: INSERT … ON CONFLICT DO UPDATE … WHERE. False when it would."""
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    target = table.c[column]
    stmt = (insert(table).values(**key, **{column: amount})
            .on_conflict_do_update(index_elements=list(key), set_={column: target + amount},
                                   where=target + amount <= ceiling)
            .returning(target))
    return (await session.exec(stmt)).first() is not None


def plausible_id(value: str) -> bool:
    """Opaque ids are 1 to 32 printable characters; anything else cannot be ours (and must not reach SQL)."""
    return 0 < len(value) <= 32 and value.isprintable()


async def fetch(session: AsyncSession, model: type[T], key: str) -> T | None:
    """A row by its id; None for ids that cannot be ours (opaque ids are at most 32 characters)."""
    if not plausible_id(key):
        return None
    return await session.get(model, key)
