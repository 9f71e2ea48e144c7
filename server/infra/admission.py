"""Who gets in, and how long they may take to say what they want (issue 16).

uvicorn holds a connection for as long as its client likes until a request is whole: 300 clients trickling an
upgrade a byte at a time, and 300 that connected and said nothing, kept 600 descriptors for 75 s and more, and
with `ulimit -n 256` the node stopped answering. This protocol (uvicorn's httptools one, as `vitrine serve`
runs it) gives every request `REQUEST_TIMEOUT_S` from its first byte (or from the connection, for the first)
to arrive whole, headers and body, else it answers 408 and closes; and refuses a connection past
`MAX_CONNECTIONS` per worker at once, with a 503 and a `Retry-After`, instead of letting the worker run out of
descriptors. WebSockets count among the connections; an upgrade is whole when its headers are."""

from __future__ import annotations

import asyncio
import logging
import os
import resource

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("vitrine.admission")

RESERVED_FDS = 256  # descriptors kept for the database and Redis pools, files, the process pool


def open_files_limit() -> int:
    """Raise this process's soft open-files limit to its hard limit; returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def limits(environ: dict[str, str] | None = None) -> tuple[int, float]:
    """(connections per worker, seconds a request has to arrive whole), from MAX_CONNECTIONS (0 or unset:
    what the open-files limit leaves) and REQUEST_TIMEOUT_S. Settings checked the values at start."""
    env = os.environ if environ is None else environ
    by_files = max(64, open_files_limit() - RESERVED_FDS)
    asked = int(env.get("MAX_CONNECTIONS") or 0)
    return (min(asked, by_files) if asked > 0 else by_files), float(env.get("REQUEST_TIMEOUT_S") or 10)


def _answer(status: bytes, code: str, message: str, *headers: bytes) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection, its body the API's error shape."""
    body = b'{"error":{"code":"%s","message":"%s"}}' % (code.encode(), message.encode())
    head = [b"HTTP/1.1 " + status, b"content-type: application/json", *headers, b"connection: close",
            b"content-length: %d" % len(body)]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


_REFUSED = _answer(b"503 Service Unavailable", "busy", "this server holds all the connections it can: try again",
                   b"retry-after: 5")
_TOO_SLOW = _answer(b"408 Request Timeout", "request_timeout", "the request did not arrive whole in time")


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for each request and a cap on connections."""

    _limits: tuple[int, float] | None = None
    _deadline: asyncio.TimerHandle | None = None

    @classmethod
    def settings(cls) -> tuple[int, float]:
        if HttpProtocol._limits is None:
            HttpProtocol._limits = limits()
        return HttpProtocol._limits

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        most, _ = self.settings()
        if len(self.connections) >= most:
            log.warning("refused a connection: %d held, the most this worker takes (MAX_CONNECTIONS)", most)
            transport.write(_REFUSED)
            transport.close()
            return
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.settings()[1], self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(_TOO_SLOW)  # no answer under way: say why before closing
        self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()
        super().handle_websocket_upgrade()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self._deadline is None:
            self._arm()  # the next request, if any, has its time from now (uvicorn's keep-alive closes idle ones)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.transport is not None:  # a refused connection never got as far as super().connection_made
            super().connection_lost(exc)
