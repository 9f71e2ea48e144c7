"""Async engine and sessions: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import ConfigError


def make_engine(url: str, *, timeout_s: float | None = None) -> AsyncEngine:
    """`timeout_s`: how long a connection attempt and each statement may take on PostgreSQL before they fail
    (the app's 503 `unavailable`); None for no limit (migrations)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a good message
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "asyncpg":
        raise ConfigError("DATABASE_URL for PostgreSQL must use the asyncpg driver: postgresql+asyncpg://…")
    # A fixed pool: connections past pool_size ("overflow") would be opened for a burst and closed right
    # after, and a checkout storm then spends its time forking PostgreSQL backends. Requests wait for a
    # connection instead (up to 30 s, then 503).
    limits = {"timeout": timeout_s, "command_timeout": timeout_s} if timeout_s else {}
    return create_async_engine(url, pool_size=20, max_overflow=0, pool_timeout=30, pool_pre_ping=True,
                               connect_args=limits)


class Database:
    """The engine and a session factory; one per process."""

    def __init__(self, url: str, *, timeout_s: float | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, timeout_s=timeout_s)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
