from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.errors import NotFound, Unauthorized
from server.infra import metrics
from server.infra.http import JSONResponse
from server.infra.openapi import document, operation
from server.models.answers import ErrorAnswer, Health
from server.web.common import services

try:
    VERSION = version("vitrine")  # pyproject.toml's, as installed
except PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0+unknown"



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


@operation("Whether the database and the bus answer", answers={200: Health, 503: Health})
async def healthz(request: Request) -> Response:
    s = services(request)
    db_ok, bus_ok = await asyncio.gather(_within(s.db.ping(), HEALTH_S), _within(s.bus.ping(), HEALTH_S))
    body = {"db": "ok" if db_ok else "down", "bus": "ok" if bus_ok else "down"}
    return JSONResponse(body, status_code=200 if db_ok and bus_ok else 503)


@operation("Prometheus metrics in the text exposition format", answers={200: "text/plain"},
           errors={401: "metrics_token_required", 404: "metrics_off"})
async def prometheus(request: Request) -> Response:
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
    return document(routes, title="Vitrine", version=VERSION, error=ErrorAnswer,
                    description="Live-stream shopping backend. See README for every route, event and frame.")


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
