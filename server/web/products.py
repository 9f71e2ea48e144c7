"""Products: create, browse, read, edit, restock."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.infra.http import JSONResponse, body, path_id
from server.infra.openapi import operation
from server.models import ProductIn, ProductPatch, StockAdjustIn, StockIn, VariantIn
from server.models.answers import ProductOut, Products
from server.web.common import bearer, services


@operation("Create a product with its variants", answers={201: ProductOut}, body=ProductIn,
           errors={422: "invalid_request, image_host_not_allowed, duplicate_sku"}, auth="a seller, an admin")
async def create_product(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, ProductIn)
    return JSONResponse(await services(request).catalog.create(principal=principal, data=data), status_code=201)


@operation("Products, newest first", answers={200: Products}, query={"seller_id": "only this seller's products"})
async def list_products(request: Request) -> Response:
    seller = request.query_params.get("seller_id") or None
    return JSONResponse({"items": await services(request).catalog.browse(seller_id=seller)})


@operation("A product with each variant's available stock", answers={200: ProductOut},
           errors={404: "product_not_found"})
async def get_product(request: Request) -> Response:
    return JSONResponse(await services(request).catalog.get(product_id=path_id(request, "product_id")))


@operation("Change a product's title, description, brand, price, images or size guide", answers={200: ProductOut},
           body=ProductPatch, errors={404: "product_not_found", 422: "invalid_request, image_host_not_allowed"},
           auth="the product's seller, an admin")
async def update_product(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, ProductPatch)
    product = await services(request).catalog.update(principal=principal, product_id=path_id(request, "product_id"),
                                                     data=data)
    return JSONResponse(product)


@operation("Add a variant (a size) to a product", answers={201: ProductOut}, body=VariantIn,
           errors={404: "product_not_found", 422: "invalid_request, duplicate_sku, too_many_variants"},
           auth="the product's seller, an admin")
async def add_variant(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, VariantIn)
    product = await services(request).catalog.add_variant(principal=principal,
                                                          product_id=path_id(request, "product_id"), data=data)
    return JSONResponse(product, status_code=201)


@operation("Set a variant's available stock; with `expected`, only if it still has that many",
           answers={200: ProductOut}, body=StockIn,
           errors={404: "product_not_found, variant_not_found", 409: "stock_changed"},
           auth="the product's seller, an admin")
async def restock(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, StockIn)
    product = await services(request).stock.restock(principal=principal, product_id=path_id(request, "product_id"),
                                                    variant_id=path_id(request, "variant_id"), stock=data.stock,
                                                    expected=data.expected)
    return JSONResponse(product)


@operation("Add pieces to a variant's stock, or take some off, in one step", answers={200: ProductOut},
           body=StockAdjustIn, errors={404: "product_not_found, variant_not_found", 409: "stock_out_of_range"},
           auth="the product's seller, an admin")
async def adjust_stock(request: Request) -> Response:
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
    Route("/api/products/{product_id}/variants", add_variant, methods=["POST"]),
    Route("/api/products/{product_id}/variants/{variant_id}/stock", restock, methods=["PUT"]),
    Route("/api/products/{product_id}/variants/{variant_id}/stock/adjust", adjust_stock, methods=["POST"]),
]
