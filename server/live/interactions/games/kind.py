"""What each kind of game (poll, quiz, giveaway) adds to the games' common life (games/service.py): its events,
its live figures, what it does when it starts and ends, and what each player alone is told."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlmodel.ext.asyncio.session import AsyncSession

from server.models.games import Game
from server.realtime.events import Event

Counts = dict[str | None, int]  # entries by option (None: a giveaway's entries, which have no option)


class GameKind:
    kind: ClassVar[str]
    prefix: ClassVar[str]  # of its ids: pol_, qui_, giv_
    taken: ClassVar[str] = "already_voted"  # the refusal of a second entry by the same viewer
    taken_message: ClassVar[str] = "you have already voted"

    def started(self, game: dict[str, Any]) -> Event:
        raise NotImplementedError

    def live(self, game: Game, counts: Counts) -> dict[str, Any]:
        """The running figures the game's view carries (the snapshot, GET): what `progress` sends."""
        return {}

    def progress(self, game: Game, counts: Counts) -> Event | None:
        """The paced update, at most 5 a second per show over every node (None: this kind has none)."""
        return None

    async def opening(self, session: AsyncSession, game: Game) -> None:
        """In the start's transaction, before the game is stored (a giveaway takes its prize from stock)."""
        return None

    async def finish(self, session: AsyncSession, game: Game, counts: Counts) -> dict[str, Any]:
        """In the end's transaction: the result, stored in the game and shown from then on."""
        return {}

    def ended(self, game: dict[str, Any]) -> Event:
        raise NotImplementedError

    async def personal(self, session: AsyncSession, game: Game, voters: set[str]) -> dict[str, bytes]:
        """After the end: a frame for each of these players who is to be told something alone (a quiz's
        winner its voucher code, a giveaway's winner its claim link), by voter."""
        return {}

    async def yours(self, session: AsyncSession, game: Game, entry: dict[str, Any]) -> dict[str, Any]:
        """What a joining player reads of its own entry in this game (its choice, its entry id)."""
        return entry
