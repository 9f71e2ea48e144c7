"""Passwords chosen from a mailed link: an admin invites an account (it has none until it chooses one), anyone
asks for a reset link. The links are accounts/links.py's; the mails, accounts/letters.py's, sent by the mailer
(infra/mail.py); taking a link is Auth.password_from_link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import select

from server.accounts.auth import Auth, Principal
from server.accounts.emails import account_email
from server.accounts.letters import letter
from server.errors import Conflict, Forbidden, NotFound, TooManyRequests
from server.infra.db import Database
from server.infra.ids import utcnow
from server.infra.mail import Mailer, compose
from server.links import Links
from server.models import User

RESETS_PER_ADDRESS = 10  # reset requests from one client address in RESET_WINDOW_S
RESETS_PER_EMAIL = 3  # reset requests for one email address in RESET_WINDOW_S
RESET_WINDOW_S = 3600


@dataclass(frozen=True, kw_only=True)
class LinkTimes:
    invitation_s: int
    reset_s: int


class Passwords:
    def __init__(self, *, db: Database, auth: Auth, mailer: Mailer, links: Links, sender: str,
                 times: LinkTimes) -> None:
        self.db = db
        self.auth = auth
        self.mailer = mailer
        self.links = links
        self.sender = sender
        self.times = times

    async def invite(self, *, principal: Principal, email: str, role: str, name: str | None = None,
                     lang: str | None = None) -> User:
        """An admin creates an account with no password and mails it an invitation to choose one."""
        user = await self.auth.create_account(principal=principal, email=email, password=None, role=role,
                                              name=name)
        await self._mail_invitation(user, lang)
        return user

    async def reinvite(self, *, principal: Principal, user_id: str, lang: str | None = None) -> User:
        """A new invitation to an account that has not chosen its password yet; the older links stop working."""
        if not principal.admin:
            raise Forbidden("only an admin may invite", code="forbidden")
        async with self.db.session() as session:
            user = await session.get(User, user_id)
        if user is None:
            raise NotFound(f"no account {user_id}", code="user_not_found")
        if user.password_hash:
            raise Conflict("this account has chosen its password already: it can ask for a reset link",
                           code="already_active")
        if user.suspended_at is not None:
            raise Conflict("this account is suspended: restore it first", code="account_suspended")
        await self._mail_invitation(user, lang)
        return user

    async def accept_invitation(self, *, token: str, password: str) -> tuple[str, User]:
        return await self.auth.password_from_link(token=token, purpose="invitation", password=password)

    async def request_reset(self, *, email: str, client: str, lang: str | None = None) -> None:
        """Mails a reset link when the address is an account's that is not suspended; tells nothing either way.
        Limited per client address and per email address (whether or not it is an account's)."""
        email = account_email(email, internal_domains=self.auth.internal_domains)
        bus = self.auth.bus
        if (await bus.hit(f"reset-ip:{client}", window_s=RESET_WINDOW_S) > RESETS_PER_ADDRESS
                or await bus.hit(f"reset:{email}", window_s=RESET_WINDOW_S) > RESETS_PER_EMAIL):
            raise TooManyRequests("too many reset requests: try again later", code="too_many_resets")
        async with self.db.session() as session:
            user = (await session.exec(select(User).where(User.email == email))).first()
        if user is None or user.suspended_at is not None:
            return
        await self._mail(user, "reset", self.times.reset_s, lang)

    async def confirm_reset(self, *, token: str, password: str) -> tuple[str, User]:
        return await self.auth.password_from_link(token=token, purpose="reset", password=password)

    async def _mail_invitation(self, user: User, lang: str | None) -> None:
        await self._mail(user, "invitation", self.times.invitation_s, lang)

    async def _mail(self, user: User, purpose: str, ttl_s: int, lang: str | None) -> None:
        token = await self.auth.links.issue(user_id=user.id, purpose=purpose, ttl_s=ttl_s)
        link = self.links.invitation(token) if purpose == "invitation" else self.links.reset(token)
        until = (utcnow() + timedelta(seconds=ttl_s)).strftime("%Y-%m-%d %H:%M")
        mail = letter(purpose, lang=lang, name=user.name, email=user.email, role=user.role, link=link, until=until)
        await self.mailer.send(compose(sender=self.sender, to=user.email, subject=mail.subject, text=mail.text,
                                       lang=mail.lang))
