"""What the HTTP routes of web/ share: the app's services, and the principal a request signs in as."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from server.accounts.auth import Principal
from server.infra import http
from server.services import Services


def services(conn: HTTPConnection) -> Services:
    return conn.app.state.services


async def bearer(conn: HTTPConnection) -> Principal:
    return await http.bearer(conn, services(conn).auth.verify)


async def optional_bearer(conn: HTTPConnection) -> Principal | None:
    """The principal when an Authorization header is sent (and valid), None when there is none."""
    return await bearer(conn) if conn.headers.get("authorization") else None
