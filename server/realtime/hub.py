"""Per process: one bus subscription per show this process has viewers for, local fan-out of the
same bytes to every socket, coalesced reactions and viewer counts, gap-free resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from server.infra import metrics
from server.infra.outages import OUTAGES, ChannelUnavailable
from server.realtime.bus import Bus, Position
from server.realtime.bus.subscription import RESYNC
from server.realtime.connection import SLOW_CONSUMER, Connection, Frame, Run
from server.realtime.events import Event, Reactions, Viewers, frame_seq, traits_of
from server.realtime.publisher import Publisher

log = logging.getLogger("vitrine.hub")

SnapshotLoader = Callable[[str], Awaitable[dict[str, Any]]]
TickHook = Callable[[], Awaitable[dict[str, list[Event]]]]  # more events to publish at each tick, by show
RING = 512
RUN_MAX = 64  # frames in one write to a socket: a backlog after a stall goes out in bounded pieces (twice
# that when they overtake a tick's pass: its frames and theirs)
SNAPSHOT_TTL_S = 10.0
PACE_SLICE = 256  # sockets a tick's pass writes before the loop runs again: what comes meanwhile waits one slice
PACE_GAP_S = 0.0  # and how long it lets the loop run (0: one round)
STREAM_RESET = 1012  # "service restart": clients reconnect, their old epoch gets them a fresh snapshot


@dataclass(slots=True)
class Snapshot:
    seq: int
    epoch: str
    data: dict[str, Any]
    at: float


@dataclass(slots=True)
class Pass:
    """A tick's frames on their way to the sockets that were here when they came, `done` of them so far."""

    frames: list[Frame]
    conns: list[Connection]
    done: int = 0


@dataclass(frozen=True, slots=True)
class Joined:
    """What a joining socket gets first: the snapshot at `seq`, then the `replay` frames in order."""

    snapshot: Snapshot
    replay: list[Frame]
    after: int
    recovered: bool


class Quiet:
    """When a repeated warning is due again: at most once per `every_s` per key (an outage is said, not
    shouted at every tick)."""

    def __init__(self, *, every_s: float) -> None:
        self.every_s = every_s
        self._last: dict[str, float] = {}

    def due(self, key: str) -> bool:
        now = time.monotonic()
        if now - self._last.get(key, -self.every_s) < self.every_s:
            return False
        if len(self._last) > 10_000:
            self._last.clear()
        self._last[key] = now
        return True


