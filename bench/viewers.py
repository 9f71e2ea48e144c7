"""Viewer client processes: each runs one asyncio loop holding its share of the viewer WebSockets
(the `websockets` client, compression off: its sans-I/O `ClientProtocol` on a plain asyncio.Protocol, see
bench/wsclient.py), counts frames by type, takes a latency sample (`now - ts`, same machine, same clock) for
every `product.pinned` frame, sends reactions at R per second per viewer from one batched ticker, and reports to
the parent once per wall-clock second.

A received frame costs one synchronous call, `Worker.on_frame`, which reads the frame's head as bytes: no
decoding, no JSON parse except for the rare frames whose body is wanted (`reactions` on the observer socket,
`error`).

Kept free of heavy imports: every worker is a `spawn`ed process that imports this module.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing as mp
import re
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

import orjson
from websockets.uri import parse_uri

from bench.procstat import raise_nofile
from bench.wsclient import ViewerSocket

REACT = b'{"type":"react","kind":"heart"}'
REACT_TICK_S = 0.05
OPEN_TIMEOUT_S = 60.0  # TCP connect and the opening handshake
SNAPSHOT_TIMEOUT_S = 60.0  # then the first frame
# `{"type":"product.pinned","seq":42,"ts":1763756100123,...`: Vitrine's exact bytes take the fast path; the
# baseline adds spaces, replies have no seq, and anything else falls back to the regexes or to JSON
_PINNED_HEAD = b'{"type":"product.pinned",'
_REACTIONS_HEAD = b'{"type":"reactions",'
_KIND = re.compile(rb'\{\s*"type"\s*:\s*"([^"]*)"')
_TS = re.compile(rb'\s*,(?:\s*"seq"\s*:\s*-?\d+\s*,)?\s*"ts"\s*:\s*(\d+)')
PINNED = b"product.pinned"
REACTIONS = b"reactions"
ERROR = b"error"
_clock = time.time
_TS_FROM, _TS_UNTIL = len(_PINNED_HEAD) - 1, len(_PINNED_HEAD) + 40


@dataclass(frozen=True)
class WorkerSpec:
    index: int
    url: str
    viewers: int
    react_per_s: float
    connect_concurrency: int
    connect_timeout_s: float
    observer: bool  # this worker's first live socket reports the `reactions` frames it receives
    nap_s: float = 0.0  # see Worker.pace


class Worker:
    def __init__(self, spec: WorkerSpec, queue: Queue[dict[str, Any]], go: Event, stop: Event) -> None:
        self.spec = spec
        self.uri = parse_uri(spec.url)
        self.queue = queue
        self.go = go
        self.stop = stop
        self.open: dict[int, ViewerSocket] = {}
        self.opened = 0
        self.failed = 0
        self.connect_done = False
        self.closed: Counter[str] = Counter()
        self.connect_errors: Counter[str] = Counter()
        self.frames: Counter[bytes] = Counter()  # by type, except the two counted apart:
        self.pinned = 0
        self.reactions = 0
        self.delays: list[int] = []  # ms from each pin's server stamp to here, as they come; `report` counts them
        self.errors: Counter[str] = Counter()
        self.reacts_sent = 0
        self.observer: int | None = None
        self.observer_frames = 0
        self.observer_counts = 0
        self.lag_ms = 0.0
        self.stopping = False
        self.received = 0  # frames so far, for `pace`
        self.idle = True  # `pace` waits for the next frame
        self.woken = asyncio.Event()

    # --- one viewer ---------------------------------------------------------------------------------

    async def viewer(self, n: int, gate: asyncio.Semaphore) -> None:
        """Open viewer `n` under the connect gate; from then on its socket calls back, no task is left."""
        async with gate:
            if self.stopping:
                return
            sock = ViewerSocket(n, self.uri, self.on_frame, self.on_closed)
            try:
                await asyncio.wait_for(sock.open(), timeout=OPEN_TIMEOUT_S)
                first = await asyncio.wait_for(sock.snapshot(), timeout=SNAPSHOT_TIMEOUT_S)  # now it is live
            except Exception as exc:
                sock.abort()
                self.failed += 1
                self.connect_errors[type(exc).__name__] += 1
                return
            except asyncio.CancelledError:
                sock.abort()
                raise
        self.opened += 1
        self.open[n] = sock
        self.on_frame(n, first)
        if sock.closed:  # it went between its snapshot and this task running again
            self.on_closed(n, sock.outcome)

    def on_closed(self, n: int, outcome: str) -> None:
        if self.open.pop(n, None) is not None and not self.stopping:
            self.closed[outcome] += 1  # "1006": dropped without a close frame
        if self.observer == n:
            self.observer = None

    def on_frame(self, n: int, data: bytes | bytearray) -> None:
        """Count one frame by type, the hot path; `data` is the payload as the protocol parsed it. Vitrine's two
        common frames are told by their exact first bytes, and only a pin's `ts` is read."""
        self.received += 1
        if self.idle:
            self.idle = False
            self.woken.set()
        if data.startswith(_PINNED_HEAD):
            self.pinned += 1
            # Vitrine's exact bytes: `,"seq":N,"ts":MS,` right after the head; anything else takes the regex
            at = data.find(b',"ts":', _TS_FROM, _TS_UNTIL)
            end = data.find(b",", at + 6, at + 26) if at > 0 else -1
            if end > 0 and (ts := data[at + 6:end]).isdigit():
                self.delays.append(round(_clock() * 1000) - int(ts))
            else:
                self._pinned_ts(n, data, _TS_FROM)
        elif data.startswith(_REACTIONS_HEAD):
            self.reactions += 1
            if self.observer == n or (self.observer is None and self.spec.observer):
                self._observe(n, data)
        else:
            self._other_frame(n, data)

    def _pinned_ts(self, n: int, data: bytes | bytearray, pos: int) -> None:
        """A pin's `ts` where the regex finds it (right after the head at `pos`), else from the parsed frame."""
        ts = _TS.match(data, pos)
        if ts is not None:
            self.delays.append(round(_clock() * 1000 - int(ts[1])))
        else:
            self._odd_frame(n, data, counted=True)

    def _other_frame(self, n: int, data: bytes | bytearray) -> None:
        """Any other frame, or one with spaces in its head (the baseline's `json.dumps`)."""
        head = _KIND.match(data)
        if head is None:
            self._odd_frame(n, data)
            return
        kind = head[1]
        if kind == PINNED:
            self.pinned += 1
            self._pinned_ts(n, data, head.end())
        elif kind == REACTIONS:
            self.reactions += 1
            if self.observer == n or (self.observer is None and self.spec.observer):
                self._observe(n, data)
        else:
            self.frames[kind] += 1
            if kind == ERROR:
                self.errors[str(orjson.loads(data)["data"].get("code"))] += 1

    def _observe(self, n: int, data: bytes | bytearray) -> None:
        """The observer socket adds up the reactions each `reactions` frame counts."""
        self.observer = n
        self.observer_frames += 1
        counts = orjson.loads(data)["data"]["counts"]
        self.observer_counts += sum(int(v) for v in counts.values())

    def _odd_frame(self, n: int, data: bytes | bytearray, *, counted: bool = False) -> None:
        """A frame whose head is not in the usual order: parse it whole."""
        try:
            frame = orjson.loads(data)
            kind, ts = str(frame.get("type")).encode(), int(frame.get("ts") or 0)
        except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
            self.frames[b"unparsable"] += 1
            return
        if not counted:
            self.frames[kind] += 1
        if kind == PINNED and ts:
            self.delays.append(round(_clock() * 1000 - ts))

    # --- the batched reaction ticker ------------------------------------------------------------------

    async def react(self) -> None:
        rate = self.spec.react_per_s
        if rate <= 0:
            return
        while not self.go.is_set():
            if self.stopping:
                return
            await asyncio.sleep(0.02)
        credit, cursor = 0.0, 0
        last = time.monotonic()
        while not self.stopping:
            await asyncio.sleep(REACT_TICK_S)
            now = time.monotonic()
            sockets = list(self.open.values())
            # a late tick does not catch up in a burst: what a busy loop could not send is not sent
            credit = min(credit + rate * len(sockets) * (now - last), rate * len(sockets) * REACT_TICK_S * 2)
            last = now
            if not sockets:
                continue
            todo = int(credit)
            credit -= todo
            for k in range(todo):  # round-robin: each viewer reacts at `rate` per second, spread evenly
                if sockets[(cursor + k) % len(sockets)].send_text(REACT):
                    self.reacts_sent += 1
            cursor = (cursor + todo) % len(sockets)

    # --- reporting ------------------------------------------------------------------------------------

    async def pace(self) -> None:
        """While frames keep coming, sleep `nap_s` between two rounds of the event loop, the loop blocked: the
        kernel queues what arrives meanwhile, and the next round reads those sockets from one epoll wake-up
        instead of waking up for every few. A 10,000-viewer fan-out then costs the viewer processes fewer
        wake-ups and context switches, which leaves more of the machine to the server under test; each frame
        waits at most `nap_s` longer, which only adds to the latency measured. Idle, it waits for a frame."""
        nap = self.spec.nap_s
        if nap <= 0:
            return
        seen = self.received
        while not self.stopping:
            if self.received == seen:
                self.idle = True
                self.woken.clear()
                await self.woken.wait()
            seen = self.received
            time.sleep(nap)  # noqa: ASYNC251 - blocking the loop is the point: sockets fill up meanwhile
            await asyncio.sleep(0)

    async def lag_probe(self) -> None:
        """How late the loop wakes up: when it is busy, latency samples include client-side delay."""
        while not self.stopping:
            start = time.monotonic()
            await asyncio.sleep(0.05)
            self.lag_ms = max(self.lag_ms, (time.monotonic() - start - 0.05) * 1000)

    def report(self, *, final: bool = False) -> None:
        self.queue.put({
            # a regular report ends the second it is stamped with; the final one holds what came after the last
            "worker": self.spec.index, "t": math.ceil(time.time()) if final else round(time.time()), "final": final,
            "connected": len(self.open), "opened": self.opened, "failed": self.failed,
            "connect_done": self.connect_done, "closed": dict(self.closed),
            "connect_errors": dict(self.connect_errors),
            "frames": self._frames_by_type(),
            "latency": dict(Counter(self.delays)), "reacts_sent": self.reacts_sent, "errors": dict(self.errors),
            "observer_frames": self.observer_frames, "observer_counts": self.observer_counts,
            "lag_ms": round(self.lag_ms, 1),
        })
        self.frames, self.errors, self.delays = Counter(), Counter(), []
        self.pinned = self.reactions = self.reacts_sent = self.observer_frames = self.observer_counts = 0
        self.lag_ms = 0.0

    def _frames_by_type(self) -> dict[str, int]:
        frames = Counter({kind.decode(errors="replace"): count for kind, count in self.frames.items()})
        for kind, count in ((PINNED, self.pinned), (REACTIONS, self.reactions)):
            if count:
                frames[kind.decode()] += count
        return dict(frames)

    async def reporter(self) -> None:
        while not self.stopping:
            now = time.time()
            await asyncio.sleep(math.ceil(now) - now + 0.002)  # on whole seconds: the parent adds them up
            if not self.stopping:
                self.report()

    # --- the process ----------------------------------------------------------------------------------

    async def run(self) -> None:
        gate = asyncio.Semaphore(self.spec.connect_concurrency)
        viewers = [asyncio.create_task(self.viewer(n, gate)) for n in range(self.spec.viewers)]
        helpers = [asyncio.create_task(f()) for f in (self.reporter, self.react, self.lag_probe, self.pace)]
        connecting = asyncio.ensure_future(self._until_connected(viewers))
        # a multiprocessing Event has no awaitable wait: poll it
        while not self.stop.is_set():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        self.stopping = True
        connecting.cancel()
        held = len(self.open)
        for task in helpers:
            task.cancel()
        for sock in list(self.open.values()):  # abort, not a closing handshake: 10k of those take long
            sock.abort()
        for task in viewers:
            task.cancel()
        await asyncio.gather(*viewers, *helpers, connecting, return_exceptions=True)
        await asyncio.sleep(0.1)  # the aborted sockets' connection_lost callbacks
        self.open.clear()
        self.report(final=True)
        self.queue.put({"worker": self.spec.index, "done": True, "held": held})

    async def _until_connected(self, viewers: list[asyncio.Task[None]]) -> None:
        deadline = time.monotonic() + self.spec.connect_timeout_s
        while time.monotonic() < deadline:
            if self.opened + self.failed >= self.spec.viewers:
                break
            await asyncio.sleep(0.1)
        else:
            self.stopping_connects(viewers)
        self.connect_done = True

    def stopping_connects(self, viewers: list[asyncio.Task[None]]) -> None:
        """Past the connect deadline: give up the handshakes still pending."""
        for n, task in enumerate(viewers):
            if n not in self.open and not task.done():
                task.cancel()
                self.failed += 1
                self.connect_errors["connect_deadline"] += 1


