"""Domain errors: every refusal has a stable snake_case code, a status and a sentence."""

from __future__ import annotations

from typing import Any


class ConfigError(Exception):
    """Settings that cannot start the server; the message is the one-line reason."""


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details  # per-field reasons, shown to the client as `details`
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class InvalidInput(DomainError):
    status = 422
    code = "invalid_request"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"
