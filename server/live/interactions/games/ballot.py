"""A game viewers play by choosing one option (a poll, a quiz): the host's routes to start and end it, the
viewer's frame and its HTTP twin. Polls and quizzes are this, with their own kind, names and schema."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.accounts.auth import Auth
from server.infra import http
from server.infra.openapi import operation
from server.live.interactions.base import FrameHandler, Interaction
from server.live.interactions.games.interaction import GamesInteraction
from server.live.interactions.games.kind import GameKind
from server.live.session import Refused, Session
from server.models.answers import EntryOut, GameOut
from server.models.games import BallotIn, Game, VoteIn, option_ids
from server.realtime.events import reply_frame

Endpoint = Callable[[Request], Awaitable[Response]]


class Ballot(Interaction):
    kind: ClassVar[GameKind]
    plural: ClassVar[str]  # in the routes: /api/shows/{id}/polls
    frame: ClassVar[str]  # the viewer's frame: vote, answer
    reply: ClassVar[str]  # its answer to the viewer alone: poll.voted, quiz.answered
    entries: ClassVar[str]  # the HTTP twin's last segment: votes, answers
    schema: ClassVar[type[BallotIn]]
    started_summary: ClassVar[str]
    start_errors: ClassVar[str] = "invalid_request"

    def __init__(self, *, games: GamesInteraction, auth: Auth) -> None:
        self.games = games
        self.auth = auth

    @property
    def id_field(self) -> str:
        return f"{self.kind.kind}_id"

    def game(self, data: BallotIn) -> Game:
        """The game's row as the host's body makes it (a quiz adds its answer and reward)."""
        ids = option_ids(len(data.options))
        return Game(id="", show_id="", created_by="", kind=self.kind.kind, question=data.question,
                    options=[{"id": i, "text": text} for i, text in zip(ids, data.options, strict=True)])

    async def opening(self, data: BallotIn, game: Game, principal: Any, show_id: str) -> None:
        """Checks of the kind's own before the start (a quiz's reward voucher)."""
        return None

    def frames(self) -> Mapping[str, FrameHandler]:
        return {self.frame: self.take}

    async def take(self, session: Session, frame: dict[str, Any]) -> bytes | None:
        game_id, option_id = frame.get(self.id_field), frame.get("option_id")
        if not isinstance(game_id, str) or not isinstance(option_id, str):
            raise Refused(f"a {self.frame} frame names its {self.id_field} and option_id", code="invalid_frame")
        entry_id = await self.games.take(session, kind=self.kind.kind, game_id=game_id, option_id=option_id[:8])
        return reply_frame(self.reply, {self.id_field: game_id, "option_id": option_id, "entry_id": entry_id})

    @staticmethod
    def _own(method: Endpoint) -> Endpoint:
        """A function of this route's own to declare (the kinds share the methods, not the declarations)."""
        async def endpoint(request: Request) -> Response:
            return await method(request)

        return endpoint

    def routes(self) -> list[BaseRoute]:
        kind, base = self.kind.kind, f"/api/shows/{{show_id}}/{self.plural}"
        return [
            Route(base, operation(self.started_summary, answers={201: GameOut}, body=self.schema,
                                  errors={403: "not_show_host", 404: "show_not_found",
                                          409: "interaction_running, show_not_live", 422: self.start_errors},
                                  auth="the show's host, an admin")(self._own(self._start)), methods=["POST"]),
            Route(f"{base}/{{game_id}}/end",
                  operation(f"End a running {kind} now; viewers get {kind}.ended", answers={200: GameOut},
                            errors={403: "not_show_host", 404: "show_not_found, interaction_not_found"},
                            auth="the show's host, an admin")(self._own(self._end)), methods=["POST"]),
            Route(f"{base}/{{game_id}}/{self.entries}",
                  operation(f"The HTTP twin of the socket's {self.frame} frame: one per viewer (its account when "
                            "signed in, else the snapshot's viewer_token)", answers={201: EntryOut}, body=VoteIn,
                            errors={401: "viewer_required", 404: "interaction_not_found",
                                    409: f"{self.kind.taken}, interaction_ended, show_not_live",
                                    422: "invalid_option"})(self._own(self._enter)), methods=["POST"]),
        ]

    async def _start(self, request: Request) -> http.JSONResponse:
        principal = await http.bearer(request, self.auth.verify)
        data = await http.body(request, self.schema)
        show_id = http.path_id(request, "show_id")
        game = self.game(data)
        await self.opening(data, game, principal, show_id)
        started = await self.games.games.start(principal=principal, show_id=show_id, game=game,
                                               duration_s=data.duration_s)
        return http.JSONResponse(started, status_code=201)

    async def _end(self, request: Request) -> http.JSONResponse:
        return await self.games.end(request, kind=self.kind.kind)

    async def _enter(self, request: Request) -> http.JSONResponse:
        data = await http.body(request, VoteIn)
        voter = await self.games.voter(request, data.viewer_token)
        game_id = http.path_id(request, "game_id")
        entry_id = await self.games.games.enter(kind=self.kind.kind, show_id=http.path_id(request, "show_id"),
                                                game_id=game_id, voter=voter, option_id=data.option_id)
        return http.JSONResponse({self.id_field: game_id, "option_id": data.option_id, "entry_id": entry_id},
                                 status_code=201)
