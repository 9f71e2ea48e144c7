"""Offers: a flash deal's price and its cap, as an order takes them inside its own transaction.

The deal itself (started by the host, announced, ended by its time or its pieces) lives with the show, in
live/interactions/deals/; commerce reads and counts its row, and hears nothing of the show."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import Conflict, InvalidInput
from server.infra.ids import as_utc, utcnow
from server.models import Product
from server.models.commerce import Deal


def usable(deal: Deal | None, *, show_id: str | None, product: Product) -> Deal:
    """The deal an order names, as read with the order's other rows, if the order may have it."""
    if deal is None or deal.show_id != show_id or deal.product_id != product.id:
        raise InvalidInput("this deal is not for this product in this show", code="deal_not_found")
    if deal.ended_at is not None or as_utc(deal.ends_at) <= utcnow() or deal.sold >= deal.quantity:
        raise Conflict("the deal has ended", code="deal_ended")
    if deal.currency != product.currency:  # the seller changed the product's currency since
        raise Conflict("the deal has ended: the product's price changed", code="deal_ended")
    return deal


async def claim(session: AsyncSession, *, deal: Deal, quantity: int) -> bool:
    """Take `quantity` of the deal's cap in the order's transaction. True when that was the last."""
    claimed = (await session.exec(
        sa.update(Deal)
        .where(col(Deal.id) == deal.id, col(Deal.ended_at).is_(None), col(Deal.ends_at) > utcnow(),
               col(Deal.sold) + quantity <= col(Deal.quantity))
        .values(sold=col(Deal.sold) + quantity)
        .returning(col(Deal.sold), col(Deal.quantity))
        .execution_options(synchronize_session=False)  # a Deal loaded in the session is read as it was
    )).first()
    if claimed is None:
        raise Conflict("the deal has ended or its pieces are gone", code="deal_ended")
    return bool(claimed[0] >= claimed[1])


async def release(session: AsyncSession, *, deal_id: str, quantity: int) -> None:
    """Give back what a cancelled or refunded order took of the deal's cap."""
    await session.exec(sa.update(Deal).where(col(Deal.id) == deal_id, col(Deal.sold) >= quantity)
                       .values(sold=col(Deal.sold) - quantity))
