"""The event envelope, the registry of event types with their traits, and the frames a socket gets.

A broadcast frame is `{"type": T, "seq": N, "ts": MS, "data": {...}}`: `seq` is per show and the same on
every node, `ts` is the time the bus stamped it. A reply meant for one client has no `seq`.

Every event class names its `type` and declares its traits, and is registered when it is defined:
- `paced`: a tick's figure (reactions, viewers, stock, sales). The hub writes a pass of paced frames to a
  big audience in slices, and anything else that comes meanwhile overtakes the rest of the pass.
- `keeps_snapshot`: the show's snapshot does not change with it (reaction counts), so the snapshot a
  process caches stays good.
The hub reads these traits from the registry; no list of types is kept anywhere else.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson


@dataclass(frozen=True, slots=True)
class Traits:
    paced: bool = False
    keeps_snapshot: bool = False


UNKNOWN = Traits()  # a type this process does not know (a newer node's): neither paced nor kept

REGISTRY: dict[str, type[Event]] = {}
_TRAITS: dict[bytes, Traits] = {}  # by the type's bytes, as the hub reads them off a frame


def register(cls: type[Event]) -> None:
    """Called for every subclass of Event as it is defined. One class per type: a second class that takes
    a type already registered is a mistake, except the same class made again (a slotted dataclass is)."""
    name = getattr(cls, "type", None)
    if not isinstance(name, str):
        return  # an abstract base of events
    known = REGISTRY.get(name)
    # by __name__: the slotted copy gets its __qualname__ only after it is made (dataclasses sets it then)
    if known is not None and (known.__module__, known.__name__) != (cls.__module__, cls.__name__):
        raise TypeError(f"event type {name!r} is taken by {known.__module__}.{known.__qualname__}")
    REGISTRY[name] = cls
    _TRAITS[name.encode()] = Traits(paced=cls.paced, keeps_snapshot=cls.keeps_snapshot)


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every broadcast event: `type` names it, the fields are its `data`."""

    type: ClassVar[str]
    paced: ClassVar[bool] = False
    keeps_snapshot: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # no zero-argument super() here: @dataclass(slots=True) makes a new class, which that cannot name
        object.__init_subclass__(**kwargs)
        register(cls)

    def data_bytes(self) -> bytes:
        return orjson.dumps(self)


_TYPE_AT = len(b'{"type":"')


def traits_of(frame: bytes) -> Traits:
    """The traits of a broadcast frame's type, read off its first bytes without decoding the JSON."""
    return _TRAITS.get(frame[_TYPE_AT:frame.find(b'"', _TYPE_AT)], UNKNOWN)


# --- the hub's own figures, made at each tick from every node's counts ------------------------------


@dataclass(frozen=True, slots=True)
class Reactions(Event):
    type: ClassVar[str] = "reactions"
    paced: ClassVar[bool] = True
    keeps_snapshot: ClassVar[bool] = True
    counts: dict[str, int]  # since the previous reactions event
    totals: dict[str, int] = field(default_factory=dict)  # the show's so far, over every node


@dataclass(frozen=True, slots=True)
class Viewers(Event):
    type: ClassVar[str] = "viewers"
    paced: ClassVar[bool] = True
    count: int


# --- frames -----------------------------------------------------------------------------------------


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def broadcast_frame(event_type: str, seq: int, ts: int, data: bytes) -> bytes:
    """The one encoding of a broadcast; the Redis bus builds the same bytes in its publish script."""
    return b'{"type":"%s","seq":%d,"ts":%d,"data":%s}' % (event_type.encode(), seq, ts, data)


def reply_frame(event_type: str, data: dict[str, Any]) -> bytes:
    """A frame for one client alone (snapshot, error, order.placed): no `seq`."""
    return orjson.dumps({"type": event_type, "ts": now_ms(), "data": data})


def error_frame(code: str, message: str, **extra: Any) -> bytes:
    """`extra` carries `details` (per-field reasons) or `key` (the purchase a refusal answers)."""
    return reply_frame("error", {"code": code, "message": message,
                                 **{k: v for k, v in extra.items() if v is not None}})


_SEQ = b'"seq":'


def frame_seq(frame: bytes) -> int:
    """The seq of a broadcast frame, read without decoding the JSON."""
    start = frame.index(_SEQ) + len(_SEQ)
    end = frame.index(b",", start)
    return int(frame[start:end])
