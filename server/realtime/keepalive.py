"""WebSocket keepalive pings for all of a worker's sockets, from one timer per event loop.

uvicorn arms two timers per socket for each ping (the ping, then its pong's deadline) and wakes the loop for
each one: 10,000 viewers pinged every 20 s are 500 wake-ups a second, and a socket's ping and pong each go
through websockets' parser. Here a socket waits in a slot of `step` seconds (a twentieth of the ping
interval, at most one second); one timer a step calls every socket whose time has come, so the sockets due
in the same step are pinged together and their pongs come back together (server/web/wire.py takes them
as it cuts frames). A ping or a close for a late pong comes at most one step after its time.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Protocol

log = logging.getLogger("vitrine.keepalive")


class Pinged(Protocol):
    def keepalive_due(self, now: float) -> float | None:
        """This socket's time came: do what is due (ping it, close it); the next time, or None when done."""


def step_for(interval_s: float) -> float:
    """How finely a keepalive with this ping interval slots its sockets."""
    return min(1.0, interval_s / 20)


class Keepalive:
    """The sockets of one event loop that want pings, by slot of `step_s` seconds."""

    _loops: dict[tuple[int, float], Keepalive] = {}

    def __init__(self, loop: asyncio.AbstractEventLoop, step_s: float) -> None:
        self.loop = loop
        self.step_s = step_s
        self._slots: dict[int, dict[Pinged, None]] = {}  # insertion-ordered sets: the sockets due in that step
        self._slot_of: dict[Pinged, int] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._armed = 0  # the slot the timer runs, while there is one
        self._running = False

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop, step_s: float) -> Keepalive:
        """The loop's keepalive for this step (one per worker in practice: every socket has the same
        interval)."""
        key = (id(loop), step_s)
        keepalive = cls._loops.get(key)
        if keepalive is None or keepalive.loop is not loop:
            keepalive = cls._loops[key] = cls(loop, step_s)
        return keepalive

    def __len__(self) -> int:
        return len(self._slot_of)

    def watch(self, sock: Pinged, at: float) -> None:
        """Call `sock.keepalive_due` at `at` (or up to a step later); replaces what it was waiting for."""
        self._drop(sock)
        slot = math.ceil(at / self.step_s)
        self._slots.setdefault(slot, {})[sock] = None
        self._slot_of[sock] = slot
        if not self._running:
            self._arm()

    def forget(self, sock: Pinged) -> None:
        if self._drop(sock) and not self._slots and not self._running:
            self._arm()  # the last socket went: so does the timer

    def _drop(self, sock: Pinged) -> bool:
        """Take the socket out of its slot; True when that emptied the slot."""
        slot = self._slot_of.pop(sock, None)
        if slot is None or (due := self._slots.get(slot)) is None:  # None: its slot is being run
            return False
        due.pop(sock, None)
        if due:
            return False
        del self._slots[slot]
        return True

    def _arm(self) -> None:
        """The timer for the first slot with a socket in it (none when there is none)."""
        first = min(self._slots, default=None)
        if self._timer is not None and first == self._armed:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        key = (id(self.loop), self.step_s)
        if first is None:
            if self._loops.get(key) is self:
                del self._loops[key]  # nothing keeps an idle loop's keepalive (or the loop) alive
        else:
            self._loops.setdefault(key, self)
            self._armed, self._timer = first, self.loop.call_at(first * self.step_s, self._run)

    def _run(self) -> None:
        self._timer, self._running = None, True
        now = self.loop.time()
        try:
            # a loop's timers may fire a little early (libuv counts milliseconds)
            for slot in sorted(s for s in self._slots if s * self.step_s <= now + 0.001):
                for sock in list(self._slots.pop(slot)):
                    if self._slot_of.get(sock) != slot:
                        continue  # forgotten, or moved, by a socket called before it
                    del self._slot_of[sock]
                    try:
                        at = sock.keepalive_due(now)
                    except Exception:  # one socket's bug must not stop the others' pings
                        log.exception("keepalive failed for a socket")
                        continue
                    if at is not None:
                        self.watch(sock, at)
        finally:
            self._running = False
            self._arm()