class Channel:
    """A show as this process sees it."""

    def __init__(self, hub: Hub, show_id: str) -> None:
        self.hub = hub
        self.show_id = show_id
        self.connections: set[Connection] = set()
        self.backstage: set[Connection] = set()  # of those, the ones that are not audience (a host, a screen)
        self.last_seq = 0
        self.epoch = ""
        self.ring: deque[Frame] = deque(maxlen=RING)
        self.reactions: Counter[str] = Counter()
        self.seen: list[str] = []  # viewer ids that joined since the last tick (unique audience)
        self.joining = 0  # sockets between "channel found" and "registered": keeps the channel alive
        self.ready = asyncio.Event()
        self.failed: BaseException | None = None
        self._snapshot: Snapshot | None = None
        self._loading: asyncio.Future[Snapshot] | None = None
        self._pass: Pass | None = None  # a tick's pass under way, and its task
        self._pacer: asyncio.Task[None] | None = None
        self.task = asyncio.create_task(self._run(), name=f"vitrine-channel-{show_id}")

    async def _run(self) -> None:
        bus = self.hub.bus
        try:
            async with bus.subscribe(self.show_id) as frames:
                position = await bus.position(self.show_id)
                self.last_seq, self.epoch = position.seq, position.epoch
                self.ready.set()
                async for first in frames:
                    # what arrived together leaves together: one write per socket (connection.Run)
                    run: list[Frame] = []
                    for frame in (first, *frames.drain(RUN_MAX - 1)):
                        if frame is RESYNC:  # the bus lost our subscription a while: what did we miss?
                            self._deliver(run)
                            run = []
                            await self._catch_up()
                            continue
                        seq = frame_seq(frame)
                        if seq <= self.last_seq:  # a duplicate, or the bus lost the stream
                            self._deliver(run)
                            run = []
                            await self._restarted()
                            continue
                        if seq > self.last_seq + 1:
                            self._deliver(run)
                            run = []
                            if await self._restarted():  # not lost frames: another stream (Redis came back
                                continue  # empty), whose seq passed ours while this node was cut off
                            await self._fill(seq)
                        run.append(self._keep(seq, frame))
                    self._deliver(run)
        except asyncio.CancelledError:
            raise
        except OUTAGES as exc:  # the bus is down: the sockets here are closed with 1013 and come back
            log.warning("channel %s stopped: %r", self.show_id, exc)
            self.failed = exc
            self.ready.set()
        except BaseException as exc:
            log.exception("channel %s stopped", self.show_id)
            self.failed = exc
            self.ready.set()
        finally:
            self._end_pass()

    async def _restarted(self) -> bool:
        """A seq at or below ours is a duplicate, and a seq past ours a gap, unless the bus lost the show's
        stream (Redis restarted empty, or failed over): then its epoch changed, whatever the seq, and every
        socket here starts again from a snapshot."""
        position = await self.hub.bus.position(self.show_id)
        if position.epoch == self.epoch and position.seq >= self.last_seq:
            return False
        self._reset(position)
        return True

    async def _catch_up(self) -> None:
        """After the bus had lost this subscription: another epoch is a restart, a seq past ours a gap."""
        position = await self.hub.bus.position(self.show_id)
        if position.epoch != self.epoch or position.seq < self.last_seq:
            self._reset(position)
        elif position.seq > self.last_seq:
            await self._fill(position.seq + 1)

    def _reset(self, position: Position) -> None:
        log.warning("show %s: the bus stream restarted (epoch %s -> %s)", self.show_id, self.epoch, position.epoch)
        self._end_pass()  # its sockets are closed below
        self.last_seq, self.epoch = position.seq, position.epoch
        self.ring.clear()
        self._snapshot = None
        for conn in tuple(self.connections):
            self.remove(conn)
            conn.kill(STREAM_RESET, "the show's stream restarted: reconnect")

    async def _fill(self, upto: int) -> None:
        """Frames were lost between the bus and us (pub/sub is at most once): read them from history."""
        history = await self.hub.bus.history(self.show_id, after=self.last_seq, limit=upto - self.last_seq)
        kept = [self._keep(seq, frame) for frame in history.frames if self.last_seq < (seq := frame_seq(frame)) < upto]
        for first in range(0, len(kept), RUN_MAX):
            self._deliver(kept[first:first + RUN_MAX])
        metrics.BUS_GAPS.inc()

    def _keep(self, seq: int, data: bytes) -> Frame:
        frame = Frame(seq, data)  # encoded once; the same bytes go to every socket
        traits = traits_of(data)  # declared by the event's class (realtime/events.py)
        frame.paced = traits.paced
        self.last_seq = seq
        self.ring.append(frame)
        if not traits.keeps_snapshot:
            self._snapshot = None
        return frame

    def _deliver(self, frames: list[Frame]) -> None:
        """Frames that came together, to every socket here. A tick's figures (reactions, viewers, stock, sales),
        to more than PACE_SLICE sockets, go out in slices of PACE_SLICE, letting the loop run between two:
        anything that comes meanwhile (a pin) overtakes the rest of that pass, joined with it in one write
        per socket, so a pin waits one slice for the reactions, never a whole pass."""
        if not frames:
            return
        if self._pass is not None:
            self._send(frames, behind=self._end_pass())
        elif len(self.connections) > PACE_SLICE and all(f.paced for f in frames):
            self._pass = Pass(frames, list(self.connections))
            self._pacer = asyncio.create_task(self._pace(self._pass), name=f"vitrine-pace-{self.show_id}")
        else:
            self._send(frames)

    def _end_pass(self) -> Pass | None:
        """Stop the tick's pass under way, where it waits between two slices (nothing is half written);
        returns it, with how far it got."""
        paced, self._pass = self._pass, None
        if self._pacer is not None:
            self._pacer.cancel()
            self._pacer = None
        return paced

    async def _pace(self, paced: Pass) -> None:
        item = paced.frames[0] if len(paced.frames) == 1 else Run(paced.frames)
        offer, conns = Connection.offer, paced.conns
        try:
            while paced.done < len(conns):
                start, end = paced.done, min(paced.done + PACE_SLICE, len(conns))
                gone = [conn for conn in conns[start:end] if not offer(conn, item)]
                paced.done = end  # a slice is never half done when something overtakes the pass
                self._drop(gone)
                metrics.FRAMES_QUEUED.inc((end - start - len(gone)) * len(paced.frames))
                await asyncio.sleep(PACE_GAP_S)
        except Exception:  # the pass stays: the next frame takes the rest (a socket skips what it has)
            log.exception("show %s: a tick's pass stopped at socket %d", self.show_id, paced.done)
            return
        if self._pass is paced:
            self._pass, self._pacer = None, None

    def _send(self, frames: list[Frame], *, behind: Pass | None = None) -> None:
        """Every socket here gets the frames, in one write each, now (never awaits); the sockets that a tick's
        pass `behind` had not reached yet get its frames first, in the same write."""
        started = time.perf_counter()
        item = frames[0] if len(frames) == 1 else Run(frames)
        offer = Connection.offer
        if behind is None:
            gone = [conn for conn in self.connections if not offer(conn, item)]
            owed = 0
        else:
            rest = set(behind.conns[behind.done:])
            joined = Run([*behind.frames, *frames])
            gone = [conn for conn in self.connections if not offer(conn, joined if conn in rest else item)]
            owed = len(rest) * len(behind.frames)
        metrics.FANOUT.observe(time.perf_counter() - started)
        self._drop(gone)
        metrics.FRAMES_QUEUED.inc(len(self.connections) * len(frames) + owed)

    def _drop(self, gone: list[Connection]) -> None:
        """The sockets a pass found gone, or closed for being too slow."""
        for conn in gone:
            if self.remove(conn) and conn.close_code == SLOW_CONSUMER:
                metrics.WS_SLOW_CLOSED.inc()

    def remove(self, conn: Connection) -> bool:
        """The socket leaves this channel: True when it was here."""
        if conn not in self.connections:
            return False
        self.connections.discard(conn)
        self.backstage.discard(conn)
        metrics.WS_CONNECTIONS.dec()
        return True

    @property
    def audience(self) -> int:
        """The viewers here: the sockets, but for the host's pages and the store screens."""
        return len(self.connections) - len(self.backstage)

    def replay_after(self, after: int) -> list[Frame] | None:
        """Frames after `after` up to now from the local ring, or None when the ring does not reach back."""
        floor = self.ring[0].seq - 1 if self.ring else self.last_seq
        if after < floor:
            return None
        return [frame for frame in self.ring if frame.seq > after]

    async def snapshot(self) -> Snapshot:
        snap = self._snapshot
        if snap is not None and time.monotonic() - snap.at < SNAPSHOT_TTL_S and self.replay_after(snap.seq) is not None:
            return snap
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        loading = self._loading
        try:
            return await asyncio.shield(loading)
        finally:
            if self._loading is loading and loading.done():
                self._loading = None

    async def _load(self) -> Snapshot:
        # seq first, then state: an event in between shows twice (harmless), never zero times
        position = await self.hub.bus.position(self.show_id)
        if self.ready.is_set() and position.epoch != self.epoch:  # the stream restarted under this channel
            self._reset(position)
        data = await self.hub.loader(self.show_id)
        data["viewers"] = max(data.get("viewers", 0), self.audience)
        snap = Snapshot(seq=position.seq, epoch=position.epoch, data=data, at=time.monotonic())
        if position.seq >= self.last_seq:
            self._snapshot = snap
        return snap


