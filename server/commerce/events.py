"""Live commerce figures: a variant's stock and a product's sales in a show, at most once a tick each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from server.realtime.events import Event


@dataclass(frozen=True, slots=True)
class StockLevel(Event):
    type: ClassVar[str] = "stock"
    paced: ClassVar[bool] = True
    product_id: str
    variant_id: str
    available: int


@dataclass(frozen=True, slots=True)
class Sale(Event):
    type: ClassVar[str] = "sale"
    paced: ClassVar[bool] = True
    product_id: str
    quantity: int
