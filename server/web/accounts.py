"""Accounts: sign in, who am I, sign out everywhere, a new password; an admin's accounts: create, list, role,
suspend and restore."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.accounts.auth import DEVICE_DAYS
from server.infra.http import JSONResponse, body, path_id
from server.infra.openapi import operation
from server.models import AccountIn, LoginIn, PasswordIn, RoleIn, account_public, user_public
from server.models.answers import AccountOut, Accounts, Me, NewToken, TokenOut, UserOut
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


@operation("The signed-in account: its id, email, name and role", answers={200: Me}, auth="any signed-in account")
async def me(request: Request) -> Response:
    principal = await bearer(request)
    return JSONResponse(user_public(await services(request).auth.user(principal=principal)))


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


@operation("Create an account with a role and a first password", answers={201: AccountOut}, body=AccountIn,
           errors={409: "email_taken", 422: "invalid_request, invalid_email, weak_password"}, auth="an admin")
async def create_account(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, AccountIn)
    user = await services(request).auth.create_account(principal=principal, email=data.email, password=data.password,
                                                       role=data.role, name=data.name)
    return JSONResponse(account_public(user), status_code=201)


@operation("Every account, newest first", answers={200: Accounts}, auth="an admin")
async def list_accounts(request: Request) -> Response:
    users = await services(request).auth.accounts(principal=await bearer(request))
    return JSONResponse({"items": [account_public(user) for user in users]})


def suspension(suspended: bool) -> object:
    @operation("Suspend an account: it may not sign in, and its tokens stop working at once, on every node"
               if suspended else "Restore a suspended account: it may sign in again (its old tokens stay ended)",
               answers={200: AccountOut}, auth="an admin",
               errors={404: "user_not_found", **({409: "cannot_suspend_self"} if suspended else {})})
    async def endpoint(request: Request) -> Response:
        user = await services(request).auth.set_suspended(principal=await bearer(request), suspended=suspended,
                                                          user_id=path_id(request, "user_id"))
        return JSONResponse(account_public(user))

    return endpoint


routes = [
    Route("/api/accounts", create_account, methods=["POST"]),
    Route("/api/accounts", list_accounts, methods=["GET"]),
    Route("/api/accounts/{user_id}/suspend", suspension(True), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/accounts/{user_id}/restore", suspension(False), methods=["POST"]),  # type: ignore[arg-type]
    Route("/api/auth/token", token, methods=["POST"]),
    Route("/api/auth/me", me, methods=["GET"]),
    Route("/api/auth/signout", sign_out, methods=["POST"]),
    Route("/api/auth/password", change_password, methods=["POST"]),
    Route("/api/users/{user_id}/role", set_role, methods=["PUT"]),
]
