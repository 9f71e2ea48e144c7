"""Environment -> typed settings, read and checked once at start."""

from __future__ import annotations

import math
import os
import re
import secrets
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from server.errors import ConfigError

REACTION_KINDS: tuple[str, ...] = ("heart", "fire", "clap", "laugh", "wow")
DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./var/vitrine.db"
MODES = ("development", "production")
MIN_SECRET_CHARS = 32
MIN_SECRET_BITS = 128


def strong(secret: str) -> bool:
    """Long enough, and as varied as a random key: at least 128 bits by the Shannon entropy of its own
    characters (32 random bytes in base64 or hex give 190 to 256; `aaaa…`, a word repeated or a row of
    digits give far less)."""
    if len(secret) < MIN_SECRET_CHARS or secret != secret.strip():
        return False
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_char * len(secret) >= MIN_SECRET_BITS


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _at_least(env: dict[str, str], name: str, default: int, minimum: int) -> int:
    value = _int(env, name, default)
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    """A duration where 0 turns the thing off; a negative one is a mistake (a WS_PONG_S of -1 would close
    every socket at its first ping)."""
    value = _float(env, name, default)
    if value < 0:
        raise ConfigError(f"{name} must not be negative (0 turns it off), got {value:g}")
    return value


def _positive(env: dict[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0, got {value:g}")
    return value


def _thresholds(env: dict[str, str], name: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        first, second, third = (int(part) for part in raw.split(","))
    except ValueError:
        raise ConfigError(f"{name} must be three integers, as gc.set_threshold takes them (700,10,10), "
                          f"got {raw!r}") from None
    if first < 0 or second < 0 or third < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return first, second, third


def _dev_secret(folder: Path) -> str:
    """Outside production, a key kept in ./var so that order links and printed QR labels outlive a restart."""
    path = folder / "dev-secret-key"
    try:
        if path.is_file():
            return path.read_text().strip()
        folder.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key)
        path.chmod(0o600)
        warnings.warn(f"SECRET_KEY is not set: using a development key kept in {path}", stacklevel=3)
        return key
    except OSError:
        warnings.warn("SECRET_KEY is not set: using a generated development key", stacklevel=3)
        return secrets.token_urlsafe(32)


def _metrics_token(env: dict[str, str], *, production: bool) -> str | None:
    token = env.get("METRICS_TOKEN") or None
    if token is not None and production and not strong(token):
        raise ConfigError(f"METRICS_TOKEN must be a random secret of {MIN_SECRET_CHARS}+ characters in production")
    return token


def _hosts(env: dict[str, str], name: str) -> tuple[str, ...]:
    hosts = tuple(sorted({h.strip().lower().rstrip(".") for h in env.get(name, "").split(",") if h.strip()}))
    for host in hosts:
        if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+", host):
            raise ConfigError(f"{name} is a comma-separated list of host names (cdn.example.com), got {host!r}")
    return hosts


def _mail_from(env: dict[str, str]) -> str:
    value = env.get("MAIL_FROM") or "Vitrine <no-reply@localhost>"
    if "@" not in value or any(c in value for c in "\r\n"):
        raise ConfigError(f"MAIL_FROM is an address, with a name if you like (Vitrine <no-reply@example.com>), "
                          f"got {value!r}")
    return value


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True, kw_only=True)
class Settings:
    env: str = "development"
    database_url: str = DEFAULT_SQLITE_URL
    redis_url: str | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    public_base_url: str = "http://127.0.0.1:8000"
    allowed_origins: tuple[str, ...] = ()
    token_ttl_s: int = 12 * 3600
    login_max_failures: int = 5
    login_window_s: int = 900
    ws_max_frame_bytes: int = 4096
    ws_send_queue: int = 256
    ws_send_buffer_bytes: int = 256 * 1024
    ws_frames_per_s: float = 30.0
    ws_frames_burst: int = 60
    ws_react_per_s: float = 20.0
    ws_chat_per_s: float = 1.0
    ws_chat_burst: int = 3
    ws_violations_before_close: int = 20
    ws_ping_s: float = 20.0
    ws_pong_s: float = 20.0
    chat_max_chars: int = 280
    chat_history: int = 50
    history_size: int = 1000
    tick_ms: int = 250
    gc_thresholds: tuple[int, int, int] = (10_000, 10, 10)
    reservation_s: int = 600
    db_timeout_s: float | None = 5.0  # None: no limit
    max_connections: int = 0  # per worker; 0: what the open-files limit leaves (server/infra/admission.py)
    request_timeout_s: float = 10.0  # for a request to arrive whole, from its first byte
    redis_timeout_s: float | None = 5.0
    payment_provider: str = "sandbox"
    metrics_token: str | None = None
    internal_email_domains: tuple[str, ...] = ()  # reserved names (corp.local) accounts may use all the same
    media_hosts: tuple[str, ...] = ()  # where product images and streams may come from (empty: any public https)
    media_dir: Path = Path("var/media")  # uploaded images (POST /api/media): a volume every node shares
    media_max_bytes: int = 8 * 1024 * 1024  # an upload's file, at most
    media_max_pixels: int = 40_000_000  # an upload's width x height, at most (a small file may decode huge)
    mail_from: str = "Vitrine <no-reply@localhost>"
    outbox_dir: Path = Path("var/outbox")  # where mail is written (the outbox backend, server/infra/mail.py)
    invitation_ttl_s: int = 7 * 86400  # an invitation link holds this long
    reset_ttl_s: int = 3600  # a password-reset link holds this long
    giveaway_claim_s: int = 172800  # a giveaway's winner has this long to claim, then the prize passes on
    static_dir: Path = Path(__file__).resolve().parent.parent / "static"

    @property
    def production(self) -> bool:
        return self.env == "production"

    def origin_allowed(self, origin: str | None) -> bool:
        """Browsers send Origin; other clients (load tools, SDKs) may not, and are let in.
        Outside production, a page served from this machine on any port is let in too."""
        if origin is None:
            return True
        origin = origin.rstrip("/")
        if "*" in self.allowed_origins or origin in self.allowed_origins:
            return True
        return not self.production and urlsplit(origin).hostname in ("127.0.0.1", "localhost", "::1")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("VITRINE_ENV", "development")
        if mode not in MODES:
            raise ConfigError(f"VITRINE_ENV must be one of {', '.join(MODES)} (exactly), got {mode!r}")
        secret = env.get("SECRET_KEY", "")
        if mode == "production" and not strong(secret):
            raise ConfigError(f"SECRET_KEY must be a random secret of {MIN_SECRET_CHARS}+ characters when "
                              "VITRINE_ENV=production: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'")
        if not secret:
            secret = _dev_secret(Path(env.get("VITRINE_VAR", "var")))
        if env.get("PAYMENT_PROVIDER", "sandbox") == "sandbox" and mode == "production" and env.get(
                "ALLOW_SANDBOX_PAYMENTS", "").lower() not in ("1", "true", "yes"):
            raise ConfigError("PAYMENT_PROVIDER is the test sandbox, which lets anyone with a payment link mark it "
                              "paid: set ALLOW_SANDBOX_PAYMENTS=true to run a test shop in production")
        if env.get("PAYMENT_PROVIDER", "sandbox") != "sandbox":
            raise ConfigError("PAYMENT_PROVIDER: only the built-in sandbox provider ships with this release")
        redis_url = env.get("REDIS_URL") or None
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(f"REDIS_URL must start with redis://, rediss:// or unix://, got {redis_url!r}")
        base = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ConfigError(f"PUBLIC_BASE_URL must be an http(s) URL, got {base!r}")
        origins = {origin_of(base)}
        if mode != "production":
            origins |= {"http://127.0.0.1:8000", "http://localhost:8000"}
        extra = env.get("ALLOWED_ORIGINS", "")
        origins |= {o.strip().rstrip("/") for o in extra.split(",") if o.strip()}
        return cls(
            env=mode,
            database_url=env.get("DATABASE_URL") or DEFAULT_SQLITE_URL,
            redis_url=redis_url,
            secret_key=secret,
            public_base_url=base,
            allowed_origins=tuple(sorted(origins)),
            token_ttl_s=_int(env, "TOKEN_TTL_S", 12 * 3600),
            ws_max_frame_bytes=_int(env, "WS_MAX_FRAME_BYTES", 4096),
            ws_send_queue=_int(env, "WS_SEND_QUEUE", 256),
            ws_send_buffer_bytes=_int(env, "WS_SEND_BUFFER_BYTES", 256 * 1024),
            ws_frames_per_s=_float(env, "WS_FRAMES_PER_S", 30.0),
            ws_frames_burst=_int(env, "WS_FRAMES_BURST", 60),
            ws_react_per_s=_float(env, "WS_REACT_PER_S", 20.0),
            ws_chat_per_s=_float(env, "WS_CHAT_PER_S", 1.0),
            ws_chat_burst=_int(env, "WS_CHAT_BURST", 3),
            ws_violations_before_close=_int(env, "WS_VIOLATIONS_BEFORE_CLOSE", 20),
            ws_ping_s=_seconds(env, "WS_PING_S", 20.0),
            ws_pong_s=_seconds(env, "WS_PONG_S", 20.0),
            chat_max_chars=_int(env, "CHAT_MAX_CHARS", 280),
            history_size=_int(env, "HISTORY_SIZE", 1000),
            tick_ms=_int(env, "TICK_MS", 250),
            gc_thresholds=_thresholds(env, "GC_THRESHOLDS", (10_000, 10, 10)),
            reservation_s=_at_least(env, "RESERVATION_S", 600, 30),
            db_timeout_s=_seconds(env, "DB_TIMEOUT_S", 5.0) or None,
            max_connections=_at_least(env, "MAX_CONNECTIONS", 0, 0),
            request_timeout_s=_positive(env, "REQUEST_TIMEOUT_S", 10.0),
            redis_timeout_s=_seconds(env, "REDIS_TIMEOUT_S", 5.0) or None,
            payment_provider=env.get("PAYMENT_PROVIDER", "sandbox"),
            metrics_token=_metrics_token(env, production=mode == "production"),
            media_hosts=_hosts(env, "MEDIA_HOSTS"),
            media_dir=Path(env.get("MEDIA_DIR") or "var/media"),
            media_max_bytes=_at_least(env, "MEDIA_MAX_BYTES", 8 * 1024 * 1024, 1024),
            media_max_pixels=_at_least(env, "MEDIA_MAX_PIXELS", 40_000_000, 10_000),
            internal_email_domains=_hosts(env, "INTERNAL_EMAIL_DOMAINS"),
            mail_from=_mail_from(env),
            outbox_dir=Path(env.get("OUTBOX_DIR") or Path(env.get("VITRINE_VAR", "var")) / "outbox"),
            invitation_ttl_s=_at_least(env, "INVITATION_TTL_S", 7 * 86400, 60),
            reset_ttl_s=_at_least(env, "RESET_TTL_S", 3600, 60),
            giveaway_claim_s=_at_least(env, "GIVEAWAY_CLAIM_S", 172800, 1),
        )
