"""A seller's orders as CSV for its accountant: one row per order (an order is one product, in one size, in a
quantity), every time in UTC (ISO 8601), prices in decimal units of the order's currency with the currency in
a column of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from server.commerce.orders import OrderLine
from server.infra.csvtext import BOM, csv_rows
from server.infra.ids import iso

COLUMNS = ("order_id", "created_at", "status", "paid_at", "shipped_at", "delivered_at", "cancelled_at",
           "refunded_at", "cancel_reason", "buyer_name", "buyer_email", "address_line1", "address_line2",
           "postal_code", "city", "country", "product_id", "product", "brand", "variant", "sku", "quantity",
           "unit_price", "discount", "total", "currency", "voucher", "show_id", "store_id", "payment_provider",
           "payment_ref", "carrier", "tracking_number")
# ISO 4217 currencies without minor units; every other one has two
ZERO_DECIMALS = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
                           "VUV", "XAF", "XOF", "XPF"})


def decimal(amount: int, currency: str) -> str:
    """Minor units as a decimal number of the currency: 18900 EUR → 189.00, 500 JPY → 500."""
    if currency in ZERO_DECIMALS:
        return str(amount)
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole}.{cents:02d}"


def order_row(line: OrderLine) -> list[Any]:
    o, address = line.order, line.order.address or {}
    return [o.id, iso(o.created_at), o.status, iso(o.paid_at), iso(o.shipped_at), iso(o.delivered_at),
            iso(o.cancelled_at), iso(o.refunded_at), o.cancel_reason, o.buyer_name, o.buyer_email,
            address.get("line1"), address.get("line2"), address.get("postal_code"), address.get("city"),
            address.get("country"), o.product_id, line.product.title if line.product else "",
            line.product.brand if line.product else "", line.variant.label if line.variant else "",
            line.variant.sku if line.variant else "", o.quantity, decimal(o.unit_amount, o.currency),
            decimal(o.discount_amount, o.currency), decimal(o.total_amount, o.currency), o.currency,
            line.voucher_code, o.show_id, line.store_id, o.payment_provider, o.payment_ref, o.carrier,
            o.tracking_number]


async def orders_csv(pages: AsyncIterator[list[OrderLine]]) -> AsyncIterator[bytes]:
    """The header, then each page of orders as it is read: the file streams, however many orders there are."""
    yield (BOM + csv_rows([COLUMNS])).encode()
    async for lines in pages:
        yield csv_rows(order_row(line) for line in lines).encode()
