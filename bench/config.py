"""What a run is asked for: the options of `python -m bench`, with the quick and full presets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# The targets for one 2-core machine, load generator included.
TARGETS: dict[str, tuple[str, float, str]] = {
    # figure key: (comparison, value, label)
    "connections_held": (">=", 10_000, "concurrent viewers"),
    "frames_per_s": (">=", 100_000, "delivered frames per second"),
    "pin_latency_p99_ms": ("<", 100, "pin-to-viewer p99 (ms) at 10,000 viewers"),
    "reactions_in_per_s": (">=", 50_000, "reactions ingested per second"),
    "reaction_frames_per_s": ("<=", 5, "reaction frames per second per show"),
    "poll_frames_max_per_s": ("<=", 5, "poll.results frames per second per show (busiest second)"),
    "orders_per_s": (">=", 2_000, "orders per second on one hot variant"),
    "oversell": ("==", 0, "oversold units"),
    "memory_per_viewer_kb": ("<", 30, "server memory per viewer (KB)"),
}


@dataclass
class Config:
    viewers: int = 10_000
    workers: int = 2
    clients: int = 2
    pin_ms: int = 100
    react_per_s: float = 5.0
    duration: float = 30.0
    orders: int = 2_000
    stock: int = 1_000
    storm_concurrency: int = 128
    votes: int = 2_000  # viewers who vote once each in one poll, after the checkout storm (Vitrine only)
    vote_concurrency: int = 128  # votes in flight at once
    storm_deadline_s: float = 60.0  # the storm stops sending after this; unanswered orders count as failed
    connect_concurrency: int = 100  # handshakes in flight per client process
    client_nap_ms: float = 2.0  # while frames keep coming, a viewer process sleeps this long between loop rounds
    send_queue: int = 1024  # WS_SEND_QUEUE for the server under test
    label_sheets_per_s: float = 0.0  # label sheets asked for during the run (Vitrine only; 0: none)
    label_items: int = 400  # items in the store whose sheets are drawn
    database: str = "auto"  # auto | sqlite | postgres
    baseline: bool = True
    quick: bool = False
    progress: bool = True
    out: Path = field(default_factory=lambda: Path("bench-results"))

    @classmethod
    def quick_preset(cls) -> dict[str, Any]:
        """Seconds, not minutes: what the tests run to prove the bench works."""
        return {"viewers": 200, "workers": 1, "clients": 2, "pin_ms": 200, "duration": 5.0, "orders": 200,
                "stock": 60, "storm_concurrency": 16, "storm_deadline_s": 30.0, "react_per_s": 1.0,
                "database": "sqlite", "votes": 200, "vote_concurrency": 16}

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out"] = str(self.out)
        return data
