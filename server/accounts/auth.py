"""Accounts: argon2 password hashes, signed expiring bearer tokens, a limit on failed logins,
and the signed ids that anonymous viewers carry."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import jwt
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from server.accounts.emails import account_email
from server.accounts.tokens import TokenVersions
from server.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthorized
from server.infra.db import Database
from server.infra.ids import new_id, utcnow
from server.models import User
from server.realtime.bus import Bus
from server.realtime.publisher import Publisher

ROLES = ("admin", "seller", "host")
DEVICE_DAYS = 180  # a device an account signed in from stays known this long
BACKOFF_MEMORY_S = 24 * 3600  # failed sign-ins of an account are remembered this long
BACKOFF_MAX_S = 3600  # the longest an account is closed to unknown devices after a failure
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("vitrine-dummy-password")


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    role: str

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    def require(self, *roles: str) -> None:
        if self.role not in roles and not self.admin:
            raise Forbidden(f"this needs the role {' or '.join(roles)}")


class Auth:
    def __init__(self, *, db: Database, bus: Bus, secret_key: str, token_ttl_s: int, max_failures: int = 5,
                 window_s: int = 900, publisher: Publisher | None = None,
                 internal_domains: tuple[str, ...] = ()) -> None:
        self.db = db
        self.bus = bus
        self.versions = TokenVersions(db=db, bus=bus, publisher=publisher or Publisher(bus=bus))
        self._devices = URLSafeTimedSerializer(secret_key, salt="vitrine.device")
        self.secret_key = secret_key
        self.token_ttl_s = token_ttl_s
        self.max_failures = max_failures
        self.window_s = window_s
        self._viewers = URLSafeSerializer(secret_key, salt="vitrine.viewer")
        self.internal_domains = internal_domains  # INTERNAL_EMAIL_DOMAINS: reserved names an operator uses

    async def create_user(self, *, email: str, password: str, role: str, name: str | None = None) -> User:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
        if len(password) < 8:
            raise InvalidInput("the password needs at least 8 characters", code="weak_password")
        email = account_email(email, internal_domains=self.internal_domains)
        password_hash = await asyncio.to_thread(_hasher.hash, password)
        user = User(id=new_id("usr"), email=email, password_hash=password_hash, role=role,
                    name=(name or email.split("@")[0])[:100], created_at=utcnow())
        async with self.db.session() as session:
            session.add(user)
            try:
                await session.commit()
            except IntegrityError:
                raise Conflict(f"an account with the email {email} exists", code="email_taken") from None
        return user

    async def create_account(self, *, principal: Principal, email: str, password: str, role: str,
                             name: str | None = None) -> User:
        """An admin creates an account with a role and a first password."""
        if not principal.admin:
            raise Forbidden("only an admin may create accounts", code="forbidden")
        return await self.create_user(email=email, password=password, role=role, name=name)

    async def login(self, *, email: str, password: str, client: str,
                    device: str | None = None) -> tuple[str, User, str]:
        """A token for the account, and the device token that this browser or app keeps (a cookie for the
        pages). Failed sign-ins are limited per address (20 in the window) and per account with a backoff: after
        5 failures each further one closes the account to unknown devices for twice as long as the last (1, 2,
        4… minutes, an hour at most). The account's limit does not apply to a device its owner signed in from
        before, so that strangers guessing cannot lock the owner out."""
        email = account_email(email, internal_domains=self.internal_domains)
        by_address, failures, closed = f"login-ip:{client}", f"login:{email}", f"login-closed:{email}"
        if await self.bus.count(by_address) >= self.max_failures * 4:
            raise TooManyRequests("too many failed sign-ins from here: try again in a few minutes",
                                  code="too_many_attempts")
        async with self.db.session() as session:
            user = (await session.exec(select(User).where(User.email == email))).first()
        known = user is not None and self.device_of(device) == user.id
        if not known and await self.bus.count(closed) > 0:
            raise TooManyRequests("too many failed sign-ins for this account: try again in a few minutes, or "
                                  "from a device you signed in from before", code="too_many_attempts")
        if not await asyncio.to_thread(_verify, user.password_hash if user else _DUMMY_HASH, password) or user is None:
            await self.bus.hit(by_address, window_s=self.window_s)
            failed = await self.bus.hit(failures, window_s=BACKOFF_MEMORY_S)
            if failed >= self.max_failures:  # closed for 1, 2, 4… minutes after each failure past the limit
                await self.bus.forget(closed)
                await self.bus.hit(closed, window_s=min(BACKOFF_MAX_S, 60 * 2 ** (failed - self.max_failures)))
            raise Unauthorized("wrong email or password", code="bad_credentials")
        await self.bus.forget(failures)
        await self.bus.forget(closed)
        if user.suspended_at is not None:  # told only to whoever knows the password
            raise Forbidden("this account is suspended: ask an admin", code="account_suspended")
        return self.issue(user), user, self._devices.dumps(user.id)

    def device_of(self, device: str | None) -> str | None:
        """The account a device token was given to (it lasts DEVICE_DAYS), None for anything else."""
        if not device or len(device) > 300:
            return None
        try:
            value = self._devices.loads(device, max_age=DEVICE_DAYS * 86400)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def issue(self, user: User) -> str:
        now = int(utcnow().timestamp())
        claims = {"sub": user.id, "role": user.role, "ver": user.token_version, "iat": now,
                  "exp": now + self.token_ttl_s, "typ": "access"}
        return jwt.encode(claims, self.secret_key, algorithm="HS256")

    async def verify(self, token: str) -> Principal:
        """The principal of a valid access token whose account still has the version and role it carries."""
        try:
            claims = jwt.decode(token, self.secret_key, algorithms=["HS256"], options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired: sign in again", code="token_expired") from None
        except jwt.PyJWTError:
            raise Unauthorized("the token is not valid", code="bad_token") from None
        if claims.get("typ") != "access" or claims.get("role") not in ROLES:
            raise Unauthorized("the token is not valid", code="bad_token")
        principal = Principal(id=str(claims["sub"]), role=str(claims["role"]))
        if await self.versions.current(principal.id) != (claims.get("ver", 0), principal.role):
            raise Unauthorized("this sign-in has ended (signed out, new password or new role): sign in again",
                               code="token_revoked")
        return principal

    # --- ending sign-ins ---------------------------------------------------------------------------

    async def sign_out_everywhere(self, *, principal: Principal) -> None:
        """Every token of the account stops working, on every node."""
        await self._change(principal.id)

    async def change_password(self, *, principal: Principal, current: str, new: str) -> str:
        """A new password, checked against the current one; the account's other tokens stop working and the
        caller gets a new one."""
        if len(new) < 8:
            raise InvalidInput("the password needs at least 8 characters", code="weak_password")
        async with self.db.session() as session:
            user = await session.get(User, principal.id)
        if user is None or not await asyncio.to_thread(_verify, user.password_hash, current):
            raise Unauthorized("the current password is wrong", code="bad_credentials")
        new_hash = await asyncio.to_thread(_hasher.hash, new)
        user = await self._change(principal.id, password_hash=new_hash)
        return self.issue(user)

    async def set_role(self, *, principal: Principal, user_id: str, role: str) -> User:
        """An admin gives an account another role; its tokens stop working (a demoted admin's at once)."""
        if not principal.admin:
            raise Forbidden("only an admin may change a role", code="forbidden")
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
        return await self._change(user_id, role=role)

    async def set_suspended(self, *, principal: Principal, user_id: str, suspended: bool) -> User:
        """An admin suspends an account (it may not sign in, and every token it holds stops working at once, on
        every node) or restores it (it signs in again; its old tokens stay ended). An admin cannot suspend
        itself: the last admin would lock everyone out."""
        if not principal.admin:
            raise Forbidden("only an admin may suspend or restore an account", code="forbidden")
        if suspended and user_id == principal.id:
            raise Conflict("an admin cannot suspend its own account", code="cannot_suspend_self")
        return await self._change(user_id, suspended_at=utcnow() if suspended else None)

    async def user(self, *, principal: Principal) -> User:
        """The signed-in account itself."""
        async with self.db.session() as session:
            user = await session.get(User, principal.id)
        if user is None:
            raise Unauthorized("this account no longer exists", code="token_revoked")
        return user

    async def accounts(self, *, principal: Principal) -> list[User]:
        """Every account, newest first, for an admin."""
        if not principal.admin:
            raise Forbidden("only an admin may list the accounts", code="forbidden")
        async with self.db.session() as session:
            return list((await session.exec(select(User).order_by(col(User.created_at).desc()))).all())

    async def _change(self, user_id: str, **values: object) -> User:
        async with self.db.session() as session:
            row = (await session.exec(
                sa.update(User).where(col(User.id) == user_id)
                .values(token_version=col(User.token_version) + 1, **values)
                .returning(col(User.id))
            )).first()
            if row is None:
                raise NotFound(f"no account {user_id}", code="user_not_found")
            await session.commit()
            user = await session.get(User, user_id, populate_existing=True)
        await self.versions.changed(user_id)
        assert user is not None
        return user

    def viewer_token(self, viewer_id: str) -> str:
        return self._viewers.dumps(viewer_id)

    def viewer_id(self, token: str | None) -> str | None:
        if not token or len(token) > 200:
            return None
        try:
            value = self._viewers.loads(token)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
