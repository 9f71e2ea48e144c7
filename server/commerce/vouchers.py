"""Vouchers: a code worth a percentage or a fixed amount, limited per buyer and in total, valid for
one show or all of a seller's shows (an admin's vouchers work for every seller)."""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from server.infra.db import Database
from server.infra.ids import as_utc, iso, new_id, utcnow
from server.infra.sql import insert_ignore
from server.models import Product, Show
from server.models.commerce import Order, Voucher, VoucherIn, VoucherUse
from server.realtime.bus import Bus

HOLDING = ("pending", "paid", "shipped", "delivered")  # orders that hold a voucher's use


def voucher_public(v: Voucher) -> dict[str, Any]:
    return {"id": v.id, "code": v.code, "kind": v.kind, "value": v.value, "currency": v.currency,
            "max_uses": v.max_uses, "used": v.used, "max_per_buyer": v.max_per_buyer, "show_id": v.show_id,
            "expires_at": iso(v.expires_at)}


def discount_for(voucher: Voucher, subtotal: int) -> int:
    if voucher.kind == "percent":
        return subtotal * voucher.value // 100
    return min(voucher.value, subtotal)


async def single_use_copies(session: AsyncSession, *, voucher_id: str, count: int) -> list[str]:
    """`count` new codes worth what the voucher is worth, each for one use (a quiz's rewards), in the caller's
    transaction. The codes are random (not guessable from one another) and unique by the table's constraint."""
    template = await session.get(Voucher, voucher_id)
    if template is None or count <= 0:
        return []
    codes = ["Q" + secrets.token_hex(6).upper() for _ in range(count)]
    session.add_all(Voucher(id=new_id("vch"), code=c, seller_id=template.seller_id, kind=template.kind,
                            value=template.value, currency=template.currency, max_uses=1, max_per_buyer=1,
                            show_id=template.show_id, expires_at=template.expires_at) for c in codes)
    return codes


class VoucherGuesses:
    """Codes tried from one address that no voucher has: past `limit` in `window_s`, a quote that names a code
    is refused (429), so that nobody learns a shop's codes by trying them one after another. Counted on the
    bus, so over every node."""

    def __init__(self, *, bus: Bus, limit: int = 20, window_s: int = 600) -> None:
        self.bus = bus
        self.limit = limit
        self.window_s = window_s

    async def check(self, client: str) -> None:
        if await self.bus.count(f"voucher-guess:{client}") >= self.limit:
            raise TooManyRequests("too many unknown voucher codes from here: try again in a few minutes",
                                  code="too_many_attempts")

    async def missed(self, client: str) -> None:
        await self.bus.hit(f"voucher-guess:{client}", window_s=self.window_s)


