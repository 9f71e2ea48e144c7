"""Prometheus metrics. Counters on hot paths are bumped once per batch, never once per socket."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
    multiprocess,
)

NODE = Info("vitrine_node", "This process's bus node id (its Redis connections are named vitrine-<node>)")
WS_CONNECTIONS = Gauge("vitrine_ws_connections", "Open show WebSockets in this process", multiprocess_mode="livesum")
WS_SLOW_CLOSED = Counter("vitrine_ws_slow_closed_total", "Sockets closed with 4008 because they could not keep up")
WS_REJECTED = Counter("vitrine_ws_rejected_total", "Client frames answered with an error", ["code"])
FRAMES_QUEUED = Counter("vitrine_frames_queued_total", "Broadcast frames handed to local sockets")
FANOUT = Histogram("vitrine_fanout_seconds",
                   "Time to write one broadcast (a frame or a run) to every local socket of its show",
                   buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5))
EVENTS_PUBLISHED = Counter("vitrine_events_published_total", "Events published to the bus", ["type"])
BUS_GAPS = Counter("vitrine_bus_gaps_total", "Gaps in a show's seq filled from history")
TILL_BATCH = Histogram("vitrine_till_batch_orders", "Orders placed together in one batch of the till",
                       buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256))
TILL_SECONDS = Histogram("vitrine_till_batch_seconds", "Time the till takes to place one batch, from read to commit",
                         buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0))
HTTP_REQUESTS = Counter("vitrine_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("vitrine_http_request_seconds", "HTTP request latency", ["route"])
GC_PAUSE = Histogram("vitrine_gc_pause_seconds", "Time one garbage collection held the process still, by generation",
                     ["generation"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0))


def watch_gc() -> Callable[[], None]:
    """Observe every collection of this process in GC_PAUSE (while one runs, no socket of the process is
    served); returns what stops it."""
    children = [GC_PAUSE.labels(str(generation)) for generation in range(3)]
    started = 0.0

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
        else:
            children[info["generation"]].observe(time.perf_counter() - started)

    gc.callbacks.append(on_gc)
    return lambda: gc.callbacks.remove(on_gc)


def render() -> tuple[bytes, str]:
    """The exposition text; with several workers (PROMETHEUS_MULTIPROC_DIR set) it sums every worker."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
