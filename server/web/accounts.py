"""Accounts: sign in, who am I, sign out everywhere, a new password, an account's role (admin)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.accounts.auth import DEVICE_DAYS
from server.infra.http import JSONResponse, body, path_id
from server.infra.openapi import operation
from server.models import LoginIn, PasswordIn, RoleIn, user_public
from server.models.answers import Me, NewToken, TokenOut, UserOut
from server.web.common import bearer, services

DEVICE_COOKIE = "vt_dev"


@operation("Sign in with email and password: a bearer token, and the device token this device keeps",
           answers={200: TokenOut}, body=LoginIn,
           errors={401: "bad_credentials", 422: "invalid_request, invalid_email", 429: "too_many_attempts"})
async def token(request: Request) -> Response:
    data = await body(request, LoginIn)
    client = request.client.host if request.client else "unknown"
    device = data.device_token or request.cookies.get(DEVICE_COOKIE)
    auth = services(request).auth
    access_token, user, device_token = await auth.login(
        email=data.email, password=data.password, client=client, device=device)
    response = JSONResponse({"access_token": access_token, "token_type": "bearer", "expires_in": auth.token_ttl_s,
                             "user": user_public(user), "device_token": device_token})
    # the pages' browsers keep it without script access; apps keep device_token and send it back
    response.set_cookie(DEVICE_COOKIE, device_token, max_age=DEVICE_DAYS * 86400, path="/api/auth", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@operation("The signed-in account's id and role", answers={200: Me}, auth="any signed-in account")
async def me(request: Request) -> Response:
    principal = await bearer(request)
    return JSONResponse({"id": principal.id, "role": principal.role})


@operation("Sign out everywhere: every token of this account stops working, on every node", answers={204: None},
           auth="any signed-in account")
async def sign_out(request: Request) -> Response:
    await services(request).auth.sign_out_everywhere(principal=await bearer(request))
    return Response(status_code=204)


@operation("A new password: the account's other tokens stop working, and the answer carries a new one",
           answers={200: NewToken}, body=PasswordIn, errors={401: "bad_credentials"}, auth="any signed-in account")
async def change_password(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, PasswordIn)
    access_token = await services(request).auth.change_password(principal=principal, current=data.current_password,
                                                               new=data.new_password)
    return JSONResponse({"access_token": access_token, "token_type": "bearer"})


@operation("Give an account another role: its tokens stop working at once", answers={200: UserOut}, body=RoleIn,
           errors={404: "user_not_found"}, auth="an admin")
async def set_role(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, RoleIn)
    user = await services(request).auth.set_role(principal=principal, user_id=path_id(request, "user_id"),
                                                 role=data.role)
    return JSONResponse(user_public(user))


routes = [
    Route("/api/auth/token", token, methods=["POST"]),
    Route("/api/auth/me", me, methods=["GET"]),
    Route("/api/auth/signout", sign_out, methods=["POST"]),
    Route("/api/auth/password", change_password, methods=["POST"]),
    Route("/api/users/{user_id}/role", set_role, methods=["PUT"]),
]
