"""The hub without sockets: fan-out, the slow-consumer policy, coalescing, joins and resume."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from server.commerce.events import Sale, StockLevel
from server.live.interactions.chat.events import ChatDeleted
from server.realtime import hub as hub_module
from server.realtime.bus.memory import MemoryBus
from server.realtime.connection import SLOW_CONSUMER, AsgiSink, Connection, Frame, Run
from server.realtime.events import Event, Reactions
from server.realtime.hub import Hub

pytestmark = pytest.mark.anyio


class Phone:
    """A socket stand-in at the Connection's edge: records frames, or blocks like a stalled phone."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.frames: list[dict[str, Any]] = []
        self.closed: int | None = None
        self.stalled = stalled
        self.got = asyncio.Event()

    async def send(self, text: str) -> None:
        if self.stalled:
            await asyncio.Event().wait()  # never returns, like a full TCP window
        self.frames.append(orjson.loads(text))
        self.got.set()

    async def close(self, code: int, reason: str) -> None:
        self.closed = code

    def connection(self, maxlen: int = 8) -> Connection:
        # about `maxlen` of the small frames these tests publish may wait unsent
        return Connection(sink=AsgiSink(send=self.send, close=self.close), maxlen=maxlen, max_backlog=maxlen * 64)

    async def wait_for(self, predicate: Any, within: float = 5) -> None:
        async with asyncio.timeout(within):
            while not predicate():
                self.got.clear()
                await self.got.wait()


async def load(show_id: str) -> dict[str, Any]:
    return {"id": show_id, "viewers": 0}


async def started(tick_ms: int) -> AsyncIterator[Hub]:
    instance = Hub(bus=MemoryBus(tick_ms=tick_ms), loader=load, tick_ms=tick_ms)
    await instance.start()
    yield instance
    await instance.close()


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    """A hub whose own tick never comes during a test (it ticks once, at start, with no show yet): a
    `viewers` frame of its own would take a seq that the test counts as its own."""
    async for instance in started(3_600_000):
        yield instance


@pytest.fixture
async def ticking() -> AsyncIterator[Hub]:
    """A hub that ticks every 20 ms, for the tests about what a tick does."""
    async for instance in started(20):
        yield instance


async def join(hub: Hub, phone: Phone, show: str = "shw_a", since: int | None = None, maxlen: int = 8
               ) -> Connection:
    conn = phone.connection(maxlen)
    joined = await hub.join(show, conn, since=since, epoch=None)
    conn.start(first=[Frame(0, b'{"type":"snapshot"}'), *joined.replay], after=joined.after)
    return conn


def seqs(phone: Phone) -> list[int]:
    return [f["seq"] for f in phone.frames if "seq" in f]


async def test_one_encoding_reaches_every_socket_in_order(hub: Hub) -> None:
    phones = [Phone() for _ in range(5)]
    for p in phones:
        await join(hub, p)
    for i in range(5):
        await hub.bus.publish("shw_a", ChatDeleted(id=str(i)))
    for p in phones:
        await p.wait_for(lambda p=p: len(seqs(p)) >= 5)
        assert seqs(p)[:5] == [1, 2, 3, 4, 5]
    assert len(hub.channels["shw_a"].connections) == 5


async def test_stalled_socket_is_dropped_with_4008_and_others_keep_going(hub: Hub) -> None:
    stalled, healthy = Phone(stalled=True), Phone()
    await join(hub, stalled, maxlen=4)
    await join(hub, healthy, maxlen=4)
    for i in range(50):
        await hub.bus.publish("shw_a", ChatDeleted(id=str(i)))
        await asyncio.sleep(0)  # the healthy writer drains as a real one would
    await healthy.wait_for(lambda: 50 in seqs(healthy))
    async with asyncio.timeout(5):
        while stalled.closed is None:
            await asyncio.sleep(0.01)
    assert stalled.closed == SLOW_CONSUMER
    assert [s for s in seqs(healthy) if s <= 50] == list(range(1, 51))
    assert len(hub.channels["shw_a"].connections) == 1