class Vouchers:
    def __init__(self, *, db: Database) -> None:
        self.db = db

    async def create(self, *, principal: Principal, data: VoucherIn) -> dict[str, Any]:
        principal.require("seller")
        voucher = Voucher(id=new_id("vch"), code=data.code, seller_id=None if principal.admin else principal.id,
                          kind=data.kind, value=data.value, currency=data.currency, max_uses=data.max_uses,
                          max_per_buyer=data.max_per_buyer, show_id=data.show_id, expires_at=data.expires_at)
        async with self.db.session() as session:
            if data.show_id and await session.get(Show, data.show_id) is None:
                raise InvalidInput(f"no show {data.show_id}", code="show_not_found")
            session.add(voucher)
            try:
                await session.commit()
            except IntegrityError:
                raise Conflict(f"the code {data.code} is taken", code="voucher_code_taken") from None
        return voucher_public(voucher)

    async def mine(self, *, principal: Principal) -> list[dict[str, Any]]:
        principal.require("seller")
        async with self.db.session() as session:
            query = select(Voucher).order_by(col(Voucher.created_at).desc())
            if not principal.admin:
                query = query.where(Voucher.seller_id == principal.id)
            return [voucher_public(v) for v in (await session.exec(query)).all()]

    async def uses(self, *, principal: Principal, code: str, limit: int = 500) -> list[dict[str, Any]]:
        """The orders that hold a use of this voucher (the `used` count: pending to delivered; a cancel or a
        refund gives its use back), newest first, at most `limit`. Another seller's code is not found."""
        principal.require("seller")
        async with self.db.session() as session:
            voucher = (await session.exec(select(Voucher).where(Voucher.code == code.strip().upper()))).first()
            if voucher is None or not (principal.admin or voucher.seller_id == principal.id):
                raise NotFound(f"no voucher {code[:32]} of yours", code="voucher_not_found")
            orders = (await session.exec(
                select(Order).where(Order.voucher_id == voucher.id, col(Order.status).in_(HOLDING))
                .order_by(col(Order.created_at).desc(), col(Order.id).desc()).limit(limit))).all()
        return [{"order_id": o.id, "created_at": iso(o.created_at), "status": o.status,
                 "discount": {"amount": o.discount_amount, "currency": o.currency},
                 "total": {"amount": o.total_amount, "currency": o.currency}} for o in orders]

    async def quote(self, session: AsyncSession, *, code: str, product: Product, show_id: str | None,
                    subtotal: int) -> tuple[Voucher, int]:
        """The voucher and its discount on this subtotal, or the refusal. The per-buyer limit is counted
        when the order claims it (`claim`), in the order's transaction."""
        voucher = (await session.exec(select(Voucher).where(Voucher.code == code.strip().upper()))).first()
        if voucher is None or (voucher.seller_id is not None and voucher.seller_id != product.seller_id):
            raise InvalidInput("this voucher code does not apply here", code="voucher_invalid")
        if voucher.show_id is not None and voucher.show_id != show_id:
            raise InvalidInput("this voucher is for another show", code="voucher_invalid")
        if voucher.expires_at is not None and as_utc(voucher.expires_at) <= utcnow():
            raise Conflict("this voucher has expired", code="voucher_expired")
        if voucher.kind == "fixed" and voucher.currency != product.currency:
            raise InvalidInput("this voucher is in another currency", code="voucher_invalid")
        if voucher.max_uses is not None and voucher.used >= voucher.max_uses:
            raise Conflict("this voucher has been used up", code="voucher_exhausted")
        return voucher, discount_for(voucher, subtotal)

    async def claim(self, session: AsyncSession, *, voucher: Voucher, buyer_email: str) -> None:
        """Count one use, in total and for the buyer, with conditional updates in the order's transaction.
        A refusal leaves both counts as they were, so the transaction can go on with other orders."""
        used = await session.exec(
            sa.update(Voucher).where(col(Voucher.id) == voucher.id,
                                     or_(col(Voucher.max_uses).is_(None), col(Voucher.used) < col(Voucher.max_uses)))
            .values(used=col(Voucher.used) + 1)
        )
        if used.rowcount != 1:
            raise Conflict("this voucher has been used up", code="voucher_exhausted")
        await insert_ignore(session, VoucherUse, {"voucher_id": voucher.id, "buyer_email": buyer_email, "count": 0})
        limit = voucher.max_per_buyer
        mine = await session.exec(
            sa.update(VoucherUse)
            .where(col(VoucherUse.voucher_id) == voucher.id, col(VoucherUse.buyer_email) == buyer_email,
                   sa.true() if limit is None else col(VoucherUse.count) < limit)
            .values(count=col(VoucherUse.count) + 1)
        )
        if mine.rowcount != 1:
            await session.exec(sa.update(Voucher).where(col(Voucher.id) == voucher.id)
                               .values(used=col(Voucher.used) - 1))
            raise Conflict(f"a buyer may use this voucher {limit} times", code="voucher_limit")

    async def release(self, session: AsyncSession, *, voucher_id: str, buyer_email: str) -> None:
        await session.exec(sa.update(Voucher).where(col(Voucher.id) == voucher_id, col(Voucher.used) > 0)
                              .values(used=col(Voucher.used) - 1))
        await session.exec(
            sa.update(VoucherUse).where(col(VoucherUse.voucher_id) == voucher_id,
                                        col(VoucherUse.buyer_email) == buyer_email, col(VoucherUse.count) > 0)
            .values(count=col(VoucherUse.count) - 1))
