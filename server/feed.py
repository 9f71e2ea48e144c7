"""Live commerce figures, coalesced: stock levels and sales are noted as orders happen and leave
as at most one `stock` event per variant and one `sale` event per product, per show, per tick."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

from server.bus import Bus
from server.events import Sale, StockLevel

Carrying = Callable[[list[str]], Awaitable[dict[str, list[str]]]]


class CommerceFeed:
    def __init__(self, *, bus: Bus, carrying: Carrying) -> None:
        self.bus = bus
        self.carrying = carrying
        self._stock: dict[str, tuple[str, int]] = {}
        self._sales: Counter[tuple[str, str]] = Counter()

    def note_stock(self, *, product_id: str, variant_id: str, available: int) -> None:
        self._stock[variant_id] = (product_id, available)

    def note_sale(self, *, show_id: str | None, product_id: str, quantity: int) -> None:
        if show_id:
            self._sales[(show_id, product_id)] += quantity

    async def flush(self) -> None:
        stock, self._stock = self._stock, {}
        sales, self._sales = self._sales, Counter()
        if stock:
            shows = await self.carrying(sorted({product for product, _ in stock.values()}))
            for variant_id, (product_id, available) in stock.items():
                for show_id in shows.get(product_id, []):
                    await self.bus.publish(show_id, StockLevel(product_id=product_id, variant_id=variant_id,
                                                               available=available))
        for (show_id, product_id), quantity in sales.items():
            await self.bus.publish(show_id, Sale(product_id=product_id, quantity=quantity))
