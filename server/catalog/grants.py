"""Which hosts may sell a seller's products in their shows, and which products a host may sell."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from server.accounts.auth import Principal
from server.catalog.products import Catalog
from server.errors import InvalidInput
from server.infra.db import Database
from server.infra.sql import fetch, insert_ignore
from server.models import Product, User
from server.models.commerce import SellerHost

HOST_ROLES = ("host", "admin")


class Grants:
    def __init__(self, *, db: Database) -> None:
        self.db = db

    async def grant(self, *, principal: Principal, host_id: str | None = None,
                    email: str | None = None) -> list[dict[str, Any]]:
        """Let a host, named by its id or by its account's email, carry this seller's products."""
        principal.require("seller")
        async with self.db.session() as session:
            if email is not None:
                query = select(User).where(sa.func.lower(col(User.email)) == email.strip().lower())
                host = (await session.exec(query)).first()
            else:
                host = await fetch(session, User, host_id or "")
            if host is None or host.role not in HOST_ROLES:
                named = email if email is not None else host_id
                raise InvalidInput(f"no host account {named}", code="host_not_found")
            await insert_ignore(session, SellerHost, {"seller_id": principal.id, "host_id": host.id})
            await session.commit()
        return await self.hosts(principal=principal)

    async def revoke(self, *, principal: Principal, host_id: str) -> list[dict[str, Any]]:
        principal.require("seller")
        async with self.db.session() as session:
            grant = await session.get(SellerHost, (principal.id, host_id))
            if grant is not None:
                await session.delete(grant)
                await session.commit()
        return await self.hosts(principal=principal)

    async def hosts(self, *, principal: Principal) -> list[dict[str, Any]]:
        """The hosts allowed, by email: {id, email, name}."""
        principal.require("seller")
        async with self.db.session() as session:
            rows = await session.exec(select(User.id, User.email, User.name)
                                      .join(SellerHost, col(SellerHost.host_id) == col(User.id))
                                      .where(SellerHost.seller_id == principal.id).order_by(col(User.email)))
            return [{"id": id_, "email": email, "name": name} for id_, email, name in rows.all()]

    async def sellable(self, *, principal: Principal, limit: int = 500) -> list[dict[str, Any]]:
        """The products a host may put in a show, newest first, each with its seller's name: those of the
        sellers who let it (an admin: every product)."""
        principal.require("host")
        async with self.db.session() as session:
            query = select(Product.id).order_by(col(Product.created_at).desc(), col(Product.id)).limit(limit)
            if not principal.admin:
                granted = select(SellerHost.seller_id).where(SellerHost.host_id == principal.id)
                query = query.where(sa.or_(col(Product.seller_id).in_(granted), col(Product.seller_id) == principal.id))
            products = await Catalog.load(session, (await session.exec(query)).all())
            names = dict((await session.exec(
                select(User.id, User.name).where(col(User.id).in_({p["seller_id"] for p in products})))).all())
        return [{**p, "seller": {"id": p["seller_id"], "name": names.get(p["seller_id"]) or ""}} for p in products]
