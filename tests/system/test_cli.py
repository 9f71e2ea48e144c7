"""The CLI of the contract, run as users run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.processes import ROOT


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SECRET_KEY", "VITRINE_ENV")}
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env={**full, **env},
                          capture_output=True, text=True, timeout=60)


def test_workers_without_redis_are_refused_with_one_line(tmp_path: Path) -> None:
    result = run("serve", "--workers", "2", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"})
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "REDIS_URL" in lines[0]


def test_production_refuses_a_placeholder_secret(tmp_path: Path) -> None:
    for secret in ("", "change-me"):
        result = run("serve", env={"VITRINE_ENV": "production", "SECRET_KEY": secret,
                                   "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"})
        assert result.returncode == 2 and "SECRET_KEY" in result.stderr


def test_migrate_create_user_and_demo(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", "SECRET_KEY": "x" * 32}
    assert run("migrate", env=env).returncode == 0
    created = run("create-user", "--email", "Ana@Example.com", "--password", "long enough pw", "--role", "seller",
                  env=env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().splitlines()[-1].startswith("usr_")
    again = run("create-user", "--email", "ana@example.com", "--password", "long enough pw", "--role", "seller",
                env=env)
    assert again.returncode == 2 and "exists" in again.stderr
    weak = run("create-user", "--email", "b@example.com", "--password", "short", "--role", "host", env=env)
    assert weak.returncode == 2 and "8 characters" in weak.stderr
    first = run("demo", env=env)
    second = run("demo", env=env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "Host login:   host@demo.vitrine / vitrine-demo" in first.stdout
    viewer = [line for line in first.stdout.splitlines() if line.startswith("Viewer page:")]
    assert viewer and viewer == [line for line in second.stdout.splitlines() if line.startswith("Viewer page:")]


def test_bad_database_url_is_a_clear_error() -> None:
    result = run("migrate", env={"DATABASE_URL": "postgresql://nodriver@127.0.0.1/x"})
    assert result.returncode == 2 and "asyncpg" in result.stderr


def test_production_refuses_the_demo_unless_asked_and_warns_while_its_accounts_exist(tmp_path: Path) -> None:
    """0.6.4 seeded public logins into a production database without a word."""
    import secrets

    from tests.support.processes import start_server

    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", "VITRINE_ENV": "production",
           "SECRET_KEY": secrets.token_urlsafe(32), "ALLOW_SANDBOX_PAYMENTS": "true"}
    refused = run("demo", env=env)
    assert refused.returncode == 2 and "ALLOW_DEMO" in refused.stderr and "Host login" not in refused.stdout
    server = start_server({**env, "REDIS_URL": ""}, log_dir=tmp_path)
    server.stop()
    assert "demo" not in server.log.read_text()
    seeded = run("demo", env={**env, "ALLOW_DEMO": "true"})
    assert seeded.returncode == 0, seeded.stderr
    server = start_server({**env, "REDIS_URL": ""}, log_dir=tmp_path)
    server.stop()
    assert "the demo's accounts, whose password is public" in server.log.read_text()


def test_production_refuses_to_trust_every_proxy(tmp_path: Path) -> None:
    """With FORWARDED_ALLOW_IPS=* uvicorn takes the first X-Forwarded-For address, which the client writes:
    anyone could pick the address the per-address sign-in limit counts."""
    import secrets

    result = run("serve", env={"VITRINE_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(32),
                               "ALLOW_SANDBOX_PAYMENTS": "true", "FORWARDED_ALLOW_IPS": "*",
                               "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'f.db'}"})
    assert result.returncode == 2 and "FORWARDED_ALLOW_IPS" in result.stderr


def test_create_user_and_sign_in_share_one_rule_for_addresses(tmp_path: Path) -> None:
    """0.8.0's create-user stored `a@b.test`, which sign-in then refused (a reserved name): an account nobody could
    use. Both now check an address the same way, and INTERNAL_EMAIL_DOMAINS lets an operator's own domains in."""
    import httpx

    from tests.support.processes import start_server

    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'mail.db'}", "SECRET_KEY": "x" * 32}
    assert run("migrate", env=env).returncode == 0
    refused = run("create-user", "--email", "a@b.test", "--password", "long enough pw", "--role", "host", env=env)
    assert refused.returncode == 2 and "usr_" not in refused.stdout
    assert "error: 'a@b.test' is not an email address" in refused.stderr and "INTERNAL_EMAIL_DOMAINS" in refused.stderr
    internal = {**env, "INTERNAL_EMAIL_DOMAINS": "corp.local"}
    created = run("create-user", "--email", "X@Corp.Local", "--password", "long enough pw", "--role", "host",
                  env=internal)
    assert created.returncode == 0, created.stderr
    server = start_server({**internal, "REDIS_URL": ""}, log_dir=tmp_path)
    try:
        signed = httpx.post(f"{server.base_url}/api/auth/token", json={"email": "x@corp.local",
                                                                        "password": "long enough pw"})
        assert signed.status_code == 200, signed.text
        assert signed.json()["user"]["email"] == "x@corp.local"
        other = httpx.post(f"{server.base_url}/api/auth/token", json={"email": "x@b.test", "password": "whatever pw"})
        assert other.status_code == 422 and other.json()["error"]["code"] == "invalid_email"
    finally:
        server.stop()


