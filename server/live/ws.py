"""`/ws/shows/{show_id}`: the show's live channel. Joins the socket to the show's channel in the hub, sends
the snapshot, then hands each client frame to the interaction that owns its type (live/interactions/);
everything a viewer receives goes through its Connection's bounded queue."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server.accounts.auth import Auth, Principal
from server.errors import DomainError
from server.infra.ids import keyed_digest, new_id
from server.infra.outages import OUTAGES
from server.live.interactions.base import FrameHandler, Interaction, Lane
from server.live.session import POLICY_VIOLATION, FirstJoins, Refused, Session
from server.live.shows import Shows
from server.realtime.connection import AsgiSink, Connection, Frame, Sink
from server.realtime.events import error_frame, reply_frame
from server.realtime.hub import Hub
from server.realtime.wire import sink_of
from server.settings import Settings

log = logging.getLogger("vitrine.ws")

TOO_BIG = 1009
VIEWER_COOKIE = "vt_vw"  # set by the pages (web/pages.py): the browser, for moderation
TRY_AGAIN_LATER = 1013
NOT_FOUND = 4404


def _int_param(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "²".isdigit() and "١٢".isdigit() are true
        raise Refused("since must be a non-negative integer", code="invalid_since")
    return int(raw)


async def _ping(session: Session, frame: dict[str, Any]) -> bytes | None:
    return reply_frame("pong", {"id": frame.get("id") if isinstance(frame.get("id"), (str, int)) else None})


def handler_table(interactions: Sequence[Interaction]) -> dict[str, FrameHandler]:
    """Every frame type a client may send, with its one owner; `ping` is the socket's own."""
    table: dict[str, FrameHandler] = {"ping": _ping}
    owners = {"ping": "the socket"}
    for interaction in interactions:
        for kind, handler in interaction.frames().items():
            if kind in table:
                raise ValueError(f"frame type {kind!r} has two owners: {owners[kind]} and {interaction.name}")
            table[kind], owners[kind] = handler, interaction.name
    return table


