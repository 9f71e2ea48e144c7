"""`python -m server demo`: a seller, a host, products with sizes and stock, a live show and a pop-up store.
Running it again reuses what it made before: the same accounts, products and store; the show if it is still live,
else a fresh live show that the store then follows."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from sqlmodel import col, select

from server.accounts.auth import Principal
from server.catalog.products import host_allowed
from server.errors import Conflict
from server.links import Links
from server.models import Money, Product, ProductIn, Show, ShowIn, User, VariantIn
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
STORE_NAME = "Maison Lune pop-up, Le Marais"
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


async def _products(services: Services, seller: User) -> list[str]:
    """The demo's products, made once: every later show sells the same ones (and the store's labels stay good)."""
    async with services.db.session() as session:
        found = await session.exec(select(Product).where(Product.seller_id == seller.id,
                                                         col(Product.title).in_([p.title for p in PRODUCTS]))
                                   .order_by(col(Product.created_at).desc()))
        by_title = {product.title: product.id for product in found.all()}  # the oldest of a title wins
    as_seller = Principal(id=seller.id, role="seller")
    return [by_title.get(p.title) or (await services.catalog.create(principal=as_seller, data=p))["id"]
            for p in PRODUCTS]


async def _show(services: Services, settings: Settings, host: User, product_ids: list[str]) -> str:
    """The demo show, live: the one still running, else a fresh one (a show that ended stays ended)."""
    as_host = Principal(id=host.id, role="host")
    async with services.db.session() as session:
        show = (await session.exec(select(Show).where(Show.title == SHOW_TITLE, Show.host_id == host.id,
                                                      Show.status != "ended")
                                   .order_by(col(Show.created_at)))).first()
    if show is None:
        stream = STREAM if host_allowed(STREAM, settings.media_hosts) else None  # MEDIA_HOSTS may not have it
        show_id = str((await services.shows.create(principal=as_host, data=ShowIn(
            title=SHOW_TITLE, stream_url=stream, product_ids=product_ids)))["id"])
    else:
        show_id = show.id
    await services.shows.start(principal=as_host, show_id=show_id)  # a scheduled one goes live; a live one stays
    return show_id


async def _store(services: Services, seller: User, show_id: str, product_ids: list[str]) -> str:
    """The demo's pop-up store, made once; it follows the demo show of the day."""
    as_seller = Principal(id=seller.id, role="seller")
    async with services.db.session() as session:
        store = (await session.exec(select(Store).where(Store.seller_id == seller.id, Store.name == STORE_NAME)
                                    .order_by(col(Store.created_at)))).first()
    if store is None:
        store_id = str((await services.stores.create(principal=as_seller, data=StoreIn(
            name=STORE_NAME, address="12 rue des Francs-Bourgeois, 75004 Paris", show_id=show_id)))["id"])
        for product_id in product_ids:
            await services.stores.add_item(principal=as_seller, store_id=store_id,
                                           data=StoreItemIn(product_id=product_id))
        return store_id
    if store.show_id != show_id:
        await services.stores.set_show(principal=as_seller, store_id=store.id, show_id=show_id)
    return store.id


async def seed(settings: Settings) -> Demo:
    services = build_services(settings)
    await services.bus.start()
    try:
        seller = await _user(services, SELLER, "seller", "Maison Lune")
        host = await _user(services, HOST, "host", "Camille (host)")
        await _user(services, ADMIN, "admin", "Admin")
        await services.grants.grant(principal=Principal(id=seller.id, role="seller"), host_id=host.id)
        product_ids = await _products(services, seller)
        show_id = await _show(services, settings, host, product_ids)
        store_id = await _store(services, seller, show_id, product_ids)
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
        f"Studio:       {links.studio()} (sellers, hosts and admins sign in here)",
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
