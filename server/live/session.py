"""One socket's viewer: who it is, the show it watches, its connection and its limits."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from server.accounts.auth import Principal
from server.errors import DomainError
from server.infra.metrics import WS_REJECTED
from server.realtime.connection import Connection
from server.realtime.events import error_frame
from server.realtime.hub import Hub
from server.realtime.ratelimit import TokenBucket, Violations
from server.settings import Settings

POLICY_VIOLATION = 1008
SIGNED_OUT = 4401  # the sign-in the socket opened with has ended (suspended, new role, signed out everywhere)


class Refused(DomainError):
    """A client frame the show will not take: an `error` frame back, the socket stays open."""

    status = 400


class FirstJoins:
    """When each viewer first joined each show on this node's sockets (time.monotonic()), so that a viewer who
    reloads the page keeps its watch time (a giveaway's min_watch_s). The oldest are forgotten past `limit`."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._at: OrderedDict[tuple[str, str], float] = OrderedDict()

    def joined(self, show_id: str, viewer_id: str) -> float:
        key = (show_id, viewer_id)
        at = self._at.get(key)
        if at is None:
            at = self._at[key] = time.monotonic()
            while len(self._at) > self.limit:
                self._at.popitem(last=False)
        return at


@dataclass(eq=False, slots=True)
class Session:
    show_id: str
    viewer_id: str
    principal: Principal | None
    host: bool  # this principal may drive the show
    conn: Connection
    hub: Hub
    frames: TokenBucket  # every frame the client sends
    reacts: TokenBucket
    chats: TokenBucket
    violations: Violations  # refusals for going too fast: too many and the socket is closed
    name: str | None = None  # the display name the viewer chats under
    device: str | None = None  # a keyed digest of the browser's vt_vw cookie (moderation)
    address: str | None = None  # a keyed digest of the client's address (moderation)
    joined_at: float = 0.0  # time.monotonic() of the viewer's first join of this show on this node's sockets

    @classmethod
    def open(cls, *, settings: Settings, show_id: str, viewer_id: str, principal: Principal | None, host: bool,
             conn: Connection, hub: Hub, device: str | None = None, address: str | None = None,
             joined_at: float = 0.0) -> Session:
        """A session with the limits the settings give (WS_* in README's Configuration)."""
        return cls(show_id=show_id, viewer_id=viewer_id, principal=principal, host=host, conn=conn, hub=hub,
                   device=device, address=address, joined_at=joined_at,
                   frames=TokenBucket(rate=settings.ws_frames_per_s, burst=settings.ws_frames_burst),
                   reacts=TokenBucket(rate=settings.ws_react_per_s, burst=settings.ws_react_per_s * 2),
                   chats=TokenBucket(rate=settings.ws_chat_per_s, burst=settings.ws_chat_burst),
                   violations=Violations(limit=settings.ws_violations_before_close))

    def watched_s(self) -> float:
        """How long this viewer has been in the show, as this node's sockets saw it."""
        return time.monotonic() - self.joined_at

    def driver(self) -> Principal:
        """The principal, when it may drive this show (pin, unpin): a refusal otherwise."""
        if not self.host or self.principal is None:
            raise Refused("only this show's host may do this", code="not_show_host")
        return self.principal

    def signed_out(self, exc: DomainError) -> None:
        """The sign-in this socket opened with has ended: it loses its rights at once, gets an `error` frame that
        says why, and is closed (the page comes back as what it is now)."""
        self.host, self.principal = False, None
        self.conn.reply(error_frame(exc.code, exc.message))
        self.conn.kill(SIGNED_OUT, exc.code)

    def refuse(self, exc: DomainError) -> None:
        """The `error` frame for a refused client frame; a client that stays over its rate limit is closed."""
        WS_REJECTED.labels(exc.code).inc()
        extra = exc.details if isinstance(exc.details, dict) else {"details": exc.details}
        self.conn.reply(error_frame(exc.code, exc.message, **extra))
        if exc.code == "rate_limited" and self.violations.add():
            self.conn.kill(POLICY_VIOLATION, "over the rate limit for too long")
