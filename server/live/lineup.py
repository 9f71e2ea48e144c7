"""The shows listing (GET /api/shows): filters and keyset pages, the public fields only (a public listing of
shows is built on it). One order: live shows first, the latest started first; then scheduled ones, the soonest
first (one with no time by its creation); then ended ones, the latest ended first; ties by id. A page asks
each status in turn for what it still needs, so each query reads one status in the order of its own key."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import InvalidInput
from server.infra.ids import as_utc, iso
from server.models import Product, Show, ShowProduct, User

STATUSES = ("live", "scheduled", "ended")
_KEYS: dict[str, tuple[Any, bool]] = {  # a status's sort key, and whether the latest comes first
    "live": (sa.func.coalesce(col(Show.started_at), col(Show.created_at)), True),
    "scheduled": (sa.func.coalesce(col(Show.scheduled_at), col(Show.created_at)), False),
    "ended": (sa.func.coalesce(col(Show.ended_at), col(Show.created_at)), True),
}


def encode_cursor(status: str, when: datetime, show_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([status, iso(when), show_id])).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, datetime, str]:
    try:
        status, when, show_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if status not in STATUSES or not isinstance(show_id, str) or not isinstance(when, str):
            raise ValueError(status)
        return status, as_utc(datetime.fromisoformat(when)), show_id
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise InvalidInput("this cursor is not one a page of shows gave", code="invalid_cursor",
                           details=[{"field": "cursor", "message": "not a cursor this listing gave"}]) from None


async def page(session: AsyncSession, *, host_id: str | None, statuses: Sequence[str], limit: int,
               cursor: str | None) -> dict[str, Any]:
    after = decode_cursor(cursor) if cursor else None
    wanted = [s for s in STATUSES if (not statuses or s in statuses)
              and (after is None or STATUSES.index(s) >= STATUSES.index(after[0]))]
    rows: list[tuple[Show, datetime]] = []
    for status in wanted:
        if len(rows) > limit:
            break
        key, latest_first = _KEYS[status]
        query = select(Show, key).where(Show.status == status)
        if host_id is not None:
            query = query.where(Show.host_id == host_id)
        if after is not None and after[0] == status:
            _, when, show_id = after
            beyond = key < when if latest_first else key > when
            query = query.where(sa.or_(beyond, sa.and_(key == when, col(Show.id) > show_id)))
        query = query.order_by(key.desc() if latest_first else key.asc(), col(Show.id)).limit(limit + 1 - len(rows))
        rows += [(show, when) for show, when in (await session.exec(query)).all()]
    more = len(rows) > limit
    rows = rows[:limit]
    shows = [show for show, _ in rows]
    last = rows[-1] if rows else None
    return {"items": await _cards(session, shows),
            "next_cursor": encode_cursor(last[0].status, last[1], last[0].id) if more and last else None}


async def _cards(session: AsyncSession, shows: list[Show]) -> list[dict[str, Any]]:
    """Each show's public fields, its host's name and its products' titles and first image, in two queries."""
    if not shows:
        return []
    ids = [s.id for s in shows]
    names = dict((await session.exec(
        select(User.id, User.name).where(col(User.id).in_({s.host_id for s in shows})))).all())
    products: dict[str, list[dict[str, Any]]] = {}
    for show_id, product_id, title, images in (await session.exec(
        select(ShowProduct.show_id, Product.id, Product.title, Product.images)
        .join(Product, col(Product.id) == ShowProduct.product_id)
        .where(col(ShowProduct.show_id).in_(ids)).order_by(col(ShowProduct.position))
    )).all():
        products.setdefault(show_id, []).append({"id": product_id, "title": title,
                                                 "image": (images or [None])[0]})
    return [{"id": s.id, "title": s.title, "status": s.status,
             "host": {"id": s.host_id, "name": names.get(s.host_id) or ""}, "stream_url": s.stream_url,
             "scheduled_at": iso(s.scheduled_at), "started_at": iso(s.started_at),
             "ended_at": iso(s.ended_at), "buyer_limit": s.buyer_limit, "products": products.get(s.id, [])}
            for s in shows]
