"""Which access tokens still hold (issue 16: a token lived its 12 hours whatever happened to its account).

An access token carries its account's token version (`ver`) and role. Each node keeps, for a few seconds,
each account's current version and role as the database has them; signing out everywhere, a new password or
a new role raise the version in the database and tell every node over the bus, which forgets what it kept:
the tokens issued before stop working at once, on every node."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import orjson
from sqlmodel import col, select

from server.infra.db import Database
from server.models import User
from server.realtime.bus import Bus
from server.realtime.bus.subscription import RESYNC
from server.realtime.events import Event
from server.realtime.publisher import Publisher

log = logging.getLogger("vitrine.accounts")

ACCOUNTS = "vt-accounts"  # the bus stream of account changes (a name no show can have)


@dataclass(frozen=True, slots=True)
class AccountChanged(Event):
    type: ClassVar[str] = "account.changed"
    user_id: str


class TokenVersions:
    def __init__(self, *, db: Database, bus: Bus, publisher: Publisher, ttl_s: float = 30.0) -> None:
        self.db = db
        self.bus = bus
        self.publisher = publisher
        self.ttl_s = ttl_s  # a bound even if a change's message were lost on the way
        self._kept: dict[str, tuple[float, int, str] | None] = {}
        self._watchers: list[Callable[[str | None], None]] = []

    def watch(self, watcher: Callable[[str | None], None]) -> None:
        """`watcher(user_id)` is called on this node when an account changed on any node (None: any account may
        have: the bus lost us a while), after the account was forgotten here, so that what holds a sign-in open
        (a show's socket) checks it again."""
        self._watchers.append(watcher)

    def _tell(self, user_id: str | None) -> None:
        for watcher in self._watchers:
            try:
                watcher(user_id)
            except Exception:
                log.exception("an account change's watcher failed")

    async def current(self, user_id: str) -> tuple[int, str] | None:
        """The account's token version and role now; None when there is no such account."""
        kept = self._kept.get(user_id, ...)
        if kept is not ... and (kept is None or time.monotonic() - kept[0] < self.ttl_s):
            return None if kept is None else (kept[1], kept[2])
        async with self.db.session() as session:
            row = (await session.exec(select(User.token_version, User.role).where(col(User.id) == user_id))).first()
        if len(self._kept) > 100_000:
            self._kept.clear()
        self._kept[user_id] = None if row is None else (time.monotonic(), int(row[0]), str(row[1]))
        return None if row is None else (int(row[0]), str(row[1]))

    async def changed(self, user_id: str) -> None:
        """The account's version or role changed in the database (committed): every node forgets it."""
        self._kept.pop(user_id, None)
        await self.publisher.publish(ACCOUNTS, AccountChanged(user_id=user_id))

    async def listen(self) -> None:
        """Forget what every node says changed, for as long as the app runs."""
        while True:
            try:
                async with self.bus.subscribe(ACCOUNTS) as changes:
                    async for frame in changes:
                        if frame is RESYNC:  # the bus lost us a while: a change may have gone by
                            self._kept.clear()
                            self._tell(None)
                            continue
                        with contextlib.suppress(ValueError, KeyError, TypeError):
                            user_id = str(orjson.loads(frame)["data"]["user_id"])
                            self._kept.pop(user_id, None)
                            self._tell(user_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away: keep nothing for long, and listen again
                log.warning("account changes: %r; listening again", exc)
                self._kept.clear()
                await asyncio.sleep(1.0)
