"""Buying: seller-host grants, orders, buyer quotas, flash deals, vouchers, webhook receipts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field, ValidationInfo, field_validator, model_validator
from sqlmodel import Field as Column
from sqlmodel import SQLModel

from server.commerce.addresses import normalise_postal_code, supported
from server.infra.ids import as_utc, iso
from server.models.common import (
    Email,
    Instant,
    Money,
    Schema,
    day_or_instant,
    decode_cursor,
    exactly_one,
    optional_timestamp,
    timestamp,
)


class SellerHost(SQLModel, table=True):
    """A seller lets a host sell its products in shows."""

    __tablename__ = "seller_hosts"
    seller_id: str = Column(foreign_key="users.id", primary_key=True, max_length=32)
    host_id: str = Column(foreign_key="users.id", primary_key=True, max_length=32)
    created_at: datetime = timestamp()


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        sa.Index("ix_orders_status_expires", "status", "expires_at"),
        sa.Index("ix_orders_seller_created", "seller_id", "created_at", "id"),  # a seller's list, newest first
        sa.Index("ix_orders_created", "created_at", "id"),  # an admin's
        sa.CheckConstraint("quantity > 0"),
        sa.CheckConstraint("total_amount >= 0"),
    )
    id: str = Column(primary_key=True, max_length=32)
    status: str = Column(default="pending", max_length=16)
    product_id: str = Column(foreign_key="products.id", max_length=32)
    variant_id: str = Column(foreign_key="variants.id", max_length=32)
    seller_id: str = Column(foreign_key="users.id", index=True, max_length=32)
    quantity: int
    unit_amount: int = Column(sa_type=sa.BigInteger)
    discount_amount: int = Column(default=0, sa_type=sa.BigInteger)
    total_amount: int = Column(sa_type=sa.BigInteger)
    currency: str = Column(max_length=3)
    show_id: str | None = Column(default=None, foreign_key="shows.id", index=True, max_length=32)
    store_item_id: str | None = Column(default=None, index=True, max_length=32)
    deal_id: str | None = Column(default=None, max_length=32)
    voucher_id: str | None = Column(default=None, max_length=32)
    buyer_name: str = Column(max_length=100)
    buyer_email: str = Column(max_length=254, index=True)
    address: dict[str, Any] = Column(sa_type=sa.JSON)
    idempotency_key: str = Column(max_length=100, unique=True)
    request_hash: str = Column(max_length=64)
    payment_provider: str = Column(default="sandbox", max_length=32)
    payment_ref: str | None = Column(default=None, max_length=100, index=True)
    created_at: datetime = timestamp()
    expires_at: datetime | None = optional_timestamp()
    paid_at: datetime | None = optional_timestamp()
    shipped_at: datetime | None = optional_timestamp()
    delivered_at: datetime | None = optional_timestamp()
    cancelled_at: datetime | None = optional_timestamp()
    refunded_at: datetime | None = optional_timestamp()
    cancel_reason: str | None = Column(default=None, max_length=32)
    payment_declined_at: datetime | None = optional_timestamp()  # the last decline; a retry may still pay
    tracking_number: str | None = Column(default=None, max_length=64)  # given by the seller when shipping
    carrier: str | None = Column(default=None, max_length=64)


@dataclass(slots=True)
class OrderRow:
    """One row of `orders` as the till inserts it, with the same fields as Order: a plain object to read
    the new order back to its buyer. Reading an Order's attributes goes through SQLAlchemy's
    instrumentation, which costs a batch of a thousand orders about 0.1 s of CPU."""

    id: str
    product_id: str
    variant_id: str
    seller_id: str
    quantity: int
    unit_amount: int
    discount_amount: int
    total_amount: int
    currency: str
    show_id: str | None
    store_item_id: str | None
    deal_id: str | None
    voucher_id: str | None
    buyer_name: str
    buyer_email: str
    address: dict[str, Any]
    idempotency_key: str
    request_hash: str
    payment_provider: str
    payment_ref: str | None
    created_at: datetime
    expires_at: datetime | None
    status: str = "pending"
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    refunded_at: datetime | None = None
    cancel_reason: str | None = None
    payment_declined_at: datetime | None = None
    tracking_number: str | None = None
    carrier: str | None = None


class BuyerQuota(SQLModel, table=True):
    """Units a buyer holds of a product in one show: the per-buyer limit is a conditional update here."""

    __tablename__ = "buyer_quotas"
    __table_args__ = (sa.CheckConstraint("quantity >= 0"),)
    show_id: str = Column(foreign_key="shows.id", primary_key=True, max_length=32)
    product_id: str = Column(foreign_key="products.id", primary_key=True, max_length=32)
    buyer_email: str = Column(primary_key=True, max_length=254)
    quantity: int = Column(default=0)


class Deal(SQLModel, table=True):
    __tablename__ = "deals"
    __table_args__ = (sa.CheckConstraint("sold >= 0 AND sold <= quantity"),)
    id: str = Column(primary_key=True, max_length=32)
    show_id: str = Column(foreign_key="shows.id", index=True, max_length=32)
    product_id: str = Column(foreign_key="products.id", max_length=32)
    price_amount: int = Column(sa_type=sa.BigInteger)
    currency: str = Column(max_length=3)
    quantity: int
    sold: int = Column(default=0)
    starts_at: datetime = timestamp()
    ends_at: datetime = timestamp()
    ended_at: datetime | None = optional_timestamp()
    end_reason: str | None = Column(default=None, max_length=16)


class Voucher(SQLModel, table=True):
    __tablename__ = "vouchers"
    __table_args__ = (sa.CheckConstraint("used >= 0"),)
    id: str = Column(primary_key=True, max_length=32)
    code: str = Column(max_length=32, unique=True)
    seller_id: str | None = Column(default=None, foreign_key="users.id", index=True, max_length=32)  # None: admin's
    kind: str = Column(max_length=8)
    value: int = Column(sa_type=sa.BigInteger)
    currency: str | None = Column(default=None, max_length=3)
    max_uses: int | None = None
    used: int = Column(default=0)
    max_per_buyer: int | None = None
    show_id: str | None = Column(default=None, foreign_key="shows.id", max_length=32)
    expires_at: datetime | None = optional_timestamp()
    created_at: datetime = timestamp()


class VoucherUse(SQLModel, table=True):
    __tablename__ = "voucher_uses"
    __table_args__ = (sa.CheckConstraint("count >= 0"),)
    voucher_id: str = Column(foreign_key="vouchers.id", primary_key=True, max_length=32)
    buyer_email: str = Column(primary_key=True, max_length=254)
    count: int = Column(default=0)


class WebhookReceipt(SQLModel, table=True):
    """Every webhook id applied once: a replay finds its id here and changes nothing."""

    __tablename__ = "webhook_receipts"
    id: str = Column(primary_key=True, max_length=100)
    provider: str = Column(max_length=32)
    received_at: datetime = timestamp()


# --- serializers ---------------------------------------------------------------------------------


def deal_public(deal: Deal) -> dict[str, Any]:
    ends = as_utc(deal.ends_at)
    return {"id": deal.id, "show_id": deal.show_id, "product_id": deal.product_id,
            "price": {"amount": deal.price_amount, "currency": deal.currency}, "quantity": deal.quantity,
            "sold": deal.sold, "remaining": deal.quantity - deal.sold, "starts_at": iso(deal.starts_at),
            "ends_at": iso(ends), "ends_at_ms": int(ends.timestamp() * 1000),
            "ended": deal.ended_at is not None, "end_reason": deal.end_reason}


# --- API schemas ----------------------------------------------------------------------------------


class AddressIn(Schema):
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(pattern=r"^[A-Za-z]{2}$")  # before postal_code: its check needs the country
    postal_code: str = Field(min_length=2, max_length=12)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if not supported(value.upper()):
            raise ValueError(f"we do not deliver to {value.upper()} yet")
        return value.upper()

    @field_validator("postal_code")
    @classmethod
    def _postal(cls, value: str, info: ValidationInfo) -> str:
        country = info.data.get("country")
        return normalise_postal_code(country, value) if country else value


class BuyerIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    email: Email
    address: AddressIn


class QuoteIn(Schema):
    """What an order would be: the order's fields, the buyer optional (`POST /api/quotes`)."""

    product_id: str = Field(min_length=1, max_length=32)
    variant_id: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=10)
    show_id: str | None = Field(default=None, min_length=1, max_length=32)
    store_item_id: str | None = Field(default=None, min_length=1, max_length=32)
    deal_id: str | None = Field(default=None, min_length=1, max_length=32)
    voucher: str | None = Field(default=None, max_length=32)
    buyer: BuyerIn | None = None


