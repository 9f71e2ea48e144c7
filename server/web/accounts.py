"""Accounts: sign in, who am I, sign out everywhere, a new password, a password from a mailed link (an invitation,
a reset); an admin's accounts: create or invite, list, role, suspend and restore."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.accounts.auth import DEVICE_DAYS
from server.infra.http import JSONResponse, body, path_id
from server.infra.openapi import operation
from server.models import AccountIn, LoginIn, PasswordIn, RoleIn, User, account_public, user_public
from server.models.accounts import InviteIn, LinkPasswordIn, ResetIn
from server.models.answers import Accepted, AccountOut, Accounts, Me, NewToken, TokenOut, UserOut
from server.web.common import bearer, services

DEVICE_COOKIE = "vt_dev"


@operation("Sign in with email and password: a bearer token, and the device token this device keeps",
           answers={200: TokenOut}, body=LoginIn,
           errors={401: "bad_credentials", 422: "invalid_request, invalid_email", 429: "too_many_attempts"})
async def token(request: Request) -> Response:
    data = await body(request, LoginIn)
    device = data.device_token or request.cookies.get(DEVICE_COOKIE)
    auth = services(request).auth
    access_token, user, _ = await auth.login(email=data.email, password=data.password, client=_client(request),
                                             device=device)
    return signed_in(request, access_token, user)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def signed_in(request: Request, access_token: str, user: User) -> Response:
    """The answer of a sign-in: the token, the account, and the device token that this device keeps."""
    auth = services(request).auth
    device_token = auth.device_token(user)
    response = JSONResponse({"access_token": access_token, "token_type": "bearer", "expires_in": auth.token_ttl_s,
                             "user": user_public(user), "device_token": device_token})
    # the pages' browsers keep it without script access; apps keep device_token and send it back
    response.set_cookie(DEVICE_COOKIE, device_token, max_age=DEVICE_DAYS * 86400, path="/api/auth", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


LINK_ERRORS = {400: "link_invalid", 403: "account_suspended", 410: "link_expired, link_used",
               422: "invalid_request, weak_password"}


@operation("Choose a password from an invitation link: the link is used up, and the answer is a sign-in",
           answers={200: TokenOut}, body=LinkPasswordIn, errors=LINK_ERRORS)
async def accept_invitation(request: Request) -> Response:
    data = await body(request, LinkPasswordIn)
    access_token, user = await services(request).passwords.accept_invitation(token=data.token,
                                                                           password=data.password)
    return signed_in(request, access_token, user)


@operation("Ask for a password-reset link by email: always 202, whether or not the address is an account's",
           answers={202: Accepted}, body=ResetIn, errors={422: "invalid_request, invalid_email",
                                                           429: "too_many_resets"})
async def request_reset(request: Request) -> Response:
    data = await body(request, ResetIn)
    await services(request).passwords.request_reset(email=data.email, client=_client(request), lang=data.lang)
    return JSONResponse({"accepted": True}, status_code=202)


@operation("Choose a new password from a reset link: every token of the account stops working, the link is used "
           "up, and the answer is a new sign-in", answers={200: TokenOut}, body=LinkPasswordIn, errors=LINK_ERRORS)
async def confirm_reset(request: Request) -> Response:
    data = await body(request, LinkPasswordIn)
    access_token, user = await services(request).passwords.confirm_reset(token=data.token, password=data.password)
    return signed_in(request, access_token, user)


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
    return JSONResponse({"access_token": access_token, "token_type": "bearer",
                         "expires_in": services(request).auth.token_ttl_s})


@operation("Give an account another role: its tokens stop working at once", answers={200: UserOut}, body=RoleIn,
           errors={404: "user_not_found"}, auth="an admin")
async def set_role(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, RoleIn)
    user = await services(request).auth.set_role(principal=principal, user_id=path_id(request, "user_id"),
                                                 role=data.role)
    return JSONResponse(user_public(user))


@operation("Create an account with a role and a first password, or with none: an invitation link to choose one is "
           "mailed (the answer says `invited: true`, never the link)", answers={201: AccountOut}, body=AccountIn,
           errors={409: "email_taken", 422: "invalid_request, invalid_email, weak_password",
                   503: "mail_unavailable"}, auth="an admin")
async def create_account(request: Request) -> Response:
    principal = await bearer(request)
    data = await body(request, AccountIn)
    svc = services(request)
    if data.password is None:
        user = await svc.passwords.invite(principal=principal, email=data.email, role=data.role, name=data.name,
                                          lang=data.lang)
    else:
        user = await svc.auth.create_account(principal=principal, email=data.email, password=data.password,
                                             role=data.role, name=data.name)
    return JSONResponse(account_public(user), status_code=201)


@operation("Mail a new invitation to an account that has not chosen its password: older links stop working",
           answers={200: AccountOut}, body=InviteIn, auth="an admin",
           errors={404: "user_not_found", 409: "already_active, account_suspended", 503: "mail_unavailable"})
async def reinvite(request: Request) -> Response:
    principal = await bearer(request)
    sent = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    data = await body(request, InviteIn) if sent else InviteIn()  # the body is optional
    user = await services(request).passwords.reinvite(principal=principal, user_id=path_id(request, "user_id"),
                                                      lang=data.lang)
    return JSONResponse(account_public(user))


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
    Route("/api/accounts/{user_id}/invite", reinvite, methods=["POST"]),
    Route("/api/auth/token", token, methods=["POST"]),
    Route("/api/auth/me", me, methods=["GET"]),
    Route("/api/auth/signout", sign_out, methods=["POST"]),
    Route("/api/auth/password", change_password, methods=["POST"]),
    Route("/api/auth/invitation", accept_invitation, methods=["POST"]),
    Route("/api/auth/reset", request_reset, methods=["POST"]),
    Route("/api/auth/reset/confirm", confirm_reset, methods=["POST"]),
    Route("/api/users/{user_id}/role", set_role, methods=["PUT"]),
]
