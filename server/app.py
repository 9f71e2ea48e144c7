"""create_app(settings): routes, middleware, and the lifespan that opens the database, the bus and the hub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import collection, metrics
from server.auth import Auth
from server.bus import Bus, create_bus
from server.catalog import Catalog
from server.chat import Chat
from server.db import Database
from server.deals import Deals
from server.feed import CommerceFeed
from server.hub import Hub
from server.inventory import StockGate, create_gate
from server.orders import Orders
from server.payments import PaymentProvider, SandboxProvider, webhook_secret
from server.settings import Settings
from server.shows import Shows
from server.stores import Stores
from server.vouchers import Vouchers
from server.web import accounts, orders, pages, products, selling, shows, stores, system, ws
from server.web.errors import HANDLERS
from server.webhooks import PaymentWebhooks

log = logging.getLogger("vitrine")


@dataclass
class Services:
    settings: Settings
    db: Database
    bus: Bus
    hub: Hub
    auth: Auth
    catalog: Catalog
    shows: Shows
    chat: Chat
    gate: StockGate
    feed: CommerceFeed
    payments: PaymentProvider
    sandbox: SandboxProvider | None
    deals: Deals
    vouchers: Vouchers
    orders: Orders
    webhooks: PaymentWebhooks
    stores: Stores

    async def sweep(self) -> None:
        """Unpaid reservations back to stock, deals past their time ended: safe on every node at once."""
        await self.orders.expire_due()
        await self.deals.expire_due()


def build_services(settings: Settings) -> Services:
    db = Database(settings.database_url)
    bus = create_bus(settings.redis_url, history_size=settings.history_size, tick_ms=settings.tick_ms)
    show_service = Shows(db=db, bus=bus, chat_history=settings.chat_history)
    hub = Hub(bus=bus, loader=show_service.snapshot, tick_ms=settings.tick_ms)
    feed = CommerceFeed(bus=bus, carrying=show_service.carrying)
    hub.tick_hooks.append(feed.take)
    sandbox = SandboxProvider(base_url=settings.public_base_url, secret=webhook_secret(settings.secret_key))
    gate = create_gate(db=db, bus=bus)
    deals = Deals(shows=show_service)
    vouchers = Vouchers(db=db)
    orders = Orders(db=db, gate=gate, feed=feed, payments=sandbox, deals=deals, vouchers=vouchers,
                    secret_key=settings.secret_key, base_url=settings.public_base_url,
                    reservation_s=settings.reservation_s)
    return Services(
        settings=settings, db=db, bus=bus, hub=hub,
        auth=Auth(db=db, bus=bus, secret_key=settings.secret_key, token_ttl_s=settings.token_ttl_s,
                  max_failures=settings.login_max_failures, window_s=settings.login_window_s),
        catalog=Catalog(db=db), shows=show_service, chat=Chat(shows=show_service, max_chars=settings.chat_max_chars),
        gate=gate, feed=feed, payments=sandbox, sandbox=sandbox, deals=deals, vouchers=vouchers, orders=orders,
        webhooks=PaymentWebhooks(db=db, orders=orders, provider=sandbox),
        stores=Stores(db=db, secret_key=settings.secret_key, base_url=settings.public_base_url),
    )


async def sweep_forever(services: Services, every_s: float) -> None:
    while True:
        try:
            await services.sweep()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sweep failed")
        await asyncio.sleep(every_s)


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

    routes = [*system.routes, *accounts.routes, *products.routes, *shows.routes, *selling.routes, *orders.routes,
              *stores.routes,
              *ws.routes,
              *pages.routes(settings.static_dir)]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=HANDLERS,
                    middleware=[Middleware(RequestMetrics)])
    app.state.services = services
    app.state.openapi = None
    return app


def factory() -> Starlette:
    """For uvicorn --factory: settings from the environment."""
    return create_app()