class ShowSocket:
    def __init__(self, *, settings: Settings, hub: Hub, shows: Shows, auth: Auth,
                 interactions: Sequence[Interaction]) -> None:
        self.settings = settings
        self.hub = hub
        self.shows = shows
        self.auth = auth
        self.interactions = tuple(interactions)
        self.handlers: Mapping[str, FrameHandler] = handler_table(self.interactions)
        self._signed: dict[str, dict[Session, str]] = {}  # account id -> its sockets here, with their tokens
        self._checks: set[asyncio.Task[None]] = set()
        self.first_joins = FirstJoins()
        auth.versions.watch(self._account_changed)

    def _account_changed(self, user_id: str | None) -> None:
        """An account changed (None: any may have): its sockets here check their sign-in again."""
        held = [(session, token) for account, sessions in self._signed.items() if user_id in (None, account)
                for session, token in sessions.items()]
        for session, token in held:
            task = asyncio.get_running_loop().create_task(self._recheck(session, token))
            self._checks.add(task)
            task.add_done_callback(self._checks.discard)

    async def _recheck(self, session: Session, token: str) -> None:
        try:
            await self.auth.verify(token)
        except DomainError as exc:  # suspended, new role, signed out everywhere, expired
            session.signed_out(exc)
        except OUTAGES as exc:  # the next change, or the next sign-in, checks again
            log.warning("a socket's sign-in could not be checked again: %r", exc)

    def route(self) -> WebSocketRoute:
        return WebSocketRoute("/ws/shows/{show_id}", self.serve)

    async def serve(self, ws: WebSocket) -> None:
        settings = self.settings
        if not settings.origin_allowed(ws.headers.get("origin")):
            await ws.close(code=POLICY_VIOLATION, reason="origin not allowed")  # before accept: an HTTP 403
            return
        await ws.accept()
        try:
            await self._open(ws)
        except OUTAGES as exc:  # Redis or the database: the viewer's page comes back a little later
            log.warning("a socket could not join its show: %r", exc)
            if ws.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await ws.send_text(error_frame("unavailable", "the show is unavailable: try again shortly")
                                       .decode())
                    await ws.close(code=TRY_AGAIN_LATER, reason="unavailable")

    async def _open(self, ws: WebSocket) -> None:
        settings = self.settings
        show_id = str(ws.path_params["show_id"])[:64]
        notices: list[bytes] = []
        if not await self.shows.exists(show_id=show_id):
            await ws.send_text(error_frame("show_not_found", f"no show {show_id}").decode())
            await ws.close(code=NOT_FOUND, reason="show_not_found")
            return
        params = ws.query_params
        try:
            since = _int_param(params.get("since"))
        except DomainError as exc:
            since = -1  # a resume from a point the client did not name: one that cannot be made (recovered: false)
            notices.append(error_frame(exc.code, exc.message))
        principal: Principal | None = None
        if params.get("token"):
            try:
                principal = await self.auth.verify(params["token"])
            except DomainError as exc:
                notices.append(error_frame(exc.code, exc.message))
        host = principal is not None and await self.shows.may_drive(principal=principal, show_id=show_id)
        # a store's screen says what it is (anyone may: it only leaves the viewer count and the audience)
        role = "host" if host else "screen" if params.get("role") == "screen" else "viewer"
        viewer_id = self.auth.viewer_id(params.get("viewer")) or (principal.id if principal else new_id("vwr"))

        wire = sink_of(ws.scope)
        sink: Sink = wire if wire is not None else _asgi_sink(ws)
        conn = Connection(sink=sink, maxlen=settings.ws_send_queue, max_backlog=settings.ws_send_buffer_bytes)
        cookie, client = ws.cookies.get(VIEWER_COOKIE), ws.client.host if ws.client else None
        session = Session.open(settings=settings, show_id=show_id, viewer_id=viewer_id, principal=principal,
                               host=host, conn=conn, hub=self.hub,
                               device=keyed_digest(settings.secret_key, "device", cookie) if cookie else None,
                               address=keyed_digest(settings.secret_key, "address", client) if client else None,
                               joined_at=self.first_joins.joined(show_id, viewer_id))
        signed = self._signed.setdefault(principal.id, {}) if principal is not None else None
        if signed is not None:
            signed[session] = params["token"]
        try:
            await self._join(session, role=role, since=since, epoch=params.get("epoch") or None, notices=notices)
            if wire is not None:
                wire.lane = self._lane(session)
            await self._serve(ws, session)
        except WebSocketDisconnect:
            pass
        finally:
            if signed is not None and principal is not None:
                signed.pop(session, None)
                if not signed:
                    self._signed.pop(principal.id, None)
            self.hub.leave(show_id, conn)
            await conn.stop()

    async def _join(self, session: Session, *, role: str, since: int | None, epoch: str | None,
                    notices: list[bytes]) -> None:
        """Join the show's channel and send the snapshot, then any replay. A function of its own so that the
        snapshot's bytes are not kept alive for as long as the socket is open. Only viewers count: the host's
        pages and the store screens are neither in the viewer count nor in the audience."""
        joined = await self.hub.join(session.show_id, session.conn, since=since, epoch=epoch,
                                     viewer_id=session.viewer_id, audience=role == "viewer")
        snap = joined.snapshot
        you: dict[str, Any] = {"viewer_id": session.viewer_id,
                               "viewer_token": self.auth.viewer_token(session.viewer_id), "role": role}
        for interaction in self.interactions:
            you.update(await interaction.yours(session, snap.data))
        first = reply_frame("snapshot", {
            **snap.data, "seq": snap.seq, "epoch": snap.epoch, "recovered": joined.recovered, "you": you,
        })
        session.conn.start(first=[Frame(0, first), *(Frame(0, n) for n in notices), *joined.replay],
                           after=joined.after)

    def _lane(self, session: Session) -> Lane | None:
        """The interactions' fast paths for this socket (realtime/wire.py offers them each whole text frame)."""
        lanes = [lane for i in self.interactions if (lane := i.lane(session)) is not None]
        if len(lanes) <= 1:
            return lanes[0] if lanes else None
        return lambda raw: any(lane(raw) for lane in lanes)

    async def _serve(self, ws: WebSocket, session: Session) -> None:
        max_bytes, conn = self.settings.ws_max_frame_bytes, session.conn
        while not conn.closed:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            raw: str | bytes | None = message.get("text")
            if raw is None:
                raw = message.get("bytes") or b""
            if len(raw) > max_bytes:
                conn.kill(TOO_BIG, "frame too large")
                return
            try:
                frame = orjson.loads(raw)
            except orjson.JSONDecodeError:
                frame = None
            # an answer about a purchase names its key, so that the buyer's page knows which purchase it was
            key = frame.get("key") if isinstance(frame, dict) and isinstance(frame.get("key"), str) else None
            about = {"key": key[:100]} if key else None
            try:
                reply = await self._handle(session, frame, about)
            except DomainError as exc:
                session.refuse(exc)
                continue
            except OUTAGES as exc:
                log.warning("a %s frame met an outage: %r", frame.get("type") if isinstance(frame, dict) else "", exc)
                session.refuse(Refused("a backing service is unavailable: try again shortly", code="unavailable",
                                       status=503, details=about))
                continue
            except Exception:
                log.exception("ws frame failed")
                conn.reply(error_frame("internal", "something went wrong on our side", **(about or {})))
                continue
            if reply is not None:
                conn.reply(reply)

    async def _handle(self, session: Session, frame: Any, about: dict[str, str] | None) -> bytes | None:
        if not session.frames.take():
            raise Refused("slow down", code="rate_limited", details=about)
        if frame is None:
            raise Refused("the frame is not valid JSON", code="invalid_json")
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise Refused("a frame is a JSON object with a string type", code="invalid_frame")
        kind = frame["type"]
        handler = self.handlers.get(kind)
        if handler is None:
            raise Refused(f"unknown frame type {kind[:40]!r}", code="unknown_type")
        return await handler(session, frame)


def _asgi_sink(ws: WebSocket) -> AsgiSink:
    async def send(text: str) -> None:
        await ws.send_text(text)

    async def close(code: int, reason: str) -> None:
        if ws.application_state != WebSocketState.DISCONNECTED:
            await ws.close(code=code, reason=reason)

    return AsgiSink(send=send, close=close)
