"""Shows: create, read, go live, end, the timeline and live sales. (Pinning, chat moderation and deals are
the routes of their live interactions, in live/interactions/.)"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.infra.http import JSONResponse, body, path_id
from server.infra.openapi import operation
from server.models import ShowIn
from server.models.answers import Sales, ShowOut, Timeline
from server.web.common import bearer, services


@operation("Create a show with its products; the caller is its host", answers={201: ShowOut}, body=ShowIn,
           errors={403: "forbidden, product_not_sellable", 422: "invalid_request, unknown_product"},
           auth="a host, an admin")
async def create_show(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, ShowIn)
    return JSONResponse(await services(request).shows.create(principal=principal, data=data), status_code=201)


@operation("A show: its status, host, pinned product, viewers, products and running deal", answers={200: ShowOut},
           errors={404: "show_not_found"})
async def get_show(request: Request) -> Response:
    return JSONResponse(await services(request).shows.get(show_id=path_id(request, "show_id")))


@operation("Go live", answers={200: ShowOut}, errors={404: "show_not_found", 409: "show_ended"},
           auth="the show's host, an admin")
async def start_show(request: Request) -> Response:
    principal = await bearer(request)
    return JSONResponse(await services(request).shows.start(principal=principal, show_id=path_id(request, "show_id")))


@operation("End the show", answers={200: ShowOut}, errors={404: "show_not_found"}, auth="the show's host, an admin")
async def end_show(request: Request) -> Response:
    principal = await bearer(request)
    return JSONResponse(await services(request).shows.end(principal=principal, show_id=path_id(request, "show_id")))


@operation("Every start, pin, unpin and end of the show, with its time", answers={200: Timeline},
           errors={404: "show_not_found"})
async def timeline(request: Request) -> Response:
    return JSONResponse({"items": await services(request).shows.timeline(show_id=path_id(request, "show_id"))})


@operation("Live sales of a show: orders, units, revenue, buyers, viewers, conversion", answers={200: Sales},
           errors={404: "show_not_found"}, auth="the show's host, an admin")
async def show_sales(request: Request) -> Response:
    principal = await bearer(request)
    return JSONResponse(await services(request).shows.sales(principal=principal, show_id=path_id(request, "show_id")))


routes = [
    Route("/api/shows", create_show, methods=["POST"]),
    Route("/api/shows/{show_id}", get_show, methods=["GET"]),
    Route("/api/shows/{show_id}/start", start_show, methods=["POST"]),
    Route("/api/shows/{show_id}/end", end_show, methods=["POST"]),
    Route("/api/shows/{show_id}/timeline", timeline, methods=["GET"]),
    Route("/api/shows/{show_id}/sales", show_sales, methods=["GET"]),
]
