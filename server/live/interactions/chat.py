"""Show chat: display names, a length limit, a word blocklist per show, deletion and mutes by the host.
Viewers post with the socket's `chat` frame (within the session's rate limit); the host moderates over HTTP."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.accounts.auth import Auth, Principal
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.infra import http
from server.infra.db import Database
from server.infra.ids import iso, new_id, utcnow
from server.infra.outages import OUTAGES
from server.infra.sql import fetch
from server.live.interactions.base import FrameHandler, Interaction, ShowView
from server.live.session import Refused, Session
from server.live.shows import driven
from server.models import BlocklistIn, ChatMessage, MuteIn, Show, ShowMute, chat_public
from server.realtime.events import Event
from server.realtime.publisher import Publisher


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


log = logging.getLogger("vitrine.chat")
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_text(value: object, *, field: str, max_chars: int) -> str:
    """Trimmed, NFC-normalised text without control characters, 1..max_chars long."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string", code=f"invalid_{field}")
    text = unicodedata.normalize("NFC", value)
    text = "".join(ch for ch in text if ch in "\n" or unicodedata.category(ch)[0] != "C").strip()
    if not text:
        raise InvalidInput(f"{field} must not be empty", code=f"invalid_{field}")
    if len(text) > max_chars:
        raise InvalidInput(f"{field} is longer than {max_chars} characters", code=f"{field}_too_long")
    return text


def blocked(text: str, words: list[str]) -> bool:
    if not words:
        return False
    tokens = set(_WORD.findall(text.lower()))
    lowered = text.lower()
    return any((w in tokens) if _WORD.fullmatch(w) else (w in lowered) for w in words)


class Chat:
    def __init__(self, *, db: Database, publisher: Publisher, max_chars: int = 280) -> None:
        self.db = db
        self.publisher = publisher
        self.max_chars = max_chars

    async def post(self, *, show_id: str, viewer_id: str, author: str, text: str) -> dict[str, Any]:
        author = clean_text(author, field="name", max_chars=40)
        text = clean_text(text, field="text", max_chars=self.max_chars)
        async with self.db.session() as session:
            show = await session.get(Show, show_id)
            if show is None:
                raise NotFound(f"no show {show_id}", code="show_not_found")
            if show.status == "ended":
                raise Conflict("the show has ended", code="show_ended")
            if await session.get(ShowMute, (show_id, viewer_id)) is not None:
                raise Forbidden("the host has muted you in this show", code="muted")
            if blocked(text, list(show.blocked_words or [])):
                raise InvalidInput("your message has a word this show does not allow", code="blocked_word")
            message = ChatMessage(id=new_id("msg"), show_id=show_id, viewer_id=viewer_id, author=author, text=text,
                                  created_at=utcnow())
            session.add(message)
            await session.commit()
        public = chat_public(message)
        try:
            await self.publisher.publish(show_id, ChatPosted(id=message.id, viewer_id=viewer_id, author=author,
                                                             text=text, at=iso(message.created_at)))
        except OUTAGES as exc:  # stored: it is in the snapshot of whoever joins next; never told as failed
            log.warning("chat message %s is stored but could not be broadcast: %r", message.id, exc)
        return public

    async def delete(self, *, principal: Principal, show_id: str, message_id: str) -> None:
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            message = await fetch(session, ChatMessage, message_id)
            if message is None or message.show_id != show_id:
                raise NotFound(f"no message {message_id} in this show", code="message_not_found")
            if message.deleted_at is not None:
                return
            message.deleted_at = utcnow()
            await session.commit()
        await self.publisher.publish(show_id, ChatDeleted(id=message_id))

    async def mute(self, *, principal: Principal, show_id: str, viewer_id: str) -> None:
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            session.add(ShowMute(show_id=show_id, viewer_id=viewer_id, muted_by=principal.id))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()  # muted already: muting is idempotent

    async def unmute(self, *, principal: Principal, show_id: str, viewer_id: str) -> None:
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            mute = await session.get(ShowMute, (show_id, viewer_id))
            if mute is not None:
                await session.delete(mute)
                await session.commit()

    async def mutes(self, *, principal: Principal, show_id: str) -> list[str]:
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            return list((await session.exec(select(ShowMute.viewer_id).where(ShowMute.show_id == show_id))).all())

    async def set_blocklist(self, *, principal: Principal, show_id: str, words: list[str]) -> list[str]:
        async with self.db.session() as session:
            show = await driven(session, principal, show_id)
            show.blocked_words = list(words)
            await session.commit()
        return list(words)

    async def blocklist(self, *, principal: Principal, show_id: str) -> list[str]:
        async with self.db.session() as session:
            show = await driven(session, principal, show_id)
            return list(show.blocked_words or [])


