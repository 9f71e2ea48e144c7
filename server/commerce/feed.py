"""Live commerce figures, coalesced: stock levels and sales are noted as orders happen and leave
as at most one `stock` event per variant and one `sale` event per product, per show, per tick. The hub
takes them at each tick and publishes them with that tick's other events for the show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

from server.commerce.events import Sale, StockLevel
from server.realtime.events import Event

Carrying = Callable[[list[str]], Awaitable[dict[str, list[str]]]]


class CommerceFeed:
    def __init__(self, *, carrying: Carrying) -> None:
        self.carrying = carrying
        self._stock: dict[str, tuple[str, int]] = {}
        self._sales: Counter[tuple[str, str]] = Counter()

    def note_stock(self, *, product_id: str, variant_id: str, available: int) -> None:
        self._stock[variant_id] = (product_id, available)

    def note_sale(self, *, show_id: str | None, product_id: str, quantity: int) -> None:
        if show_id:
            self._sales[(show_id, product_id)] += quantity

    async def take(self) -> dict[str, list[Event]]:
        """The events noted since the last take, by show (a hub tick hook)."""
        stock, self._stock = self._stock, {}
        sales, self._sales = self._sales, Counter()
        events: dict[str, list[Event]] = {}
        if stock:
            shows = await self.carrying(sorted({product for product, _ in stock.values()}))
            for variant_id, (product_id, available) in stock.items():
                for show_id in shows.get(product_id, []):
                    events.setdefault(show_id, []).append(
                        StockLevel(product_id=product_id, variant_id=variant_id, available=available))
        for (show_id, product_id), quantity in sales.items():
            events.setdefault(show_id, []).append(Sale(product_id=product_id, quantity=quantity))
        return events
