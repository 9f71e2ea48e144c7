"""Pop-up stores: stores and items, their QR codes and label sheet, the scan link, stats."""

from __future__ import annotations

import html
import secrets
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from server.errors import DomainError, InvalidInput, NotFound
from server.infra.http import JSONResponse, body, path_id
from server.infra.openapi import operation
from server.models.answers import CheckoutView, StoreItemOut, StoreOut, Stores, StoreStats
from server.models.stores import ScreenCodeQuery, StoreIn, StoreItemIn, StoreShowIn
from server.stores.labels import LANGUAGES
from server.web.common import bearer, services

VISITOR_COOKIE = "vt_v"


@operation("Create a pop-up store", answers={201: StoreOut}, body=StoreIn,
           errors={422: "invalid_request, show_not_found"}, auth="a seller, an admin")
async def create_store(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, StoreIn)
    return JSONResponse(await services(request).stores.create(principal=principal, data=data), status_code=201)


@operation("The seller's stores (every store for an admin), newest first, with their count of items on sale",
           answers={200: Stores}, auth="a seller, an admin")
async def list_stores(request: Request) -> Response:
    return JSONResponse({"items": await services(request).stores.mine(principal=await bearer(request))})


@operation("A store with its live items and their QR links (public, as its shelves are)", answers={200: StoreOut},
           errors={404: "store_not_found"})
async def get_store(request: Request) -> Response:
    return JSONResponse(await services(request).stores.get(store_id=path_id(request, "store_id")))


@operation("The show the store's big screen plays; null for none", answers={200: StoreOut}, body=StoreShowIn,
           errors={404: "store_not_found", 422: "invalid_request, show_not_found"}, auth="the store's seller, an admin")
async def set_show(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, StoreShowIn)
    store = await services(request).stores.set_show(principal=principal, store_id=path_id(request, "store_id"),
                                                    show_id=data.show_id)
    return JSONResponse(store)


@operation("Put a product (or one size of it) on the store's shelves; the answer has its QR link",
           answers={201: StoreItemOut}, body=StoreItemIn,
           errors={404: "store_not_found",
                   409: "store_full",
                   422: "invalid_request, product_not_found, variant_not_found"},
           auth="the store's seller, an admin")
async def add_item(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, StoreItemIn)
    item = await services(request).stores.add_item(principal=principal, store_id=path_id(request, "store_id"),
                                                   data=data)
    return JSONResponse(item, status_code=201)


@operation("Take an item off sale; its code then answers 404", answers={204: None},
           errors={404: "store_not_found, item_not_found"}, auth="the store's seller, an admin")
async def revoke_item(request: Request) -> Response:
    principal = await bearer(request)
    await services(request).stores.revoke_item(principal=principal, store_id=path_id(request, "store_id"),
                                               item_id=path_id(request, "item_id"))
    return Response(status_code=204)


def _image(kind: str) -> object:
    async def endpoint(request: Request) -> Response:
        content = await services(request).stores.item_code(store_id=path_id(request, "store_id"),
                                                           item_id=path_id(request, "item_id"), kind=kind)
        media = "image/png" if kind == "png" else "image/svg+xml"
        return Response(content, media_type=media, headers={"cache-control": "public, max-age=86400"})

    media_type = "image/png" if kind == "png" else "image/svg+xml"
    return operation(f"The item's QR code as {kind.upper()} (level M), encoding exactly its qr_url",
                     answers={200: media_type}, errors={404: "store_not_found, item_not_found",
                                                        503: "busy, unavailable"})(endpoint)


@operation("The store screen's big code: a game of the store's show (the player at that game), else the store's "
           "item for the pinned product, else the show (X-QR-URL: what it encodes)",
           answers={200: "image/svg+xml"},
           errors={404: "store_not_found, interaction_not_found", 422: "invalid_request", 503: "busy, unavailable"},
           query={"product_id": "the pinned product", "game_id": "a poll, quiz or giveaway of the store's show "
                  "(not with product_id)"})
async def screen_qr(request: Request) -> Response:
    store_id = path_id(request, "store_id")
    known = {k: v for k, v in request.query_params.items() if k in ScreenCodeQuery.model_fields and v}
    query = ScreenCodeQuery.model_validate(known)
    url, svg = await services(request).stores.screen_code(store_id=store_id, product_id=query.product_id,
                                                          game_id=query.game_id)
    return Response(svg, media_type="image/svg+xml", headers={"x-qr-url": url, "cache-control": "no-cache"})


