from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.errors import Conflict, DomainError, InvalidInput, NotFound
from server.models.commerce import OrderIn
from server.web.common import bearer, body, optional_bearer, path_id, read_limited, services
from server.web.errors import JSONResponse


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
                                               principal=optional_bearer(request))
    return JSONResponse(order)


async def list_orders(request: Request) -> Response:
    """
    summary: The seller's orders, newest first (seller, admin).
    responses: {200: {description: '{items: [order]}'}}
    """
    return JSONResponse({"items": await services(request).orders.for_seller(principal=bearer(request))})


def transition(to: str) -> object:
    async def endpoint(request: Request) -> Response:
        principal = bearer(request)
        order = await services(request).orders.transition(order_id=path_id(request, "order_id"), to=to,
                                                           principal=principal)
        return JSONResponse(order)

    endpoint.__doc__ = f"""
    summary: Move the order to {to} (its seller, admin).
    responses: {{200: {{description: the order}}, 409: {{description: invalid_transition}}}}
    """
    return endpoint


async def webhook(request: Request) -> Response:
    """
    summary: Payment provider webhook (Standard Webhooks signature); replays change nothing.
    responses: {200: {description: '{status: applied|duplicate|unknown_payment}'},
                400: {description: 'bad_signature, webhook_too_old'}}
    """
    s = services(request)
    if request.path_params["provider"] != s.payments.name:
        raise NotFound("no such payment provider", code="provider_not_found")
    raw = await read_limited(request, 64 * 1024)
    return JSONResponse(await s.webhooks.receive(headers=dict(request.headers), body=raw))


async def sandbox_pay(request: Request) -> Response:
    """
    summary: The sandbox checkout's buttons; the sandbox then sends its signed webhook.
    requestBody: {content: {application/json: {schema: {type: object, properties: {outcome: {enum: [succeeded,
                  failed]}}}}}}
    responses: {200: {description: '{status (the order''s, after), order_id, order_url, webhook}'},
                409: {description: payment_not_pending}, 415: {description: unsupported_media_type}}
    """
    s = services(request)
    if s.sandbox is None:
        raise NotFound("the sandbox payment provider is off", code="provider_not_found")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        # a plain cross-site form cannot send JSON: nobody can pay or fail someone else's order from elsewhere
        raise DomainError("send application/json", code="unsupported_media_type", status=415)
    raw = await read_limited(request, 1024)
    try:
        outcome = orjson.loads(raw).get("outcome") if raw else None
    except (orjson.JSONDecodeError, AttributeError):
        outcome = None
    if outcome not in ("succeeded", "failed"):
        raise InvalidInput("outcome is succeeded or failed", code="invalid_outcome")
    ref = path_id(request, "ref")
    order = await s.orders.by_payment_ref(ref=ref)
    if order["status"] != "pending":
        raise Conflict(f"this payment is no longer pending: the order is {order['status']}",
                       code="payment_not_pending")
    headers, payload = s.sandbox.signed_delivery(ref=order["payment_ref"], outcome=outcome,
                                                  amount=order["amount"], currency=order["currency"])
    receipt = await s.webhooks.receive(headers=headers, body=payload)
    after = await s.orders.by_payment_ref(ref=ref, with_url=True)
    return JSONResponse({"status": after["status"], "order_id": after["order_id"], "order_url": after["order_url"],
                         "webhook": receipt["status"]})


async def sandbox_info(request: Request) -> Response:
    """
    summary: What the sandbox checkout page shows (the amount and the order's status).
    responses: {200: {description: '{amount, currency, status, order_id, order_url}'}}
    """
    s = services(request)
    return JSONResponse(await s.orders.by_payment_ref(ref=path_id(request, "ref"), with_url=True))


routes = [
    Route("/api/orders", place_order, methods=["POST"]),
    Route("/api/orders", list_orders, methods=["GET"]),
    Route("/api/orders/{order_id}", get_order, methods=["GET"]),
    Route("/api/orders/{order_id}/ship", transition("shipped"), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/orders/{order_id}/deliver", transition("delivered"), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/orders/{order_id}/cancel", transition("cancelled"), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/orders/{order_id}/refund", transition("refunded"), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/payments/{provider}/webhook", webhook, methods=["POST"]),
    Route("/api/pay/sandbox/{ref}", sandbox_info, methods=["GET"]),
    Route("/api/pay/sandbox/{ref}", sandbox_pay, methods=["POST"]),
]
