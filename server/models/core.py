"""Accounts, catalogue and live shows: tables, their API schemas and serializers."""

from __future__ import annotations

import ipaddress
import socket
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from pydantic import AfterValidator, Field, field_validator, model_validator
from sqlmodel import Field as Column
from sqlmodel import SQLModel

from server.errors import InvalidInput
from server.infra.ids import iso
from server.models.common import Instant, Money, Schema, exactly_one, optional_timestamp, timestamp

# --- tables ---------------------------------------------------------------------------------------


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: str = Column(primary_key=True, max_length=32)
    email: str = Column(max_length=254, unique=True, index=True)
    password_hash: str = Column(max_length=200)
    role: str = Column(max_length=16)
    name: str = Column(max_length=100)
    token_version: int = Column(default=0, sa_column_kwargs={"server_default": "0"})  # raised to revoke tokens
    created_at: datetime = timestamp()
    suspended_at: datetime | None = optional_timestamp()  # an admin suspended it: no sign-in, no token works


class Product(SQLModel, table=True):
    __tablename__ = "products"
    id: str = Column(primary_key=True, max_length=32)
    seller_id: str = Column(foreign_key="users.id", index=True, max_length=32)
    title: str = Column(max_length=200)
    description: str = Column(default="", sa_type=sa.Text)
    brand: str = Column(default="", max_length=100)
    price_amount: int = Column(sa_type=sa.BigInteger)
    currency: str = Column(max_length=3)
    images: list[str] = Column(default_factory=list, sa_type=sa.JSON)
    size_guide: dict[str, Any] | None = Column(default=None, sa_type=sa.JSON)
    created_at: datetime = timestamp()


class Variant(SQLModel, table=True):
    __tablename__ = "variants"
    __table_args__ = (sa.UniqueConstraint("product_id", "sku"), sa.CheckConstraint("stock >= 0"))
    id: str = Column(primary_key=True, max_length=32)
    product_id: str = Column(foreign_key="products.id", index=True, max_length=32)
    sku: str = Column(max_length=64)
    label: str = Column(max_length=40)
    stock: int = Column(default=0)
    position: int = Column(default=0)


class Show(SQLModel, table=True):
    __tablename__ = "shows"
    id: str = Column(primary_key=True, max_length=32)
    title: str = Column(max_length=200)
    host_id: str = Column(foreign_key="users.id", index=True, max_length=32)
    status: str = Column(default="scheduled", max_length=16, index=True)
    stream_url: str | None = Column(default=None, max_length=2000)
    scheduled_at: datetime | None = optional_timestamp()
    started_at: datetime | None = optional_timestamp()
    ended_at: datetime | None = optional_timestamp()
    pinned_product_id: str | None = Column(default=None, foreign_key="products.id", max_length=32)
    blocked_words: list[str] = Column(default_factory=list, sa_type=sa.JSON)
    buyer_limit: int = Column(default=5)
    created_at: datetime = timestamp()


class ShowProduct(SQLModel, table=True):
    __tablename__ = "show_products"
    show_id: str = Column(foreign_key="shows.id", primary_key=True, max_length=32)
    product_id: str = Column(foreign_key="products.id", primary_key=True, max_length=32)
    position: int = Column(default=0)


class TimelineEntry(SQLModel, table=True):
    """Every start, end, pin and unpin of a show, with its time: replays and analytics read it."""

    __tablename__ = "show_timeline"
    __table_args__ = (sa.Index("ix_show_timeline_show_at", "show_id", "at"),)
    id: int | None = Column(default=None, primary_key=True)
    show_id: str = Column(foreign_key="shows.id", max_length=32)
    kind: str = Column(max_length=16)
    product_id: str | None = Column(default=None, max_length=32)
    actor_id: str | None = Column(default=None, max_length=32)
    at: datetime = timestamp()


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_messages"
    __table_args__ = (sa.Index("ix_chat_messages_show_created", "show_id", "created_at"),)
    id: str = Column(primary_key=True, max_length=32)
    show_id: str = Column(foreign_key="shows.id", max_length=32)
    viewer_id: str = Column(max_length=32)
    author: str = Column(max_length=40)
    text: str = Column(max_length=1000)
    created_at: datetime = timestamp()
    deleted_at: datetime | None = optional_timestamp()
    # who wrote it, for a mute to outlast a new viewer id: the account, and keyed digests of the browser's
    # cookie and of the address (never the cookie or the address themselves)
    account_id: str | None = Column(default=None, max_length=32)
    device: str | None = Column(default=None, max_length=32)
    address: str | None = Column(default=None, max_length=32)


