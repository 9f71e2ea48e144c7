"""Show chat: display names, a length limit, a word blocklist per show, deletion and mutes by the host.
(The per-viewer rate limit lives with the socket, in web/ws.py, where the viewer is.)"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from server.auth import Principal
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.events import ChatDeleted, ChatPosted
from server.ids import iso, new_id, utcnow
from server.models import ChatMessage, Show, ShowMute, chat_public
from server.shows import Shows
from server.sql import fetch

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
    def __init__(self, *, shows: Shows, max_chars: int = 280) -> None:
        self.shows = shows
        self.db = shows.db
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
        await self.shows.publish(show_id, ChatPosted(id=message.id, viewer_id=viewer_id, author=author, text=text,
                                                     at=iso(message.created_at)))
        return public

    async def delete(self, *, principal: Principal, show_id: str, message_id: str) -> None:
        async with self.db.session() as session:
            await self.shows.driven(session, principal, show_id)
            message = await fetch(session, ChatMessage, message_id)
            if message is None or message.show_id != show_id:
                raise NotFound(f"no message {message_id} in this show", code="message_not_found")
            if message.deleted_at is not None:
                return
            message.deleted_at = utcnow()
            await session.commit()
        await self.shows.publish(show_id, ChatDeleted(id=message_id))

    async def mute(self, *, principal: Principal, show_id: str, viewer_id: str) -> None:
        async with self.db.session() as session:
            await self.shows.driven(session, principal, show_id)
            session.add(ShowMute(show_id=show_id, viewer_id=viewer_id, muted_by=principal.id))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()  # muted already: muting is idempotent

    async def unmute(self, *, principal: Principal, show_id: str, viewer_id: str) -> None:
        async with self.db.session() as session:
            await self.shows.driven(session, principal, show_id)
            mute = await session.get(ShowMute, (show_id, viewer_id))
            if mute is not None:
                await session.delete(mute)
                await session.commit()

    async def mutes(self, *, principal: Principal, show_id: str) -> list[str]:
        async with self.db.session() as session:
            await self.shows.driven(session, principal, show_id)
            return list((await session.exec(select(ShowMute.viewer_id).where(ShowMute.show_id == show_id))).all())

    async def set_blocklist(self, *, principal: Principal, show_id: str, words: list[str]) -> list[str]:
        async with self.db.session() as session:
            show = await self.shows.driven(session, principal, show_id)
            show.blocked_words = list(words)
            await session.commit()
        return list(words)

    async def blocklist(self, *, principal: Principal, show_id: str) -> list[str]:
        async with self.db.session() as session:
            show = await self.shows.driven(session, principal, show_id)
            return list(show.blocked_words or [])
