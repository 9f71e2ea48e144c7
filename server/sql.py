"""Small SQL helpers that differ by dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def insert_ignore(session: AsyncSession, model: type[SQLModel], values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike."""
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.exec(insert(table).values(**values).on_conflict_do_nothing())
