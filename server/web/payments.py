"""Payments: the providers' webhooks, and the sandbox's test checkout page (its data and its buttons)."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.commerce.payments.sandbox import SandboxCheckout
from server.errors import DomainError, InvalidInput, NotFound
from server.infra.http import JSONResponse, path_id, read_limited
from server.infra.openapi import operation
from server.models.answers import SandboxInfo, SandboxPaid, WebhookAnswer
from server.models.commerce import SandboxPayIn
from server.web.common import services


@operation("A payment provider's webhook (Standard Webhooks signature); a replay changes nothing",
           answers={200: WebhookAnswer},
           errors={400: "bad_signature, webhook_too_old, bad_webhook_body",
                   404: "provider_not_found",
                   413: "body_too_large"})
async def webhook(request: Request) -> Response:
    s = services(request)
    if request.path_params["provider"] != s.payments.name:
        raise NotFound("no such payment provider", code="provider_not_found")
    raw = await read_limited(request, 64 * 1024)
    return JSONResponse(await s.webhooks.receive(headers=dict(request.headers), body=raw))


def _sandbox(request: Request) -> SandboxCheckout:
    checkout = services(request).sandbox_checkout
    if checkout is None:
        raise NotFound("the sandbox payment provider is off", code="provider_not_found")
    return checkout


@operation("The sandbox checkout's buttons: the sandbox then sends its signed webhook", answers={200: SandboxPaid},
           body=SandboxPayIn,
           errors={404: "payment_not_found, provider_not_found",
                   409: "payment_not_pending",
                   415: "unsupported_media_type",
                   422: "invalid_outcome"})
async def sandbox_pay(request: Request) -> Response:
    checkout = _sandbox(request)
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
    return JSONResponse(await checkout.pay(ref=path_id(request, "ref"), outcome=outcome))


@operation("What the sandbox checkout page shows", answers={200: SandboxInfo},
           errors={404: "payment_not_found, provider_not_found"})
async def sandbox_info(request: Request) -> Response:
    return JSONResponse(await _sandbox(request).info(ref=path_id(request, "ref")))


routes = [
    Route("/api/payments/{provider}/webhook", webhook, methods=["POST"]),
    Route("/api/pay/sandbox/{ref}", sandbox_info, methods=["GET"]),
    Route("/api/pay/sandbox/{ref}", sandbox_pay, methods=["POST"]),
]
