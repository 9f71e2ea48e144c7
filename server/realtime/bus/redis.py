"""Redis bus: pub/sub for live frames, a trimmed Stream per show for history, Lua for every
read-modify-write so that seq, history and counters agree on every node.

One pub/sub connection per process carries every show this process subscribes to.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub

from server.realtime.bus import History, Position, Tick, new_node_id
from server.realtime.bus.subscription import RESYNC, Subscription
from server.realtime.events import Event, frame_seq

log = logging.getLogger("vitrine.bus")

# KEYS: seq, history, epoch. ARGV: channel, maxlen, new epoch, ttl ms, then a type and a data json per event.
# Each frame is built here, once, in the same bytes as events.broadcast_frame. The events of one call get
# consecutive seqs, and their PUBLISHes leave in one reply buffer: each node reads them together.
_STAMP = """
local t = redis.call('TIME')
local ts = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
"""
_FRAMES = """
local seq
for i = FIRST, #ARGV, 2 do
  seq = redis.call('INCR', KEYS[1])
  if seq == 1 then
    redis.call('DEL', KEYS[2])
    redis.call('SET', KEYS[3], ARGV[3], 'NX')
  end
  local frame = '{"type":"' .. ARGV[i] .. '","seq":' .. seq .. ',"ts":' .. ts .. ',"data":' .. ARGV[i + 1] .. '}'
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], seq .. '-1', 'f', frame)
  redis.call('PUBLISH', ARGV[1], frame)
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return seq
"""
_PUBLISH = _STAMP + _FRAMES.replace("FIRST", "5")

# The same, paced: KEYS[4] holds the `ts` of the last publication under the pace's key; ARGV[5] is the gap (ms).
# Nothing is published (false) when the gap has not passed by Redis's clock, the clock that stamps `ts`: two
# publications under one key are always at least the gap apart in their frames' `ts`, whichever nodes made them.
_PUBLISH_PACED = _STAMP + """
local last = tonumber(redis.call('GET', KEYS[4]) or '')
if last and tonumber(ts) - last < tonumber(ARGV[5]) then return false end
redis.call('SET', KEYS[4], ts, 'PX', math.max(1000, 2 * tonumber(ARGV[5])))
""" + _FRAMES.replace("FIRST", "6")

# KEYS: seq, epoch. ARGV: new epoch, ttl ms.
_POSITION = """
redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2])
return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('GET', KEYS[2])}
"""

# KEYS: presence hash, reactions hash, tick lock, last published viewers, audience HyperLogLog, reaction totals.
# ARGV: node id, node's viewers, presence ttl ms, lock ttl ms, number of kind/count pairs, the pairs,
# then the viewer ids seen since the last tick.
_TICK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. (now + tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 4)
local pairs_end = 5 + 2 * tonumber(ARGV[5])
for i = 6, pairs_end, 2 do
  redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HINCRBY', KEYS[6], ARGV[i], ARGV[i + 1])
end
if pairs_end > 5 then redis.call('PEXPIRE', KEYS[6], 7 * 24 * 3600 * 1000) end
if #ARGV > pairs_end then
  redis.call('PFADD', KEYS[5], unpack(ARGV, pairs_end + 1))
  redis.call('PEXPIRE', KEYS[5], 7 * 24 * 3600 * 1000)
end
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[4]) then return false end
local total = 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local count, untl = string.match(entries[i + 1], '^(%d+):(%d+)$')
  if count and tonumber(untl) > now then total = total + tonumber(count)
  else redis.call('HDEL', KEYS[1], entries[i]) end
end
local changed = 0
if tostring(total) ~= (redis.call('GET', KEYS[4]) or '') then
  changed = 1
  redis.call('SET', KEYS[4], total, 'PX', tonumber(ARGV[3]) * 4)
end
local reactions = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[2])
local totals = {}
if #reactions > 0 then totals = redis.call('HGETALL', KEYS[6]) end  -- only a tick with reactions tells them
return {total, changed, reactions, totals}
"""

_VIEWERS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local total = 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local count, untl = string.match(entries[i + 1], '^(%d+):(%d+)$')
  if count and tonumber(untl) > now then total = total + tonumber(count) end