async def test_reactions_from_many_sockets_leave_as_few_frames(ticking: Hub) -> None:
    watcher = Phone()
    await join(ticking, watcher)
    for _ in range(1000):
        ticking.react("shw_a", "heart")
    await watcher.wait_for(lambda: sum(f["data"]["counts"].get("heart", 0)
                                       for f in watcher.frames if f["type"] == "reactions") >= 1000)
    reaction_frames = [f for f in watcher.frames if f["type"] == "reactions"]
    assert sum(f["data"]["counts"]["heart"] for f in reaction_frames) == 1000
    assert len(reaction_frames) <= 3


async def test_resume_from_the_ring_without_gap_or_duplicate(hub: Hub) -> None:
    first = Phone()
    conn = await join(hub, first)
    for i in range(3):
        await hub.bus.publish("shw_a", ChatDeleted(id=str(i)))
    await first.wait_for(lambda: 3 in seqs(first))
    hub.leave("shw_a", conn)
    await conn.stop()
    for i in range(3):
        await hub.bus.publish("shw_a", ChatDeleted(id=str(i)))
    again = Phone()
    await join(hub, again, since=2)
    await hub.bus.publish("shw_a", ChatDeleted(id="live"))
    await again.wait_for(lambda: 7 in seqs(again))
    assert seqs(again)[:5] == [3, 4, 5, 6, 7]


async def test_idle_channel_is_released_and_comes_back(ticking: Hub) -> None:
    phone = Phone()
    conn = await join(ticking, phone)
    ticking.leave("shw_a", conn)
    await conn.stop()
    async with asyncio.timeout(5):
        while "shw_a" in ticking.channels:
            await asyncio.sleep(0.01)
    back = Phone()
    await join(ticking, back)
    await ticking.bus.publish("shw_a", ChatDeleted(id="x"))
    await back.wait_for(lambda: len(seqs(back)) >= 1)


async def test_a_channel_being_joined_is_not_released(ticking: Hub) -> None:
    channel = await ticking.channel("shw_b")  # found, not yet registered: joining == 1
    await asyncio.sleep(0.2)  # ten ticks
    assert ticking.channels.get("shw_b") is channel
    channel.joining -= 1
    async with asyncio.timeout(5):
        while "shw_b" in ticking.channels:
            await asyncio.sleep(0.01)


async def test_a_bus_that_lost_the_stream_restarts_the_sockets(redis_url: str) -> None:
    """Redis restarted empty: seq starts again at 1 with a new epoch. The channel must not take the new
    frames for duplicates; its sockets are closed with 1012 so that they come back to a fresh snapshot."""
    import redis.asyncio as aioredis

    from server.realtime.bus.redis import RedisBus
    from server.realtime.hub import STREAM_RESET

    bus = RedisBus(redis_url, tick_ms=20)
    await bus.start()
    hub = Hub(bus=bus, loader=load, tick_ms=20)
    await hub.start()
    show = "shw_lost_" + __import__("secrets").token_hex(4)
    try:
        phone = Phone()
        await join(hub, phone, show=show)
        for i in range(3):
            await bus.publish(show, ChatDeleted(id=str(i)))
        await phone.wait_for(lambda: 3 in seqs(phone))
        client = aioredis.Redis.from_url(redis_url)
        await client.delete(*[f"vt:{{{show}}}:{k}" for k in ("seq", "history", "epoch")])
        await client.aclose()
        await bus.publish(show, ChatDeleted(id="after the loss"))
        async with asyncio.timeout(5):
            while phone.closed is None:
                await asyncio.sleep(0.01)
        assert phone.closed == STREAM_RESET
        again = Phone()
        conn = again.connection()
        joined = await hub.join(show, conn, since=3, epoch="the epoch before the loss")
        # the new epoch counts from 1: the frame after the loss, and perhaps the tick's `viewers` for the phone
        # that left (a tick may run between the close and this join); never the old stream's 3 and on
        assert joined.recovered is False and joined.snapshot.seq in (1, 2)
    finally:
        await hub.close()
        await bus.close()


