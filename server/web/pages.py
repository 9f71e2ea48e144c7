"""The pages in static/: one HTML file per page; the page reads its ids from the URL. A path that leads nowhere
gets static/404.html when a browser asks (the JSON error otherwise)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.errors import NotFound
from server.live.ws import VIEWER_COOKIE
from server.services import Services

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


Exists = Callable[[Services, str], Awaitable[bool]]


async def show_exists(services: Services, show_id: str) -> bool:
    return await services.shows.exists(show_id=show_id)


async def store_exists(services: Services, store_id: str) -> bool:
    return await services.stores.exists(store_id=store_id)


def page(relative: str, *, of: tuple[str, Exists] | None = None) -> object:
    """The page's HTML. `of` names the path parameter and the check of what the page shows: for a show or a
    store that does not exist, the same page answers 404 (it says so itself, with a link home), so that a
    browser, a crawler or a link checker is told what a person sees."""
    async def endpoint(request: Request) -> Response:
        services: Services = request.app.state.services
        path = services.settings.static_dir / relative
        if not path.is_file():
            raise NotFound("this page is not installed", code="page_missing")
        status = 200
        if of is not None and not await of[1](services, request.path_params[of[0]]):
            status = 404
        response = FileResponse(path, status_code=status, headers={"cache-control": "no-cache"})
        if VIEWER_COOKIE not in request.cookies:  # the browser, for the chat's mutes (live/interactions/chat)
            response.set_cookie(VIEWER_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400, httponly=True,
                                samesite="lax", secure=request.url.scheme == "https")
        return response

    return endpoint


def html(path: str, relative: str, *, of: tuple[str, Exists] | None = None) -> Route:
    return Route(path, page(relative, of=of), methods=["GET"], include_in_schema=False)  # type: ignore[arg-type]


def routes(static_dir: Path) -> list[BaseRoute]:
    show, store = ("show_id", show_exists), ("store_id", store_exists)
    return [
        html("/", "index.html"),
        html("/watch/{show_id}", "player/index.html", of=show),
        html("/host/{show_id}", "host/index.html", of=show),
        html("/orders/{order_id}", "order/index.html"),
        html("/pay/sandbox/{ref}", "pay/index.html"),
        html("/claim/{token}", "claim/index.html"),  # a giveaway winner's claim link
        html("/giveaways/{giveaway_id}/proof", "proof/index.html"),
        html("/stores/{store_id}/screen", "store/screen.html", of=store),
        html("/stores/{store_id}/labels", "store/labels.html", of=store),
        html("/stores/{store_id}/stats", "store/stats.html", of=store),
        html("/studio", "studio/index.html"),
        Mount("/static", app=StaticFiles(directory=static_dir, check_dir=False), name="static"),
    ]
