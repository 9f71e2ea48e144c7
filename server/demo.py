"""`python -m server demo`: a seller, a host, products with sizes and stock, and a live show.
Running it again reuses what it made before."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from sqlmodel import col, select

from server.accounts.auth import Principal
from server.catalog.products import host_allowed
from server.errors import Conflict
from server.links import Links
from server.models import Money, ProductIn, Show, ShowIn, User, VariantIn
from server.models.commerce import VoucherIn
from server.models.core import SizeGuide, SizeRow
from server.models.stores import Store, StoreIn, StoreItemIn
from server.services import Services, build_services
from server.settings import Settings

DEMO_PASSWORD = "vitrine-demo"
DEMO_DOMAIN = "@demo.vitrine"
SELLER = "seller" + DEMO_DOMAIN
HOST = "host" + DEMO_DOMAIN
ADMIN = "admin" + DEMO_DOMAIN
SHOW_TITLE = "Vitrine demo: the autumn drop"
STREAM = "https://test-streams.mux.dev/x36xhzz/x36xhzz.m3u8"
VOUCHER = VoucherIn(code="WELCOME10", kind="percent", value=10)  # for a newcomer to try: 10 % off

PRODUCTS = [
    ProductIn(title="Oversized wool coat", brand="Maison Lune", description="Double-faced wool, camel.",
              price=Money(amount=18900, currency="EUR"), images=["/static/demo/coat.svg"],
              variants=[VariantIn(sku="COAT-S", label="S", stock=12), VariantIn(sku="COAT-M", label="M", stock=20),
                        VariantIn(sku="COAT-L", label="L", stock=8)],
              size_guide=SizeGuide(unit="cm", sizes=[
                  SizeRow(label="S", measurements={"chest": 88, "waist": 72, "hips": 94}),
                  SizeRow(label="M", measurements={"chest": 96, "waist": 80, "hips": 100}),
                  SizeRow(label="L", measurements={"chest": 104, "waist": 88, "hips": 106})])),
    ProductIn(title="High-rise straight jeans", brand="Atelier Nord", description="Rigid organic denim.",
              price=Money(amount=8900, currency="EUR"), images=["/static/demo/jeans.svg"],
              variants=[VariantIn(sku="JEAN-36", label="36", stock=15), VariantIn(sku="JEAN-38", label="38", stock=25),
                        VariantIn(sku="JEAN-40", label="40", stock=10)],
              size_guide=SizeGuide(unit="cm", sizes=[
                  SizeRow(label="36", measurements={"waist": 68, "hips": 94}),
                  SizeRow(label="38", measurements={"waist": 72, "hips": 98}),
                  SizeRow(label="40", measurements={"waist": 76, "hips": 102})])),
    ProductIn(title="Leather ankle boots", brand="Pas de Deux", description="Full-grain leather, 4 cm heel.",
              price=Money(amount=14500, currency="EUR"), images=["/static/demo/boots.svg"],
              variants=[VariantIn(sku="BOOT-38", label="38", stock=6), VariantIn(sku="BOOT-39", label="39", stock=9),
                        VariantIn(sku="BOOT-40", label="40", stock=4)]),
]


@dataclass
class Demo:
    show_id: str
    store_id: str
    host_email: str
    seller_email: str
    admin_email: str
    password: str
    voucher: str = VOUCHER.code


async def _user(services: Services, email: str, role: str, name: str) -> User:
    async with services.db.session() as session:
        found = (await session.exec(select(User).where(User.email == email))).first()
    return found or await services.auth.create_user(email=email, password=DEMO_PASSWORD, role=role, name=name)


async def seed(settings: Settings) -> Demo:
    services = build_services(settings)
    await services.bus.start()
    try:
        seller = await _user(services, SELLER, "seller", "Maison Lune")
        host = await _user(services, HOST, "host", "Camille (host)")
        await _user(services, ADMIN, "admin", "Admin")
        async with services.db.session() as session:
            show = (await session.exec(select(Show).where(Show.title == SHOW_TITLE, Show.host_id == host.id,
                                                          Show.status != "ended"))).first()
        if show is None:
            as_seller = Principal(id=seller.id, role="seller")
            await services.grants.grant(principal=as_seller, host_id=host.id)
            ids = [(await services.catalog.create(principal=as_seller, data=p))["id"] for p in PRODUCTS]
            as_host = Principal(id=host.id, role="host")
            stream = STREAM if host_allowed(STREAM, settings.media_hosts) else None  # MEDIA_HOSTS may not have it
            created = await services.shows.create(principal=as_host, data=ShowIn(title=SHOW_TITLE, stream_url=stream,
                                                                                  product_ids=ids))
            await services.shows.start(principal=as_host, show_id=created["id"])
            show_id = created["id"]
            store = await services.stores.create(principal=as_seller, data=StoreIn(
                name="Maison Lune pop-up, Le Marais", address="12 rue des Francs-Bourgeois, 75004 Paris",
                show_id=show_id))
            for product_id in ids:
                await services.stores.add_item(principal=as_seller, store_id=store["id"],
                                               data=StoreItemIn(product_id=product_id))
            store_id = store["id"]
        else:
            show_id = show.id
            async with services.db.session() as session:
                store_id = (await session.exec(select(Store.id).where(Store.show_id == show_id))).first() or ""
        with suppress(Conflict):  # the seller's, for every show of hers; made once
            await services.vouchers.create(principal=Principal(id=seller.id, role="seller"), data=VOUCHER)
        return Demo(show_id=show_id, store_id=store_id, host_email=HOST, seller_email=SELLER, admin_email=ADMIN,
                    password=DEMO_PASSWORD)
    finally:
        await services.bus.close()
        await services.db.dispose()


def describe(demo: Demo, links: Links) -> str:
    return "\n".join([
        f"Viewer page:  {links.watch(demo.show_id)}",
        f"Host page:    {links.host(demo.show_id)}",
        f"Store screen: {links.store_page(demo.store_id, 'screen')}",
        f"Store labels: {links.store_page(demo.store_id, 'labels')}",
        f"Store stats:  {links.store_page(demo.store_id, 'stats')}",
        f"Host login:   {demo.host_email} / {demo.password}",
        f"Seller login: {demo.seller_email} / {demo.password}",
        f"Admin login:  {demo.admin_email} / {demo.password}",
        f"Voucher:      {demo.voucher} (10 % off at checkout)",
    ])


async def demo_accounts(services: Services) -> list[str]:
    """The demo's accounts in this database (their password is public)."""
    async with services.db.session() as session:
        found = await session.exec(select(User.email).where(col(User.email).endswith(DEMO_DOMAIN)))
        return sorted(found.all())
