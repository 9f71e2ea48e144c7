"""The pages in static/: one HTML file per page; the page reads its ids from the URL."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.errors import NotFound
from server.live.ws import VIEWER_COOKIE


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
