"""Reactions: a viewer taps a heart; every node counts them and the hub sends the show's counts a few
times a second (the `reactions` event, realtime/events.py), with the show's totals so far, which the bus
keeps over every node and the snapshot carries (a host page that reloads or opens on a second device).
The most frequent frame a viewer sends, so it has a lane: under `vitrine serve` a react frame is taken as
the protocol cuts it (realtime/wire.py) and never becomes an ASGI message."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

import orjson

from server.errors import DomainError
from server.live.interactions.base import FrameHandler, Interaction, Lane, ShowView
from server.live.session import Refused, Session
from server.realtime.bus import Bus
from server.settings import REACTION_KINDS

# A react frame as the player sends it (JSON.stringify's bytes, the same as orjson's), with its kind: the
# lane takes these without parsing them; any other spelling is parsed.
_PLAIN = {orjson.dumps({"type": "react", "kind": kind}): kind for kind in REACTION_KINDS}


def take(session: Session, kind: Any, now: float | None = None) -> None:
    if kind not in REACTION_KINDS:
        raise Refused(f"kind must be one of {', '.join(REACTION_KINDS)}", code="invalid_kind")
    if not session.reacts.take(now):
        raise Refused("too many reactions: slow down", code="rate_limited")
    session.hub.react(session.show_id, kind)


class Reactions(Interaction):
    name = "reactions"
    snapshot_keys: ClassVar[tuple[str, ...]] = ("reactions", "reaction_totals")

    def __init__(self, *, max_frame_bytes: int, bus: Bus) -> None:
        self.max_frame_bytes = max_frame_bytes
        self.bus = bus

    def frames(self) -> Mapping[str, FrameHandler]:
        return {"react": self.react}

    async def react(self, session: Session, frame: dict[str, Any]) -> bytes | None:
        take(session, frame.get("kind"))
        return None

    async def snapshot_part(self, view: ShowView) -> dict[str, Any]:
        totals = await self.bus.reaction_totals(view.show.id)
        return {"reactions": list(REACTION_KINDS), "reaction_totals": {k: totals.get(k, 0) for k in REACTION_KINDS}}

    def lane(self, session: Session) -> Lane:
        max_bytes, conn = self.max_frame_bytes, session.conn

        def lane(raw: bytes) -> bool:
            kind: Any = _PLAIN.get(raw)
            if kind is None:
                if len(raw) > max_bytes or b'"react"' not in raw:
                    return False
                try:
                    frame = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    return False
                if not isinstance(frame, dict) or frame.get("type") != "react":
                    return False
                kind = frame.get("kind")
            if conn.closed:
                return False
            now = time.monotonic()
            try:
                if not session.frames.take(now):
                    raise Refused("slow down", code="rate_limited")
                take(session, kind, now)
            except DomainError as exc:
                session.refuse(exc)
            return True

        return lane
