"""Shows: create, read, go live, end, the timeline and live sales. (Pinning, chat moderation and deals are
the routes of their live interactions, in live/interactions/.)"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.infra.http import JSONResponse, body, path_id
from server.models import ShowIn
from server.web.common import bearer, services


async def create_show(request: Request) -> Response:
    """
    summary: Create a show with its products (host, admin); the caller is its host.
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ShowIn'}}}}
    responses: {201: {description: the show}, 403: {description: forbidden}, 422: {description: unknown_product}}
    """
    principal = await bearer(request)
    data = await body(request, ShowIn)
    return JSONResponse(await services(request).shows.create(principal=principal, data=data), status_code=201)


async def get_show(request: Request) -> Response:
    """
    summary: A show, its status, host, pinned product, viewers and products.
    responses: {200: {description: the show}, 404: {description: show_not_found}}
    """
    return JSONResponse(await services(request).shows.get(show_id=path_id(request, "show_id")))


async def start_show(request: Request) -> Response:
    """
    summary: Go live (the show's host, admin).
    responses: {200: {description: the show}, 403: {description: not_show_host}, 409: {description: show_ended}}
    """
    principal = await bearer(request)
    return JSONResponse(await services(request).shows.start(principal=principal, show_id=path_id(request, "show_id")))


async def end_show(request: Request) -> Response:
    """
    summary: End the show (the show's host, admin).
    responses: {200: {description: the show}, 403: {description: not_show_host}}
    """
    principal = await bearer(request)
    return JSONResponse(await services(request).shows.end(principal=principal, show_id=path_id(request, "show_id")))


async def timeline(request: Request) -> Response:
    """
    summary: Every start, pin, unpin and end of the show with its time.
    responses: {200: {description: '{items: [{kind, product_id, at}]}'}}
    """
    return JSONResponse({"items": await services(request).shows.timeline(show_id=path_id(request, "show_id"))})


async def show_sales(request: Request) -> Response:
    """
    summary: Live sales of a show (its host, admin) - orders, units, revenue, buyers, viewers, conversion.
    responses: {200: {description: '{orders, units, revenue, buyers, viewers, conversion}'}}
    """
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