class Wire:
    """A socket stand-in with the wire sink's shape: records each write (one per syscall in production)."""

    def __init__(self) -> None:
        self.writes: list[list[int]] = []  # the seqs of each write

    def send(self, item: Frame | Run, limit: int) -> bool | None:
        if isinstance(item, Run):
            assert item.wire == b"".join(f.wire for f in item.frames)  # the framing of all, joined once
            self.writes.append([f.seq for f in item.frames])
        else:
            self.writes.append([item.seq])
        return True

    def backlog(self) -> int:
        return 0

    def close(self, code: int, reason: str) -> None:
        raise AssertionError("not closed in these tests")

    async def stop(self) -> None:
        return None


async def wire_join(hub: Hub, show: str = "shw_a", wire: Wire | None = None) -> tuple[Wire, Connection]:
    wire = wire or Wire()
    conn = Connection(sink=wire, maxlen=8, max_backlog=1 << 20)
    joined = await hub.join(show, conn, since=None, epoch=None)
    conn.start(first=joined.replay, after=joined.after)
    return wire, conn


async def until(predicate: Any, within: float = 5) -> None:
    async with asyncio.timeout(within):
        while not predicate():
            await asyncio.sleep(0.005)


async def test_events_published_together_reach_each_socket_in_one_write(hub: Hub) -> None:
    sockets = [await wire_join(hub) for _ in range(3)]
    await hub.bus.publish("shw_a", ChatDeleted(id="a"))
    await until(lambda: all(wire.writes for wire, _ in sockets))
    await hub.bus.publish("shw_a", ChatDeleted(id="b"), ChatDeleted(id="c"), ChatDeleted(id="d"))
    for wire, _ in sockets:
        await until(lambda wire=wire: sum(map(len, wire.writes)) == 4)
        assert wire.writes == [[1], [2, 3, 4]]


async def test_a_run_skips_what_a_socket_already_has_and_waits_behind_its_snapshot(hub: Hub) -> None:
    """A socket that got part of a run by replay gets the rest once; one still loading its snapshot gets
    the run after it, in order."""
    ahead, ahead_conn = await wire_join(hub)
    ahead_conn.last_seq = 2  # as if a replay had given it seq 1 and 2
    loading = Wire()
    loading_conn = Connection(sink=loading, maxlen=8, max_backlog=1 << 20)
    await hub.join("shw_a", loading_conn, since=None, epoch=None)  # registered, not started
    await hub.bus.publish("shw_a", ChatDeleted(id="a"), ChatDeleted(id="b"), ChatDeleted(id="c"))
    await until(lambda: sum(map(len, ahead.writes)) == 1)
    assert ahead.writes == [[3]]
    assert loading.writes == []
    loading_conn.start(first=[Frame(0, b'{"type":"snapshot"}')], after=0)
    assert loading.writes == [[0], [1], [2], [3]]


async def test_a_tick_sends_reactions_and_the_hooks_events_together(ticking: Hub) -> None:
    """The tick publishes a show's reactions with the commerce figures of the same tick in one bus call;
    a hook's events for a show with no socket here are published all the same."""
    wire, _ = await wire_join(ticking)
    other = Phone()
    await join(ticking, other, show="shw_b")
    taken = 0

    async def hook() -> dict[str, list[Event]]:
        nonlocal taken
        taken += 1
        if taken > 1:
            return {}
        return {"shw_a": [Sale(product_id="p1", quantity=2), StockLevel(product_id="p1", variant_id="v1",
                                                                         available=8)],
                "shw_c": [Sale(product_id="p2", quantity=1)]}

    ticking.tick_hooks.append(hook)
    ticking.react("shw_a", "heart")
    await until(lambda: any(len(w) >= 3 for w in wire.writes))
    run = next(w for w in wire.writes if len(w) >= 3)
    frames = [f for f in ticking.channels["shw_a"].ring if f.seq in run]
    kinds = [orjson.loads(f.data)["type"] for f in frames]
    assert [k for k in kinds if k != "viewers"] == ["reactions", "sale", "stock"]  # viewers too, when it changed
    assert (await ticking.bus.history("shw_c", after=0)).frames[0].startswith(b'{"type":"sale"')


