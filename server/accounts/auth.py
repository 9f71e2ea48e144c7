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
from server.accounts.links import AccountLinks
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


def viewer_signer(secret_key: str) -> URLSafeSerializer:
    """What signs a viewer id into the snapshot's `you.viewer_token` (and reads it back): the server's secret."""
    return URLSafeSerializer(secret_key, salt="vitrine.viewer")


class Auth:
    def __init__(self, *, db: Database, bus: Bus, secret_key: str, token_ttl_s: int, max_failures: int = 5,
                 window_s: int = 900, publisher: Publisher | None = None,
                 internal_domains: tuple[str, ...] = ()) -> None:
        self.db = db
        self.bus = bus
        self.versions = TokenVersions(db=db, bus=bus, publisher=publisher or Publisher(bus=bus))
        self.links = AccountLinks(db=db, secret_key=secret_key)  # the mailed links that set a password
        self._devices = URLSafeTimedSerializer(secret_key, salt="vitrine.device")
        self.secret_key = secret_key
        self.token_ttl_s = token_ttl_s
        self.max_failures = max_failures
        self.window_s = window_s
        self._viewers = viewer_signer(secret_key)
        self.internal_domains = internal_domains  # INTERNAL_EMAIL_DOMAINS: reserved names an operator uses

    async def create_user(self, *, email: str, password: str | None, role: str, name: str | None = None) -> User:
        """An account; with no password, one that cannot sign in until it chooses one from an invitation."""
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
        email = account_email(email, internal_domains=self.internal_domains)
        password_hash = "" if password is None else await _hash(password)
        user = User(id=new_id("usr"), email=email, password_hash=password_hash, role=role,
                    name=(name or email.split("@")[0])[:100], created_at=utcnow())
        async with self.db.session() as session:
            session.add(user)
            try:
                await session.commit()
            except IntegrityError:
                raise Conflict(f"an account with the email {email} exists", code="email_taken") from None
        return user

    async def create_account(self, *, principal: Principal, email: str, password: str | None, role: str,
                             name: str | None = None) -> User:
        """An admin creates an account with a role and a first password, or none (it is then invited)."""
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
        return self.issue(user), user, self.device_token(user)

    def device_token(self, user: User) -> str:
        """What a device keeps once its owner signed in on it: it lets that device past the account's backoff."""
        return self._devices.dumps(user.id)

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
        _check(new)
        async with self.db.session() as session:
            user = await session.get(User, principal.id)
        if user is None or not await asyncio.to_thread(_verify, user.password_hash, current):
            raise Unauthorized("the current password is wrong", code="bad_credentials")
        user = await self._change(principal.id, password_hash=await _hash(new))
        return self.issue(user)

    async def password_from_link(self, *, token: str, purpose: str, password: str) -> tuple[str, User]:
        """The password a mailed link (an invitation, a reset) lets its account choose: the link is used up, the
        account's other links and every token it held stop working, and the answer is a sign-in (a token)."""
        new_hash = await _hash(password)
        user = await self._change(None, link=(token, purpose), password_hash=new_hash)
        return self.issue(user), user

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

    async def _change(self, user_id: str | None, *, link: tuple[str, str] | None = None, **values: object) -> User:
        """Changes the account and raises its token version, in one transaction with taking the mailed `link`
        (token, purpose) when there is one: the link names the account then, which must not be suspended."""
        async with self.db.session() as session:
            if link is not None:
                user_id = await self.links.take(session, token=link[0], purpose=link[1])
            where = [col(User.id) == user_id] + ([col(User.suspended_at).is_(None)] if link else [])
            row = (await session.exec(
                sa.update(User).where(*where)
                .values(token_version=col(User.token_version) + 1, **values)
                .returning(col(User.id))
            )).first()
            if row is None and link is not None:
                raise Forbidden("this account is suspended: ask an admin", code="account_suspended")
            if row is None:
                raise NotFound(f"no account {user_id}", code="user_not_found")
            await session.commit()
            user = await session.get(User, user_id, populate_existing=True)
        assert user is not None and user_id is not None
        await self.versions.changed(user_id)
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


def _check(password: str) -> None:
    """An account's one password rule: 8 characters at least."""
    if len(password) < 8:
        raise InvalidInput("the password needs at least 8 characters", code="weak_password")


async def _hash(password: str) -> str:
    """The argon2 hash of a new password that keeps the rule."""
    _check(password)
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
