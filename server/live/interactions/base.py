"""The seam a live feature plugs into.

An `Interaction` is one live feature of a show (reactions, chat, pinning, buying, deals, and the games and
auctions to come). It declares what it adds to each of the places a live feature touches, and the app
builds those places from the list in live/interactions/__init__.py:

- `frames()`: the socket frames it handles, by type (the socket's handler table);
- `lane(session)`: optionally, a fast path for its most frequent frame, taken as the protocol cuts it;
- `show_part(view)` / `snapshot_part(view)`: its keys in `GET /api/shows/{id}` (and the snapshot), or in
  the socket's snapshot only, named in `show_keys` / `snapshot_keys`;
- `sweep()`: what it does once a second on every node (deadlines: a deal's end, an unpaid order's expiry);
- `routes()`: its HTTP routes;
- `tick()`: paced figures, published with the hub's tick (at most a few frames a second per show);
- `yours(session, snapshot)`: what the joining viewer alone reads in its snapshot's `you` (its vote, its entry).

A test refuses two owners of one frame type or one snapshot key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.routing import BaseRoute

from server.live.session import Session
from server.models import Show
from server.realtime.events import Event

FrameHandler = Callable[[Session, dict[str, Any]], Awaitable[bytes | None]]  # a reply for this client, or None
Lane = Callable[[bytes], bool]  # True: the raw frame was taken
Figures = dict[str, list[Event]]  # events for the hub's tick, by show


@dataclass(frozen=True, slots=True)
class ShowView:
    """What a part of a show's view is made from: the database session it is read in, the show's row, and
    its products as the API shows them."""

    session: AsyncSession
    show: Show
    products: list[dict[str, Any]]


class Interaction:
    """A live feature; a subclass overrides what it has (the defaults add nothing)."""

    name: ClassVar[str]
    show_keys: ClassVar[tuple[str, ...]] = ()
    snapshot_keys: ClassVar[tuple[str, ...]] = ()

    def frames(self) -> Mapping[str, FrameHandler]:
        return {}

    def lane(self, session: Session) -> Lane | None:
        return None

    async def show_part(self, view: ShowView) -> dict[str, Any]:
        return {}

    async def snapshot_part(self, view: ShowView) -> dict[str, Any]:
        return {}

    async def sweep(self) -> None:
        return None

    def routes(self) -> list[BaseRoute]:
        return []

    async def tick(self) -> Figures:
        return {}

    async def yours(self, session: Session, snapshot: Mapping[str, Any]) -> dict[str, Any]:
        return {}