async def test_a_backlog_goes_out_in_runs_of_bounded_size(hub: Hub) -> None:
    """After a stall, frames that wait together are written RUN_MAX at a time, never in one huge write."""
    from server.realtime.hub import RUN_MAX

    wire, _ = await wire_join(hub)
    await hub.bus.publish("shw_a", *(ChatDeleted(id=str(n)) for n in range(RUN_MAX * 2 + 5)))
    await until(lambda: sum(map(len, wire.writes)) == RUN_MAX * 2 + 5)
    assert [len(w) for w in wire.writes] == [RUN_MAX, RUN_MAX, 5]
    assert [seq for w in wire.writes for seq in w] == list(range(1, RUN_MAX * 2 + 6))


async def test_a_pin_overtakes_a_ticks_pass_in_one_write_per_socket(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tick's reactions go out a slice of sockets at a time; an event that comes meanwhile reaches every
    socket at once: joined with the reactions where the pass had not been yet, after them where it had."""
    monkeypatch.setattr(hub_module, "PACE_SLICE", 2)
    monkeypatch.setattr(hub_module, "PACE_GAP_S", 0.05)
    sockets = [await wire_join(hub) for _ in range(10)]
    await hub.bus.publish("shw_a", Reactions(counts={"heart": 3}))
    await until(lambda: sum(bool(wire.writes) for wire, _ in sockets) >= 2)
    await hub.bus.publish("shw_a", ChatDeleted(id="a"))
    await until(lambda: all(sum(map(len, wire.writes)) == 2 for wire, _ in sockets))
    shapes = sorted(wire.writes for wire, _ in sockets)
    before = shapes.count([[1], [2]])  # the pass had reached these: the chat event came after, on its own
    assert 2 <= before < 10 and shapes.count([[1, 2]]) == 10 - before, shapes
    await asyncio.sleep(0.2)  # the pass was stopped: nothing comes twice
    for wire, _ in sockets:
        seqs = [seq for write in wire.writes for seq in write]
        assert seqs[:2] == [1, 2] and seqs == sorted(set(seqs))


async def test_a_ticks_pass_reaches_every_socket_a_slice_at_a_time(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "PACE_SLICE", 3)
    sockets = [await wire_join(hub) for _ in range(10)]
    gone, closing = await wire_join(hub)
    await closing.stop()  # went away: the pass drops it
    await hub.bus.publish("shw_a", Reactions(counts={"fire": 1}), Sale(product_id="p", quantity=1))
    await until(lambda: all(wire.writes for wire, _ in sockets))
    assert [wire.writes[0] for wire, _ in sockets] == [[1, 2]] * 10 and gone.writes == []
    await until(lambda: hub.local_viewers("shw_a") == 10)


class Broken(Wire):
    """A sink whose first send raises, as a bug in a sink would."""

    def __init__(self) -> None:
        super().__init__()
        self.raised = False

    def send(self, item: Frame | Run, limit: int) -> bool | None:
        if not self.raised:
            self.raised = True
            raise RuntimeError("a bug in a sink")
        return super().send(item, limit)


async def test_a_pass_that_fails_is_logged_and_the_next_frame_takes_the_rest(
        hub: Hub, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(hub_module, "PACE_SLICE", 2)
    sockets = [await wire_join(hub) for _ in range(2)]
    broken, conn = await wire_join(hub, wire=Broken())
    sockets += [(broken, conn)] + [await wire_join(hub) for _ in range(3)]
    await hub.bus.publish("shw_a", Reactions(counts={"wow": 2}))
    await until(lambda: "a tick's pass stopped" in caplog.text)
    await hub.bus.publish("shw_a", ChatDeleted(id="a"))
    await until(lambda: all(2 in [seq for write in wire.writes for seq in write] for wire, _ in sockets))
    for wire, _ in sockets:
        seqs = [seq for write in wire.writes for seq in write]
        assert seqs[:2] == ([2] if wire is broken else [1, 2]) and seqs == sorted(set(seqs)), (seqs, wire.writes)