class ShowMute(SQLModel, table=True):
    __tablename__ = "show_mutes"
    show_id: str = Column(foreign_key="shows.id", primary_key=True, max_length=32)
    viewer_id: str = Column(primary_key=True, max_length=32)
    muted_by: str = Column(max_length=32)
    muted_at: datetime = timestamp()


class ChatBlock(SQLModel, table=True):
    """What a mute holds besides the viewer id: the muted viewer's account, its browser, its address (anonymous
    viewers only), or a display name the host blocked; `because` names the mute that added it."""

    __tablename__ = "chat_blocks"
    show_id: str = Column(foreign_key="shows.id", primary_key=True, max_length=32)
    kind: str = Column(primary_key=True, max_length=16)  # account | device | address | author
    value: str = Column(primary_key=True, max_length=64)
    because: str = Column(max_length=64, index=True)  # viewer:<id> or author:<name as the host wrote it>
    blocked_by: str = Column(max_length=32)
    blocked_at: datetime = timestamp()


# --- API schemas ----------------------------------------------------------------------------------


class LoginIn(Schema):
    email: str = Field(min_length=3, max_length=254)  # checked by the accounts' one rule (accounts/emails.py)
    password: str = Field(min_length=1, max_length=200)
    device_token: str | None = Field(default=None, max_length=300)  # what a past sign-in gave this device


class PasswordIn(Schema):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class RoleIn(Schema):
    role: Literal["admin", "seller", "host"]


class AccountIn(Schema):
    """An account an admin creates (the email checked by the accounts' one rule, accounts/emails.py)."""

    email: str = Field(min_length=3, max_length=254)
    role: Literal["admin", "seller", "host"]
    name: str | None = Field(default=None, min_length=1, max_length=100)
    password: str | None = Field(default=None, min_length=8, max_length=200)  # none: an invitation is mailed
    lang: Literal["en", "fr"] | None = None  # the invitation's language


class VariantIn(Schema):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")
    label: str = Field(min_length=1, max_length=40)
    stock: int = Field(ge=0, le=1_000_000)


MAX_VARIANTS = 50  # sizes of one product, at most
SITE_MEDIA = ("/static/", "/media/")  # images served by Vitrine itself


def public_host(host: str) -> bool:
    """A name on the internet: not an address (an IP literal in any form a browser reads as one: `127.1`,
    `0177.0.0.1`, `0x7f.1`, percent-encoded digits), not this machine, not a local name."""
    host = unquote(host).lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        pass
    try:
        socket.inet_aton(host)  # the legacy IPv4 forms (short, octal, hex) that browsers still accept
        return False
    except OSError:
        pass
    last = host.rsplit(".", 1)[-1]
    if last.isdigit() or last.startswith("0x"):  # a name whose last label is a number is an address to a browser
        return False
    return "." in host and not host.endswith((".localhost", ".local", ".internal", ".lan", ".home.arpa"))


def _image_url(url: str) -> str:
    if len(url) > 2000:
        raise ValueError("an image URL is at most 2000 characters")
    if url.startswith(SITE_MEDIA) and ".." not in url and "\\" not in url:
        return url
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password or not public_host(
            parts.hostname):
        raise ValueError("an image is an https URL on a public host, or a path under /static/ or /media/")
    return url


ImageUrl = Annotated[str, AfterValidator(_image_url)]


class SizeRow(Schema):
    label: str = Field(min_length=1, max_length=40)
    measurements: dict[str, float] = Field(min_length=1, max_length=12)

    @field_validator("measurements")
    @classmethod
    def _names(cls, value: dict[str, float]) -> dict[str, float]:
        for name, number in value.items():
            if not (0 < len(name) <= 30 and 0 < number < 1000):
                raise ValueError("a measurement is a short name and a positive number")
        return value


class SizeGuide(Schema):
    """Body measurements per size, e.g. {"unit": "cm", "sizes": [{"label": "M", "measurements": {"hips": 98}}]}."""

    unit: Literal["cm", "in"] = "cm"
    sizes: list[SizeRow] = Field(min_length=1, max_length=50)


class ProductIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    brand: str = Field(default="", max_length=100)
    price: Money
    images: list[ImageUrl] = Field(default_factory=list, max_length=10)
    variants: list[VariantIn] = Field(min_length=1, max_length=MAX_VARIANTS)
    size_guide: SizeGuide | None = None

    @field_validator("variants")
    @classmethod
    def _unique_skus(cls, value: list[VariantIn]) -> list[VariantIn]:
        seen: set[str] = set()
        for i, variant in enumerate(value):
            if variant.sku in seen:  # told by the field (variants.<i>.sku), for a form to show it by its input
                raise InvalidInput(f"the SKU {variant.sku} is given twice", code="duplicate_sku",
                                   details=[{"field": f"variants.{i}.sku", "message": "a SKU is unique"}])
            seen.add(variant.sku)
        return value


class ProductPatch(Schema):
    """The fields a seller may change after creating a product; variants change through restock."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    brand: str | None = Field(default=None, max_length=100)
    price: Money | None = None
    images: list[ImageUrl] | None = Field(default=None, max_length=10)
    size_guide: SizeGuide | None = None



MAX_STOCK = 1_000_000


class StockIn(Schema):
    """The pieces on sale from now; with `expected`, only if the variant still has that many (a seller who
    read the stock, then writes a new figure, never puts back on sale what sold in between)."""

    stock: int = Field(ge=0, le=MAX_STOCK)
    expected: int | None = Field(default=None, ge=0, le=MAX_STOCK)


class StockAdjustIn(Schema):
    """Pieces to add to what is on sale (received from the workshop), or to take off (a negative delta)."""

    delta: int = Field(ge=-MAX_STOCK, le=MAX_STOCK)


class ShowIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    stream_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    scheduled_at: Instant | None = None
    product_ids: list[str] = Field(default_factory=list, max_length=200)
    buyer_limit: int = Field(default=5, ge=1, le=100)


class ShowPatch(Schema):
    """What a host may change while its show is scheduled; a field left out (or a null title, products or
    limit) stays as it is, a null stream_url or scheduled_at clears it."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    stream_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    scheduled_at: Instant | None = None
    product_ids: list[str] | None = Field(default=None, max_length=200)
    buyer_limit: int | None = Field(default=None, ge=1, le=100)


class ShowsQuery(Schema):
    """GET /api/shows's query: `status` is one status or several, comma-separated."""

    host: str | None = Field(default=None, min_length=1, max_length=64)
    status: list[Literal["scheduled", "live", "ended"]] = Field(default_factory=list)
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, min_length=1, max_length=400)

    @field_validator("status", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return [s.strip() for s in value.split(",") if s.strip()] if isinstance(value, str) else value


class PinIn(Schema):
    product_id: str = Field(min_length=1, max_length=32)


class MuteIn(Schema):
    """A viewer (with its account, browser and address), or a display name, whoever writes under it."""

    viewer_id: str | None = Field(default=None, min_length=1, max_length=32)
    author: str | None = Field(default=None, min_length=1, max_length=40)

    @model_validator(mode="after")
    def _one(self) -> MuteIn:
        exactly_one(self, "viewer_id", "author")
        return self


class BlocklistIn(Schema):
    words: list[str] = Field(max_length=500)

    @field_validator("words")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        words = sorted({w.strip().lower() for w in value if w.strip()})
        if any(len(w) > 60 for w in words):
            raise ValueError("each word is at most 60 characters")
        return words


# --- serializers: tables -> API dicts ---------------------------------------------------------------


def user_public(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "role": user.role, "name": user.name}


def account_public(user: User) -> dict[str, Any]:
    """An account as its admin sees it."""
    return {**user_public(user), "created_at": iso(user.created_at), "suspended_at": iso(user.suspended_at),
            "invited": not user.password_hash}


def product_public(
    product: Product, variants: list[Variant], available: dict[str, int] | None = None
) -> dict[str, Any]:
    """`available` overrides the stored stock with live counters where the caller has them."""
    return {
        "id": product.id,
        "seller_id": product.seller_id,
        "title": product.title,
        "description": product.description,
        "brand": product.brand,
        "price": {"amount": product.price_amount, "currency": product.currency},
        "images": list(product.images or []),
        "size_guide": product.size_guide,
        "variants": [
            {
                "id": v.id,
                "sku": v.sku,
                "label": v.label,
                "available": (available or {}).get(v.id, v.stock),
            }
            for v in sorted(variants, key=lambda v: v.position)
        ],
    }


def chat_public(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "viewer_id": message.viewer_id,
        "author": message.author,
        "text": message.text,
        "at": iso(message.created_at),
    }
