"""`python -m bench`: options, then the run: Vitrine's population, then the baseline's, then the report."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import platform
import secrets
import shlex
import sys
import tempfile
import time
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import labels, report
from bench.config import Config
from bench.procstat import machine, raise_nofile
from bench.services import (
    BenchError,
    database,
    free_port,
    redis_server,
    seed_demo,
    server_env,
    spawn_baseline,
    spawn_vitrine,
    wait_healthy,
)

FD_HEADROOM = 512


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load benchmark: V viewers of one live show on Vitrine, then on a naive baseline.")
    p.add_argument("--quick", action="store_true", help="seconds, not minutes: 200 viewers, 5 s (what tests run)")
    p.add_argument("--viewers", type=int, help="viewer WebSockets (default 10000)")
    p.add_argument("--workers", type=int, help="server worker processes, Vitrine and baseline alike (default 2)")
    p.add_argument("--clients", type=int, help="viewer client processes (default 2)")
    p.add_argument("--pin-ms", type=int, help="the host pins every P ms (default 100)")
    p.add_argument("--react-per-s", type=float, help="reactions per second per viewer (default 5)")
    p.add_argument("--duration", type=float, help="seconds the show is driven and measured (default 30)")
    p.add_argument("--orders", type=int, help="buyers in the checkout storm (default 2000; 0: no storm)")
    p.add_argument("--stock", type=int, help="units of the hot variant (default 1000)")
    p.add_argument("--storm-concurrency", type=int, help="orders in flight at once (default 128)")
    p.add_argument("--votes", type=int, help="viewers who vote once each in one poll, over HTTP, after the checkout "
                                             "storm (Vitrine only; default 2000; 0: no poll)")
    p.add_argument("--vote-concurrency", type=int, help="votes in flight at once (default 128)")
    p.add_argument("--connect-concurrency", type=int, help="handshakes in flight per client process (default 100)")
    p.add_argument("--client-nap-ms", type=float,
                   help="while frames keep coming, each viewer process sleeps this long between two rounds of its "
                        "event loop, so that one wake-up reads many sockets (default 2; 0: never)")
    p.add_argument("--send-queue", type=int, help="WS_SEND_QUEUE for Vitrine (default 1024)")
    p.add_argument("--label-sheets-per-s", type=float,
                   help="during the run, a seller adds an item to a store and asks for its label sheet this many "
                        "times a second, each a new sheet to draw (Vitrine only; default 0: none)")
    p.add_argument("--label-items", type=int, help="items in that store (default 400)")
    p.add_argument("--database", choices=["auto", "sqlite", "postgres"],
                   help="auto (default): PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, else SQLite")
    p.add_argument("--out", type=Path, help="results go to OUT/<timestamp>/ (default bench-results)")
    p.add_argument("--no-baseline", dest="baseline", action="store_false", default=None,
                   help="measure Vitrine only")
    p.add_argument("--no-progress", dest="progress", action="store_false", default=None,
                   help="no progress bars (one line per phase)")
    return p


def make_config(args: argparse.Namespace) -> Config:
    values: dict[str, Any] = Config.quick_preset() if args.quick else {}
    values["quick"] = bool(args.quick)
    for f in fields(Config):
        given = getattr(args, f.name, None)
        if given is not None and f.name != "quick":
            values[f.name] = given
    cfg = Config(**values)
    for name in ("viewers", "workers", "clients", "pin_ms", "duration", "storm_concurrency", "connect_concurrency",
                 "send_queue", "vote_concurrency"):
        if getattr(cfg, name) <= 0:
            raise BenchError(f"--{name.replace('_', '-')} must be positive")
    if cfg.orders < 0 or cfg.stock < 0 or cfg.react_per_s < 0 or cfg.client_nap_ms < 0 or cfg.votes < 0:
        raise BenchError("--orders, --stock, --votes, --react-per-s and --client-nap-ms cannot be negative")
    if cfg.label_sheets_per_s < 0 or not 1 <= cfg.label_items <= 499:
        raise BenchError("--label-sheets-per-s cannot be negative, and --label-items is 1 to 499")
    cfg.clients = min(cfg.clients, cfg.viewers)
    return cfg


def check_limits(cfg: Config) -> int:
    """10k sockets need file descriptors on both sides (and local ports). Returns the baseline's worker
    count: the baseline holds two descriptors per viewer (its socket and the viewer's own Redis
    connection), so under a low open-files limit it gets more workers than Vitrine (which only makes
    the ratios against it conservative), and says so."""
    limit = raise_nofile()
    usable = limit - FD_HEADROOM
    per_client = -(-cfg.viewers // cfg.clients)
    per_worker = -(-cfg.viewers // cfg.workers)
    if max(per_client, per_worker) > usable:
        fits = min(usable * cfg.clients, usable * cfg.workers)
        raise BenchError(f"the open-files limit is {limit}, too low for {cfg.viewers} viewers (a process would hold "
                         f"{max(per_client, per_worker)} sockets); raise the hard `ulimit -n`, or add --clients / "
                         f"--workers, or run with --viewers {min(fits, cfg.viewers)}")
    try:
        low, high = (int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        if high - low < cfg.viewers + FD_HEADROOM:
            raise BenchError(f"only {high - low} local ports ({low}-{high}) for {cfg.viewers} viewers on 127.0.0.1; "
                             "widen net.ipv4.ip_local_port_range or lower --viewers")
    except OSError:
        pass
    baseline_workers = cfg.workers
    while cfg.baseline and -(-2 * cfg.viewers // baseline_workers) > usable:
        baseline_workers += 1
    if baseline_workers != cfg.workers:
        from bench.population import say

        say(f"bench: the baseline runs with {baseline_workers} workers, not {cfg.workers}: one process cannot hold "
            f"{cfg.viewers} sockets plus as many Redis connections under the open-files limit of {limit}")
    return baseline_workers


async def _viewers_gone(base_url: str, show_id: str, within_s: float = 10) -> None:
    """Wait until Vitrine counts no viewers, so its hub holds no subscription while the baseline runs."""
    import httpx

    deadline = time.monotonic() + within_s
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"/api/shows/{show_id}")).json().get("viewers") == 0:
                    await asyncio.sleep(1.0)  # one more tick: the hub lets the channel go
                    return
            await asyncio.sleep(0.25)


def revision() -> dict[str, Any]:
    """The commit measured, and whether server/ had changes on top of it."""
    import subprocess

    from bench.services import ROOT

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "server"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "server_changed": None}
    return {"commit": head or None, "server_changed": bool(dirty)}


def run(cfg: Config) -> dict[str, Any]:
    from bench import scenario
    from bench.population import Target, run_population, say

    baseline_workers = check_limits(cfg)
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as tmp, redis_server() as redis, \
            database(cfg.database, Path(tmp)) as db:
        logs = cfg.out
        say(f"bench: redis {'(REDIS_URL)' if redis.pid is None else '(throwaway)'} {redis.url}, database "
             f"{db.kind}, {cfg.viewers} viewers from {cfg.clients} client processes, {cfg.workers} worker(s)")
        if db.kind == "sqlite" and cfg.workers > 1:
            say("bench: note: SQLite with more than one worker; set BENCH_DATABASE_URL for PostgreSQL")
        port = free_port()
        react_limit = max(20.0, cfg.react_per_s * 4)
        env = server_env(redis_url=redis.url, database_url=db.url, secret_key=secrets.token_hex(24), port=port,
                         config_env={"WS_SEND_QUEUE": str(cfg.send_queue), "WS_REACT_PER_S": f"{react_limit:g}"})
        baseline_server = None
        if cfg.baseline:  # it starts while the demo is seeded and Vitrine starts: it idles until its turn
            bport = free_port()
            benv = {**env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{bport}"}
            baseline_server = spawn_baseline(benv, port=bport, workers=baseline_workers, log_dir=logs)
        vitrine = None
        try:
            logins = seed_demo(env)
            say("demo seeded")
            vitrine = wait_healthy(spawn_vitrine(env, port=port, workers=cfg.workers, log_dir=logs))
            say(f"vitrine serving on {vitrine.base_url} with {cfg.workers} worker(s)")
            show = asyncio.run(scenario.prepare_show(vitrine.base_url, logins, stock=cfg.stock))
            store = None
            if cfg.label_sheets_per_s > 0:
                store = asyncio.run(labels.prepare_store(vitrine.base_url, logins, show.product_ids[1],
                                                         items=cfg.label_items))
                say(f"a store of {cfg.label_items} items for the label sheets")
            others = {"redis": [redis.pid]} if redis.pid is not None else {}
            ours_target = Target(name="ours", server=vitrine, pins_via=vitrine.base_url,
                                 available=lambda: scenario.available(vitrine.base_url, show), cpu_others=others,
                                 storm_deadline_s=cfg.storm_deadline_s, labels=store, secret_key=env["SECRET_KEY"])
            ours = asyncio.run(run_population(cfg, ours_target, show))
            baseline = None
            if baseline_server is not None:
                asyncio.run(_viewers_gone(vitrine.base_url, show.show_id))
                say("vitrine has no viewers left")
                import redis as redis_mod

                from bench.baseline import STOCK_PREFIX

                naive = redis_mod.Redis.from_url(redis.url)
                naive.set(STOCK_PREFIX + show.hot_variant_id, cfg.stock)
                wait_healthy(baseline_server)
                say(f"baseline serving on {baseline_server.base_url}")

                async def naive_available() -> int:
                    return int(naive.get(STOCK_PREFIX + show.hot_variant_id) or 0)

                base_target = Target(name="baseline", server=baseline_server, pins_via=vitrine.base_url,
                                     available=naive_available, cpu_others={**others, "vitrine": [vitrine.pid]},
                                     storm_deadline_s=min(cfg.storm_deadline_s, max(10.0, cfg.duration * 2)))
                baseline = asyncio.run(run_population(cfg, base_target, show))
                naive.close()
        finally:
            if baseline_server is not None:
                baseline_server.stop()
            if vitrine is not None:
                vitrine.stop()
    finished = datetime.now(UTC)
    result: dict[str, Any] = {
        "version": 1,
        "command": "python -m bench " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "started_at": started.isoformat(), "finished_at": finished.isoformat(),
        "revision": revision(),
        "machine": {**machine(), "python": platform.python_version(), "platform": platform.platform()},
        "config": cfg.as_dict(), "baseline_workers": baseline_workers if cfg.baseline else None,
        "database": db.kind, "redis": "REDIS_URL" if redis.pid is None else "throwaway",
        "ours": ours, "baseline": baseline,
    }
    result["ratios"] = report.ratios(ours, baseline)
    result["targets"] = report.targets(ours)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        cfg = make_config(args)
        if cfg.progress and not sys.stderr.isatty() and args.progress is None:
            cfg.progress = False
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        cfg.out = (cfg.out / stamp).resolve()
        cfg.out.mkdir(parents=True, exist_ok=True)
        result = run(cfg)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    report.write_json(result, cfg.out / "result.json")
    report.plot(result, cfg.out / "plot.png")
    print(report.table(result))
    print(f"\nwrote {cfg.out / 'result.json'} and {cfg.out / 'plot.png'}")
    votes = result["ours"].get("votes")
    if votes and not votes["tally_agrees"]:
        print(f"error: the poll's final tally ({votes['final_total']}) is not the {votes['accepted']} votes accepted",
              file=sys.stderr)
        return 1
    if result["ours"]["oversell"]:
        print(f"error: Vitrine oversold {result['ours']['oversell']} units", file=sys.stderr)
        return 1
    return 0


