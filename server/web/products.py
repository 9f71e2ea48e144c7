"""Products: create, browse, read, edit, restock."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.infra.http import JSONResponse, body, path_id
from server.models import ProductIn, ProductPatch, StockAdjustIn, StockIn
from server.web.common import bearer, services


async def create_product(request: Request) -> Response:
    """
    summary: Create a product with its variants (seller, admin).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ProductIn'}}}}
    responses: {201: {description: the product}, 403: {description: forbidden}, 422: {description: invalid_request}}
    """
    principal = await bearer(request)
    data = await body(request, ProductIn)
    return JSONResponse(await services(request).catalog.create(principal=principal, data=data), status_code=201)


async def list_products(request: Request) -> Response:
    """
    summary: Products, newest first; `?seller_id=` narrows to one seller.
    responses: {200: {description: '{items: [product]}'}}
    """
    seller = request.query_params.get("seller_id") or None
    return JSONResponse({"items": await services(request).catalog.browse(seller_id=seller)})


async def get_product(request: Request) -> Response:
    """
    summary: A product with each variant's available stock.
    responses: {200: {description: the product}, 404: {description: product_not_found}}
    """
    return JSONResponse(await services(request).catalog.get(product_id=path_id(request, "product_id")))


async def update_product(request: Request) -> Response:
    """
    summary: Change a product's title, description, brand, price, images or size guide (its seller, admin).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ProductPatch'}}}}
    responses: {200: {description: the product}, 403: {description: not_product_seller}}
    """
    principal = await bearer(request)
    data = await body(request, ProductPatch)
    product = await services(request).catalog.update(principal=principal, product_id=path_id(request, "product_id"),
                                                     data=data)
    return JSONResponse(product)


async def restock(request: Request) -> Response:
    """
    summary: Set a variant's available stock (its seller, admin); with `expected`, only if it still has that.
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/StockIn'}}}}
    responses: {200: {description: the product}, 403: {description: not_product_seller},
                409: {description: stock_changed}}
    """
    principal = await bearer(request)
    data = await body(request, StockIn)
    product = await services(request).stock.restock(principal=principal, product_id=path_id(request, "product_id"),
                                                    variant_id=path_id(request, "variant_id"), stock=data.stock,
                                                    expected=data.expected)
    return JSONResponse(product)


async def adjust_stock(request: Request) -> Response:
    """
    summary: Add pieces to a variant's stock, or take some off (its seller, admin), in one step.
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/StockAdjustIn'}}}}
    responses: {200: {description: the product}, 403: {description: not_product_seller},
                409: {description: stock_out_of_range}}
    """
    principal = await bearer(request)
    data = await body(request, StockAdjustIn)
    product = await services(request).stock.adjust(principal=principal, product_id=path_id(request, "product_id"),
                                                   variant_id=path_id(request, "variant_id"), delta=data.delta)
    return JSONResponse(product)


routes = [
    Route("/api/products", create_product, methods=["POST"]),
    Route("/api/products", list_products, methods=["GET"]),
    Route("/api/products/{product_id}", get_product, methods=["GET"]),
    Route("/api/products/{product_id}", update_product, methods=["PATCH"]),
    Route("/api/products/{product_id}/variants/{variant_id}/stock", restock, methods=["PUT"]),
    Route("/api/products/{product_id}/variants/{variant_id}/stock/adjust", adjust_stock, methods=["POST"]),
]
