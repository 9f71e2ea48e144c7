from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.models import BlocklistIn, MuteIn, PinIn, ShowIn
from server.web.common import bearer, body, path_id, services
from server.web.errors import JSONResponse


async def create_show(request: Request) -> Response:
    """
    summary: Create a show with its products (host, admin); the caller is its host.
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ShowIn'}}}}
    responses: {201: {description: the show}, 403: {description: forbidden}, 422: {description: unknown_product}}
    """
    principal = bearer(request)
    data = await body(request, ShowIn)
    return JSONResponse(await services(request).shows.create(principal=principal, data=data), status_code=201)


async def get_show(request: Request) -> Response:
    """
    summary: A show, its status, host, pinned product, viewers and products.
    responses: {200: {description: the show}, 404: {description: show_not_found}}
    """
    return JSONResponse(await services(request).shows.get(show_id=path_id(request, "show_id")))


async def start_show(request: Request) -> Response:
    """
    summary: Go live (the show's host, admin).
    responses: {200: {description: the show}, 403: {description: not_show_host}, 409: {description: show_ended}}
    """
    principal = bearer(request)
    return JSONResponse(await services(request).shows.start(principal=principal, show_id=path_id(request, "show_id")))


async def end_show(request: Request) -> Response:
    """
    summary: End the show (the show's host, admin).
    responses: {200: {description: the show}, 403: {description: not_show_host}}
    """
    principal = bearer(request)
    return JSONResponse(await services(request).shows.end(principal=principal, show_id=path_id(request, "show_id")))


async def pin(request: Request) -> Response:
    """
    summary: Pin one of the show's products while it is live (the show's host, admin).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/PinIn'}}}}
    responses: {200: {description: '{pinned: product}'}, 409: {description: show_not_live},
                422: {description: product_not_in_show}}
    """
    principal = bearer(request)
    data = await body(request, PinIn)
    product = await services(request).shows.pin(principal=principal, show_id=path_id(request, "show_id"),
                                                 product_id=data.product_id)
    return JSONResponse({"pinned": product})


async def unpin(request: Request) -> Response:
    """
    summary: Unpin the pinned product (the show's host, admin).
    responses: {200: {description: '{pinned: null}'}, 409: {description: show_not_live}}
    """
    principal = bearer(request)
    await services(request).shows.unpin(principal=principal, show_id=path_id(request, "show_id"))
    return JSONResponse({"pinned": None})


async def timeline(request: Request) -> Response:
    """
    summary: Every start, pin, unpin and end of the show with its time.
    responses: {200: {description: '{items: [{kind, product_id, at}]}'}}
    """
    return JSONResponse({"items": await services(request).shows.timeline(show_id=path_id(request, "show_id"))})


async def delete_message(request: Request) -> Response:
    """
    summary: Delete a chat message; viewers get chat.deleted (the show's host, admin).
    responses: {204: {description: deleted}, 404: {description: message_not_found}}
    """
    principal = bearer(request)
    await services(request).chat.delete(principal=principal, show_id=path_id(request, "show_id"),
                                        message_id=path_id(request, "message_id"))
    return Response(status_code=204)


async def list_mutes(request: Request) -> Response:
    """
    summary: Viewers muted in this show (the show's host, admin).
    responses: {200: {description: '{items: [viewer_id]}'}}
    """
    principal = bearer(request)
    items = await services(request).chat.mutes(principal=principal, show_id=path_id(request, "show_id"))
    return JSONResponse({"items": items})


async def mute(request: Request) -> Response:
    """
    summary: Mute a viewer for the rest of the show (the show's host, admin).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/MuteIn'}}}}
    responses: {204: {description: muted}}
    """
    principal = bearer(request)
    data = await body(request, MuteIn)
    await services(request).chat.mute(principal=principal, show_id=path_id(request, "show_id"),
                                      viewer_id=data.viewer_id)
    return Response(status_code=204)


async def unmute(request: Request) -> Response:
    """
    summary: Let a muted viewer chat again (the show's host, admin).
    responses: {204: {description: unmuted}}
    """
    principal = bearer(request)
    await services(request).chat.unmute(principal=principal, show_id=path_id(request, "show_id"),
                                        viewer_id=path_id(request, "viewer_id"))
    return Response(status_code=204)


async def get_blocklist(request: Request) -> Response:
    """
    summary: The words this show's chat refuses (the show's host, admin).
    responses: {200: {description: '{words: []}'}}
    """
    principal = bearer(request)
    words = await services(request).chat.blocklist(principal=principal, show_id=path_id(request, "show_id"))
    return JSONResponse({"words": words})


async def put_blocklist(request: Request) -> Response:
    """
    summary: Replace the words this show's chat refuses (the show's host, admin).
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/BlocklistIn'}}}}
    responses: {200: {description: '{words: []}'}}
    """
    principal = bearer(request)
    data = await body(request, BlocklistIn)
    words = await services(request).chat.set_blocklist(principal=principal, show_id=path_id(request, "show_id"),
                                                       words=data.words)
    return JSONResponse({"words": words})


routes = [
    Route("/api/shows", create_show, methods=["POST"]),
    Route("/api/shows/{show_id}", get_show, methods=["GET"]),
    Route("/api/shows/{show_id}/start", start_show, methods=["POST"]),
    Route("/api/shows/{show_id}/end", end_show, methods=["POST"]),
    Route("/api/shows/{show_id}/pin", pin, methods=["POST"]),
    Route("/api/shows/{show_id}/pin", unpin, methods=["DELETE"]),
    Route("/api/shows/{show_id}/timeline", timeline, methods=["GET"]),
    Route("/api/shows/{show_id}/chat/{message_id}", delete_message, methods=["DELETE"]),
    Route("/api/shows/{show_id}/mutes", list_mutes, methods=["GET"]),
    Route("/api/shows/{show_id}/mutes", mute, methods=["POST"]),
    Route("/api/shows/{show_id}/mutes/{viewer_id}", unmute, methods=["DELETE"]),
    Route("/api/shows/{show_id}/blocklist", get_blocklist, methods=["GET"]),
    Route("/api/shows/{show_id}/blocklist", put_blocklist, methods=["PUT"]),
]
