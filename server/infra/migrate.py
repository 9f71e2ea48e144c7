"""Alembic, driven from code: `python -m server migrate` and the test suite use the same path."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from server.infra.db import make_engine

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def compare_type(context: Any, inspected: Any, metadata: Any, inspected_type: Any, metadata_type: Any) -> bool | None:
    """Alembic's type comparison, except that SQLite's INTEGER and BIGINT are the same 64-bit storage."""
    if context.dialect.name == "sqlite" and {type(inspected_type).__name__.upper(),
                                              type(metadata_type).__name__.upper()} <= {"INTEGER", "BIGINTEGER"}:
        return False
    return None  # the default comparison


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


async def _has_schema(url: str) -> bool:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda sync: sa.inspect(sync).has_table("alembic_version"))
    finally:
        await engine.dispose()


def is_empty(url: str) -> bool:
    return not asyncio.run(_has_schema(url))
