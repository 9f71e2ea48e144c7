"""Accounts: argon2 password hashes, signed expiring bearer tokens, a limit on failed logins,
and the signed ids that anonymous viewers carry."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from server.errors import Conflict, Forbidden, InvalidInput, TooManyRequests, Unauthorized
from server.infra.db import Database
from server.infra.ids import new_id, utcnow
from server.models import User
from server.realtime.bus import Bus

ROLES = ("admin", "seller", "host")
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
    def __init__(self, *, db: Database, bus: Bus, secret_key: str, token_ttl_s: int,
                 max_failures: int = 5, window_s: int = 900) -> None:
        self.db = db
        self.bus = bus
        self.secret_key = secret_key
        self.token_ttl_s = token_ttl_s
        self.max_failures = max_failures
        self.window_s = window_s
        self._viewers = URLSafeSerializer(secret_key, salt="vitrine.viewer")

    async def create_user(self, *, email: str, password: str, role: str, name: str | None = None) -> User:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
        if len(password) < 8:
            raise InvalidInput("the password needs at least 8 characters", code="weak_password")
        email = email.strip().lower()
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

    async def login(self, *, email: str, password: str, client: str) -> tuple[str, User]:
        email = email.strip().lower()
        keys = (f"login:{email}", f"login-ip:{client}")
        for key, limit in zip(keys, (self.max_failures, self.max_failures * 4), strict=True):
            if await self.bus.count(key) >= limit:
                raise TooManyRequests("too many failed sign-ins: try again in a few minutes", code="too_many_attempts")
        async with self.db.session() as session:
            user = (await session.exec(select(User).where(User.email == email))).first()
        if not await asyncio.to_thread(_verify, user.password_hash if user else _DUMMY_HASH, password) or user is None:
            for key in keys:
                await self.bus.hit(key, window_s=self.window_s)
            raise Unauthorized("wrong email or password", code="bad_credentials")
        await self.bus.forget(keys[0])
        return self.issue(user), user

    def issue(self, user: User) -> str:
        now = int(utcnow().timestamp())
        claims = {"sub": user.id, "role": user.role, "iat": now, "exp": now + self.token_ttl_s, "typ": "access"}
        return jwt.encode(claims, self.secret_key, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(token, self.secret_key, algorithms=["HS256"], options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired: sign in again", code="token_expired") from None
        except jwt.PyJWTError:
            raise Unauthorized("the token is not valid", code="bad_token") from None
        if claims.get("typ") != "access" or claims.get("role") not in ROLES:
            raise Unauthorized("the token is not valid", code="bad_token")
        return Principal(id=str(claims["sub"]), role=str(claims["role"]))

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
