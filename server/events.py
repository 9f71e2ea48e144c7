"""The event envelope and the typed events of a show, each encoded once into the bytes every socket gets.

A broadcast frame is `{"type": T, "seq": N, "ts": MS, "data": {...}}`: `seq` is per show and the same on
every node, `ts` is the time the bus stamped it. A reply meant for one client has no `seq`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every broadcast event: `type` names it, the fields are its `data`."""

    type: ClassVar[str]

    def data_bytes(self) -> bytes:
        return orjson.dumps(self)


@dataclass(frozen=True, slots=True)
class ShowStarted(Event):
    type: ClassVar[str] = "show.started"
    show_id: str
    started_at: str | None


@dataclass(frozen=True, slots=True)
class ShowEnded(Event):
    type: ClassVar[str] = "show.ended"
    show_id: str
    ended_at: str | None


@dataclass(frozen=True, slots=True)
class ProductPinned(Event):
    type: ClassVar[str] = "product.pinned"
    product: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProductUnpinned(Event):
    type: ClassVar[str] = "product.unpinned"
    product_id: str | None


@dataclass(frozen=True, slots=True)
class Reactions(Event):
    type: ClassVar[str] = "reactions"
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class Viewers(Event):
    type: ClassVar[str] = "viewers"
    count: int


@dataclass(frozen=True, slots=True)
class ChatPosted(Event):
    type: ClassVar[str] = "chat.message"
    id: str
    viewer_id: str
    author: str
    text: str
    at: str | None


@dataclass(frozen=True, slots=True)
class ChatDeleted(Event):
    type: ClassVar[str] = "chat.deleted"
    id: str


@dataclass(frozen=True, slots=True)
class StockLevel(Event):
    type: ClassVar[str] = "stock"
    product_id: str
    variant_id: str
    available: int


@dataclass(frozen=True, slots=True)
class Sale(Event):
    type: ClassVar[str] = "sale"
    product_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class DealStarted(Event):
    type: ClassVar[str] = "deal.started"
    deal: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DealEnded(Event):
    type: ClassVar[str] = "deal.ended"
    id: str
    product_id: str
    reason: str
    sold: int


BROADCAST_TYPES: frozenset[str] = frozenset(
    cls.type for cls in (ShowStarted, ShowEnded, ProductPinned, ProductUnpinned, Reactions, Viewers,
                         ChatPosted, ChatDeleted, StockLevel, Sale, DealStarted, DealEnded)
)


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
