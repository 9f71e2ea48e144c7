"""Column helpers and the base of every API schema."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Field as Column

from server.ids import utcnow


def timestamp() -> Any:
    return Column(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)


def optional_timestamp() -> Any:
    return Column(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Money(Schema):
    amount: int = Field(ge=0, le=10**12)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
