"""The chat's events: a message posted, a message deleted by the host."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from server.realtime.events import Event


@dataclass(frozen=True, slots=True)
class ChatPosted(Event):
    type: ClassVar[str] = "chat.message"
    id: str
    viewer_id: str
    tag: str  # a short mark of the viewer (Chat.tag): two viewers under one name look different
    author: str
    text: str
    at: str | None


@dataclass(frozen=True, slots=True)
class ChatDeleted(Event):
    type: ClassVar[str] = "chat.deleted"
    id: str
