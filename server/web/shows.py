"""Shows: create, list, read, change while scheduled, go live, end, the timeline and live sales, and the
products a host may put in a show. (Pinning, chat moderation and deals are
the routes of their live interactions, in live/interactions/.)"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.infra.http import JSONResponse, body, path_id
from server.infra.openapi import operation
from server.models import ShowIn, ShowPatch, ShowsQuery
from server.models.answers import Sales, SellableProducts, ShowOut, ShowPage, Timeline
from server.web.common import bearer, optional_bearer, services


@operation("Create a show with its products; the caller is its host", answers={201: ShowOut}, body=ShowIn,
           errors={403: "forbidden, product_not_sellable",
                   422: "invalid_request, unknown_product, schedule_in_past, stream_host_not_allowed"},
           auth="a host, an admin")
async def create_show(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, ShowIn)
    return JSONResponse(await services(request).shows.create(principal=principal, data=data), status_code=201)


@operation("Shows, a page at a time: live ones (latest started first), then scheduled ones (soonest first), then "
           "ended ones (latest ended first); the public fields only", answers={200: ShowPage},
           errors={401: "auth_required (host=me signed out)", 422: "invalid_request, invalid_cursor"},
           query={"host": "`me` (signed in) or a host's id", "status": "scheduled, live, ended: one or several, "
                  "comma-separated", "limit": "1 to 100 (20)", "cursor": "the `next_cursor` of the page before"})
async def list_shows(request: Request) -> Response:
    known = {k: v for k, v in request.query_params.items() if k in ShowsQuery.model_fields and v}  # `?cursor=`: none
    query = ShowsQuery.model_validate(known)
    principal = await optional_bearer(request) if query.host == "me" else None
    return JSONResponse(await services(request).shows.browse(principal=principal, host=query.host,
                                                             statuses=query.status, limit=query.limit,
                                                             cursor=query.cursor))


@operation("Change a scheduled show's title, stream, time, products or buyer limit", answers={200: ShowOut},
           body=ShowPatch, auth="the show's host, an admin",
           errors={403: "not_show_host, product_not_sellable", 404: "show_not_found", 409: "show_not_scheduled",
                   422: "invalid_request, unknown_product, schedule_in_past, stream_host_not_allowed"})
async def update_show(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, ShowPatch)
    return JSONResponse(await services(request).shows.update(principal=principal, data=data,
                                                             show_id=path_id(request, "show_id")))


@operation("The products this host may put in a show (from the sellers who let it), newest first, with their "
           "seller", answers={200: SellableProducts}, auth="a host, an admin")
async def sellable_products(request: Request) -> Response:
    return JSONResponse({"items": await services(request).grants.sellable(principal=await bearer(request))})


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
    Route("/api/shows", list_shows, methods=["GET"]),
    Route("/api/shows/{show_id}", get_show, methods=["GET"]),
    Route("/api/shows/{show_id}", update_show, methods=["PATCH"]),
    Route("/api/hosts/me/products", sellable_products, methods=["GET"]),
    Route("/api/shows/{show_id}/start", start_show, methods=["POST"]),
    Route("/api/shows/{show_id}/end", end_show, methods=["POST"]),
    Route("/api/shows/{show_id}/timeline", timeline, methods=["GET"]),
    Route("/api/shows/{show_id}/sales", show_sales, methods=["GET"]),
]