def _make_env(**extra: str) -> dict[str, str]:
    """The environment a person's shell gives make: none of an outer make's flags (this suite may run under one)."""
    skip = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "REDIS_URL", "SECRET_KEY", "VITRINE_ENV")
    return {**{k: v for k, v in os.environ.items() if k not in skip}, **extra}


def test_make_run_installs_the_runtime_only_and_the_other_targets_the_test_extras(tmp_path: Path) -> None:
    """0.8.0's `make run` installed the test extras (playwright, mypy, matplotlib…: 603 MB) to serve the demo."""
    import shutil

    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)

    def planned(target: str) -> str:
        done = subprocess.run(["make", "-n", target], cwd=tmp_path, env=_make_env(), capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run_plan = planned("run")
    installs = [line for line in run_plan.splitlines() if "pip install" in line and "upgrade pip" not in line]
    assert len(installs) == 1 and installs[0].endswith(" -e ."), run_plan
    assert "[test]" not in run_plan and "pytest" not in run_plan and "server serve" in run_plan
    for target in ("test", "lint", "bench"):
        assert "-e '.[test]'" in planned(target)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / ".runtime").touch()  # the runtime in place: `make test` adds only the extras
    test_plan = planned("test")
    assert "-m venv" not in test_plan and "-e '.[test]'" in test_plan


def test_migrate_quiet_says_one_line(tmp_path: Path) -> None:
    """`make run` printed two Alembic lines per migration step and the settings' warning at every step before the
    links a newcomer looks for."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'q.db'}", "VITRINE_VAR": str(tmp_path / "var")}
    quiet = run("migrate", "--quiet", env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert (quiet.stdout + quiet.stderr).splitlines() == ["database: at the latest migration"]
    seeded = run("demo", "--quiet", env=env)
    assert seeded.returncode == 0 and seeded.stderr == "", seeded.stderr
    assert seeded.stdout.splitlines()[0].startswith("Viewer page:  http://")


def test_ctrl_c_ends_the_server_with_status_0_and_make_run_says_no_error(tmp_path: Path) -> None:
    """0.8.0's server died of the signal uvicorn raised again after its shutdown: `make: *** [run] Terminated` (or
    Interrupt) after every Ctrl-C, as if it had failed."""
    import signal
    import sqlite3
    import time

    import httpx

    from bench.services import free_port
    from tests.support.processes import start_server

    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 's.db'}", "VITRINE_VAR": str(tmp_path / "var"),
           "REDIS_URL": ""}
    for stop in (signal.SIGINT, signal.SIGTERM):
        server = start_server(env, log_dir=tmp_path, log_level="info")
        server.proc.send_signal(stop)
        assert server.proc.wait(timeout=30) == 0, server.log.read_text()
        assert "Traceback" not in server.log.read_text()
    port = free_port()
    make = subprocess.Popen(["make", "-o", ".venv/.runtime", "run",  # this interpreter, nothing installed
                             f"PY={sys.executable}", f"PORT={port}"],
                            cwd=ROOT, env=_make_env(**env, VITRINE_ENV="development"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while make.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert make.poll() is None, make.communicate()[0]
        # a label sheet drawn first: its drawing process is in the group too, and must stop without a word
        with sqlite3.connect(tmp_path / "s.db") as db:
            store_id = db.execute("SELECT id FROM stores").fetchone()[0]
        sheet = httpx.get(f"http://127.0.0.1:{port}/api/stores/{store_id}/labels.pdf", timeout=60)
        assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF"), sheet.text
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
        out = make.communicate(timeout=30)[0]
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    assert "Viewer page:" in out and "Finished server process" in out, out
    for noise in ("make: ***", "Terminated", "Interrupt", "Error", "Traceback", "INFO alembic"):
        assert noise not in out, out
