from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.infra.http import JSONResponse, body
from server.models import LoginIn, user_public
from server.web.common import bearer, services


async def token(request: Request) -> Response:
    """
    summary: Sign in with email and password; returns a bearer token.
    requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/LoginIn'}}}}
    responses:
      200: {description: '{access_token, token_type, user}'}
      401: {description: bad_credentials}
      429: {description: too_many_attempts}
    """
    data = await body(request, LoginIn)
    client = request.client.host if request.client else "unknown"
    access_token, user = await services(request).auth.login(email=data.email, password=data.password, client=client)
    return JSONResponse({"access_token": access_token, "token_type": "bearer", "user": user_public(user)})


async def me(request: Request) -> Response:
    """
    summary: The signed-in account's id and role.
    responses: {200: {description: '{id, role}'}, 401: {description: auth_required}}
    """
    principal = bearer(request)
    return JSONResponse({"id": principal.id, "role": principal.role})


routes = [
    Route("/api/auth/token", token, methods=["POST"]),
    Route("/api/auth/me", me, methods=["GET"]),
]
