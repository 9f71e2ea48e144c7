"""Latency histograms (1 ms buckets) and the per-second tally of what the client processes report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson


def percentile(hist: Counter[int], q: float) -> float | None:
    """Nearest-rank percentile of a histogram {value: count}; None when it is empty."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, int(q / 100 * total + 0.999999))
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return float(value)
    return float(max(hist))


def summary(hist: Counter[int]) -> dict[str, float | int | None]:
    return {"p50": percentile(hist, 50), "p95": percentile(hist, 95), "p99": percentile(hist, 99),
            "max": float(max(hist)) if hist else None, "samples": sum(hist.values())}


def merge(hists: Iterable[Counter[int]]) -> Counter[int]:
    out: Counter[int] = Counter()
    for h in hists:
        out.update(h)
    return out


@dataclass
class Second:
    """What every client process reported for the second ending at `t` (a whole Unix second)."""

    frames: Counter[str] = field(default_factory=Counter)
    latency: Counter[int] = field(default_factory=Counter)
    reacts_sent: int = 0
    observer_frames: int = 0  # `reactions` frames one socket received
    observer_counts: int = 0  # the reactions those frames counted
    errors: Counter[str] = field(default_factory=Counter)
    lag_ms: float = 0.0
    connected: int = 0  # sockets open at the end of the second, over every client process


@dataclass
class Tally:
    seconds: dict[int, Second] = field(default_factory=dict)
    workers: dict[int, dict[str, Any]] = field(default_factory=dict)  # worker -> its latest state
    finals: dict[int, dict[str, Any]] = field(default_factory=dict)

    def add(self, report: dict[str, Any]) -> None:
        worker = int(report["worker"])
        self.workers[worker] = {k: report[k] for k in ("connected", "opened", "failed", "closed", "connect_done",
                                                       "connect_errors")}
        if report.get("final"):
            self.finals[worker] = report
        sec = self.seconds.setdefault(int(report["t"]), Second())
        sec.frames.update(report["frames"])
        sec.latency.update(report["latency"])
        sec.reacts_sent += report["reacts_sent"]
        sec.observer_frames += report["observer_frames"]
        sec.observer_counts += report["observer_counts"]
        sec.errors.update(report["errors"])
        sec.lag_ms = max(sec.lag_ms, report["lag_ms"])
        if not report.get("final"):
            sec.connected += int(report["connected"])

    @property
    def connected(self) -> int:
        return sum(int(w["connected"]) for w in self.workers.values())

    @property
    def failed(self) -> int:
        return sum(int(w["failed"]) for w in self.workers.values())

    def connect_done(self, workers: int) -> bool:
        return len(self.workers) == workers and all(w["connect_done"] for w in self.workers.values())

    def closed(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for w in self.workers.values():
            out.update(w["closed"])
        return out

    def connect_errors(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for w in self.workers.values():
            out.update(w["connect_errors"])
        return out

    def window(self, start: int, end: int) -> Second:
        """Everything reported for the seconds in (start, end]."""
        total = Second()
        for t, sec in self.seconds.items():
            if start < t <= end:
                total.frames.update(sec.frames)
                total.latency.update(sec.latency)
                total.reacts_sent += sec.reacts_sent
                total.observer_frames += sec.observer_frames
                total.observer_counts += sec.observer_counts
                total.errors.update(sec.errors)
                total.lag_ms = max(total.lag_ms, sec.lag_ms)
        return total


BROADCAST_SKIP = frozenset({"snapshot", "error", "pong"})


def delivered(frames: Counter[str]) -> int:
    """Broadcast frames (every type but the per-client replies)."""
    return sum(n for kind, n in frames.items() if kind not in BROADCAST_SKIP)


def most_in_a_second(stamps: Iterable[int]) -> int:
    """The most of these times (ms) in any one second, [t, t + 1000): how many paced frames one show sent
    in its busiest second, read off the frames' `ts` (the bus's clock), not the reader's."""
    ordered = sorted(stamps)
    most, first = 0, 0
    for last, ts in enumerate(ordered):
        while ts - ordered[first] >= 1000:
            first += 1
        most = max(most, last - first + 1)
    return most


def error_code(status: int, body: bytes) -> str:
    """The error code of a refused request's JSON body, else `http_<status>`."""
    try:
        return str(orjson.loads(body)["error"]["code"])
    except Exception:
        return f"http_{status}"