class Hub:
    def __init__(self, *, bus: Bus, loader: SnapshotLoader, tick_ms: int = 250, publisher: Publisher | None = None,
                 tick_hooks: Sequence[TickHook] = ()) -> None:
        self.bus = bus
        self.publisher = publisher or Publisher(bus=bus)
        self.loader = loader
        self.tick_s = tick_ms / 1000
        self.channels: dict[str, Channel] = {}
        self.tick_hooks: list[TickHook] = list(tick_hooks)
        self._quiet = Quiet(every_s=30.0)
        self._ticker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._ticker = asyncio.create_task(self._tick_forever(), name="vitrine-hub-ticker")

    async def close(self) -> None:
        tasks = [c.task for c in self.channels.values()]
        if self._ticker is not None:
            tasks.append(self._ticker)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.channels.clear()

    async def channel(self, show_id: str) -> Channel:
        """The show's channel, subscribed and ready, with `joining` raised by one for the caller to lower."""
        channel = self.channels.get(show_id)
        if channel is None or channel.failed is not None:
            channel = self.channels[show_id] = Channel(self, show_id)
        channel.joining += 1
        try:
            await asyncio.wait_for(channel.ready.wait(), timeout=10)
        except BaseException:
            channel.joining -= 1
            raise
        if channel.failed is not None:
            channel.joining -= 1
            if self.channels.get(show_id) is channel:
                del self.channels[show_id]
            raise ChannelUnavailable(f"cannot subscribe to show {show_id}") from channel.failed
        return channel

    async def join(self, show_id: str, conn: Connection, *, since: int | None, epoch: str | None,
                   viewer_id: str | None = None, audience: bool = True) -> Joined:
        """Register the socket (live frames start queueing at once), then work out what goes before them.
        `since`: resume after that seq (None: a fresh join; below 0: a resume that cannot be made).
        A viewer is counted in the viewers, and its `viewer_id` in the show's audience, from the same tick
        on; `audience=False` for a socket that is not a viewer (the host's page, a store screen): it gets the
        show, and is left out of both."""
        channel = await self.channel(show_id)
        channel.joining -= 1
        channel.connections.add(conn)
        if not audience:
            channel.backstage.add(conn)
        elif viewer_id is not None and len(channel.seen) < 5_000:  # within what one Lua call unpacks
            channel.seen.append(viewer_id)
        metrics.WS_CONNECTIONS.inc()
        try:
            snap = await channel.snapshot()
            if since is not None and (epoch is None or epoch == snap.epoch) and 0 <= since <= max(
                snap.seq, channel.last_seq
            ):
                replay = await self._replay(channel, since)
                if replay is not None:
                    return Joined(snap, replay, after=since, recovered=True)
            replay = await self._replay(channel, snap.seq)
            return Joined(snap, replay or [], after=snap.seq, recovered=since is None)
        except BaseException:
            self.leave(show_id, conn)
            raise

    async def _replay(self, channel: Channel, after: int) -> list[Frame] | None:
        """Frames after `after`: from this process's ring when it reaches back, else from the bus history."""
        local = channel.replay_after(after)
        if local is not None:
            return local
        history = await self.bus.history(channel.show_id, after=after)
        return [Frame(frame_seq(f), f) for f in history.frames] if history.complete else None

    def leave(self, show_id: str, conn: Connection) -> None:
        channel = self.channels.get(show_id)
        if channel is not None:
            channel.remove(conn)

    def react(self, show_id: str, kind: str) -> None:
        channel = self.channels.get(show_id)
        if channel is not None:
            channel.reactions[kind] += 1

    def local_viewers(self, show_id: str) -> int:
        channel = self.channels.get(show_id)
        return channel.audience if channel else 0

    async def _tick_forever(self) -> None:
        while True:
            started = time.monotonic()
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub tick failed")
            await asyncio.sleep(max(0.0, self.tick_s - (time.monotonic() - started)))

    async def tick(self) -> None:
        """Report viewers and reactions for every show held here; publish where this node leads, together
        with the tick hooks' events: one bus call per show, so a socket gets the tick's frames in one write."""
        more: dict[str, list[Event]] = {}
        for taken in await asyncio.gather(*(hook() for hook in self.tick_hooks), return_exceptions=True):
            if isinstance(taken, BaseException):
                log.error("tick hook failed: %r", taken)
                continue
            for show_id, events in taken.items():
                more.setdefault(show_id, []).extend(events)
        channels = list(self.channels.values())
        jobs: list[Awaitable[object]] = [self._tick_channel(c, more.pop(c.show_id, [])) for c in channels]
        jobs += [self.publisher.publish(show_id, *events) for show_id, events in more.items() if events]
        if jobs:
            for result in await asyncio.gather(*jobs, return_exceptions=True):
                if isinstance(result, Exception):
                    log.error("tick job failed: %r", result)

    async def _tick_channel(self, channel: Channel, more: list[Event]) -> None:
        reactions, channel.reactions = dict(channel.reactions), Counter()
        seen, channel.seen = channel.seen, []
        viewers = channel.audience
        events: list[Event] = []
        try:
            tick = await self.bus.tick(channel.show_id, viewers=viewers, reactions=reactions, seen=seen)
        except OUTAGES as exc:  # the bus is down: said without a traceback, once in a while
            if self._quiet.due(f"tick:{channel.show_id}"):
                log.warning("presence tick failed for show %s: %r (said again in %.0f s at most)", channel.show_id,
                            exc, self._quiet.every_s)
            tick = None
        except Exception:  # the show's other events still go out
            log.exception("presence tick failed for show %s", channel.show_id)
            tick = None
        if tick is not None:
            if tick.reactions:
                events.append(Reactions(counts=tick.reactions, totals=tick.totals))
            if tick.viewers_changed:
                events.append(Viewers(count=tick.viewers))
        events += more
        if events:
            await self.publisher.publish(channel.show_id, *events)
        idle = not channel.connections and not channel.joining and not channel.reactions
        if idle and self.channels.get(channel.show_id) is channel:
            # the last viewer here left: presence was reported as 0, let the subscription go
            del self.channels[channel.show_id]
            channel.task.cancel()
