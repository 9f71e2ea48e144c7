"""Per-connection token buckets (the socket's own limits; shared limits use Bus.hit)."""

from __future__ import annotations

import time


class TokenBucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, *, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Violations:
    """Refused frames in a sliding window: a sender over its limits for long gets closed (1008)."""

    __slots__ = ("limit", "stamps", "window_s")

    def __init__(self, *, limit: int, window_s: float = 10.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self.stamps: list[float] = []

    def add(self, now: float | None = None) -> bool:
        """Record one; True when the sender is now over the limit."""
        now = time.monotonic() if now is None else now
        self.stamps = [t for t in self.stamps if now - t < self.window_s]
        self.stamps.append(now)
        return len(self.stamps) > self.limit
