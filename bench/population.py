"""One measured run: V viewers of one server (Vitrine or the baseline) while the host pins, the
viewers react and a checkout storm hits one variant. Returns the figures and a per-second series."""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm
from websockets.asyncio.client import connect

from bench.config import Config
from bench.labels import LabelDriver, LabelStore
from bench.procstat import CpuMeter, cpu_seconds, descendants, rss_kb
from bench.scenario import PinDriver, Show, Storm, checkout_storm
from bench.services import BenchError, ServerHandle
from bench.stats import Tally, delivered, summary
from bench.viewers import Fleet, WorkerSpec
from bench.votes import VoteStorm, vote_storm

SETTLE_S = 1.5


@dataclass
class Target:
    """What differs between the two populations."""

    name: str  # "ours" | "baseline"
    server: ServerHandle  # serves the viewers' sockets and the checkout
    pins_via: str  # base URL of the Vitrine server that takes the host's pins (the same for both)
    available: Callable[[], Awaitable[int]]  # the hot variant's stock left, as this server keeps it
    cpu_others: dict[str, list[int]] = field(default_factory=dict)  # other process trees to meter (redis…)
    storm_deadline_s: float = 60.0  # a bound, not a figure: orders unanswered by then count as failed
    labels: LabelStore | None = None  # a store whose label sheets are asked for during the run
    secret_key: str | None = None  # the server's, to sign the voters' viewer tokens (None: no vote storm)


T0 = time.monotonic()


def say(text: str) -> None:
    """A phase line on stderr, with the seconds since the bench started."""
    tqdm.write(f"[{time.monotonic() - T0:6.1f}s] {text}", file=sys.stderr)


async def _warm_up(server: ServerHandle, show: Show) -> None:
    """One socket in and out, so first-use allocations are not counted per viewer."""
    url = f"{server.ws_url}/ws/shows/{show.show_id}"
    for _ in range(2):
        async with connect(url, compression=None, ping_interval=None, open_timeout=30) as ws:
            await asyncio.wait_for(ws.recv(), timeout=30)
    await asyncio.sleep(0.5)


def _sleep_to_whole_second() -> int:
    now = time.time()
    time.sleep(math.ceil(now) - now)
    return round(time.time())


