"""The pages in static/: one HTML file per page; the page reads its ids from the URL. A path that leads nowhere
gets static/404.html when a browser asks (the JSON error otherwise)."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.errors import NotFound
from server.live.ws import VIEWER_COOKIE

NOT_FOUND_PAGE = "404.html"


def wants_page(request: Request) -> bool:
    """A browser asking for a page: its Accept names text/html, on a path outside /api (which answers JSON)."""
    path = request.url.path
    return not (path == "/api" or path.startswith("/api/")) and "text/html" in request.headers.get("accept", "")


def not_found_page(request: Request) -> Response | None:
    """The HTML page "this page does not exist" (404, a link home) for a browser; None for an API client, or
    when the pages are not installed: the JSON error answers then."""
    if not wants_page(request):
        return None
    static_dir: Path = request.app.state.services.settings.static_dir
    path = static_dir / NOT_FOUND_PAGE
    if not path.is_file():
        return None
    return FileResponse(path, status_code=404, headers={"cache-control": "no-cache"})


def page(relative: str) -> object:
    async def endpoint(request: Request) -> Response:
        static_dir: Path = request.app.state.services.settings.static_dir
        path = static_dir / relative
        if not path.is_file():
            raise NotFound("this page is not installed", code="page_missing")
        response = FileResponse(path, headers={"cache-control": "no-cache"})
        if VIEWER_COOKIE not in request.cookies:  # the browser, for the chat's mutes (live/interactions/chat)
            response.set_cookie(VIEWER_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400, httponly=True,
                                samesite="lax", secure=request.url.scheme == "https")
        return response

    return endpoint


def routes(static_dir: Path) -> list[BaseRoute]:
    return [
        Route("/", page("index.html"), methods=["GET"], include_in_schema=False),  # type: ignore[arg-type]
        Route("/watch/{show_id}", page("player/index.html"), methods=["GET"], include_in_schema=False),  # type: ignore[arg-type]
        Route("/host/{show_id}", page("host/index.html"), methods=["GET"], include_in_schema=False),  # type: ignore[arg-type]
        Route("/orders/{order_id}", page("order/index.html"), methods=["GET"], include_in_schema=False),  # type: ignore[arg-type]
        Route("/pay/sandbox/{ref}", page("pay/index.html"), methods=["GET"], include_in_schema=False),  # type: ignore[arg-type]
        Route("/stores/{store_id}/screen", page("store/screen.html"), methods=["GET"], include_in_schema=False),  # type: ignore[arg-type]
        Route("/stores/{store_id}/labels", page("store/labels.html"), methods=["GET"], include_in_schema=False),  # type: ignore[arg-type]
        Route("/stores/{store_id}/stats", page("store/stats.html"), methods=["GET"], include_in_schema=False),  # type: ignore[arg-type]
        Mount("/static", app=StaticFiles(directory=static_dir, check_dir=False), name="static"),
    ]
