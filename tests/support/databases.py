"""Throwaway PostgreSQL databases on the server TEST_DATABASE_URL names."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable

from sqlalchemy.engine import make_url


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(user=parsed.username or "postgres", password=parsed.password,
                                 host=parsed.host or "127.0.0.1", port=parsed.port or 5432,
                                 database=parsed.database or "postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def fresh_pg_database(server_url: str) -> tuple[str, Callable[[], None]]:
    name = "vitrine_test_" + secrets.token_hex(6)
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(drivername="postgresql+asyncpg", database=name).render_as_string(
        hide_password=False)

    def drop() -> None:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop
