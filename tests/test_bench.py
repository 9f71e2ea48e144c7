"""`python -m bench --quick` runs end to end and writes every figure: what `make bench` does, in seconds.

No figure is judged here (the machine running the tests is not the bench machine): only that each is
measured, that the checkout storm oversold nothing, and that the JSON and the PNG are written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.multiprocess, pytest.mark.timeout(150)]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_quick_bench_writes_every_figure_with_the_baseline_ratios(redis_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "REDIS_URL": redis_url}
    for name in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--no-progress", "--out", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=140)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    found = list(tmp_path.glob("*/result.json"))
    assert len(found) == 1, list(tmp_path.rglob("*"))
    result = json.loads(found[0].read_text())
    cfg = result["config"]
    assert cfg["quick"] and cfg["viewers"] == 200

    ours = result["ours"]
    assert ours["connections_held"] == cfg["viewers"], ours["closed_by_server"]
    assert ours["frames_per_s"] > 0 and ours["frames_by_type"].get("product.pinned", 0) > 0
    for p in ("p50", "p95", "p99"):
        assert ours["pin_latency_ms"][p] is not None and ours["pin_latency_ms"][p] >= 0
    assert ours["pin_latency_ms"]["samples"] > 0
    assert ours["pins"]["ok"] > 0
    assert ours["reactions_sent_per_s"] > 0 and ours["reactions_in_per_s"] > 0
    assert ours["reaction_frames_per_s"] > 0
    orders = ours["orders"]
    assert orders["oversell"] == 0 and ours["oversell"] == 0
    assert orders["placed"] == min(cfg["stock"], cfg["orders"])
    assert orders["available_after"] == cfg["stock"] - orders["placed"] and orders["books_agree"]
    assert ours["orders_per_s"] > 0
    assert ours["memory_per_viewer_kb"] is not None
    assert ours["cpu_cores"]["server"] > 0 and ours["cpu_cores"]["clients"] > 0
    assert ours["series"], "a per-second series for the plot"

    baseline = result["baseline"]
    assert baseline is not None and baseline["server"] == "baseline"
    assert baseline["connections_peak"] > 0
    for key in ("connections_held", "frames_per_s", "pin_latency_p99_ms", "reactions_in_per_s", "orders_per_s",
                "oversell", "memory_per_viewer_kb", "server_cpu_cores"):
        row = result["ratios"][key]
        assert row["ours"] is not None, key
        assert "baseline" in row and "ratio" in row
    assert result["ratios"]["frames_per_s"]["ratio"] is not None
    for key in ("connections_held", "frames_per_s", "pin_latency_p99_ms", "reactions_in_per_s",
                "reaction_frames_per_s", "orders_per_s", "oversell", "memory_per_viewer_kb"):
        assert key in result["targets"], key
    assert result["machine"]["nproc"] and result["command"].startswith("python -m bench")

    png = found[0].parent / "plot.png"
    data = png.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000
    assert "ours/baseline" in done.stdout
