"""Orders: place, read, list, and the seller's moves (ship, deliver, cancel, refund)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.errors import InvalidInput
from server.infra.http import JSONResponse, body, path_id
from server.models.commerce import OrderIn
from server.web.common import bearer, optional_bearer, services


async def place_order(request: Request) -> Response:
    """
    summary: Place an order; the same Idempotency-Key returns the same order.
    parameters: [{name: Idempotency-Key, in: header, required: true, schema: {type: string}}]
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/OrderIn'}}}}
    responses: {201: {description: 'the order, with its token and url'},
                409: {description: 'sold_out, buyer_limit, deal_ended, voucher_exhausted'},
                422: {description: invalid_request}}
    """
    key = request.headers.get("idempotency-key")
    if not key:
        raise InvalidInput("send an Idempotency-Key header (a random string) to make retries safe",
                           code="idempotency_key_required")
    data = await body(request, OrderIn)
    placed = await services(request).orders.place(data=data, key=key)
    headers = {"idempotent-replayed": "true"} if placed.replayed else {}
    return JSONResponse(placed.order, status_code=201, headers=headers)


async def get_order(request: Request) -> Response:
    """
    summary: An order, for its buyer (the order token, `?t=` or `X-Order-Token`) or its seller or an admin.
    responses: {200: {description: the order}, 401: {description: order_token_required}}
    """
    token = request.query_params.get("t") or request.headers.get("x-order-token")
    order = await services(request).orders.get(order_id=path_id(request, "order_id"), token=token,
                                               principal=await optional_bearer(request))
    return JSONResponse(order)


async def list_orders(request: Request) -> Response:
    """
    summary: The seller's orders, newest first (seller, admin).
    responses: {200: {description: '{items: [order]}'}}
    """
    return JSONResponse({"items": await services(request).orders.for_seller(principal=await bearer(request))})


def transition(to: str) -> object:
    async def endpoint(request: Request) -> Response:
        principal = await bearer(request)
        order = await services(request).orders.transition(order_id=path_id(request, "order_id"), to=to,
                                                           principal=principal)
        return JSONResponse(order)

    endpoint.__doc__ = f"""
    summary: Move the order to {to} (its seller, admin).
    responses: {{200: {{description: the order}}, 409: {{description: invalid_transition}}}}
    """
    return endpoint


routes = [
    Route("/api/orders", place_order, methods=["POST"]),
    Route("/api/orders", list_orders, methods=["GET"]),
    Route("/api/orders/{order_id}", get_order, methods=["GET"]),
    Route("/api/orders/{order_id}/ship", transition("shipped"), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/orders/{order_id}/deliver", transition("delivered"), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/orders/{order_id}/cancel", transition("cancelled"), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/orders/{order_id}/refund", transition("refunded"), methods=["POST"]),  # type: ignore[arg-type]
]
