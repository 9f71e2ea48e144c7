"""A seller's tools: which hosts may sell its products, and its vouchers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.infra.http import JSONResponse, body, path_id
from server.infra.openapi import operation
from server.models.answers import HostIds, SellerShows, VoucherOut, Vouchers, VoucherUses
from server.models.commerce import GrantIn, VoucherIn
from server.web.common import bearer, services


def _hosts(hosts: list[dict[str, Any]]) -> Response:
    return JSONResponse({"host_ids": sorted(host["id"] for host in hosts), "hosts": hosts})


@operation("Hosts allowed to sell this seller's products", answers={200: HostIds}, auth="a seller")
async def list_hosts(request: Request) -> Response:
    return _hosts(await services(request).grants.hosts(principal=await bearer(request)))


@operation("Let a host, named by its id or its account's email, carry this seller's products in its shows",
           answers={200: HostIds}, body=GrantIn, errors={422: "host_not_found"}, auth="a seller")
async def grant_host(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, GrantIn)
    return _hosts(await services(request).grants.grant(principal=principal, host_id=data.host_id, email=data.email))


@operation("Stop a host from carrying this seller's products in new shows", answers={200: HostIds}, auth="a seller")
async def revoke_host(request: Request) -> Response:
    principal = await bearer(request)
    return _hosts(await services(request).grants.revoke(principal=principal, host_id=path_id(request, "host_id")))


@operation("Create a voucher code", answers={201: VoucherOut}, body=VoucherIn,
           errors={409: "voucher_code_taken", 422: "invalid_request, show_not_found"}, auth="a seller, an admin")
async def create_voucher(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, VoucherIn)
    return JSONResponse(await services(request).vouchers.create(principal=principal, data=data), status_code=201)


@operation("This seller's vouchers", answers={200: Vouchers}, auth="a seller, an admin")
async def list_vouchers(request: Request) -> Response:
    return JSONResponse({"items": await services(request).vouchers.mine(principal=await bearer(request))})


@operation("The orders that used a voucher (those that hold a use: not cancelled or refunded), newest first",
           answers={200: VoucherUses}, errors={404: "voucher_not_found"}, auth="the voucher's seller, an admin")
async def voucher_uses(request: Request) -> Response:
    principal = await bearer(request)
    uses = await services(request).vouchers.uses(principal=principal, code=path_id(request, "code"))
    return JSONResponse({"items": uses})


@operation("The shows that carry this seller's products (every show for an admin), newest first: the orders' show "
           "filter", answers={200: SellerShows}, auth="a seller, an admin")
async def seller_shows(request: Request) -> Response:
    return JSONResponse({"items": await services(request).orders.seller_shows(principal=await bearer(request))})


routes = [
    Route("/api/sellers/me/hosts", list_hosts, methods=["GET"]),
    Route("/api/sellers/me/hosts", grant_host, methods=["POST"]),
    Route("/api/sellers/me/hosts/{host_id}", revoke_host, methods=["DELETE"]),
    Route("/api/sellers/me/shows", seller_shows, methods=["GET"]),
    Route("/api/vouchers", create_voucher, methods=["POST"]),
    Route("/api/vouchers", list_vouchers, methods=["GET"]),
    Route("/api/vouchers/{code}/uses", voucher_uses, methods=["GET"]),
]
