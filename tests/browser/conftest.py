"""The browser tests' fixtures: Debian's Chromium driven by Playwright, pages opened in fresh contexts that
fail the test on any uncaught script error or dialog (their constants and helpers: tests/support/browser.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, WAIT_MS, OpenPage
from tests.support.processes import ServerProcess

# every expectation waits as long as an action: with two test workers and Chromium on two cores, 5 s is short
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{CHROMIUM} is missing: in CI the browser tests must run")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def web_base_url(demo_server: tuple[ServerProcess, dict[str, str]]) -> str:
    """The server the pages are opened on: the demo server (a test module may override this fixture)."""
    server, _ = demo_server
    return server.base_url


@pytest.fixture
def open_page(browser: Browser, web_base_url: str) -> Iterator[OpenPage]:
    """Opens a path of the demo server in a fresh browser context (its own storage: another person).
    Any uncaught script error or dialog on any page fails the test."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_(path: str | None, *, locale: str = "en-US", viewport: ViewportSize = PHONE,
              script: str | None = None, user_agent: str | None = None, timezone: str | None = None) -> Page:
        phone = min(viewport["width"], viewport["height"]) < 600  # a phone held either way
        context = browser.new_context(base_url=web_base_url, locale=locale, viewport=viewport, is_mobile=phone,
                                      has_touch=phone, device_scale_factor=2 if phone else 1,
                                      **({"user_agent": user_agent} if user_agent else {}),
                                      **({"timezone_id": timezone} if timezone else {}))
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        if script:
            context.add_init_script(script)
        page = context.new_page()

        def on_dialog(dialog: Dialog) -> None:
            errors.append(f"{page.url}: a dialog opened: {dialog.message}")
            dialog.dismiss()

        def on_console(message: ConsoleMessage) -> None:
            # what the Content-Security-Policy refused: the page would be broken in production
            if message.type == "error" and "Content Security Policy" in message.text:
                errors.append(f"{page.url}: {message.text}")

        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.on("console", on_console)
        page.on("dialog", on_dialog)
        if path is not None:
            page.goto(path)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors
