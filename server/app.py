"""create_app(settings): routes, middleware, and the lifespan that opens the database, the bus and the hub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.demo import demo_accounts
from server.infra import collection, logs, metrics
from server.services import Services, build_services, sweep_forever
from server.settings import Settings
from server.web import accounts, media, orders, pages, payments, products, sellers, shows, stores, system
from server.web.errors import HANDLERS
from server.web.security import SecurityHeaders

log = logging.getLogger("vitrine")


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


async def _warn_of_demo_accounts(services: Services) -> None:
    try:
        found = await demo_accounts(services)
    except Exception:  # an unmigrated database: nothing to say yet
        return
    if found:
        log.warning("this production database has the demo's accounts, whose password is public (%s): "
                    "delete them or change their passwords", ", ".join(found))


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    logs.redact_secrets()  # uvicorn has configured its loggers by now: the filter goes on their handlers
    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await services.bus.start()
        metrics.NODE.info({"node": services.bus.node_id})
        if settings.production:
            await _warn_of_demo_accounts(services)
        await services.gate.sync([])  # stock counters missing from Redis come back from the database
        await services.hub.start()
        sweeper = asyncio.create_task(sweep_forever(services, every_s=1.0), name="vitrine-sweeper")
        accounts = asyncio.create_task(services.auth.versions.listen(), name="vitrine-account-changes")
        try:
            with collection.tuned(settings.gc_thresholds):
                yield
        finally:
            for task in (sweeper, accounts):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await services.hub.close()
            await services.stores.renderer.close()
            await services.bus.close()
            await services.db.dispose()

    live = [route for interaction in services.interactions for route in interaction.routes()]
    routes = [*system.routes, *accounts.routes, *products.routes, *media.routes, *shows.routes, *sellers.routes,
              *orders.routes, *payments.routes, *stores.routes, *live, services.socket.route(),
              *pages.routes(settings.static_dir)]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=HANDLERS,
                    middleware=[Middleware(RequestMetrics), Middleware(SecurityHeaders, settings=settings)])
    app.state.services = services
    app.state.openapi = None
    return app


def factory() -> Starlette:
    """For uvicorn --factory: settings from the environment."""
    return create_app()
