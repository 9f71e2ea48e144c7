"""Polls as a game kind (their tally) and a live interaction (POST /api/shows/{id}/polls, the `vote` frame)."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlmodel.ext.asyncio.session import AsyncSession

from server.live.interactions.games.ballot import Ballot
from server.live.interactions.games.kind import Counts, GameKind
from server.live.interactions.polls.events import PollEnded, PollResults, PollStarted
from server.models.games import Game, PollIn
from server.realtime.events import Event


def tally(game: Game, counts: Counts) -> dict[str, Any]:
    votes = {o["id"]: counts.get(o["id"], 0) for o in game.options}
    return {"votes": votes, "total": sum(votes.values())}


class PollKind(GameKind):
    kind = "poll"
    prefix = "pol"

    def started(self, game: dict[str, Any]) -> Event:
        return PollStarted(poll=game)

    def live(self, game: Game, counts: Counts) -> dict[str, Any]:
        return tally(game, counts)

    def progress(self, game: Game, counts: Counts) -> Event:
        return PollResults(poll_id=game.id, **tally(game, counts))

    async def finish(self, session: AsyncSession, game: Game, counts: Counts) -> dict[str, Any]:
        return tally(game, counts)

    def ended(self, game: dict[str, Any]) -> Event:
        return PollEnded(poll=game)


class Polls(Ballot):
    name = "polls"
    kind: ClassVar[GameKind] = PollKind()
    plural = "polls"
    frame = "vote"
    reply = "poll.voted"
    entries = "votes"
    schema = PollIn
    started_summary = "Start a poll (2 to 6 options, 5 s to 1 h); viewers get poll.started and vote"
