"""create_app(settings): routes, middleware, and the lifespan that opens the database, the bus and the hub."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.infra import collection, metrics
from server.services import build_services, sweep_forever
from server.settings import Settings
from server.web import accounts, orders, pages, payments, products, sellers, shows, stores, system
from server.web.errors import HANDLERS


class RequestMetrics:
    """Counts HTTP requests by route template (never by raw path, which would explode the labels)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            metrics.HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(route).observe(time.perf_counter() - started)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await services.bus.start()
        metrics.NODE.info({"node": services.bus.node_id})
        await services.gate.sync([])  # stock counters missing from Redis come back from the database
        await services.hub.start()
        sweeper = asyncio.create_task(sweep_forever(services, every_s=1.0), name="vitrine-sweeper")
        try:
            with collection.tuned(settings.gc_thresholds):
                yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await services.hub.close()
            await services.bus.close()
            await services.db.dispose()

    live = [route for interaction in services.interactions for route in interaction.routes()]
    routes = [*system.routes, *accounts.routes, *products.routes, *shows.routes, *sellers.routes, *orders.routes,
              *payments.routes, *stores.routes, *live, services.socket.route(), *pages.routes(settings.static_dir)]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=HANDLERS,
                    middleware=[Middleware(RequestMetrics)])
    app.state.services = services
    app.state.openapi = None
    return app


def factory() -> Starlette:
    """For uvicorn --factory: settings from the environment."""
    return create_app()
