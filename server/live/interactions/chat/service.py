"""Show chat: display names, a length limit, a word blocklist per show, deletion by the host. Viewers post
with the socket's `chat` frame (within the session's rate limit); mutes are moderation.py's."""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from server.accounts.auth import Principal
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.infra.db import Database
from server.infra.ids import iso, keyed_digest, new_id, utcnow
from server.infra.outages import OUTAGES
from server.infra.sql import fetch
from server.live.interactions.chat.events import ChatDeleted, ChatPosted
from server.live.interactions.chat.moderation import Writer, muted
from server.live.shows import driven
from server.models import ChatMessage, Show, chat_public
from server.realtime.publisher import Publisher

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
    def __init__(self, *, db: Database, publisher: Publisher, secret_key: str, max_chars: int = 280) -> None:
        self.db = db
        self.publisher = publisher
        self.max_chars = max_chars
        self._secret_key = secret_key

    def tag(self, viewer_id: str) -> str:
        """Four characters that tell viewers apart in the host's chat (two "Léa"s are two tags): a keyed digest
        of the viewer id, so that no one can pick an id for the tag it gets."""
        return keyed_digest(self._secret_key, "chat-tag", viewer_id)[:4].upper()

    def public(self, message: ChatMessage) -> dict[str, Any]:
        """A message as viewers and the host get it."""
        return {**chat_public(message), "tag": self.tag(message.viewer_id)}

    async def post(self, *, show_id: str, writer: Writer, author: str, text: str) -> dict[str, Any]:
        author = clean_text(author, field="name", max_chars=40)
        text = clean_text(text, field="text", max_chars=self.max_chars)
        async with self.db.session() as session:
            show = await session.get(Show, show_id)
            if show is None:
                raise NotFound(f"no show {show_id}", code="show_not_found")
            if show.status == "ended":
                raise Conflict("the show has ended", code="show_ended")
            if await muted(session, show_id=show_id, writer=writer, author=author):
                raise Forbidden("the host has muted you in this show", code="muted")
            if blocked(text, list(show.blocked_words or [])):
                raise InvalidInput("your message has a word this show does not allow", code="blocked_word")
            message = ChatMessage(id=new_id("msg"), show_id=show_id, viewer_id=writer.viewer_id, author=author,
                                  text=text, created_at=utcnow(), account_id=writer.account_id,
                                  device=writer.device, address=writer.address)
            session.add(message)
            await session.commit()
        public = self.public(message)
        try:
            await self.publisher.publish(show_id, ChatPosted(id=message.id, viewer_id=writer.viewer_id,
                                                             tag=public["tag"], author=author, text=text,
                                                             at=iso(message.created_at)))
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
