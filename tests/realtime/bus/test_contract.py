"""One contract for every Bus backend: the same tests run against memory:// and redis://."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import orjson
import pytest

from server.live.interactions.chat.events import ChatDeleted
from server.live.interactions.pinning import ProductUnpinned
from server.realtime.bus import Bus, create_bus
from server.realtime.events import Reactions, broadcast_frame, frame_seq

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["memory", "redis"])
def backend_url(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "memory" else str(request.getfixturevalue("redis_url"))


@pytest.fixture
async def bus(backend_url: str | None) -> AsyncIterator[Bus]:
    instance = create_bus(backend_url, history_size=20, tick_ms=100)
    await instance.start()
    yield instance
    await instance.close()


def show() -> str:
    return "shw_" + secrets.token_hex(8)


async def test_publish_reaches_subscriber_in_order_with_seq(bus: Bus) -> None:
    s = show()
    async with bus.subscribe(s) as frames:
        for i in range(5):
            assert await bus.publish(s, ChatDeleted(id=f"m{i}")) == i + 1
        got = [orjson.loads(await asyncio.wait_for(frames.__anext__(), 5)) for _ in range(5)]
    assert [g["seq"] for g in got] == [1, 2, 3, 4, 5]
    assert [g["data"]["id"] for g in got] == [f"m{i}" for i in range(5)]
    assert all(g["type"] == "chat.deleted" and isinstance(g["ts"], int) for g in got)


async def test_frame_bytes_match_the_python_encoding(bus: Bus) -> None:
    """The Redis Lua script and events.broadcast_frame must build the same frame."""
    s = show()
    async with bus.subscribe(s) as frames:
        await bus.publish(s, ProductUnpinned(product_id=None))
        frame = await asyncio.wait_for(frames.__anext__(), 5)
    parsed = orjson.loads(frame)
    assert frame == broadcast_frame("product.unpinned", 1, parsed["ts"], b'{"product_id":null}')
    assert frame_seq(frame) == 1


async def test_two_subscribers_both_receive(bus: Bus) -> None:
    s = show()
    async with bus.subscribe(s) as a, bus.subscribe(s) as b:
        await bus.publish(s, ChatDeleted(id="x"))
        assert frame_seq(await asyncio.wait_for(a.__anext__(), 5)) == 1
        assert frame_seq(await asyncio.wait_for(b.__anext__(), 5)) == 1


async def test_shows_are_isolated(bus: Bus) -> None:
    s1, s2 = show(), show()
    async with bus.subscribe(s1) as frames:
        await bus.publish(s2, ChatDeleted(id="other"))
        await bus.publish(s1, ChatDeleted(id="mine"))
        frame = orjson.loads(await asyncio.wait_for(frames.__anext__(), 5))
    assert frame["data"]["id"] == "mine" and frame["seq"] == 1


async def test_position_and_epoch(bus: Bus) -> None:
    s = show()
    first = await bus.position(s)
    assert first.seq == 0 and first.epoch
    await bus.publish(s, ChatDeleted(id="a"))
    second = await bus.position(s)
    assert second.seq == 1 and second.epoch == first.epoch


async def test_history_after_seq(bus: Bus) -> None:
    s = show()
    for i in range(8):
        await bus.publish(s, ChatDeleted(id=str(i)))
    history = await bus.history(s, after=5)
    assert history.complete
    assert [frame_seq(f) for f in history.frames] == [6, 7, 8]
    assert (await bus.history(s, after=8)).complete
    assert (await bus.history(s, after=8)).frames == []


async def test_history_beyond_what_is_kept_is_incomplete(bus: Bus) -> None:
    s = show()
    for i in range(250):  # history_size is 20; Redis trims by whole stream nodes (100), never below 20
        await bus.publish(s, ChatDeleted(id=str(i)))
    assert not (await bus.history(s, after=0)).complete
    recent = await bus.history(s, after=245)
    assert recent.complete and [frame_seq(f) for f in recent.frames] == [246, 247, 248, 249, 250]


async def test_history_from_the_future_is_incomplete(bus: Bus) -> None:
    s = show()
    await bus.publish(s, ChatDeleted(id="a"))
    assert not (await bus.history(s, after=99)).complete


async def test_unsubscribed_context_stops_delivery(bus: Bus) -> None:
    s = show()
    async with bus.subscribe(s) as frames:
        pass
    await bus.publish(s, ChatDeleted(id="late"))
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(frames.__anext__(), 1)


async def test_tick_one_leader_per_window_and_reactions_summed(bus: Bus) -> None:
    s = show()
    first = await bus.tick(s, viewers=3, reactions={"heart": 2})
    assert first is not None
    assert first.viewers == 3 and first.viewers_changed and first.reactions == {"heart": 2}
    # inside the same window: counted, not led
    assert await bus.tick(s, viewers=3, reactions={"heart": 1, "fire": 4}) is None
    await asyncio.sleep(0.15)
    later = await bus.tick(s, viewers=3, reactions={})
    assert later is not None
    assert later.reactions == {"heart": 1, "fire": 4}
    assert later.viewers == 3 and not later.viewers_changed
    assert await bus.viewers(s) == 3


async def test_reaction_totals_add_up_every_node_and_every_tick(bus: Bus, backend_url: str | None) -> None:
    """The show's totals outlast the ticks that took them: another node (a second bus on the same backend)
    reads them, and the tick's leader publishes them with the counts."""
    s = show()
    assert await bus.reaction_totals(s) == {}
    other = create_bus(backend_url, history_size=20, tick_ms=100) if backend_url else bus
    await other.start()
    try:
        assert (await bus.tick(s, viewers=1, reactions={"heart": 2})) is not None
        assert await other.tick(s, viewers=1, reactions={"heart": 1, "fire": 4}) is None  # counted, not led
        await asyncio.sleep(0.15)
        led = await other.tick(s, viewers=1, reactions={"wow": 1})
        assert led is not None and led.totals == {"heart": 3, "fire": 4, "wow": 1}
        assert led.reactions == {"heart": 1, "fire": 4, "wow": 1}
        assert await bus.reaction_totals(s) == await other.reaction_totals(s) == {"heart": 3, "fire": 4, "wow": 1}
        assert await bus.reaction_totals(show()) == {}
    finally:
        if other is not bus:
            await other.close()


