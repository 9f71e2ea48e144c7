"""The container: every service of one process, built from the settings in dependency order. It is the one
place a feature is wired in; a live interaction is also listed in live/interactions/__init__.py."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass

from server.accounts.auth import Auth
from server.accounts.passwords import LinkTimes, Passwords
from server.catalog.grants import Grants
from server.catalog.media import Media
from server.catalog.products import Catalog
from server.commerce.feed import CommerceFeed
from server.commerce.orders import Orders
from server.commerce.payments.base import PaymentProvider
from server.commerce.payments.sandbox import SandboxCheckout, SandboxProvider, webhook_secret
from server.commerce.payments.webhooks import PaymentWebhooks
from server.commerce.stock import Stock, StockGate, create_gate
from server.commerce.vouchers import VoucherGuesses, Vouchers
from server.infra.db import Database
from server.infra.mail import create_mailer
from server.links import Links
from server.live import interactions
from server.live.interactions.base import Interaction
from server.live.interactions.chat.service import Chat
from server.live.interactions.deals.service import Deals
from server.live.interactions.games.service import Games
from server.live.interactions.giveaways.claims import Claims
from server.live.interactions.giveaways.interaction import GiveawayKind
from server.live.shows import Shows, carrying
from server.live.ws import ShowSocket
from server.realtime.bus import Bus, create_bus
from server.realtime.bus.redis import RedisBus
from server.realtime.hub import Hub
from server.realtime.publisher import Publisher
from server.settings import Settings
from server.stores.service import Stores

log = logging.getLogger("vitrine")


@dataclass
class Services:
    settings: Settings
    links: Links
    db: Database
    bus: Bus
    publisher: Publisher
    hub: Hub
    auth: Auth
    passwords: Passwords  # invitations and reset links, mailed
    catalog: Catalog
    grants: Grants
    media: Media
    shows: Shows
    chat: Chat
    gate: StockGate
    stock: Stock
    feed: CommerceFeed
    payments: PaymentProvider
    sandbox: SandboxProvider | None  # the provider when it is the sandbox
    sandbox_checkout: SandboxCheckout | None  # and its checkout page's buttons
    deals: Deals
    games: Games
    vouchers: Vouchers
    orders: Orders
    webhooks: PaymentWebhooks
    stores: Stores
    interactions: list[Interaction]
    socket: ShowSocket

    async def sweep(self) -> None:
        """Each interaction's deadlines (unpaid reservations back to stock, deals past their time ended):
        safe on every node at once."""
        for interaction in self.interactions:
            await interaction.sweep()


def build_services(settings: Settings) -> Services:
    links = Links(settings.public_base_url)
    db = Database(settings.database_url, timeout_s=settings.db_timeout_s)
    bus = create_bus(settings.redis_url, history_size=settings.history_size, tick_ms=settings.tick_ms,
                     timeout_s=settings.redis_timeout_s)
    publisher = Publisher(bus=bus)
    auth = Auth(db=db, bus=bus, secret_key=settings.secret_key, token_ttl_s=settings.token_ttl_s,
                max_failures=settings.login_max_failures, window_s=settings.login_window_s, publisher=publisher,
                internal_domains=settings.internal_email_domains)
    catalog = Catalog(db=db, media_hosts=settings.media_hosts)
    feed = CommerceFeed(carrying=functools.partial(carrying, db))
    gate = create_gate(db=db, redis=bus.redis if isinstance(bus, RedisBus) else None)
    provider = SandboxProvider(links=links, secret=webhook_secret(settings.secret_key))
    vouchers = Vouchers(db=db)
    deals = Deals(db=db, publisher=publisher)
    orders = Orders(db=db, gate=gate, feed=feed, payments=provider, vouchers=vouchers,
                    guesses=VoucherGuesses(bus=bus), links=links,
                    secret_key=settings.secret_key, on_deal_sold_out=deals.sold_out,
                    reservation_s=settings.reservation_s)
    webhooks = PaymentWebhooks(db=db, orders=orders, provider=provider)
    chat = Chat(db=db, publisher=publisher, max_chars=settings.chat_max_chars, secret_key=settings.secret_key)
    mailer = create_mailer(outbox_dir=settings.outbox_dir)
    claims = Claims(db=db, gate=gate, feed=feed, orders=orders, links=links, mailer=mailer, sender=settings.mail_from,
                    secret_key=settings.secret_key, claim_s=settings.giveaway_claim_s)
    games = Games(db=db, publisher=publisher, bus=bus, kinds=interactions.kinds(giveaway=GiveawayKind(claims)))
    live = interactions.build(settings=settings, db=db, publisher=publisher, auth=auth, chat=chat, deals=deals,
                              orders=orders, feed=feed, played=games)
    shows = Shows(db=db, bus=bus, publisher=publisher, parts=live, media_hosts=settings.media_hosts)
    ticking = [i.tick for i in live if type(i).tick is not Interaction.tick]
    hub = Hub(bus=bus, publisher=publisher, loader=shows.snapshot, tick_ms=settings.tick_ms, tick_hooks=ticking)
    passwords = Passwords(db=db, auth=auth, mailer=mailer, links=links,
                          sender=settings.mail_from,
                          times=LinkTimes(invitation_s=settings.invitation_ttl_s, reset_s=settings.reset_ttl_s))
    return Services(
        settings=settings, links=links, db=db, bus=bus, publisher=publisher, hub=hub, auth=auth, passwords=passwords,
        catalog=catalog, grants=Grants(db=db),
        media=Media(directory=settings.media_dir, max_bytes=settings.media_max_bytes,
                    max_pixels=settings.media_max_pixels),
        shows=shows, chat=chat, gate=gate, stock=Stock(catalog=catalog, gate=gate, feed=feed),
        feed=feed, payments=provider,
        sandbox=provider, sandbox_checkout=SandboxCheckout(provider=provider, orders=orders, webhooks=webhooks),
        deals=deals, games=games,
        vouchers=vouchers, orders=orders, webhooks=webhooks,
        stores=Stores(db=db, secret_key=settings.secret_key, links=links), interactions=live,
        socket=ShowSocket(settings=settings, hub=hub, shows=shows, auth=auth, interactions=live),
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
