"""The games as one live interaction: the running games in the show's view (`interactions`), the list of a
show's games, their ends by time in the sweep, their paced figures in the hub's tick, and what each player
alone is told: its own entries when it joins, its prize when a game it played ends (the sockets here that
played wait for their game's end; the sweep tells them once it has ended, on whichever node ended it).

The kinds' own interactions (polls/, quizzes/, giveaways/) take entries through `take`, which keeps the
socket among the waiters."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from server.accounts.auth import Auth, Principal
from server.errors import Unauthorized
from server.infra import http
from server.infra.openapi import operation
from server.live.interactions.base import Figures, Interaction, ShowView
from server.live.interactions.games.service import Games
from server.live.session import Session
from server.models.answers import GameList

log = logging.getLogger("vitrine.games")


def voter_of(session: Session) -> str:
    """Who a socket plays as: its account when signed in, its viewer id otherwise."""
    return session.principal.id if session.principal is not None else session.viewer_id


class Players:
    """The sockets here that played games, by game and voter: those a game's end (or a prize passed on) is told
    to, each alone. Closed sockets are dropped as they are found."""

    def __init__(self) -> None:
        self._by_game: dict[str, dict[str, set[Session]]] = {}

    def add(self, game_id: str, voter: str, session: Session) -> None:
        self._by_game.setdefault(game_id, {}).setdefault(voter, set()).add(session)

    def present(self) -> dict[str, set[str]]:
        """The voters with an open socket here, by game."""
        for game_id, voters in list(self._by_game.items()):
            for voter, sessions in list(voters.items()):
                sessions -= {s for s in sessions if s.conn.closed}
                if not sessions:
                    del voters[voter]
            if not voters:
                del self._by_game[game_id]
        return {game_id: set(voters) for game_id, voters in self._by_game.items()}

    def tell(self, game_id: str, voter: str, frame: bytes) -> None:
        for session in self._by_game.get(game_id, {}).get(voter, ()):
            session.conn.reply(frame)

    def forget(self, game_id: str) -> None:
        self._by_game.pop(game_id, None)


class GamesInteraction(Interaction):
    name = "games"
    show_keys: ClassVar[tuple[str, ...]] = ("interactions",)

    def __init__(self, *, games: Games, auth: Auth) -> None:
        self.games = games
        self.auth = auth
        self._waiting = Players()  # the sockets here that played a running game: told what they won at its end

    async def show_part(self, view: ShowView) -> dict[str, Any]:
        return {"interactions": await self.games.running(view.session, show_id=view.show.id)}

    async def yours(self, session: Session, snapshot: Mapping[str, Any]) -> dict[str, Any]:
        running = [g["id"] for g in snapshot.get("interactions") or ()]
        if not running:
            return {}
        voter = voter_of(session)
        mine = await self.games.entries_of(voter=voter, game_ids=running)
        for game_id in mine:
            self._waiting.add(game_id, voter, session)
        return {"interactions": mine}

    async def take(self, session: Session, *, kind: str, game_id: Any, **entry: Any) -> str:
        """A socket's entry in a game (a vote, an answer, an entry): its id; the socket then waits for the end."""
        voter = voter_of(session)
        entry_id = await self.games.enter(kind=kind, show_id=session.show_id, game_id=str(game_id)[:32],
                                          voter=voter, **entry)
        self._waiting.add(str(game_id), voter, session)
        return entry_id

    async def voter(self, request: Request, viewer_token: str | None) -> str:
        """Who an HTTP entry is from: the signed-in account, else the viewer of the snapshot's viewer_token."""
        if request.headers.get("authorization"):
            principal: Principal = await http.bearer(request, self.auth.verify)
            return principal.id
        viewer = self.auth.viewer_id(viewer_token)
        if viewer is None:
            raise Unauthorized("send the snapshot's you.viewer_token, or sign in", code="viewer_required")
        return viewer

    async def end(self, request: Request, *, kind: str) -> http.JSONResponse:
        """The host's route that ends a running game of this kind now (every kind's `…/{game_id}/end`)."""
        principal: Principal = await http.bearer(request, self.auth.verify)
        ended = await self.games.stop(principal=principal, show_id=http.path_id(request, "show_id"), kind=kind,
                                      game_id=http.path_id(request, "game_id"))
        return http.JSONResponse(ended)

    async def sweep(self) -> None:
        await self.games.expire_due()
        await self._tell_players()

    async def _tell_players(self) -> None:
        waiting = self._waiting.present()
        if not waiting:
            return
        for game_id, told in (await self.games.personal(list(waiting), waiting)).items():
            for voter, frame in told.items():
                self._waiting.tell(game_id, voter, frame)
            self._waiting.forget(game_id)

    async def tick(self) -> Figures:
        return await self.games.tick()

    def routes(self) -> list[BaseRoute]:
        return [Route("/api/shows/{show_id}/interactions", self.listing, methods=["GET"])]

    @operation("The show's polls, quizzes and giveaways, newest first (the last 100); a quiz's answer only once "
               "it has ended", answers={200: GameList}, errors={404: "show_not_found"})
    async def listing(self, request: Request) -> http.JSONResponse:
        return http.JSONResponse({"interactions": await self.games.listing(show_id=http.path_id(request,
                                                                                                 "show_id"))})