class OrderIn(QuoteIn):
    buyer: BuyerIn


class DealIn(Schema):
    product_id: str = Field(min_length=1, max_length=32)
    price: Money
    quantity: int = Field(ge=1, le=100_000)
    duration_s: int = Field(ge=10, le=3600)


class VoucherIn(Schema):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{3,32}$")
    kind: Literal["percent", "fixed"]
    value: int = Field(ge=1, le=10**9)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    max_uses: int | None = Field(default=None, ge=1, le=2**31 - 1)
    max_per_buyer: int | None = Field(default=None, ge=1, le=2**31 - 1)
    show_id: str | None = Field(default=None, min_length=1, max_length=32)
    expires_at: Instant | None = None

    @model_validator(mode="after")
    def _consistent(self) -> VoucherIn:
        self.code = self.code.upper()
        if self.kind == "percent" and self.value > 100:
            raise ValueError("a percent voucher is 1 to 100")
        if self.kind == "fixed" and self.currency is None:
            raise ValueError("a fixed voucher needs its currency")
        return self


ORDER_STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded")


class ShipIn(Schema):
    """`POST /api/orders/{id}/ship`: the parcel's tracking number is required, its carrier optional."""

    tracking_number: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    carrier: str | None = Field(default=None, max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")

    @field_validator("carrier")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class OrdersQuery(Schema):
    """The filters of `GET /api/orders` and `GET /api/orders.csv`, from the query string. `from_` and `to` are
    half-open bounds in UTC (`to` is the first instant after the range); `cursor` is where the last page ended."""

    status: tuple[str, ...] = ()
    show_id: str | None = Field(default=None, min_length=1, max_length=32)
    store_id: str | None = Field(default=None, min_length=1, max_length=32)
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: tuple[datetime, str] | None = None

    model_config = {**Schema.model_config, "populate_by_name": True}

    @field_validator("status", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> tuple[str, ...]:
        names = tuple(dict.fromkeys(part.strip().lower() for part in str(value).split(",") if part.strip()))
        unknown = [name for name in names if name not in ORDER_STATUSES]
        if unknown:
            raise ValueError(f"{unknown[0][:20]!r} is not a status: one or several of {', '.join(ORDER_STATUSES)}")
        return names

    @field_validator("from_", mode="before")
    @classmethod
    def _from(cls, value: Any) -> datetime:
        return day_or_instant(value, end=False)

    @field_validator("to", mode="before")
    @classmethod
    def _to(cls, value: Any) -> datetime:
        return day_or_instant(value, end=True)

    @field_validator("cursor", mode="before")
    @classmethod
    def _cursor(cls, value: Any) -> tuple[datetime, str]:
        return decode_cursor(value)

    @classmethod
    def of(cls, params: Mapping[str, str], *, paged: bool = True) -> OrdersQuery:
        """The filters named in a query string (other names are left alone); the page's too when `paged`."""
        names = ("status", "show_id", "store_id", "from", "to", *(("limit", "cursor") if paged else ()))
        return cls.model_validate({name: params[name] for name in names if params.get(name)})


class GrantIn(Schema):
    """A host named by its id, or by its account's email (as a seller knows it)."""

    host_id: str | None = Field(default=None, min_length=1, max_length=32)
    email: str | None = Field(default=None, min_length=3, max_length=254)

    @model_validator(mode="after")
    def _one(self) -> GrantIn:
        exactly_one(self, "host_id", "email")
        return self


class SandboxPayIn(Schema):
    """The sandbox checkout page's buttons."""

    outcome: Literal["succeeded", "failed"]
