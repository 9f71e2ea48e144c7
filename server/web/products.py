from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.models import ProductIn
from server.web.common import bearer, body, path_id, services
from server.web.errors import JSONResponse


async def create_product(request: Request) -> Response:
    """
    summary: Create a product with its variants (seller, admin).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ProductIn'}}}}
    responses: {201: {description: the product}, 403: {description: forbidden}, 422: {description: invalid_request}}
    """
    principal = bearer(request)
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


routes = [
    Route("/api/products", create_product, methods=["POST"]),
    Route("/api/products", list_products, methods=["GET"]),
    Route("/api/products/{product_id}", get_product, methods=["GET"]),
]
