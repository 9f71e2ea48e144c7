"""The studio's browser helpers: open /studio signed in as an account, through its own sign-in form."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.support.browser import OpenPage, token_for


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
