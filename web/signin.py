"""The sign-in cookie, set and cleared by the server: HttpOnly, so no script in any page — this
dashboard's or one served on another port of the same host — can read the token.

A Streamlit script cannot answer an HTTP request, so the page hands the browser a one-time code
instead of the token: after a password check (or when a new tab resumes from the cookie, which
renews its Max-Age) the page's script POSTs the code to `PATH`; the route trades it for the
token, kept in this process for a minute, and sets the cookie. Sign-out sends a DELETE with a
code for the token to drop: the route ends that session and clears the cookie if it still holds
that token (another tab may have signed in since). Codes are single-use, live CODE_SECONDS,
and travel only in a request body — never in a URL or a log. Behind the proxy the code comes
back to the process that issued it (sticky routing: web/nginx.py).

The cookie is named per instance (`kaoping_<port>`): cookies ignore ports, and two dashboards on
one host (8501 and 8600) would otherwise overwrite each other's sign-in.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scoring.accounts import auth, sessions
from scoring.store import Store
from web.database import db_path
from web.guard import header, same_origin

PATH = "/_kaoping/session"
CODE_SECONDS = 60.0
MAX_CODES = 10_000      # codes waiting at once; beyond this the oldest go (a flood cannot grow memory)
MAX_BODY = 256          # a code is 32 characters

_codes: dict[str, tuple[str, float]] = {}   # sha256(code) -> (token, expiry), insertion-ordered
_lock = threading.Lock()


def cookie_name(host: str | None) -> str:
    """The cookie of the dashboard the browser addressed as `host` (the Host header)."""
    port = (host or "").rpartition("]")[2].rpartition(":")[2]
    return f"kaoping_{port}" if port.isdigit() else "kaoping"


def _key(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def offer(token: str) -> str:
    """A one-time code for `token`, for the page to hand to the browser."""
    code = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _lock:
        for stale in [k for k, (_, until) in _codes.items() if until < now]:
            del _codes[stale]
        while len(_codes) >= MAX_CODES:
            del _codes[next(iter(_codes))]
        _codes[_key(code)] = (token, now + CODE_SECONDS)
    return code


def redeem(code: str) -> str | None:
    """The token a code stands for, once; None for an unknown, used or expired code."""
    with _lock:
        found = _codes.pop(_key(code), None)
    if found is None or found[1] < time.monotonic():
        return None
    return found[0]


@functools.cache
def store() -> Store:
    return Store(db_path())


def cookie_user(scope) -> auth.User | None:
    """The account whose live session the request's cookie holds (blocking: run it in a thread)."""
    token = Request(scope).cookies.get(cookie_name(header(scope, b"host")))
    return sessions.resume(store(), token) if token else None


async def session_endpoint(request: Request) -> Response:
    # A page of this origin sends these with its Origin; anything else is refused (a login CSRF
    # would have to POST a code from another site).
    if request.headers.get("origin") is None or not same_origin(request.scope):
        return Response(status_code=403)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return Response(status_code=413)
    token = redeem(body.decode("ascii", "replace"))
    if token is None:
        return Response(status_code=410)
    name = cookie_name(request.headers.get("host"))
    secure = request.url.scheme == "https"
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    if request.method == "POST":
        age = (await run_in_threadpool(sessions.idle_limit, store())).total_seconds()
        response.set_cookie(name, token, max_age=int(age), path="/", secure=secure, httponly=True,
                            samesite="strict")
        return response
    await run_in_threadpool(sessions.end, store(), token)
    if request.cookies.get(name) == token:
        response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="strict")
    return response


ROUTES = [Route(PATH, session_endpoint, methods=["POST", "DELETE"])]


def script(method: str, code: str) -> str:
    """The page script that hands a code to the route (POST: set the cookie; DELETE: clear it)."""
    if method not in ("POST", "DELETE") or not all(c.isalnum() or c in "-_" for c in code):
        raise ValueError("unexpected cookie request")  # only token_urlsafe's alphabet goes into a script
    return (f"<script>fetch('{PATH}', {{method: '{method}', credentials: 'same-origin', cache: 'no-store',"
            f" body: '{code}'}});</script>")
