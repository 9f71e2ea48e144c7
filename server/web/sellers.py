"""A seller's tools: which hosts may sell its products, and its vouchers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.infra.http import JSONResponse, body, path_id
from server.models.commerce import GrantIn, VoucherIn
from server.web.common import bearer, services


async def list_hosts(request: Request) -> Response:
    """
    summary: Hosts allowed to sell this seller's products (seller).
    responses: {200: {description: '{host_ids: []}'}}
    """
    return JSONResponse({"host_ids": await services(request).grants.hosts(principal=await bearer(request))})


async def grant_host(request: Request) -> Response:
    """
    summary: Let a host carry this seller's products in its shows (seller).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/GrantIn'}}}}
    responses: {200: {description: '{host_ids: []}'}, 422: {description: host_not_found}}
    """
    principal = await bearer(request)
    data = await body(request, GrantIn)
    return JSONResponse({"host_ids": await services(request).grants.grant(principal=principal, host_id=data.host_id)})


async def revoke_host(request: Request) -> Response:
    """
    summary: Stop a host from carrying this seller's products in new shows (seller).
    responses: {200: {description: '{host_ids: []}'}}
    """
    principal = await bearer(request)
    ids = await services(request).grants.revoke(principal=principal, host_id=path_id(request, "host_id"))
    return JSONResponse({"host_ids": ids})


async def create_voucher(request: Request) -> Response:
    """
    summary: Create a voucher code (seller, admin).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/VoucherIn'}}}}
    responses: {201: {description: the voucher}, 409: {description: voucher_code_taken}}
    """
    principal = await bearer(request)
    data = await body(request, VoucherIn)
    return JSONResponse(await services(request).vouchers.create(principal=principal, data=data), status_code=201)


async def list_vouchers(request: Request) -> Response:
    """
    summary: This seller's vouchers (seller, admin).
    responses: {200: {description: '{items: [voucher]}'}}
    """
    return JSONResponse({"items": await services(request).vouchers.mine(principal=await bearer(request))})


routes = [
    Route("/api/sellers/me/hosts", list_hosts, methods=["GET"]),
    Route("/api/sellers/me/hosts", grant_host, methods=["POST"]),
    Route("/api/sellers/me/hosts/{host_id}", revoke_host, methods=["DELETE"]),
    Route("/api/vouchers", create_voucher, methods=["POST"]),
    Route("/api/vouchers", list_vouchers, methods=["GET"]),
]
