"""Which hosts may sell a seller's products in their shows."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from server.accounts.auth import Principal
from server.errors import InvalidInput
from server.infra.db import Database
from server.infra.sql import fetch, insert_ignore
from server.models import User
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
