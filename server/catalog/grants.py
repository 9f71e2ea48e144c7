"""Which hosts may sell a seller's products in their shows."""

from __future__ import annotations

from sqlmodel import select

from server.accounts.auth import Principal
from server.errors import InvalidInput
from server.infra.db import Database
from server.infra.sql import fetch, insert_ignore
from server.models import User
from server.models.commerce import SellerHost


class Grants:
    def __init__(self, *, db: Database) -> None:
        self.db = db

    async def grant(self, *, principal: Principal, host_id: str) -> list[str]:
        principal.require("seller")
        async with self.db.session() as session:
            host = await fetch(session, User, host_id)
            if host is None or host.role not in ("host", "admin"):
                raise InvalidInput(f"no host {host_id}", code="host_not_found")
            await insert_ignore(session, SellerHost, {"seller_id": principal.id, "host_id": host_id})
            await session.commit()
        return await self.hosts(principal=principal)

    async def revoke(self, *, principal: Principal, host_id: str) -> list[str]:
        principal.require("seller")
        async with self.db.session() as session:
            grant = await session.get(SellerHost, (principal.id, host_id))
            if grant is not None:
                await session.delete(grant)
                await session.commit()
        return await self.hosts(principal=principal)

    async def hosts(self, *, principal: Principal) -> list[str]:
        principal.require("seller")
        async with self.db.session() as session:
            rows = await session.exec(select(SellerHost.host_id).where(SellerHost.seller_id == principal.id))
            return sorted(rows.all())
