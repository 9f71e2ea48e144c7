from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.schemas import SchemaGenerator

from server.errors import NotFound, Unauthorized
from server.infra import metrics
from server.infra.http import JSONResponse
from server.models import (
    BlocklistIn,
    LoginIn,
    MuteIn,
    PasswordIn,
    PinIn,
    ProductIn,
    ProductPatch,
    RoleIn,
    ShowIn,
    StockAdjustIn,
    StockIn,
)
from server.models.commerce import DealIn, GrantIn, OrderIn, VoucherIn
from server.models.stores import StoreIn, StoreItemIn, StoreShowIn
from server.web.common import services

try:
    VERSION = version("vitrine")  # pyproject.toml's, as installed
except PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0+unknown"

SCHEMAS = (LoginIn, PasswordIn, RoleIn, ProductIn, ProductPatch, StockIn, StockAdjustIn, ShowIn, PinIn, MuteIn,
           BlocklistIn, OrderIn, DealIn, VoucherIn, GrantIn, StoreIn, StoreItemIn, StoreShowIn)


HEALTH_S = 2.0  # a dependency that does not answer a ping in this long is down, as far as /healthz says


_LATE: set[asyncio.Future[bool]] = set()  # pings given up on, left to end by themselves


async def _within(ping: Awaitable[bool], seconds: float) -> bool:
    """The ping's answer if it comes within `seconds`, else False at once: a cancelled database ping may take
    as long again to clean up its connection, and /healthz does not wait for that."""
    task = asyncio.ensure_future(ping)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if task in done:
        return bool(task.result())
    task.cancel()
    _LATE.add(task)
    task.add_done_callback(_LATE.discard)
    return False


async def healthz(request: Request) -> Response:
    """
    summary: '{"db": "ok", "bus": "ok"} with 200 when both answer; 503 otherwise.'
    responses: {200: {description: healthy}, 503: {description: a dependency is down}}
    """
    s = services(request)
    db_ok, bus_ok = await asyncio.gather(_within(s.db.ping(), HEALTH_S), _within(s.bus.ping(), HEALTH_S))
    body = {"db": "ok" if db_ok else "down", "bus": "ok" if bus_ok else "down"}
    return JSONResponse(body, status_code=200 if db_ok and bus_ok else 503)


async def prometheus(request: Request) -> Response:
    """
    summary: Prometheus metrics in the text exposition format (with METRICS_TOKEN, for its bearer only).
    responses: {200: {description: metrics}, 401: {description: metrics_token_required},
                404: {description: metrics_off}}
    """
    settings = services(request).settings
    if settings.metrics_token is not None:
        sent = request.headers.get("authorization", "").partition(" ")[2].strip()
        if not hmac.compare_digest(sent.encode(), settings.metrics_token.encode()):
            raise Unauthorized("send Authorization: Bearer <METRICS_TOKEN>", code="metrics_token_required")
    elif settings.production:
        raise NotFound("metrics are off: set METRICS_TOKEN and scrape with it", code="metrics_off")
    payload, content_type = metrics.render()
    return Response(payload, headers={"content-type": content_type})


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    _, top = models_json_schema([(m, "validation") for m in SCHEMAS], ref_template="#/components/schemas/{model}")
    generator = SchemaGenerator({
        "openapi": "3.1.0",
        "info": {"title": "Vitrine", "version": VERSION, "description": "Live-stream shopping backend. See README."},
        "components": {"schemas": top.get("$defs", {})},
    })
    return generator.get_schema(routes)


async def openapi(request: Request) -> Response:
    """
    summary: This document.
    responses: {200: {description: OpenAPI 3.1}}
    """
    document = request.app.state.openapi
    if document is None:
        document = request.app.state.openapi = openapi_document(request.app.routes)
    return JSONResponse(document)


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", prometheus, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"], include_in_schema=False),
]
