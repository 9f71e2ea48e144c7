"""The headers every response carries so that a browser keeps the pages to themselves: a Content Security
Policy (scripts, styles and fonts from this site only; images and streams from this site and the media hosts;
no framing), no MIME sniffing, no referrer across sites (order links carry their token), no camera,
microphone or location."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.settings import Settings


def content_security_policy(settings: Settings) -> str:
    hosts = " ".join(f"https://{host} https://*.{host}" for host in settings.media_hosts)
    images = hosts or "https:"
    streams = " ".join(f"{scheme}://{name}" for host in settings.media_hosts for name in (host, f"*.{host}")
                       for scheme in ("https", "http")) or "https: http:"  # a show's stream_url may be http(s)
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        f"img-src 'self' data: {images}",
        f"media-src 'self' blob: {streams}",
        f"connect-src 'self' {streams}",  # 'self' takes the show socket (ws/wss) too; a stream's segments by fetch
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(settings).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), usb=()"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, sending)