end
return total
"""

_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""

SHOW_KEYS_TTL_MS = 7 * 24 * 3600 * 1000
WARM_CONNECTIONS = 4  # opened at start: the hub's ticker, snapshot loads and API calls rarely need more
PRESENCE_TTL_MS = 5000


def _k(show_id: str, name: str) -> str:
    # The hash tag keeps one show's keys in one slot on Redis Cluster.
    return f"vt:{{{show_id}}}:{name}"


def channel(show_id: str) -> str:
    return f"vt:show:{show_id}"


class RedisBus:
    def __init__(self, url: str, *, history_size: int = 1000, tick_ms: int = 250,
                 timeout_s: float | None = None) -> None:
        self.node_id = new_node_id()
        self.url = url
        self.history_size = history_size
        self.tick_ms = tick_ms
        # every connection of this node carries its name, so `CLIENT LIST` shows what each node holds
        # a storm of buyers queues for a connection rather than failing: wait up to 30 s for one
        # a command that gets no answer in `timeout_s` fails (503 `unavailable`) instead of hanging the request
        self.pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=64, timeout=30,
                                                             client_name=f"vitrine-{self.node_id}",
                                                             socket_timeout=timeout_s,
                                                             socket_connect_timeout=timeout_s)
        self.redis = aioredis.Redis(connection_pool=self.pool)
        self._publish = self.redis.register_script(_PUBLISH)
        self._publish_paced = self.redis.register_script(_PUBLISH_PACED)
        self._position = self.redis.register_script(_POSITION)
        self._tick = self.redis.register_script(_TICK)
        self._viewers = self.redis.register_script(_VIEWERS)
        self._hit = self.redis.register_script(_HIT)
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._subscribers: dict[str, set[Subscription]] = {}
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._channel_lock = asyncio.Lock()
        self._wake = asyncio.Event()

    async def start(self) -> None:
        # A warm pool: the connections a node needs are open before viewers come, so the client list
        # stays flat however many viewers join (it grows only with concurrent commands past this).
        warm = [await self.pool.get_connection() for _ in range(WARM_CONNECTIONS)]
        for conn in warm:
            await self.pool.release(conn)
        self._pubsub = self.redis.pubsub()
        self._reader = asyncio.create_task(self._read(), name="vitrine-bus-reader")

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        for subs in self._subscribers.values():
            for sub in subs:
                sub.close()
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self.redis.aclose()

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:
            return False

    async def publish(self, show_id: str, event: Event, *more: Event) -> int:
        keys = [_k(show_id, "seq"), _k(show_id, "history"), _k(show_id, "epoch")]
        args: list[str | bytes | int] = [channel(show_id), self.history_size, secrets.token_hex(6), SHOW_KEYS_TTL_MS]
        for each in (event, *more):
            args += (each.type, each.data_bytes())
        return int(await self._publish(keys=keys, args=args))

    async def publish_paced(self, show_id: str, key: str, gap_ms: int, event: Event, *more: Event) -> int | None:
        keys = [_k(show_id, "seq"), _k(show_id, "history"), _k(show_id, "epoch"), _k(show_id, f"pace:{key}")]
        args: list[str | bytes | int] = [channel(show_id), self.history_size, secrets.token_hex(6), SHOW_KEYS_TTL_MS,
                                         gap_ms]
        for each in (event, *more):
            args += (each.type, each.data_bytes())
        seq = await self._publish_paced(keys=keys, args=args)
        return None if seq is None else int(seq)

    async def _read(self) -> None:
        assert self._pubsub is not None
        while True:
            if not self._pubsub.subscribed:
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: a new subscription, once Redis answers again
                log.warning("bus reader: %s; subscribing again", exc)
                await self._resubscribe()
                continue
            if message is None:
                continue
            name = message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
            if message["type"] == "message":
                show_id = name.removeprefix("vt:show:")
                for sub in self._subscribers.get(show_id, ()):
                    sub.put(message["data"])
            elif message["type"] == "subscribe":
                future = self._confirmed.pop(name, None)
                if future is not None and not future.done():
                    future.set_result(None)

    async def _resubscribe(self) -> None:
        """A new pub/sub connection subscribed to every show this process holds. redis-py's own
        resubscription after a reconnect was seen to leave a connection that gets no message when Redis had
        refused a reconnect meanwhile (8.2, a restart of a few seconds): what was published after was lost
        to this node without a word. What the old connection missed, the hub finds as a gap or a new epoch."""
        while True:
            await asyncio.sleep(0.2)
            async with self._channel_lock:
                old, self._pubsub = self._pubsub, self.redis.pubsub()
                if old is not None:
                    with contextlib.suppress(Exception):
                        await old.aclose()
                names = [channel(show_id) for show_id in self._subscribers]
                try:
                    if names:
                        await self._pubsub.subscribe(*names)
                    for subs in self._subscribers.values():  # what was published meanwhile was lost to us
                        for sub in subs:
                            sub.put(RESYNC)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.debug("bus reader: cannot subscribe again yet: %s", exc)

    @asynccontextmanager
    async def subscribe(self, show_id: str) -> AsyncIterator[Subscription]:
        assert self._pubsub is not None, "start() the bus first"
        sub = Subscription()
        name = channel(show_id)
        try:
            async with self._channel_lock:
                subs = self._subscribers.setdefault(show_id, set())
                subs.add(sub)
                confirmed = self._confirmed.get(name)
                if len(subs) == 1:
                    confirmed = self._confirmed[name] = asyncio.get_running_loop().create_future()
                    await self._pubsub.subscribe(name)
                    self._wake.set()
            if confirmed is not None:  # waited for outside the lock: the reader may need it to subscribe again
                await asyncio.wait_for(asyncio.shield(confirmed), timeout=10)
            yield sub
        finally:
            sub.close()
            async with self._channel_lock:
                subs = self._subscribers.get(show_id, set())
                subs.discard(sub)
                if not subs:
                    self._subscribers.pop(show_id, None)
                    self._confirmed.pop(name, None)
                    with contextlib.suppress(Exception):
                        await self._pubsub.unsubscribe(name)

    async def position(self, show_id: str) -> Position:
        seq, epoch = await self._position(
            keys=[_k(show_id, "seq"), _k(show_id, "epoch")], args=[secrets.token_hex(6), SHOW_KEYS_TTL_MS]
        )
        return Position(seq=int(seq), epoch=epoch.decode() if isinstance(epoch, bytes) else str(epoch))

    async def history(self, show_id: str, *, after: int, limit: int = 1000) -> History:
        position = await self.position(show_id)
        if after < 0 or after > position.seq:
            return History(frames=[], complete=False)
        if after == position.seq:
            return History(frames=[], complete=True)
        entries: list[tuple[bytes, dict[bytes, bytes]]] = await self.redis.xrange(  # type: ignore[assignment]
            _k(show_id, "history"), min=f"{after + 1}-0", count=limit)
        frames = [fields[b"f"] for _id, fields in entries]
        complete = bool(frames) and frame_seq(frames[0]) == after + 1 and len(frames) == position.seq - after
        if not complete:
            # the seq may have moved on while we read: the frames still count when they are contiguous
            complete = bool(frames) and frame_seq(frames[0]) == after + 1 and _contiguous(frames)
        return History(frames=frames, complete=complete)

    async def tick(self, show_id: str, *, viewers: int, reactions: dict[str, int],
                   seen: list[str] | None = None) -> Tick | None:
        flat: list[str | int] = []
        for kind, count in reactions.items():
            flat += [kind, count]
        keys = [_k(show_id, "presence"), _k(show_id, "reactions"), _k(show_id, "tick"), _k(show_id, "viewers"),
                _k(show_id, "audience"), _k(show_id, "reaction_totals")]
        args: list[str | int] = [self.node_id, viewers, PRESENCE_TTL_MS, max(1, int(self.tick_ms * 0.9)),
                                 len(reactions), *flat, *(seen or [])]
        result = await self._tick(keys=keys, args=args)
        if result is None:
            return None
        total, changed, pairs, totals = result
        return Tick(viewers=int(total), viewers_changed=bool(changed), reactions=_counts(pairs),
                    totals=_counts(totals))

    async def reaction_totals(self, show_id: str) -> dict[str, int]:
        totals: dict[bytes, bytes] = await self.redis.hgetall(_k(show_id, "reaction_totals"))  # type: ignore[assignment]
        return _counts(totals)

    async def viewers(self, show_id: str) -> int:
        return int(await self._viewers(keys=[_k(show_id, "presence")]))

    async def audience(self, show_id: str) -> int:
        return int(await self.redis.pfcount(_k(show_id, "audience")))

    async def hit(self, key: str, *, window_s: int) -> int:
        return int(await self._hit(keys=[f"vt:hit:{key}"], args=[window_s]))

    async def count(self, key: str) -> int:
        return int(await self.redis.get(f"vt:hit:{key}") or 0)

    async def forget(self, key: str) -> None:
        await self.redis.delete(f"vt:hit:{key}")


def _counts(pairs: list[bytes] | dict[bytes, bytes]) -> dict[str, int]:
    """A Redis hash of counts, as HGETALL answers a script (a flat list) or a client (a dict)."""
    items = pairs.items() if isinstance(pairs, dict) else zip(pairs[::2], pairs[1::2], strict=True)
    return {kind.decode(): int(count) for kind, count in items}


def _contiguous(frames: list[bytes]) -> bool:
    seqs = [frame_seq(f) for f in frames]
    return all(b == a + 1 for a, b in itertools.pairwise(seqs))
