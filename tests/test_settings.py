from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from server.errors import ConfigError
from server.settings import Settings

STRONG = "Kk091ZbYHgX3nzvxQmgIqGnuUZ-YBSrOZ3b7rYFzQ0w"  # secrets.token_urlsafe(32)


def test_laptop_defaults(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="SECRET_KEY"):
        s = Settings.from_env({"VITRINE_VAR": str(tmp_path)})
    again = Settings.from_env({"VITRINE_VAR": str(tmp_path)})
    assert again.secret_key == s.secret_key, "the development key outlives a restart (QR labels stay valid)"
    assert s.database_url.startswith("sqlite+aiosqlite:///")
    assert s.redis_url is None and not s.production
    assert len(s.secret_key) >= 32
    assert s.origin_allowed("http://127.0.0.1:8000") and s.origin_allowed(None)
    assert not s.origin_allowed("https://evil.example")
    assert s.origin_allowed("http://localhost:9000"), "a dev server on another port"


def test_environment_is_read_and_typed() -> None:
    s = Settings.from_env({"SECRET_KEY": "k" * 32, "REDIS_URL": "redis://r:6379/1", "WS_SEND_QUEUE": "64",
                           "PUBLIC_BASE_URL": "https://shop.example/", "ALLOWED_ORIGINS": "https://a.example, ",
                           "GC_THRESHOLDS": "700,10,10", "WS_PING_S": "25", "WS_PONG_S": "8.5"})
    assert s.redis_url == "redis://r:6379/1" and s.ws_send_queue == 64 and s.gc_thresholds == (700, 10, 10)
    assert (s.ws_ping_s, s.ws_pong_s) == (25.0, 8.5)
    assert s.public_base_url == "https://shop.example"
    assert s.origin_allowed("https://shop.example") and s.origin_allowed("https://a.example")


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"VITRINE_ENV": "production"}, "SECRET_KEY"),
        ({"VITRINE_ENV": "production", "SECRET_KEY": "change-me"}, "SECRET_KEY"),
        ({"VITRINE_ENV": "production", "SECRET_KEY": STRONG}, "ALLOW_SANDBOX_PAYMENTS"),
        # weak keys 0.6.4 took in production, and modes it ran as development
        ({"VITRINE_ENV": "production", "SECRET_KEY": " " * 16}, "SECRET_KEY"),
        ({"VITRINE_ENV": "production", "SECRET_KEY": "a" * 16}, "SECRET_KEY"),
        ({"VITRINE_ENV": "production", "SECRET_KEY": "password12345678"}, "SECRET_KEY"),
        ({"VITRINE_ENV": "production", "SECRET_KEY": "password12345678" * 2}, "SECRET_KEY"),
        ({"VITRINE_ENV": "production", "SECRET_KEY": "s" * 40}, "SECRET_KEY"),
        ({"VITRINE_ENV": "production", "SECRET_KEY": f" {STRONG} "}, "SECRET_KEY"),
        ({"VITRINE_ENV": "Production", "SECRET_KEY": STRONG}, "VITRINE_ENV"),
        ({"VITRINE_ENV": "prod", "SECRET_KEY": STRONG}, "VITRINE_ENV"),
        ({"VITRINE_ENV": "production ", "SECRET_KEY": STRONG}, "VITRINE_ENV"),
        ({"VITRINE_ENV": "test", "SECRET_KEY": STRONG}, "VITRINE_ENV"),
        ({"SECRET_KEY": "k" * 32, "RESERVATION_S": "0"}, "RESERVATION_S"),
        ({"SECRET_KEY": "k" * 32, "REDIS_URL": "http://nope"}, "REDIS_URL"),
        ({"SECRET_KEY": "k" * 32, "WS_SEND_QUEUE": "lots"}, "WS_SEND_QUEUE"),
        ({"SECRET_KEY": "k" * 32, "PUBLIC_BASE_URL": "shop.example"}, "PUBLIC_BASE_URL"),
        ({"SECRET_KEY": "k" * 32, "GC_THRESHOLDS": "10000,10"}, "GC_THRESHOLDS"),
        ({"SECRET_KEY": "k" * 32, "GC_THRESHOLDS": "10000,10,-1"}, "GC_THRESHOLDS"),
        ({"SECRET_KEY": "k" * 32, "WS_PONG_S": "-1"}, "WS_PONG_S"),
        ({"SECRET_KEY": "k" * 32, "WS_PING_S": "often"}, "WS_PING_S"),
    ],
)
def test_refusals_name_the_variable(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        Settings.from_env(env)


def test_production_has_no_localhost_origins() -> None:
    s = Settings.from_env({"VITRINE_ENV": "production", "SECRET_KEY": STRONG, "ALLOW_SANDBOX_PAYMENTS": "true",
                           "PUBLIC_BASE_URL": "https://live.example"})
    assert s.allowed_origins == ("https://live.example",)
    assert not s.origin_allowed("http://localhost:9000")


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(32),
                                  lambda: secrets.token_urlsafe(48)], ids=["base64-32", "hex-32", "base64-48"])
def test_a_random_key_of_32_bytes_is_strong_enough(make: Any) -> None:
    for _ in range(200):  # any such key, not one lucky draw
        key = make()
        s = Settings.from_env({"VITRINE_ENV": "production", "SECRET_KEY": key, "ALLOW_SANDBOX_PAYMENTS": "true"})
        assert s.production and s.secret_key == key
