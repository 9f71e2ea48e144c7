"""`python -m bench --quick` runs end to end and writes every figure: what `make bench` does, in seconds.

No figure is judged here (the machine running the tests is not the bench machine): only that each is
measured, that the checkout storm oversold nothing, and that the JSON and the PNG are written."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import ROOT

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
    votes = ours["votes"]
    assert votes["accepted"] == cfg["votes"] and votes["outcomes"] == {"accepted": cfg["votes"]}
    assert votes["tally_agrees"] and votes["final_total"] == cfg["votes"]
    assert ours["votes_per_s"] > 0 and votes["results_frames"] > 0
    assert 1 <= ours["poll_frames_max_per_s"] <= 5
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


class _Reports(list[dict[str, Any]]):
    def put(self, item: dict[str, Any]) -> None:
        self.append(item)


@pytest.mark.anyio
async def test_viewer_sockets_count_frames_answer_pings_react_and_record_close_codes() -> None:
    """The sans-I/O viewer socket against a real websockets server: Vitrine's and the baseline's frame heads,
    a fragmented message, a ping, a masked REACT, then a 4008 close on one socket and a dropped TCP on the other;
    and a refused handshake counted as a connect error."""
    from websockets.asyncio.server import ServerConnection, serve
    from websockets.frames import Frame as WsFrame
    from websockets.frames import Opcode
    from websockets.http11 import Request, Response

    from bench.viewers import REACT, Worker, WorkerSpec

    accepted = 0
    reacts: list[str | bytes] = []
    everyone_in = asyncio.Event()

    async def show(ws: ServerConnection) -> None:
        nonlocal accepted
        accepted += 1
        first = accepted == 1
        now = int(time.time() * 1000)
        await ws.send(f'{{"type":"snapshot","ts":{now},"data":{{}}}}')
        await ws.send(f'{{"type":"product.pinned","seq":1,"ts":{now},"data":{{"product_id":"p1"}}}}')
        await ws.send(f'{{"type": "product.pinned", "seq": 2, "ts": {now}, "data": {{}}}}')  # the baseline's spacing
        await ws.send(f'{{"type":"product.pinned","data":{{}},"seq":3,"ts":{now}}}')  # Vitrine's head, then other keys
        await ws.send(['{"type":"viewers","seq":3,', '"ts":1,"data":{"count":2}}'])  # in two fragments
        await ws.send('{"type":"reactions","seq":4,"ts":1,"data":{"counts":{"heart":3,"fire":1}}}')
        await asyncio.sleep(0.05)  # the client's parser is at a frame boundary again: the fast path takes over
        big = "y" * 70_000
        await ws.send(f'{{"type":"product.pinned","seq":5,"ts":{now},"data":{{"x":"{big}"}}}}')  # 64-bit length
        await ws.send(f'{{"type":"stock","seq":6,"ts":1,"data":{{"x":"{"y" * 300}"}}}}')  # 16-bit length
        split = WsFrame(Opcode.TEXT, b'{"type":"sale","seq":7,"ts":1,"data":{}}').serialize(mask=False)
        for piece in (split[:1], split[1:5], split[5:]):  # a frame cut anywhere by TCP, its head included
            ws.transport.write(piece)
            await asyncio.sleep(0.02)
        await asyncio.wait_for(await ws.ping(), 5)  # answered on the fast path: masked, with the ping's payload
        reacts.append(await asyncio.wait_for(ws.recv(), 5))  # masked, or the server would fail the connection
        await everyone_in.wait()
        if first:
            await ws.close(4008, "slow consumer")
        else:
            ws.transport.abort()

    def refuse(ws: ServerConnection, request: Request) -> Response | None:
        if request.path == "/refused":
            return ws.respond(403, "no\n")
        return None

    async with serve(show, "127.0.0.1", 0, compression=None, process_request=refuse) as server:
        port = server.sockets[0].getsockname()[1]
        spec = WorkerSpec(index=0, url=f"ws://127.0.0.1:{port}/ws", viewers=2, react_per_s=0, connect_concurrency=2,
                          connect_timeout_s=10, observer=True)
        reports = _Reports()
        worker = Worker(spec, reports, None, None)  # type: ignore[arg-type]
        gate = asyncio.Semaphore(2)
        await asyncio.wait_for(asyncio.gather(worker.viewer(0, gate), worker.viewer(1, gate)), 10)
        assert worker.opened == 2 and worker.failed == 0 and set(worker.open) == {0, 1}
        sockets = list(worker.open.values())
        for sock in list(worker.open.values()):
            assert sock.send_text(REACT)
        for _ in range(500):
            if len(reacts) == 2:
                break
            await asyncio.sleep(0.01)
        everyone_in.set()
        for _ in range(500):
            if not worker.open:
                break
            await asyncio.sleep(0.01)
        assert reacts == [REACT.decode()] * 2
        assert worker.open == {} and dict(worker.closed) == {"4008": 1, "1006": 1}
        worker.report()
        (report,) = reports
        assert report["frames"] == {"snapshot": 2, "product.pinned": 8, "viewers": 2, "reactions": 2, "stock": 2,
                                    "sale": 2}
        assert sum(report["latency"].values()) == 8 and min(report["latency"]) >= 0
        assert [sock.fast_frames >= 3 for sock in sockets] == [True, True]  # the large, the 16-bit and the split one
        assert report["observer_frames"] == 1 and report["observer_counts"] == 4

        refused = Worker(WorkerSpec(**{**spec.__dict__, "url": f"ws://127.0.0.1:{port}/refused", "viewers": 1}),
                         _Reports(), None, None)  # type: ignore[arg-type]
        await asyncio.wait_for(refused.viewer(0, gate), 10)
        assert refused.opened == 0 and dict(refused.connect_errors) == {"InvalidStatus": 1}
