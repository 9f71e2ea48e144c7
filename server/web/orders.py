"""Orders: quote, place, read, list, the seller's moves (ship, deliver, cancel, refund) and the buyer's
cancel."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from server.commerce.asks import idempotency_key
from server.commerce.exports import orders_csv
from server.infra.http import JSONResponse, body, path_id
from server.infra.ids import utcnow
from server.infra.openapi import operation
from server.models.answers import OrderOut, Orders, QuoteOut
from server.models.commerce import OrderIn, OrdersQuery, QuoteIn, ShipIn
from server.web.common import bearer, optional_bearer, services


@operation("Place an order; the same Idempotency-Key returns the same order", answers={201: OrderOut}, body=OrderIn,
           errors={404: "product_not_found, show_not_found",
                   409: "sold_out, buyer_limit, deal_ended, show_not_live, voucher_exhausted, voucher_limit, "
                        "voucher_expired",
                   422: "invalid_request, idempotency_key_required, invalid_idempotency_key, idempotency_key_reused, "
                        "variant_not_found, product_not_in_show, deal_not_found, voucher_invalid, "
                        "store_item_not_found"},
           headers={"Idempotency-Key": ("a random string of 8 to 100 characters that makes a retry safe", True)})
async def place_order(request: Request) -> Response:
    key = idempotency_key(request.headers.get("idempotency-key"))
    data = await body(request, OrderIn)
    placed = await services(request).orders.place(data=data, key=key)
    headers = {"idempotent-replayed": "true"} if placed.replayed else {}
    return JSONResponse(placed.order, status_code=201, headers=headers)


@operation("What an order would cost before it is placed, its voucher's discount included; nothing is taken. "
           "A refused voucher answers 200 with the price without it and the voucher's `state` (the order's code)",
           answers={200: QuoteOut}, body=QuoteIn,
           errors={404: "product_not_found, show_not_found", 409: "show_not_live, deal_ended",
                   422: "invalid_request, variant_not_found, product_not_in_show, deal_not_found, "
                        "store_item_not_found", 429: "too_many_attempts"})
async def quote(request: Request) -> Response:
    data = await body(request, QuoteIn)
    client = request.client.host if request.client else "unknown"
    return JSONResponse(await services(request).orders.quote(data=data, client=client))


@operation("An order, for its buyer (the order token, `?t=` or `X-Order-Token`), its seller or an admin",
           answers={200: OrderOut},
           errors={401: "order_token_required", 403: "order_token_required", 404: "order_not_found"},
           query={"t": "the order link's token"}, headers={"X-Order-Token": ("the order link's token", False)})
async def get_order(request: Request) -> Response:
    token = request.query_params.get("t") or request.headers.get("x-order-token")
    order = await services(request).orders.get(order_id=path_id(request, "order_id"), token=token,
                                               principal=await optional_bearer(request))
    return JSONResponse(order)


FILTERS = {"status": "one status or several, comma separated (pending, paid, shipped, delivered, cancelled, "
                     "refunded)",
           "show_id": "orders placed in this show", "store_id": "orders placed through this pop-up store's codes",
           "from": "placed on or after: a day YYYY-MM-DD (UTC) or an ISO 8601 instant",
           "to": "placed on or before: a day YYYY-MM-DD (UTC, the whole day) or an ISO 8601 instant"}


@operation("The seller's orders (everyone's for an admin), newest first, filtered, a page at a time",
           answers={200: Orders}, auth="a seller, an admin", errors={422: "invalid_request"},
           query={**FILTERS, "limit": "orders per page, 1 to 200 (50)",
                  "cursor": "the next_cursor of the page before"})
async def list_orders(request: Request) -> Response:
    principal = await bearer(request)
    query = OrdersQuery.of(request.query_params)
    return JSONResponse(await services(request).orders.for_seller(principal=principal, query=query))


@operation("The seller's orders as CSV (one row per order, prices in decimal), with the list's filters",
           answers={200: "text/csv"}, auth="a seller, an admin", errors={422: "invalid_request"}, query=FILTERS)
async def export_orders(request: Request) -> Response:
    principal = await bearer(request)
    query = OrdersQuery.of(request.query_params, paged=False)
    pages = services(request).orders.export(principal=principal, query=query)
    name = f"orders-{utcnow().date().isoformat()}.csv"
    return StreamingResponse(orders_csv(pages), media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": f'attachment; filename="{name}"',
                                      "cache-control": "no-store"})


def transition(to: str) -> object:
    @operation(f"Move the order to {to}", answers={200: OrderOut}, auth="the order's seller, an admin",
               errors={404: "order_not_found", 409: "invalid_transition",
                       **({502: "refund_failed"} if to == "refunded" else {})})
    async def endpoint(request: Request) -> Response:
        principal = await bearer(request)
        order = await services(request).orders.transition(order_id=path_id(request, "order_id"), to=to,
                                                           principal=principal)
        return JSONResponse(order)

    return endpoint


@operation("Ship a paid order, with its parcel's tracking number (and carrier)", answers={200: OrderOut},
           body=ShipIn, auth="the order's seller, an admin",
           errors={404: "order_not_found", 409: "invalid_transition", 422: "invalid_request"})
async def ship_order(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, ShipIn, empty={})
    order = await services(request).orders.ship(order_id=path_id(request, "order_id"), principal=principal,
                                                tracking_number=data.tracking_number, carrier=data.carrier)
    return JSONResponse(order)


@operation("Cancel an order: its buyer (the order token in `X-Order-Token`) while it is not paid, or its seller "
           "or an admin (Authorization)", answers={200: OrderOut},
           errors={401: "order_token_required", 403: "not_order_seller", 404: "order_not_found",
                   409: "invalid_transition, order_paid"},
           headers={"X-Order-Token": ("the order link's token: the buyer cancels an order not paid yet", False)})
async def cancel_order(request: Request) -> Response:
    orders = services(request).orders
    order_id = path_id(request, "order_id")
    token = request.headers.get("x-order-token")
    if token is None and request.headers.get("authorization"):
        return JSONResponse(await orders.transition(order_id=order_id, to="cancelled",
                                                    principal=await bearer(request)))
    return JSONResponse(await orders.cancel_by_buyer(order_id=order_id, token=token))


routes = [
    Route("/api/orders", place_order, methods=["POST"]),
    Route("/api/quotes", quote, methods=["POST"]),
    Route("/api/orders", list_orders, methods=["GET"]),
    Route("/api/orders.csv", export_orders, methods=["GET"]),
    Route("/api/orders/{order_id}", get_order, methods=["GET"]),
    Route("/api/orders/{order_id}/ship", ship_order, methods=["POST"]),
    Route("/api/orders/{order_id}/deliver", transition("delivered"), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/orders/{order_id}/cancel", cancel_order, methods=["POST"]),
    Route("/api/orders/{order_id}/refund", transition("refunded"), methods=["POST"]),  # type: ignore[arg-type]
]
