"""Seller and host tools: which hosts sell a seller's products, flash deals, vouchers, live sales."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.models.commerce import DealIn, GrantIn, VoucherIn
from server.web.common import bearer, body, path_id, services
from server.web.errors import JSONResponse


async def list_hosts(request: Request) -> Response:
    """
    summary: Hosts allowed to sell this seller's products (seller).
    responses: {200: {description: '{host_ids: []}'}}
    """
    return JSONResponse({"host_ids": await services(request).catalog.hosts(principal=bearer(request))})


async def grant_host(request: Request) -> Response:
    """
    summary: Let a host carry this seller's products in its shows (seller).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/GrantIn'}}}}
    responses: {200: {description: '{host_ids: []}'}, 422: {description: host_not_found}}
    """
    principal = bearer(request)
    data = await body(request, GrantIn)
    return JSONResponse({"host_ids": await services(request).catalog.grant(principal=principal, host_id=data.host_id)})


async def revoke_host(request: Request) -> Response:
    """
    summary: Stop a host from carrying this seller's products in new shows (seller).
    responses: {200: {description: '{host_ids: []}'}}
    """
    principal = bearer(request)
    ids = await services(request).catalog.revoke(principal=principal, host_id=path_id(request, "host_id"))
    return JSONResponse({"host_ids": ids})


async def start_deal(request: Request) -> Response:
    """
    summary: Start a flash deal on the pinned product (the show's host, admin); viewers get deal.started.
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/DealIn'}}}}
    responses: {201: {description: the deal}, 409: {description: 'deal_running, show_not_live'},
                422: {description: 'product_not_pinned, deal_not_cheaper'}}
    """
    principal = bearer(request)
    data = await body(request, DealIn)
    deal = await services(request).deals.start(principal=principal, show_id=path_id(request, "show_id"), data=data)
    return JSONResponse(deal, status_code=201)


async def end_deal(request: Request) -> Response:
    """
    summary: End a running deal now (the show's host, admin); viewers get deal.ended.
    responses: {200: {description: the deal}}
    """
    principal = bearer(request)
    deal = await services(request).deals.stop(principal=principal, show_id=path_id(request, "show_id"),
                                              deal_id=path_id(request, "deal_id"))
    return JSONResponse(deal)


async def show_sales(request: Request) -> Response:
    """
    summary: Live sales of a show (its host, admin) - orders, units, revenue, buyers, viewers, conversion.
    responses: {200: {description: '{orders, units, revenue, buyers, viewers, conversion}'}}
    """
    principal = bearer(request)
    return JSONResponse(await services(request).shows.sales(principal=principal, show_id=path_id(request, "show_id")))


async def create_voucher(request: Request) -> Response:
    """
    summary: Create a voucher code (seller, admin).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/VoucherIn'}}}}
    responses: {201: {description: the voucher}, 409: {description: voucher_code_taken}}
    """
    principal = bearer(request)
    data = await body(request, VoucherIn)
    return JSONResponse(await services(request).vouchers.create(principal=principal, data=data), status_code=201)


async def list_vouchers(request: Request) -> Response:
    """
    summary: This seller's vouchers (seller, admin).
    responses: {200: {description: '{items: [voucher]}'}}
    """
    return JSONResponse({"items": await services(request).vouchers.mine(principal=bearer(request))})


routes = [
    Route("/api/sellers/me/hosts", list_hosts, methods=["GET"]),
    Route("/api/sellers/me/hosts", grant_host, methods=["POST"]),
    Route("/api/sellers/me/hosts/{host_id}", revoke_host, methods=["DELETE"]),
    Route("/api/shows/{show_id}/deals", start_deal, methods=["POST"]),
    Route("/api/shows/{show_id}/deals/{deal_id}/end", end_deal, methods=["POST"]),
    Route("/api/shows/{show_id}/sales", show_sales, methods=["GET"]),
    Route("/api/vouchers", create_voucher, methods=["POST"]),
    Route("/api/vouchers", list_vouchers, methods=["GET"]),
]
