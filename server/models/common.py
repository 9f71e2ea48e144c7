"""Column helpers and the base of every API schema."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Field as Column

from server.infra.ids import as_utc, utcnow


def timestamp() -> Any:
    return Column(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)


def optional_timestamp() -> Any:
    return Column(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)


def _in_utc(value: datetime) -> datetime:
    try:
        return as_utc(value)
    except OverflowError:  # year 1 or 9999 with an offset that takes it past what a datetime holds
        raise ValueError("this date and time is out of range") from None


# A date and time given in a request: the instant, in UTC (SQLite keeps no offset).
Instant = Annotated[datetime, AfterValidator(_in_utc)]


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


def exactly_one(model: BaseModel, first: str, second: str) -> None:
    """A body that names a thing one way or the other (an id or an email…), never both, never neither."""
    if (getattr(model, first) is None) == (getattr(model, second) is None):
        raise ValueError(f"give either {first} or {second}")


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_text(cls, value: Any) -> Any:
        return _no_nul(value)


class Money(Schema):
    amount: int = Field(ge=0, le=10**12)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
