"""`/ws/shows/{show_id}`: the show's live channel. Parses client frames and calls the services;
everything a viewer receives goes through its Connection's bounded queue."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server.auth import Principal
from server.chat import clean_text
from server.connection import AsgiSink, Connection, Frame, Sink
from server.errors import DomainError
from server.events import error_frame, reply_frame
from server.hub import Hub
from server.ids import new_id
from server.metrics import WS_REJECTED
from server.models.commerce import OrderIn
from server.ratelimit import TokenBucket, Violations
from server.settings import REACTION_KINDS
from server.sql import plausible_id
from server.web.common import services
from server.web.errors import validation_details
from server.web.wire import sink_of

log = logging.getLogger("vitrine.ws")

POLICY_VIOLATION = 1008
TOO_BIG = 1009
NOT_FOUND = 4404


@dataclass
class Session:
    """One socket's viewer: who it is and its limits."""

    show_id: str
    viewer_id: str
    principal: Principal | None
    host: bool
    reacts: TokenBucket
    chats: TokenBucket
    name: str | None = None
    frames: TokenBucket = field(default_factory=lambda: TokenBucket(rate=30, burst=60))
    violations: Violations = field(default_factory=lambda: Violations(limit=20))


class Refused(DomainError):
    status = 400


def _int_param(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise Refused("since must be a non-negative integer", code="invalid_since")
    return int(raw)


async def show_socket(ws: WebSocket) -> None:
    s = services(ws)
    settings = s.settings
    if not settings.origin_allowed(ws.headers.get("origin")):
        await ws.close(code=POLICY_VIOLATION, reason="origin not allowed")  # before accept: an HTTP 403
        return
    show_id = str(ws.path_params["show_id"])[:64]
    await ws.accept()
    notices: list[bytes] = []
    if not await s.shows.exists(show_id=show_id):
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
            principal = s.auth.verify(params["token"])
        except DomainError as exc:
            notices.append(error_frame(exc.code, exc.message))
    host = principal is not None and await s.shows.may_drive(principal=principal, show_id=show_id)
    viewer_id = s.auth.viewer_id(params.get("viewer")) or (principal.id if principal else new_id("vwr"))
    session = Session(show_id=show_id, viewer_id=viewer_id, principal=principal, host=host,
                      reacts=TokenBucket(rate=settings.ws_react_per_s, burst=settings.ws_react_per_s * 2),
                      chats=TokenBucket(rate=settings.ws_chat_per_s, burst=settings.ws_chat_burst))

    wire = sink_of(ws.scope)
    sink: Sink = wire if wire is not None else _asgi_sink(ws)
    conn = Connection(sink=sink, maxlen=settings.ws_send_queue, max_backlog=settings.ws_send_buffer_bytes)
    try:
        await _join(ws, conn, session, since=since, epoch=params.get("epoch") or None, notices=notices)
        if wire is not None:
            wire.lane = _lane(ws, conn, session)
        await _serve(ws, conn, session)
    except WebSocketDisconnect:
        pass
    finally:
        s.hub.leave(show_id, conn)
        await conn.stop()


async def _join(ws: WebSocket, conn: Connection, session: Session, *, since: int | None, epoch: str | None,
                notices: list[bytes]) -> None:
    """Join the show's channel and send the snapshot, then any replay. A function of its own so that the
    snapshot's bytes are not kept alive for as long as the socket is open."""
    s = services(ws)
    joined = await s.hub.join(session.show_id, conn, since=since, epoch=epoch)
    s.hub.saw(session.show_id, session.viewer_id)
    snap = joined.snapshot
    first = reply_frame("snapshot", {
        **snap.data, "seq": snap.seq, "epoch": snap.epoch, "recovered": joined.recovered,
        "you": {"viewer_id": session.viewer_id, "viewer_token": s.auth.viewer_token(session.viewer_id),
                "role": "host" if session.host else "viewer"},
        "reactions": list(REACTION_KINDS),
    })
    conn.start(first=[Frame(0, first), *(Frame(0, n) for n in notices), *joined.replay], after=joined.after)


def _asgi_sink(ws: WebSocket) -> AsgiSink:
    async def send(text: str) -> None:
        await ws.send_text(text)

    async def close(code: int, reason: str) -> None:
        if ws.application_state != WebSocketState.DISCONNECTED:
            await ws.close(code=code, reason=reason)

    return AsgiSink(send=send, close=close)


# A react frame as the player sends it (JSON.stringify's bytes, the same as orjson's), with its kind: the
# lane takes these without parsing them; any other spelling is parsed.
_PLAIN_REACTS = {orjson.dumps({"type": "react", "kind": kind}): kind for kind in REACTION_KINDS}


def _lane(ws: WebSocket, conn: Connection, session: Session) -> Callable[[bytes], bool]:
    """Reactions, taken as the protocol parses them (server/web/wire.py): the most frequent frame a
    viewer sends never becomes an ASGI message. Anything else goes on to `_serve`."""
    hub = services(ws).hub
    max_bytes = services(ws).settings.ws_max_frame_bytes

    def take(raw: bytes) -> bool:
        kind: Any = _PLAIN_REACTS.get(raw)
        if kind is None:
            if len(raw) > max_bytes or b'"react"' not in raw:
                return False
            try:
                frame = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return False
            if not isinstance(frame, dict) or frame.get("type") != "react":
                return False
            kind = frame.get("kind")
        if conn.closed:
            return False
        now = time.monotonic()
        try:
            if not session.frames.take(now):
                raise Refused("slow down", code="rate_limited")
            _take_reaction(hub, session, kind, now)
        except DomainError as exc:
            _refuse(conn, session, exc)
        return True

    return take


def _refuse(conn: Connection, session: Session, exc: DomainError) -> None:
    """The `error` frame for a refused client frame; a client that stays over its rate limit is closed."""
    WS_REJECTED.labels(exc.code).inc()
    extra = exc.details if isinstance(exc.details, dict) else {"details": exc.details}
    conn.reply(error_frame(exc.code, exc.message, **extra))
    if exc.code == "rate_limited" and session.violations.add():
        conn.kill(POLICY_VIOLATION, "over the rate limit for too long")


async def _serve(ws: WebSocket, conn: Connection, session: Session) -> None:
    max_bytes = services(ws).settings.ws_max_frame_bytes
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
            reply = await _handle(ws, session, raw)
        except DomainError as exc:
            _refuse(conn, session, exc)
            continue
        except Exception:
            log.exception("ws frame failed")
            conn.reply(error_frame("internal", "something went wrong on our side"))
            continue
        if reply is not None:
            conn.reply(reply)


async def _handle(ws: WebSocket, session: Session, raw: str | bytes) -> bytes | None:
    if not session.frames.take():
        raise Refused("slow down", code="rate_limited")
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Refused("the frame is not valid JSON", code="invalid_json") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise Refused("a frame is a JSON object with a string type", code="invalid_frame")
    kind = frame["type"]
    handler = HANDLERS.get(kind)
    if handler is None:
        raise Refused(f"unknown frame type {kind[:40]!r}", code="unknown_type")
    return await handler(ws, session, frame)


async def _react(ws: WebSocket, session: Session, frame: dict[str, Any]) -> bytes | None:
    _take_reaction(services(ws).hub, session, frame.get("kind"))
    return None


def _take_reaction(hub: Hub, session: Session, kind: Any, now: float | None = None) -> None:
    if kind not in REACTION_KINDS:
        raise Refused(f"kind must be one of {', '.join(REACTION_KINDS)}", code="invalid_kind")
    if not session.reacts.take(now):
        raise Refused("too many reactions: slow down", code="rate_limited")
    hub.react(session.show_id, kind)


async def _chat(ws: WebSocket, session: Session, frame: dict[str, Any]) -> bytes | None:
    name = frame.get("name")
    if name is not None:
        session.name = clean_text(name, field="name", max_chars=40)
    if session.name is None:
        raise Refused("give a display name to chat", code="name_required")
    if not session.chats.take():
        raise Refused("you are sending messages too fast", code="rate_limited")
    await services(ws).chat.post(show_id=session.show_id, viewer_id=session.viewer_id, author=session.name,
                                 text=frame.get("text"))  # type: ignore[arg-type]
    return None


def _host(session: Session) -> Principal:
    if not session.host or session.principal is None:
        raise Refused("only this show's host may do this", code="not_show_host")
    return session.principal


async def _pin(ws: WebSocket, session: Session, frame: dict[str, Any]) -> bytes | None:
    product_id = frame.get("product_id")
    if not isinstance(product_id, str) or not plausible_id(product_id):
        raise Refused("product_id must be a product id", code="invalid_product_id")
    await services(ws).shows.pin(principal=_host(session), show_id=session.show_id, product_id=product_id)
    return None


async def _unpin(ws: WebSocket, session: Session, frame: dict[str, Any]) -> bytes | None:
    await services(ws).shows.unpin(principal=_host(session), show_id=session.show_id)
    return None


async def _ping(ws: WebSocket, session: Session, frame: dict[str, Any]) -> bytes | None:
    return reply_frame("pong", {"id": frame.get("id") if isinstance(frame.get("id"), (str, int)) else None})


async def _buy(ws: WebSocket, session: Session, frame: dict[str, Any]) -> bytes | None:
    """The same order service as POST /api/orders; `key` is the Idempotency-Key."""
    key = frame.get("key")
    if not isinstance(key, str):
        raise Refused("key (a random string that makes a retry safe) is required", code="idempotency_key_required")
    fields = {k: frame.get(k) for k in ("product_id", "variant_id", "quantity", "deal_id", "voucher", "buyer")
              if frame.get(k) is not None}
    try:
        if "buyer" not in fields:
            raise Refused("give the buyer's name, email and address", code="buyer_required")
        try:
            data = OrderIn.model_validate({**fields, "show_id": session.show_id})
        except ValidationError as exc:
            raise Refused("some fields are not valid", code="invalid_request",
                          details={"details": validation_details(exc)}) from None
        placed = await services(ws).orders.place(data=data, key=key)
    except DomainError as exc:  # the refusal names the purchase it answers
        exc.details = {**(exc.details or {}), "key": key}
        raise
    return reply_frame("order.placed", {"order": placed.order, "replayed": placed.replayed, "key": key})


HANDLERS = {"react": _react, "chat": _chat, "pin": _pin, "unpin": _unpin, "ping": _ping, "buy": _buy}

routes = [WebSocketRoute("/ws/shows/{show_id}", show_socket)]
