"""The CLI: serve, migrate, create-user, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
import warnings

from server.errors import ConfigError, DomainError
from server.settings import Settings


def _settings(*, quiet: bool = False) -> Settings:
    """The settings, their warnings on stderr; `--quiet` (a step of `make run`, whose server says them) keeps them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        settings = Settings.from_env()
    for w in caught if not quiet else ():
        print(f"warning: {w.message}", file=sys.stderr)
    return settings


def _quiet(args: argparse.Namespace) -> bool:
    """`--quiet`: Alembic's lines (one per migration and two at every start) and the settings' warnings kept back."""
    if args.quiet:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return bool(args.quiet)


def _stopped(signum: int, _frame: object) -> None:
    """A stop asked for (Ctrl-C, SIGTERM from a supervisor or `make`) is a normal end: status 0, no traceback.
    uvicorn shuts down on the signal, then raises it again so that the process dies of it: that lands here."""
    raise SystemExit(0)


def cmd_migrate(args: argparse.Namespace) -> int:
    from server.infra.migrate import upgrade

    settings = _settings(quiet=_quiet(args))
    upgrade(settings.database_url)
    print("database: at the latest migration")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.infra.migrate import is_empty, upgrade

    settings = _settings()
    if settings.production and os.environ.get("FORWARDED_ALLOW_IPS", "").strip() == "*":
        raise ConfigError("FORWARDED_ALLOW_IPS=* takes the first X-Forwarded-For address, which the client writes: "
                          "list the proxies' addresses or networks (172.28.0.0/16)")
    if args.workers > 1 and not settings.redis_url:
        raise ConfigError("--workers above 1 needs REDIS_URL (redis://…): workers share shows through Redis")
    if is_empty(settings.database_url):
        print("empty database: migrating first", file=sys.stderr)
        upgrade(settings.database_url)
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="vitrine-metrics-")
    if not settings.production and "SECRET_KEY" not in os.environ:
        # one generated key for every worker, so a token from one worker is good on the others
        os.environ["SECRET_KEY"] = settings.secret_key
    from server.infra.admission import limits

    most, request_s = limits()  # also raises the open-files limit, for this process and its workers
    print(f"serving: at most {most} connections per worker, {request_s:g} s for a request to arrive whole",
          file=sys.stderr)
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _stopped)
    uvicorn.run("server.app:factory", factory=True, host=args.host, port=args.port, workers=args.workers,
                http="server.infra.admission:HttpProtocol", ws="server.realtime.wire:WireProtocol",
                ws_per_message_deflate=False,
                ws_ping_interval=settings.ws_ping_s or None, ws_ping_timeout=settings.ws_pong_s or None,
                ws_max_size=max(settings.ws_max_frame_bytes, 1024), proxy_headers=True, log_level=args.log_level,
                access_log=args.access_log)
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from server.accounts.auth import Auth
    from server.infra.db import Database
    from server.realtime.bus import create_bus

    settings = _settings()

    async def run() -> str:
        db = Database(settings.database_url)
        try:
            auth = Auth(db=db, bus=create_bus(None), secret_key=settings.secret_key, token_ttl_s=60,
                        internal_domains=settings.internal_email_domains)
            user = await auth.create_user(email=args.email, password=args.password, role=args.role, name=args.name)
            return user.id
        finally:
            await db.dispose()

    print(asyncio.run(run()))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from server.demo import describe, seed
    from server.infra.migrate import upgrade
    from server.links import Links

    settings = _settings(quiet=_quiet(args))
    if settings.production and os.environ.get("ALLOW_DEMO", "").lower() not in ("1", "true", "yes"):
        raise ConfigError("demo seeds accounts whose password is public (vitrine-demo): it is refused with "
                          "VITRINE_ENV=production; set ALLOW_DEMO=true to seed a production test shop on purpose")
    upgrade(settings.database_url)
    demo = asyncio.run(seed(settings))
    print(describe(demo, Links(settings.public_base_url)))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m server", description="Vitrine: live-stream shopping backend")
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the app under uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=False)
    serve.set_defaults(run=cmd_serve)
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true",
                       help="one line: no Alembic lines, no settings warnings (the server says those)")
    sub.add_parser("migrate", parents=[quiet], help="apply the migrations to DATABASE_URL").set_defaults(
        run=cmd_migrate)
    user = sub.add_parser("create-user", help="create an account; prints its id last")
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--role", required=True, choices=["admin", "seller", "host"])
    user.add_argument("--name")
    user.set_defaults(run=cmd_create_user)
    sub.add_parser("demo", parents=[quiet], help="seed demo data and print the URLs and logins").set_defaults(
        run=cmd_demo)
    return root


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin at every migrate
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (ConfigError, DomainError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
