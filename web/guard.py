"""ASGI middleware in front of Streamlit: the security headers on every response, websockets from
this origin only, and no metrics.

Streamlit accepts a websocket whose Origin names any port of the server's host (it compares host
names only), so a page served by anything else on that machine could open a dashboard session in
a visitor's browser. Here the Origin must be exactly the address the browser asked for (scheme
aside: a proxy may end TLS). A client that sends no Origin is no browser and carries no visitor's
cookie, and is let through as before. `/_stcore/metrics` (cache sizes, session counts) is served
to nobody.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.headers import HEADERS

CLOSED_PATHS = frozenset({"/_stcore/metrics"})
_HEADERS = [(name.lower().encode(), value.encode()) for name, value in HEADERS]


def header(scope: Scope, name: bytes) -> str | None:
    """One request header (lower-case name), decoded; None when absent."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def same_origin(scope: Scope) -> bool:
    """True when the request's Origin is this server as the browser addressed it (the Host header,
    port included; nginx passes it on unchanged). No Origin: not a browser's request."""
    origin, host = header(scope, b"origin"), header(scope, b"host")
    if origin is None:
        return True
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:
        return False
    return bool(host) and netloc.lower() == host.lower()


class Guard:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not same_origin(scope):
            # Closing before accepting makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers", ())}
                message["headers"] = [*message.get("headers", ()),
                                      *(h for h in _HEADERS if h[0] not in present)]
            await send(message)

        if scope["path"].rstrip("/") in CLOSED_PATHS:
            await with_headers({"type": "http.response.start", "status": 404,
                                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await with_headers({"type": "http.response.body", "body": "未找到".encode()})
            return
        await self.app(scope, receive, with_headers)
