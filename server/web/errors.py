"""Every refusal as `{"error": {"code", "message"}}` with a 4xx (or 503) status; never a bare 500. A browser asking
for a page that does not exist gets the HTML 404 page instead (web/pages.py); paths under /api always answer JSON."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from server.errors import DomainError
from server.infra.http import error_response, validation_details
from server.web.pages import not_found_page

log = logging.getLogger("vitrine.web")

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type", 429: "rate_limited"}


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if exc.status == 404 and (page := not_found_page(request)):
        return page
    return error_response(exc.status, exc.code, exc.message, exc.details)


async def on_validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ValidationError)
    return error_response(422, "invalid_request", "some fields are not valid", validation_details(exc))


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and (page := not_found_page(request)):
        return page
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    response = error_response(exc.status_code, code, message)
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:  # every method the path takes, not only the first route's (one route a method)
        response.headers["allow"] = ", ".join(_allowed(request)) or response.headers.get("allow", "")
    return response


def _allowed(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= route.methods
    return sorted(methods)


async def on_bad_data(_request: Request, exc: Exception) -> Response:
    log.info("refused by the database: %s", exc)
    return error_response(422, "invalid_request", "a value is not acceptable (out of range or not valid text)")


async def on_integrity_error(_request: Request, exc: Exception) -> Response:
    # a request that names a row that is gone, or takes a key just taken: a check of ours let it through
    log.warning("refused by a database constraint: %s", exc)
    return error_response(409, "conflict", "the request does not fit the data as it is now: reload and try again")


async def on_unavailable(_request: Request, exc: Exception) -> Response:
    log.warning("dependency unavailable: %s", exc)
    return error_response(503, "unavailable", "a backing service is unavailable: try again shortly")


async def on_gone_client(_request: Request, exc: Exception) -> Response:
    # the client went away while its body was read (it gave up, its network dropped): nobody reads this answer
    log.info("the client left before its request's body was read")
    return error_response(400, "client_disconnected", "the request's body did not arrive whole")


async def on_unexpected(_request: Request, exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal", "something went wrong on our side")


HANDLERS: dict[Any, Any] = {
    DomainError: on_domain_error,
    ValidationError: on_validation_error,
    HTTPException: on_http_error,
    ClientDisconnect: on_gone_client,
    RedisConnectionError: on_unavailable,
    RedisTimeoutError: on_unavailable,
    DataError: on_bad_data,
    IntegrityError: on_integrity_error,
    OperationalError: on_unavailable,
    PoolTimeout: on_unavailable,  # every database connection busy for 30 s: overloaded, try again
    DBAPIError: on_unavailable,
    OSError: on_unavailable,  # ConnectionResetError and kin from a driver while PostgreSQL or Redis restarts
    Exception: on_unexpected,
}
