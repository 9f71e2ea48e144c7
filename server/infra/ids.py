"""Opaque string ids and UTC times."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(prefix: str) -> str:
    """`prefix_` then 16 random base32 characters (80 bits): unguessable, URL-safe, sortable by nothing."""
    bits = int.from_bytes(secrets.token_bytes(10))  # one read of the system's randomness, not sixteen
    return prefix + "_" + "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(0, 80, 5))


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat().replace("+00:00", "Z")


def keyed_digest(secret: str, label: str, value: str) -> str:
    """A short digest of `value` that only this deployment can make (HMAC with its secret): lets the database
    compare browsers and addresses without keeping them."""
    return hmac.new(secret.encode(), f"{label}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