async def test_audience_counts_distinct_viewers_across_ticks(bus: Bus) -> None:
    s = show()
    await bus.tick(s, viewers=2, reactions={}, seen=["vwr_a", "vwr_b"])
    await bus.tick(s, viewers=2, reactions={"heart": 1}, seen=["vwr_a", "vwr_c"])
    assert await bus.audience(s) == 3
    assert await bus.audience(show()) == 0


async def test_hit_counts_within_window(bus: Bus) -> None:
    key = "k-" + secrets.token_hex(4)
    assert await bus.count(key) == 0
    assert [await bus.hit(key, window_s=60) for _ in range(3)] == [1, 2, 3]
    assert await bus.count(key) == 3
    await bus.forget(key)
    assert await bus.count(key) == 0


async def test_publish_reactions_event_shape(bus: Bus) -> None:
    s = show()
    async with bus.subscribe(s) as frames:
        await bus.publish(s, Reactions(counts={"heart": 7}))
        frame = orjson.loads(await asyncio.wait_for(frames.__anext__(), 5))
    assert frame == {"type": "reactions", "seq": 1, "ts": frame["ts"], "data": {"counts": {"heart": 7}, "totals": {}}}


async def test_events_published_together_get_consecutive_seqs_and_arrive_together(bus: Bus) -> None:
    """One call, several events: consecutive seqs (the last returned), in order, in history, and each node
    reads them together (the hub then writes them to a socket at once)."""
    s = show()
    async with bus.subscribe(s) as frames:
        assert await bus.publish(s, ChatDeleted(id="solo")) == 1
        assert await bus.publish(s, ChatDeleted(id="a"), ProductUnpinned(product_id=None), ChatDeleted(id="c")) == 4
        first = await asyncio.wait_for(frames.__anext__(), 5)
        assert frame_seq(first) == 1
        second = await asyncio.wait_for(frames.__anext__(), 5)
        together = [second, *frames.drain(10)]
    assert [frame_seq(f) for f in together] == [2, 3, 4]
    assert [orjson.loads(f)["type"] for f in together] == ["chat.deleted", "product.unpinned", "chat.deleted"]
    assert len({orjson.loads(f)["ts"] for f in together}) == 1  # stamped in the same step
    assert (await bus.history(s, after=1)).frames == together


async def test_paced_publications_are_at_least_the_gap_apart_in_their_ts(bus: Bus) -> None:
    """Under one key, a publication less than the gap after the last (by the clock that stamps `ts`) is not
    made; other keys and other shows are paced on their own."""
    s, other = show(), show()
    async with bus.subscribe(s) as frames:
        assert await bus.publish_paced(s, "game:a", 300, ChatDeleted(id="first")) == 1
        assert await bus.publish_paced(s, "game:a", 300, ChatDeleted(id="too soon")) is None
        assert await bus.publish_paced(s, "game:b", 300, ChatDeleted(id="b"), ChatDeleted(id="b2")) == 3
        assert await bus.publish_paced(other, "game:a", 300, ChatDeleted(id="elsewhere")) == 1
        await asyncio.sleep(0.35)
        assert await bus.publish_paced(s, "game:a", 300, ChatDeleted(id="again")) == 4
        got = [orjson.loads(await asyncio.wait_for(frames.__anext__(), 5)) for _ in range(4)]
    assert [g["data"]["id"] for g in got] == ["first", "b", "b2", "again"]
    assert got[3]["ts"] - got[0]["ts"] >= 300
    assert (await bus.position(s)).seq == 4
