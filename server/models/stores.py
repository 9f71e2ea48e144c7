"""Pop-up stores: stores, their items (a product on a shelf, carrying a QR code), and scans."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from pydantic import Field, model_validator
from sqlmodel import Field as Column
from sqlmodel import SQLModel

from server.models.common import Schema, optional_timestamp, timestamp


class Store(SQLModel, table=True):
    __tablename__ = "stores"
    id: str = Column(primary_key=True, max_length=32)
    seller_id: str = Column(foreign_key="users.id", index=True, max_length=32)
    name: str = Column(max_length=120)
    address: str = Column(default="", max_length=300)
    opens_on: date | None = None
    closes_on: date | None = None
    show_id: str | None = Column(default=None, foreign_key="shows.id", max_length=32)
    created_at: datetime = timestamp()


class StoreItem(SQLModel, table=True):
    __tablename__ = "store_items"
    id: str = Column(primary_key=True, max_length=32)
    store_id: str = Column(foreign_key="stores.id", index=True, max_length=32)
    product_id: str = Column(foreign_key="products.id", max_length=32)
    variant_id: str | None = Column(default=None, foreign_key="variants.id", max_length=32)
    code: str = Column(max_length=16, unique=True)  # the public half of the QR link's token
    created_at: datetime = timestamp()
    revoked_at: datetime | None = optional_timestamp()


class Scan(SQLModel, table=True):
    """One phone scanning one item, counted once per half hour: reloads do not count again."""

    __tablename__ = "scans"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "visitor", "window"),
        sa.Index("ix_scans_store_at", "store_id", "at"),
    )
    id: int | None = Column(default=None, primary_key=True)
    store_id: str = Column(foreign_key="stores.id", max_length=32)
    item_id: str = Column(foreign_key="store_items.id", max_length=32)
    visitor: str = Column(max_length=64)
    window: int
    device: str = Column(max_length=16)
    at: datetime = timestamp()


class StoreIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    address: str = Field(default="", max_length=300)
    opens_on: date | None = None
    closes_on: date | None = None
    show_id: str | None = Field(default=None, min_length=1, max_length=32)

    @model_validator(mode="after")
    def _dates(self) -> StoreIn:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValueError("closes_on is before opens_on")
        return self


class StoreItemIn(Schema):
    product_id: str = Field(min_length=1, max_length=32)
    variant_id: str | None = Field(default=None, max_length=32)


class ScreenCodeQuery(Schema):
    """The query of the store screen's code: the pinned product, or a game of the show the store follows."""

    product_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    game_id: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")

    @model_validator(mode="after")
    def _one(self) -> ScreenCodeQuery:
        if self.product_id is not None and self.game_id is not None:
            raise ValueError("ask for one code: product_id or game_id, not both")
        return self


class StoreShowIn(Schema):
    show_id: str | None = Field(default=None, min_length=1, max_length=32)