def _sheet_language(request: Request) -> str:
    """`?lang=` as the labels page sends it, else the browser's first language we speak, else English."""
    asked = request.query_params.get("lang")
    if asked is not None:
        if asked not in LANGUAGES:
            raise InvalidInput(f"lang is one of {', '.join(LANGUAGES)}", code="unsupported_language")
        return asked
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return next((lang for lang in LANGUAGES if first.startswith(lang)), LANGUAGES[0])


@operation("The printable A4 label sheet (PDF): name, size, price, code and a call to scan for every live item",
           answers={200: "application/pdf"}, errors={404: "store_not_found", 422: "unsupported_language",
                                                    503: "busy, unavailable"},
           query={"lang": "en or fr: the labels' words (without it, the browser's Accept-Language)"})
async def label_sheet(request: Request) -> Response:
    store_id = path_id(request, "store_id")
    pdf = await services(request).stores.label_sheet(store_id=store_id, lang=_sheet_language(request))
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'inline; filename="labels-{store_id}.pdf"'})


@operation("Scans, orders, conversion and revenue of the store and of each item", answers={200: StoreStats},
           errors={404: "store_not_found"}, auth="the store's seller, an admin")
async def store_stats(request: Request) -> Response:
    principal = await bearer(request)
    return JSONResponse(await services(request).stores.stats(principal=principal,
                                                             store_id=path_id(request, "store_id")))


def _invalid_code(request: Request, exc: DomainError) -> Response:
    path: Path = services(request).settings.static_dir / "store" / "invalid.html"
    headers = {"x-error-code": exc.code, "cache-control": "no-store"}
    if path.is_file():
        return FileResponse(path, status_code=404, headers=headers)
    return HTMLResponse(f"<!doctype html><title>Vitrine</title><p>{html.escape(exc.message)}</p>", status_code=404,
                        headers=headers)


async def scan(request: Request) -> Response:
    """The QR link: counts the scan (once per phone per half hour) and sends the phone to the checkout page."""
    token = str(request.path_params["token"])
    s = services(request)
    try:
        item = await s.stores.resolve(token)
    except NotFound as exc:
        return _invalid_code(request, exc)
    visitor = request.cookies.get(VISITOR_COOKIE)
    fresh = visitor is None or not (8 <= len(visitor) <= 64)
    if fresh:
        visitor = secrets.token_urlsafe(16)
    await s.stores.count_scan(item=item, visitor=str(visitor), user_agent=request.headers.get("user-agent", ""))
    response = RedirectResponse(f"/shop/{token}", status_code=302)
    if fresh:
        response.set_cookie(VISITOR_COOKIE, str(visitor), max_age=365 * 86400, httponly=True, samesite="lax")
    return response


async def checkout_page(request: Request) -> Response:
    """The phone checkout page of a scanned item (a 404 page for a code that is not, or no longer, ours)."""
    s = services(request)
    try:
        await s.stores.resolve(str(request.path_params["token"]))
    except NotFound as exc:
        return _invalid_code(request, exc)
    path = s.settings.static_dir / "store" / "checkout.html"
    if not path.is_file():
        raise NotFound("this page is not installed", code="page_missing")
    return FileResponse(path, headers={"cache-control": "no-cache"})


@operation("What the checkout page of a scanned code shows: the store, the item and its product",
           answers={200: CheckoutView}, errors={404: "qr_not_found, qr_revoked"})
async def checkout_data(request: Request) -> Response:
    return JSONResponse(await services(request).stores.checkout_view(str(request.path_params["token"])[:64]))


routes = [
    Route("/api/stores", create_store, methods=["POST"]),
    Route("/api/stores", list_stores, methods=["GET"]),
    Route("/api/stores/{store_id}", get_store, methods=["GET"]),
    Route("/api/stores/{store_id}/show", set_show, methods=["PUT"]),
    Route("/api/stores/{store_id}/items", add_item, methods=["POST"]),
    Route("/api/stores/{store_id}/items/{item_id}", revoke_item, methods=["DELETE"]),
    Route("/api/stores/{store_id}/items/{item_id}/qr.png", _image("png"), methods=["GET"]),  # type: ignore[arg-type]
    Route("/api/stores/{store_id}/items/{item_id}/qr.svg", _image("svg"), methods=["GET"]),  # type: ignore[arg-type]
    Route("/api/stores/{store_id}/screen-qr.svg", screen_qr, methods=["GET"]),
    Route("/api/stores/{store_id}/labels.pdf", label_sheet, methods=["GET"]),
    Route("/api/stores/{store_id}/stats", store_stats, methods=["GET"]),
    Route("/api/q/{token}", checkout_data, methods=["GET"]),
    Route("/q/{token}", scan, methods=["GET"], include_in_schema=False),
    Route("/shop/{token}", checkout_page, methods=["GET"], include_in_schema=False),
]
