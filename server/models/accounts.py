"""The links that set an account's password (invitations and resets), and the API schemas that use them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field
from sqlmodel import Field as Column
from sqlmodel import SQLModel

from server.models.common import Schema, optional_timestamp, timestamp

Lang = Literal["en", "fr"]


class AccountLink(SQLModel, table=True):
    """One mailed link: its token is signed and names this row, which makes it single-use (`used_at`) and lets a
    newer link end the older ones (their `expires_at` brought to now)."""

    __tablename__ = "account_links"
    id: str = Column(primary_key=True, max_length=32)
    user_id: str = Column(foreign_key="users.id", index=True, max_length=32)
    purpose: str = Column(max_length=16)  # invitation | reset
    expires_at: datetime = timestamp()
    used_at: datetime | None = optional_timestamp()


class LinkPasswordIn(Schema):
    """A password chosen from a mailed link (the same rule as a new password: 8 to 200 characters)."""

    token: str = Field(min_length=1, max_length=500)
    password: str = Field(min_length=8, max_length=200)


class ResetIn(Schema):
    email: str = Field(min_length=3, max_length=254)
    lang: Lang | None = None  # the mail's language (default: the browser's, else English)


class InviteIn(Schema):
    lang: Lang | None = None
