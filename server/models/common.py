"""Column helpers and the base of every API schema."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator
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

# An email address given in a request, kept in lower case (one buyer, one entrant, whatever the case typed).
Email = Annotated[EmailStr, AfterValidator(str.lower)]


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


def day_or_instant(value: Any, *, end: bool) -> datetime:
    """A bound of a date range given in a query: a day `YYYY-MM-DD` (UTC) covers the whole day, an ISO 8601
    instant (UTC when it names no offset) is itself; both inclusive. The answer is a half-open bound in UTC: the
    start itself, or the first microsecond after the end."""
    text = str(value).strip()
    try:
        if _DAY.fullmatch(text):
            start = datetime.combine(date.fromisoformat(text), time.min, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        instant = _in_utc(datetime.fromisoformat(text))
        return instant + timedelta(microseconds=1) if end else instant
    except (ValueError, OverflowError):
        raise ValueError("a day (YYYY-MM-DD) or an ISO 8601 date and time, within the calendar") from None


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def encode_cursor(at: datetime, row_id: str) -> str:
    """A keyset cursor: the last row's time and id, opaque to clients (base64url of `<iso>|<id>`)."""
    return base64.urlsafe_b64encode(f"{as_utc(at).isoformat()}|{row_id}".encode()).decode().rstrip("=")


def decode_cursor(value: Any) -> tuple[datetime, str]:
    """The (time, id) a cursor of `encode_cursor` carries; ValueError for anything else."""
    text = str(value)
    try:
        at, sep, row_id = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().partition("|")
        instant = datetime.fromisoformat(at)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ValueError("not a cursor this API gave (use next_cursor as it came)") from None
    if not sep or not 1 <= len(row_id) <= 32 or not row_id.isprintable() or instant.tzinfo is None:
        raise ValueError("not a cursor this API gave (use next_cursor as it came)")
    return as_utc(instant), row_id