async def run_population(cfg: Config, target: Target, show: Show) -> dict[str, Any]:
    server_pids = descendants(target.server.pid)
    await _warm_up(target.server, show)
    rss_before = rss_kb(descendants(target.server.pid))

    per = [cfg.viewers // cfg.clients + (1 if i < cfg.viewers % cfg.clients else 0) for i in range(cfg.clients)]
    connect_timeout = 30 + cfg.viewers / 50
    specs = [WorkerSpec(index=i, url=f"{target.server.ws_url}/ws/shows/{show.show_id}", viewers=n,
                        react_per_s=cfg.react_per_s, connect_concurrency=cfg.connect_concurrency,
                        nap_s=cfg.client_nap_ms / 1000,
                        connect_timeout_s=connect_timeout, observer=i == 0) for i, n in enumerate(per) if n > 0]
    fleet = Fleet(specs)
    tally = Tally()
    fleet.start()
    try:
        return await _drive(cfg, target, show, fleet, tally, rss_before, server_pids, connect_timeout)
    finally:
        fleet.stop.set()
        fleet.join(timeout=20)


async def _drive(cfg: Config, target: Target, show: Show, fleet: Fleet, tally: Tally, rss_before: int,
                 server_pids: list[int], connect_timeout: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()

    async def pump(wait_s: float = 0.2) -> None:
        for report in await loop.run_in_executor(None, fleet.drain, wait_s):
            tally.add(report)

    # --- connect -----------------------------------------------------------------------------------
    started = time.monotonic()
    cpu_at_start = _server_cpu(target)
    bar = tqdm(total=cfg.viewers, desc=f"{target.name:>8}: connect", unit="ws", disable=not cfg.progress,
               leave=True, dynamic_ncols=True)
    deadline = started + connect_timeout + 30
    peak = 0
    while time.monotonic() < deadline:
        await pump()
        peak = max(peak, tally.connected)
        bar.n = tally.connected
        bar.set_postfix(failed=tally.failed, refresh=False)
        bar.refresh()
        if tally.connected >= cfg.viewers or tally.connect_done(len(fleet.procs)):
            break
        if fleet.alive() < len(fleet.procs):
            raise BenchError("a viewer client process died while connecting")
    bar.close()
    connect_s = time.monotonic() - started
    connect_cpu_s = _server_cpu(target) - cpu_at_start
    if tally.connected < cfg.viewers:
        say(f"{target.name}: only {tally.connected} of {cfg.viewers} viewers connected "
                  f"({tally.failed} failed: {dict(tally.connect_errors())}); measuring with those")
    else:
        say(f"{target.name}: {tally.connected} viewers connected in {connect_s:.1f} s")
    await asyncio.sleep(SETTLE_S)
    await pump(0.05)
    connected_at_rss = tally.connected
    server_tree = descendants(target.server.pid)
    rss_after = rss_kb(server_tree)

    # --- drive the show ---------------------------------------------------------------------------
    meter = CpuMeter(trees={"server": [target.server.pid], **target.cpu_others},
                     single={"clients": fleet.pids, "driver": [os.getpid()]})
    t_go = await loop.run_in_executor(None, _sleep_to_whole_second)
    cpu_before = meter.read()
    fleet.go.set()
    pins = PinDriver(target.pins_via, show, cfg.pin_ms)
    voting = cfg.votes > 0 and target.secret_key is not None
    storms_s = target.storm_deadline_s * (2 if voting else 1)  # the vote storm comes after the checkout storm
    pin_task = asyncio.create_task(pins.run(deadline=time.monotonic() + cfg.duration + storms_s + 5))
    sheets = LabelDriver(target.pins_via, target.labels, cfg.label_sheets_per_s) if target.labels else None
    sheets_task = asyncio.create_task(sheets.run(deadline=time.monotonic() + cfg.duration)) if sheets else None
    storm_at = time.monotonic() + cfg.duration / 3
    storm_task: asyncio.Task[Storm] | None = None
    vote_task: asyncio.Task[VoteStorm] | None = None
    series_cpu: dict[int, dict[str, float]] = {}
    last_cpu, last_t = cpu_before, time.time()
    bar = tqdm(total=round(cfg.duration), desc=f"{target.name:>8}: run", unit="s", disable=not cfg.progress,
               leave=True, dynamic_ncols=True, bar_format="{desc}: {n:.0f}/{total:.0f} s |{bar}| {postfix}")
    placed = 0

    def on_placed() -> None:
        nonlocal placed
        placed += 1

    end = time.monotonic() + cfg.duration
    while True:
        now = time.monotonic()
        if storm_task is None and now >= storm_at and cfg.orders > 0:
            storm_task = asyncio.create_task(checkout_storm(
                target.server.port, show, orders=cfg.orders, concurrency=cfg.storm_concurrency,
                deadline_s=target.storm_deadline_s, on_placed=on_placed))
        storm_over = storm_task.done() if storm_task is not None else cfg.orders <= 0
        if vote_task is None and voting and storm_over and now >= storm_at:
            assert target.secret_key is not None
            vote_task = asyncio.create_task(vote_storm(
                target.server.base_url, target.server.port, show, secret_key=target.secret_key, voters=cfg.votes,
                concurrency=cfg.vote_concurrency, deadline_s=target.storm_deadline_s))
        votes_over = vote_task.done() if vote_task is not None else not voting
        if now >= end and storm_over and votes_over:
            break
        if now > end + storms_s + 10:
            raise BenchError("the checkout storm or the vote storm did not finish in time")
        await pump(0.25)
        if time.time() - last_t >= 1.0:
            cpu_now, t_now = meter.read(), time.time()
            series_cpu[round(t_now)] = CpuMeter.cores(last_cpu, cpu_now, t_now - last_t)
            last_cpu, last_t = cpu_now, t_now
            recent = tally.seconds.get(round(t_now) - 1) or tally.seconds.get(round(t_now) - 2)
            bar.n = min(cfg.duration, time.time() - t_go)
            if recent is not None:
                lat = summary(recent.latency)
                bar.set_postfix_str(f"held {tally.connected}  frames/s {delivered(recent.frames)}  "
                                    f"p99 {lat['p99'] or 0:.0f} ms  reacts/s {recent.reacts_sent}  "
                                    f"orders {placed}", refresh=False)
            bar.refresh()
    pins.stop()
    if sheets is not None:
        sheets.stop()
    t_stop = await loop.run_in_executor(None, _sleep_to_whole_second)
    cpu_after = meter.read()
    await pin_task
    if sheets_task is not None:
        await sheets_task
    bar.n = bar.total
    bar.close()
    fleet.stop.set()
    stop_deadline = time.monotonic() + 30
    while len(fleet.done) < len(fleet.procs) and time.monotonic() < stop_deadline:
        await pump(0.2)
    await pump(0.05)
    say(f"{target.name}: driven for {t_stop - t_go} s; viewer processes stopped")
    storm = storm_task.result() if storm_task is not None else Storm()
    votes = vote_task.result().as_dict() if vote_task is not None else None
    available = await target.available() if cfg.orders > 0 else None

    # --- figures --------------------------------------------------------------------------------------
    seconds = t_stop - t_go
    window = tally.window(t_go, t_stop)
    latency = summary(window.latency)
    frames = delivered(window.frames)
    held = sum(fleet.done.values()) if len(fleet.done) == len(fleet.procs) else tally.connected
    cpu = CpuMeter.cores(cpu_before, cpu_after, seconds)
    mem_per = (rss_after - rss_before) / connected_at_rss if connected_at_rss else None
    orders = storm.as_dict(stock=show.stock, available_after=available)
    series = []
    for t in range(t_go + 1, t_stop + 1):
        sec = tally.seconds.get(t)
        if sec is None:
            continue
        lat = summary(sec.latency)
        series.append({"t": t - t_go, "frames": delivered(sec.frames), "pins": sec.frames.get("product.pinned", 0),
                       "p50_ms": lat["p50"], "p99_ms": lat["p99"], "reacts_sent": sec.reacts_sent,
                       "reactions_in": sec.observer_counts, "reaction_frames": sec.observer_frames,
                       "orders": sum(1 for p in storm.placed_at if t - 1 < p <= t),
                       "cpu": series_cpu.get(t), "client_lag_ms": sec.lag_ms, "connected": sec.connected})
    return {
        "server": target.name,
        "viewers": cfg.viewers,
        "connections_held": held,
        "connections_peak": max(peak, connected_at_rss),
        "connect_failures": tally.failed,
        "connect_errors": dict(tally.connect_errors()),
        "closed_by_server": dict(tally.closed()),
        "connect_s": round(connect_s, 2),
        "connect_cpu_ms_per_viewer": round(connect_cpu_s * 1000 / max(1, connected_at_rss), 2),
        "window_s": seconds,
        "frames_per_s": round(frames / seconds, 1),
        "pin_frames_per_s": round(window.frames.get("product.pinned", 0) / seconds, 1),
        "frames_by_type": dict(window.frames),
        "connect_frames_by_type": dict(tally.window(0, t_go).frames),  # what the viewers got while others joined
        "pin_frames_per_viewer": round(window.frames.get("product.pinned", 0) / max(held, 1), 2),
        "pin_latency_ms": latency,
        "pin_latency_p50_ms": latency["p50"],
        "pin_latency_p95_ms": latency["p95"],
        "pin_latency_p99_ms": latency["p99"],
        "pins": pins.pins.as_dict(seconds),
        "pins_per_s": round(pins.pins.ok / seconds, 2),  # the host's pins the server took (asked: 1000 / pin_ms)
        "label_sheets": sheets.sheets.as_dict(seconds) if sheets is not None else None,
        "reactions_sent_per_s": round(window.reacts_sent / seconds, 1),
        "reactions_in_per_s": round(window.observer_counts / seconds, 1),
        "reaction_frames_per_s": round(window.observer_frames / seconds, 2),
        "error_frames": dict(window.errors),
        "votes": votes,
        "votes_per_s": votes["votes_per_s"] if votes else None,
        "poll_frames_max_per_s": votes["results_frames_max_per_s"] if votes else None,
        "orders": orders,
        "orders_per_s": orders["orders_per_s"],
        "storm_requests_per_s": orders["requests_per_s"],
        "oversell": orders["oversell"],
        "memory": {"rss_before_kb": rss_before, "rss_after_kb": rss_after, "viewers_at_reading": connected_at_rss,
                   "processes": len(server_tree)},
        "memory_per_viewer_kb": round(mem_per, 2) if mem_per is not None else None,
        "cpu_cores": cpu,
        "server_cpu_cores": cpu.get("server"),
        # per core-second of the server side (the server's processes and Redis): comparable between runs
        # even when other processes took a share of the machine
        "frames_per_server_core": _per(frames / seconds, cpu.get("server", 0) + cpu.get("redis", 0)),
        "reactions_per_server_core": _per(window.observer_counts / seconds, cpu.get("server", 0) + cpu.get("redis", 0)),
        "client_lag_ms_max": window.lag_ms,
        "server_pids": server_pids,
        # a worker that stopped answering its supervisor's health check is killed and replaced: its sockets drop
        "server_processes_replaced": len(set(server_pids) - set(descendants(target.server.pid))),
        "series": series,
    }


def _server_cpu(target: Target) -> float:
    return cpu_seconds(descendants(target.server.pid), reaped_of=[target.server.pid])


def _per(value: float, cores: float) -> float | None:
    return round(value / cores, 1) if cores > 0.01 else None
