"""The keepalive's slots, on a real event loop: sockets called at their time, together when due in one
step, again when they ask, never once forgotten; one timer for all of them."""

from __future__ import annotations

import asyncio
import math
from itertools import pairwise

import pytest

from server.realtime.keepalive import Keepalive, step_for

pytestmark = pytest.mark.anyio


class Sock:
    """A Pinged that records when it was called, and comes back `every` seconds `times` times."""

    def __init__(self, calls: list[tuple[str, float]], name: str, *, every: float | None = None, times: int = 1,
                 broken: bool = False) -> None:
        self.calls, self.name, self.every, self.left, self.broken = calls, name, every, times, broken

    def keepalive_due(self, now: float) -> float | None:
        self.calls.append((self.name, now))
        if self.broken:
            raise RuntimeError("a bug in a socket")
        self.left -= 1
        return now + self.every if self.every is not None and self.left > 0 else None


async def settle(keepalive: Keepalive, within: float = 5) -> None:
    async with asyncio.timeout(within):
        while len(keepalive):
            await asyncio.sleep(0.01)


def test_the_step_is_a_twentieth_of_the_interval_and_at_most_a_second() -> None:
    assert step_for(20) == 1.0 and step_for(60) == 1.0 and step_for(2) == 0.1


async def test_sockets_are_called_in_time_order_and_together_when_due_in_one_step() -> None:
    loop = asyncio.get_running_loop()
    keepalive = Keepalive.of(loop, 0.05)
    calls: list[tuple[str, float]] = []
    base = math.ceil(loop.time() / 0.05) * 0.05  # a step's boundary: b1 and b2 fall in one step, a and c not
    wanted = {"c": base + 0.23, "a": base + 0.03, "b1": base + 0.11, "b2": base + 0.13}
    for name, at in wanted.items():
        keepalive.watch(Sock(calls, name), at)
    assert len(keepalive) == 4
    await settle(keepalive)
    assert [name for name, _ in calls][:1] == ["a"] and [name for name, _ in calls][-1] == "c"
    for name, at in calls:
        assert at >= wanted[name] - 0.002, (name, at - wanted[name])  # never before its time
    when = dict(calls)
    assert when["b1"] == when["b2"], "due in the same step: called in the same run"
    assert Keepalive.of(loop, 0.05) is not keepalive, "an empty keepalive let its timer go"


async def test_a_socket_comes_back_when_it_asks_and_never_once_forgotten() -> None:
    loop = asyncio.get_running_loop()
    keepalive = Keepalive.of(loop, 0.02)
    calls: list[tuple[str, float]] = []
    again, gone = Sock(calls, "again", every=0.05, times=3), Sock(calls, "gone")
    keepalive.watch(again, loop.time() + 0.02)
    keepalive.watch(gone, loop.time() + 0.04)
    keepalive.forget(gone)
    keepalive.watch(again, loop.time() + 0.03)  # watched twice: the later time replaces the first
    await settle(keepalive)
    assert [name for name, _ in calls] == ["again"] * 3
    gaps = [b - a for (_, a), (_, b) in pairwise(calls)]
    assert all(gap >= 0.05 - 0.002 for gap in gaps), gaps


async def test_a_socket_that_raises_is_logged_and_the_others_are_still_called(
        caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.get_running_loop()
    keepalive = Keepalive.of(loop, 0.02)
    calls: list[tuple[str, float]] = []
    at = loop.time() + 0.02
    for sock in (Sock(calls, "first"), Sock(calls, "broken", broken=True), Sock(calls, "last", every=0.02, times=2)):
        keepalive.watch(sock, at)
    await settle(keepalive)
    assert [name for name, _ in calls] == ["first", "broken", "last", "last"]
    assert "keepalive failed for a socket" in caplog.text


async def test_a_socket_called_may_forget_or_move_another_due_in_the_same_step() -> None:
    loop = asyncio.get_running_loop()
    keepalive = Keepalive.of(loop, 0.02)
    calls: list[tuple[str, float]] = []
    at = loop.time() + 0.02
    victim, moved = Sock(calls, "victim"), Sock(calls, "moved")

    class Meddler(Sock):
        def keepalive_due(self, now: float) -> float | None:
            keepalive.forget(victim)
            keepalive.watch(moved, now + 0.05)
            return super().keepalive_due(now)

    for sock in (Meddler(calls, "meddler"), victim, moved):
        keepalive.watch(sock, at)
    await settle(keepalive)
    assert [name for name, _ in calls] == ["meddler", "moved"]
    assert calls[1][1] >= calls[0][1] + 0.05 - 0.002, "moved to its new time, not called twice"


async def test_one_keepalive_per_loop_while_it_has_sockets() -> None:
    loop = asyncio.get_running_loop()
    keepalive = Keepalive.of(loop, 0.5)
    sock = Sock([], "alone")
    keepalive.watch(sock, loop.time() + 60)
    keepalive.watch(sock, loop.time() + 30)  # re-armed alone (as a pong does): still the loop's keepalive
    assert Keepalive.of(loop, 0.5) is keepalive and len(keepalive) == 1
    keepalive.forget(sock)
    assert Keepalive.of(loop, 0.5) is not keepalive, "the last socket gone, the loop's keepalive went with it"
