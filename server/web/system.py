from __future__ import annotations

import asyncio
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.schemas import SchemaGenerator

from server.infra import metrics
from server.infra.http import JSONResponse
from server.models import BlocklistIn, LoginIn, MuteIn, PinIn, ProductIn, ProductPatch, ShowIn, StockIn
from server.models.commerce import DealIn, GrantIn, OrderIn, VoucherIn
from server.models.stores import StoreIn, StoreItemIn, StoreShowIn
from server.web.common import services

try:
    VERSION = version("vitrine")  # pyproject.toml's, as installed
except PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0+unknown"

SCHEMAS = (LoginIn, ProductIn, ProductPatch, StockIn, ShowIn, PinIn, MuteIn, BlocklistIn, OrderIn, DealIn,
           VoucherIn, GrantIn, StoreIn, StoreItemIn, StoreShowIn)


async def healthz(request: Request) -> Response:
    """
    summary: '{"db": "ok", "bus": "ok"} with 200 when both answer; 503 otherwise.'
    responses: {200: {description: healthy}, 503: {description: a dependency is down}}
    """
    s = services(request)
    db_ok, bus_ok = await asyncio.gather(s.db.ping(), s.bus.ping())
    body = {"db": "ok" if db_ok else "down", "bus": "ok" if bus_ok else "down"}
    return JSONResponse(body, status_code=200 if db_ok and bus_ok else 503)


async def prometheus(_request: Request) -> Response:
    """
    summary: Prometheus metrics in the text exposition format.
    responses: {200: {description: metrics}}
    """
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
