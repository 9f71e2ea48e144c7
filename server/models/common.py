"""Column helpers and the base of every API schema."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Field as Column

from server.ids import utcnow


def timestamp() -> Any:
    return Column(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)


def optional_timestamp() -> Any:
    return Column(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)


def _no_nul(value: Any) -> Any:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text must not contain NUL characters")
    elif isinstance(value, list | tuple):
        for item in value:
            _no_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    return value


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_text(cls, value: Any) -> Any:
        return _no_nul(value)


class Money(Schema):
    amount: int = Field(ge=0, le=10**12)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
