"""HTTP plumbing every route module shares, with no knowledge of the product: JSON responses and error
bodies, a body read with a size limit and parsed into a schema, a path id checked, a bearer token read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from server.errors import DomainError, InvalidInput, Unauthorized

M = TypeVar("M", bound=BaseModel)
P = TypeVar("P")
MAX_BODY_BYTES = 1024 * 1024


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status)


def validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    """Each refused field: its dotted path, the reason in English, and the reason's `type` with its limits
    (`ctx`: min_length, max_length, ge, pattern…) so that a page says it in its own language."""
    details: list[dict[str, Any]] = []
    for e in exc.errors():
        detail: dict[str, Any] = {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]}
        limits = {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
        if limits:
            detail["ctx"] = limits
        details.append(detail)
    return details


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    too_large = DomainError(f"the body is larger than {limit} bytes", code="body_too_large", status=413)
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > limit:
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


async def bearer(conn: HTTPConnection, verify: Callable[[str], Awaitable[P]]) -> P:
    """The principal `verify` makes of the request's bearer token."""
    header = conn.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("sign in first: send Authorization: Bearer <token>", code="auth_required")
    return await verify(token.strip())


def path_id(request: Request, name: str) -> str:
    value = str(request.path_params[name])
    if not value or len(value) > 64 or not value.isprintable():
        raise InvalidInput(f"{name} is not a valid id", code="invalid_id")
    return value
