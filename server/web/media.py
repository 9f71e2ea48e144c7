"""Uploaded images: `POST /api/media` (multipart, one file field `file`) and `GET /media/<name>`."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from server.errors import InvalidInput, NotFound
from server.infra.http import JSONResponse
from server.infra.openapi import operation
from server.models.answers import MediaOut
from server.web.common import bearer, services

FIELD = "file"
ENVELOPE = 64 * 1024  # the multipart boundaries and part headers around the file, at most
IMMUTABLE = "public, max-age=31536000, immutable"  # a name is the hash of the bytes: they never change


async def _file(request: Request, *, limit: int) -> bytes:
    """The bytes of the form's one file field, read no further than `limit` (+ the envelope): a larger upload
    is refused before it is all received."""
    too_large = InvalidInput(f"the image is larger than {limit} bytes", code="media_too_large")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput(f"send the image as multipart/form-data, in a file field named {FIELD}",
                           code="media_not_multipart")
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > limit + ENVELOPE:
        raise too_large

    async def limited() -> AsyncGenerator[bytes, None]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit + ENVELOPE:
                raise too_large
            yield chunk

    try:
        form = await MultiPartParser(request.headers, limited(), max_files=1, max_fields=4).parse()
    except MultiPartException as exc:
        raise InvalidInput(f"the form cannot be read: {exc.message}", code="media_not_multipart") from None
    try:
        upload = form.get(FIELD)
        if not isinstance(upload, UploadFile):
            raise InvalidInput(f"send the image in a file field named {FIELD}", code="media_missing",
                               details=[{"field": FIELD, "message": "no file"}])
        data = await upload.read(limit + 1)
    finally:
        await form.close()
    if len(data) > limit:
        raise too_large
    return data


@operation("Upload an image (a product's photo): decoded, turned upright, stripped of its metadata, at most "
           "2048 px on its long side, stored as JPEG or PNG", answers={201: MediaOut}, files=(FIELD,),
           errors={422: "media_too_large, media_not_image, media_type_not_allowed, media_missing, "
                        "media_not_multipart"}, auth="a seller, an admin")
async def upload_media(request: Request) -> Response:
    principal = await bearer(request)
    media = services(request).media
    principal.require("seller")  # before reading a byte of the body
    data = await _file(request, limit=media.max_bytes)
    return JSONResponse(await media.upload(principal=principal, data=data), status_code=201)


async def serve_media(request: Request) -> Response:
    found = services(request).media.path(name=str(request.path_params["name"]))
    if found is None:
        raise NotFound("no such image", code="media_not_found")
    path, content_type = found
    return FileResponse(path, media_type=content_type, headers={"cache-control": IMMUTABLE})


routes = [
    Route("/api/media", upload_media, methods=["POST"]),
    Route("/media/{name}", serve_media, methods=["GET", "HEAD"], include_in_schema=False),
]
