"""The links mailed to set an account's password: an invitation or a reset.

A link's token is its row's id signed with the app's secret under a salt of its purpose, so that a reset token is
no invitation token and no other signed value of the app passes for either. The row (account_links) makes it
single-use and expiring: taking it is one conditional UPDATE, so two clicks at once set one password. A newer link
of the same purpose ends the older ones, and a link taken ends the account's other open links."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import DomainError
from server.infra.db import Database
from server.infra.ids import new_id, utcnow
from server.models.accounts import AccountLink

PURPOSES = ("invitation", "reset")


class LinkRefused(DomainError):
    """`link_invalid` (400: forged, damaged, or of another purpose), `link_expired` or `link_used` (410)."""

    status = 400
    code = "link_invalid"


def _invalid() -> LinkRefused:
    return LinkRefused("this link is not valid: ask for a new one")


class AccountLinks:
    def __init__(self, *, db: Database, secret_key: str) -> None:
        self.db = db
        self._signers = {p: URLSafeSerializer(secret_key, salt=f"vitrine.account-link.{p}") for p in PURPOSES}

    async def issue(self, *, user_id: str, purpose: str, ttl_s: int) -> str:
        """A new link's token; the account's older open links of this purpose stop working."""
        now = utcnow()
        link = AccountLink(id=new_id("lnk"), user_id=user_id, purpose=purpose,
                           expires_at=now + timedelta(seconds=ttl_s))
        async with self.db.session() as session:
            await session.exec(sa.update(AccountLink).where(
                col(AccountLink.user_id) == user_id, col(AccountLink.purpose) == purpose,
                col(AccountLink.used_at).is_(None), col(AccountLink.expires_at) > now).values(expires_at=now))
            session.add(link)
            await session.commit()
        return self._signers[purpose].dumps(link.id)

    def link_id(self, token: str, *, purpose: str) -> str:
        """The link a token names, when its signature holds for this purpose."""
        try:
            value = self._signers[purpose].loads(token)
        except BadSignature:
            raise _invalid() from None
        if not isinstance(value, str):
            raise _invalid()
        return value

    async def take(self, session: AsyncSession, *, token: str, purpose: str) -> str:
        """Marks the link used, in the caller's transaction, and ends the account's other open links; the
        account's id. Refused (LinkRefused) when the link is forged, of another purpose, used or expired."""
        link_id = self.link_id(token, purpose=purpose)
        now = utcnow()
        taken = (await session.exec(sa.update(AccountLink).where(
            col(AccountLink.id) == link_id, col(AccountLink.purpose) == purpose,
            col(AccountLink.used_at).is_(None), col(AccountLink.expires_at) > now,
        ).values(used_at=now).returning(col(AccountLink.user_id)))).first()
        if taken is None:
            link = await session.get(AccountLink, link_id)
            if link is None or link.purpose != purpose:
                raise _invalid()
            if link.used_at is not None:
                raise LinkRefused("this link was used already: sign in, or ask for a new one", code="link_used",
                                  status=410)
            raise LinkRefused("this link has expired (or a newer one replaced it): ask for a new one",
                              code="link_expired", status=410)
        user_id = str(taken[0])
        await session.exec(sa.update(AccountLink).where(
            col(AccountLink.user_id) == user_id, col(AccountLink.id) != link_id,
            col(AccountLink.used_at).is_(None), col(AccountLink.expires_at) > now).values(expires_at=now))
        return user_id
