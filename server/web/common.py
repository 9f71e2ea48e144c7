"""Request parsing shared by the HTTP routes: JSON bodies into schemas, bearer tokens into principals."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import HTTPConnection, Request

from server.auth import Principal
from server.errors import DomainError, InvalidInput, Unauthorized

if TYPE_CHECKING:
    from server.app import Services

M = TypeVar("M", bound=BaseModel)
MAX_BODY_BYTES = 1024 * 1024


def services(conn: HTTPConnection) -> Services:
    return conn.app.state.services


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    too_large = DomainError(f"the body is larger than {limit} bytes", code="body_too_large", status=413)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def body(request: Request, schema: type[M]) -> M:
    raw = await read_limited(request)
    try:
        data = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        raise DomainError("the body is not valid JSON", code="invalid_json") from None
    if not isinstance(data, dict):
        raise DomainError("the body must be a JSON object", code="invalid_json")
    try:
        return schema.model_validate(data)
    except ValidationError:
        raise  # handled by web.errors: 422 with the fields
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def bearer(conn: HTTPConnection) -> Principal:
    header = conn.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("sign in first: send Authorization: Bearer <token>", code="auth_required")
    return services(conn).auth.verify(token.strip())


def optional_bearer(conn: HTTPConnection) -> Principal | None:
    """The principal when an Authorization header is sent (and valid), None when there is none."""
    return bearer(conn) if conn.headers.get("authorization") else None


def path_id(request: Request, name: str) -> str:
    value = str(request.path_params[name])
    if not value or len(value) > 64 or not value.isprintable():
        raise InvalidInput(f"{name} is not a valid id", code="invalid_id")
    return value
