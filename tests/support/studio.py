"""The studio's browser helpers: a demo server with the settings a studio test needs, open /studio signed in as
an account through its own sign-in form, a photo to upload."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.browser import OpenPage, token_for
from tests.support.processes import ServerProcess, seed_demo, start_server


@contextmanager
def demo_with(tmp_path: Path, **env: str) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """The demo, seeded and served on SQLite and the in-process bus, with `env` on top (OUTBOX_DIR, MEDIA_DIR…)."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", "SECRET_KEY": secrets.token_hex(24),
           "REDIS_URL": "", **env}
    demo = seed_demo(env)
    server = start_server(env, log_dir=tmp_path)
    try:
        yield server, demo
    finally:
        server.stop()


def photo_png() -> bytes:
    """A 640 by 480 PNG, two colours: a photo to upload."""
    image = Image.new("RGB", (640, 480), (230, 190, 160))
    image.paste((40, 60, 120), (0, 0, 320, 480))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def sign_in_studio(page: Page, email: str, password: str) -> None:
    """Fills the studio's sign-in form (open on `page`) and waits for the navigation of the signed-in user."""
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("studio-nav")).to_be_visible()


def open_studio(open_page: OpenPage, route: str = "#/", *, email: str, password: str, **options: Any) -> Page:
    """A fresh browser (another person) on /studio<route>, signed in as `email`; `options` go to open_page
    (locale, viewport…). The route's section is showing when this returns."""
    page = open_page(f"/studio{route}", **options)
    sign_in_studio(page, email, password)
    return page


def api_token(base_url: str, email: str, password: str) -> dict[str, str]:
    """The Authorization header of a sign-in, for a test's own API calls."""
    return token_for(base_url, email, password)