class ChatInteraction(Interaction):
    """The `chat` frame, the newest messages in the snapshot, and the host's moderation routes."""

    name = "chat"
    snapshot_keys: ClassVar[tuple[str, ...]] = ("chat",)

    def __init__(self, *, chat: Chat, auth: Auth, history: int = 50) -> None:
        self.chat = chat
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
        await self.chat.post(show_id=session.show_id, viewer_id=session.viewer_id, author=session.name,
                             text=frame.get("text"))  # type: ignore[arg-type]
        return None

    async def snapshot_part(self, view: ShowView) -> dict[str, Any]:
        newest = (await view.session.exec(
            select(ChatMessage)
            .where(ChatMessage.show_id == view.show.id, col(ChatMessage.deleted_at).is_(None))
            .order_by(col(ChatMessage.created_at).desc())
            .limit(self.history)
        )).all()
        return {"chat": [chat_public(m) for m in reversed(newest)]}

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/api/shows/{show_id}/chat/{message_id}", self.delete_message, methods=["DELETE"]),
            Route("/api/shows/{show_id}/mutes", self.list_mutes, methods=["GET"]),
            Route("/api/shows/{show_id}/mutes", self.mute, methods=["POST"]),
            Route("/api/shows/{show_id}/mutes/{viewer_id}", self.unmute, methods=["DELETE"]),
            Route("/api/shows/{show_id}/blocklist", self.get_blocklist, methods=["GET"]),
            Route("/api/shows/{show_id}/blocklist", self.put_blocklist, methods=["PUT"]),
        ]

    async def delete_message(self, request: Request) -> Response:
        """
        summary: Delete a chat message; viewers get chat.deleted (the show's host, admin).
        responses: {204: {description: deleted}, 404: {description: message_not_found}}
        """
        principal = await http.bearer(request, self.auth.verify)
        await self.chat.delete(principal=principal, show_id=http.path_id(request, "show_id"),
                               message_id=http.path_id(request, "message_id"))
        return Response(status_code=204)

    async def list_mutes(self, request: Request) -> Response:
        """
        summary: Viewers muted in this show (the show's host, admin).
        responses: {200: {description: '{items: [viewer_id]}'}}
        """
        principal = await http.bearer(request, self.auth.verify)
        items = await self.chat.mutes(principal=principal, show_id=http.path_id(request, "show_id"))
        return http.JSONResponse({"items": items})

    async def mute(self, request: Request) -> Response:
        """
        summary: Mute a viewer for the rest of the show (the show's host, admin).
        requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/MuteIn'}}}}
        responses: {204: {description: muted}}
        """
        principal = await http.bearer(request, self.auth.verify)
        data = await http.body(request, MuteIn)
        await self.chat.mute(principal=principal, show_id=http.path_id(request, "show_id"), viewer_id=data.viewer_id)
        return Response(status_code=204)

    async def unmute(self, request: Request) -> Response:
        """
        summary: Let a muted viewer chat again (the show's host, admin).
        responses: {204: {description: unmuted}}
        """
        principal = await http.bearer(request, self.auth.verify)
        await self.chat.unmute(principal=principal, show_id=http.path_id(request, "show_id"),
                               viewer_id=http.path_id(request, "viewer_id"))
        return Response(status_code=204)

    async def get_blocklist(self, request: Request) -> Response:
        """
        summary: The words this show's chat refuses (the show's host, admin).
        responses: {200: {description: '{words: []}'}}
        """
        principal = await http.bearer(request, self.auth.verify)
        words = await self.chat.blocklist(principal=principal, show_id=http.path_id(request, "show_id"))
        return http.JSONResponse({"words": words})

    async def put_blocklist(self, request: Request) -> Response:
        """
        summary: Replace the words this show's chat refuses (the show's host, admin).
        requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/BlocklistIn'}}}}
        responses: {200: {description: '{words: []}'}}
        """
        principal = await http.bearer(request, self.auth.verify)
        data = await http.body(request, BlocklistIn)
        words = await self.chat.set_blocklist(principal=principal, show_id=http.path_id(request, "show_id"),
                                              words=data.words)
        return http.JSONResponse({"words": words})