def worker_main(spec: WorkerSpec, queue: Queue[dict[str, Any]], go: Event, stop: Event) -> None:
    raise_nofile()
    worker = Worker(spec, queue, go, stop)
    try:
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(worker.run())
    except ImportError:
        asyncio.run(worker.run())


class Fleet:
    """The K client processes, as the parent sees them."""

    def __init__(self, specs: list[WorkerSpec]) -> None:
        ctx = mp.get_context("spawn")
        self.queue: Queue[dict[str, Any]] = ctx.Queue()
        self.go = ctx.Event()
        self.stop = ctx.Event()
        self.procs = [ctx.Process(target=worker_main, args=(spec, self.queue, self.go, self.stop), daemon=True,
                                  name=f"bench-viewers-{spec.index}") for spec in specs]
        self.done: dict[int, int] = {}  # worker -> sockets it held when told to stop

    def start(self) -> None:
        for proc in self.procs:
            proc.start()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid is not None]

    def drain(self, timeout: float) -> list[dict[str, Any]]:
        """Reports waiting now, after waiting at most `timeout` for the first."""
        import queue as queue_mod

        out: list[dict[str, Any]] = []
        try:
            out.append(self.queue.get(timeout=timeout))
            while True:
                out.append(self.queue.get_nowait())
        except queue_mod.Empty:
            pass
        reports = []
        for item in out:
            if item.get("done"):
                self.done[int(item["worker"])] = int(item["held"])
            else:
                reports.append(item)
        return reports

    def alive(self) -> int:
        return sum(1 for p in self.procs if p.is_alive())

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            proc.join(max(0.1, deadline - time.monotonic()))
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
