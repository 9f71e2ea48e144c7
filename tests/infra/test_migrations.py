"""The migrations build the schema the models describe, on PostgreSQL and on SQLite."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import server.models  # noqa: F401
from server.infra.db import make_engine
from server.infra.migrate import compare_type, is_empty, upgrade
from tests.support.databases import fresh_pg_database


async def _diff(url: str) -> tuple[list[object], set[str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            def compare(sync_conn: object) -> tuple[list[object], set[str]]:
                context = MigrationContext.configure(sync_conn, opts={"compare_type": compare_type})  # type: ignore[arg-type]
                return compare_metadata(context, SQLModel.metadata), set(inspect(sync_conn).get_table_names())

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


def test_migrations_match_the_models_on_an_empty_postgresql(pg_server_url: str) -> None:
    url, drop = fresh_pg_database(pg_server_url)
    try:
        assert is_empty(url)
        upgrade(url)
        assert not is_empty(url)
        diff, tables = asyncio.run(_diff(url))
        assert set(SQLModel.metadata.tables) <= tables
        assert diff == [], f"models and migrations differ: {diff}"
        upgrade(url)  # a second run is a no-op
    finally:
        drop()


def test_migrations_match_the_models_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    diff, tables = asyncio.run(_diff(url))
    assert set(SQLModel.metadata.tables) <= tables
    assert diff == [], f"models and migrations differ: {diff}"
