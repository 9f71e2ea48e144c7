"""Chat as a live interaction: the `chat` frame, the newest messages in the snapshot, the host's moderation routes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.accounts.auth import Auth
from server.infra import http
from server.infra.openapi import operation
from server.live.interactions.base import FrameHandler, Interaction, ShowView
from server.live.interactions.chat.moderation import Moderation, Writer
from server.live.interactions.chat.service import Chat, clean_text
from server.live.session import Refused, Session
from server.models import BlocklistIn, ChatMessage, MuteIn
from server.models.answers import Mutes, Words


class ChatInteraction(Interaction):
    """The `chat` frame, the newest messages in the snapshot, and the host's moderation routes."""

    name = "chat"
    snapshot_keys: ClassVar[tuple[str, ...]] = ("chat",)

    def __init__(self, *, chat: Chat, moderation: Moderation, auth: Auth, history: int = 50) -> None:
        self.chat = chat
        self.moderation = moderation
        self.auth = auth
        self.history = history

    def frames(self) -> Mapping[str, FrameHandler]:
        return {"chat": self.post}

    async def post(self, session: Session, frame: dict[str, Any]) -> bytes | None:
        name = frame.get("name")
        if name is not None:
            session.name = clean_text(name, field="name", max_chars=40)
        if session.name is None:
            raise Refused("give a display name to chat", code="name_required")
        if not session.chats.take():
            raise Refused("you are sending messages too fast", code="rate_limited")
        writer = Writer(viewer_id=session.viewer_id, account_id=session.principal.id if session.principal else None,
                        device=session.device, address=session.address)
        await self.chat.post(show_id=session.show_id, writer=writer, author=session.name,
                             text=frame.get("text"))  # type: ignore[arg-type]
        return None

    async def snapshot_part(self, view: ShowView) -> dict[str, Any]:
        newest = (await view.session.exec(
            select(ChatMessage)
            .where(ChatMessage.show_id == view.show.id, col(ChatMessage.deleted_at).is_(None))
            .order_by(col(ChatMessage.created_at).desc())
            .limit(self.history)
        )).all()
        return {"chat": [self.chat.public(m) for m in reversed(newest)]}

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/api/shows/{show_id}/chat/{message_id}", self.delete_message, methods=["DELETE"]),
            Route("/api/shows/{show_id}/mutes", self.list_mutes, methods=["GET"]),
            Route("/api/shows/{show_id}/mutes", self.mute, methods=["POST"]),
            Route("/api/shows/{show_id}/mutes/{viewer_id}", self.unmute, methods=["DELETE"]),
            Route("/api/shows/{show_id}/mutes/authors/{author}", self.unblock_author, methods=["DELETE"]),
            Route("/api/shows/{show_id}/blocklist", self.get_blocklist, methods=["GET"]),
            Route("/api/shows/{show_id}/blocklist", self.put_blocklist, methods=["PUT"]),
        ]

    @operation("Delete a chat message; viewers get chat.deleted", answers={204: None},
               errors={404: "show_not_found, message_not_found"}, auth="the show's host, an admin")
    async def delete_message(self, request: Request) -> Response:
        principal = await http.bearer(request, self.auth.verify)
        await self.chat.delete(principal=principal, show_id=http.path_id(request, "show_id"),
                               message_id=http.path_id(request, "message_id"))
        return Response(status_code=204)

    @operation("Viewers muted in this show, and display names blocked", answers={200: Mutes},
               errors={404: "show_not_found"}, auth="the show's host, an admin")
    async def list_mutes(self, request: Request) -> Response:
        principal = await http.bearer(request, self.auth.verify)
        viewers, authors = await self.moderation.mutes(principal=principal, show_id=http.path_id(request, "show_id"))
        return http.JSONResponse({"items": viewers, "authors": authors})

    @operation("Mute a viewer (its account, its browser, its address), or block a display name, for the rest of "
               "the show",
               answers={204: None}, body=MuteIn, errors={404: "show_not_found"}, auth="the show's host, an admin")
    async def mute(self, request: Request) -> Response:
        principal = await http.bearer(request, self.auth.verify)
        data = await http.body(request, MuteIn)
        show_id = http.path_id(request, "show_id")
        if data.viewer_id is not None:
            await self.moderation.mute(principal=principal, show_id=show_id, viewer_id=data.viewer_id)
        else:
            assert data.author is not None  # MuteIn holds one of the two
            await self.moderation.block_author(principal=principal, show_id=show_id, author=data.author)
        return Response(status_code=204)

    @operation("Let a muted viewer chat again", answers={204: None}, errors={404: "show_not_found"},
               auth="the show's host, an admin")
    async def unmute(self, request: Request) -> Response:
        principal = await http.bearer(request, self.auth.verify)
        await self.moderation.unmute(principal=principal, show_id=http.path_id(request, "show_id"),
                                     viewer_id=http.path_id(request, "viewer_id"))
        return Response(status_code=204)

    @operation("Let a blocked display name be used again", answers={204: None}, errors={404: "show_not_found"},
               auth="the show's host, an admin")
    async def unblock_author(self, request: Request) -> Response:
        principal = await http.bearer(request, self.auth.verify)
        await self.moderation.unblock_author(principal=principal, show_id=http.path_id(request, "show_id"),
                                             author=str(request.path_params["author"])[:40])
        return Response(status_code=204)

    @operation("The words this show's chat refuses", answers={200: Words}, errors={404: "show_not_found"},
               auth="the show's host, an admin")
    async def get_blocklist(self, request: Request) -> Response:
        principal = await http.bearer(request, self.auth.verify)
        words = await self.chat.blocklist(principal=principal, show_id=http.path_id(request, "show_id"))
        return http.JSONResponse({"words": words})

    @operation("Replace the words this show's chat refuses", answers={200: Words}, body=BlocklistIn,
               errors={404: "show_not_found"}, auth="the show's host, an admin")
    async def put_blocklist(self, request: Request) -> Response:
        principal = await http.bearer(request, self.auth.verify)
        data = await http.body(request, BlocklistIn)
        words = await self.chat.set_blocklist(principal=principal, show_id=http.path_id(request, "show_id"),
                                              words=data.words)
        return http.JSONResponse({"words": words})
