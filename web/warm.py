"""Warm start: right after the server starts, and off any visitor's request, one headless session
signs in and opens every page, so that the first person after a restart finds the modules
imported, the engine open and the views of the default periods in the shared caches.

The session is a real one, driven through Streamlit's runtime as a websocket would drive it
(connect_session / handle_backmsg / close_session): the same script, the same caches, nothing
page-specific here. It signs in as an existing account by a server-side session made for it and
removed again without an audit line; with no account yet, only the login page is warmed.
READY_PATH answers 200 once it has ended: deploy/serve.sh starts nginx only then, so after a
restart of the deployment nobody reaches a cold process.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from contextlib import asynccontextmanager

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from streamlit.runtime import Runtime

from scoring.accounts import auth, registry, sessions
from web import signin

log = logging.getLogger("scoring.dashboard")
RUN_TIMEOUT = 120.0
HOST = "warm-up"   # the Host header of the warm-up session (its cookie's name follows from it)
READY_PATH = "/_kaoping/ready"
ready = threading.Event()   # set when the warm-up has ended (well or not)


async def ready_endpoint(request: Request) -> PlainTextResponse:
    """200 once warm, 503 before: the deployment routes visitors to a process only after this."""
    return PlainTextResponse("ok" if ready.is_set() else "warming", status_code=200 if ready.is_set() else 503)


ROUTES = [Route(READY_PATH, ready_endpoint, methods=["GET"])]


class _Client:
    """A browser without a screen: collects what the session sends, notes when a run ends."""

    def __init__(self, cookies: dict[str, str]):
        self.client_context = self
        self.headers = [("host", HOST)]
        self.cookies = cookies
        self.remote_ip = "127.0.0.1"
        self.pages: list[str] = []
        self.finished = asyncio.Event()

    def write_forward_msg(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "navigation":
            cold = {p.key for p in registry.PAGES if not p.warm}
            self.pages = [p.page_script_hash for p in msg.navigation.app_pages
                          if p.url_pathname.strip("/") not in cold]
        elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.finished.set()


def _account() -> auth.User | None:
    """An enabled account that sees the most pages; None before the first account."""
    users = [auth.User(row["用户名"], row["角色"], row["单位编号"])
             for row in auth.list_users(signin.store()).iter_rows(named=True)
             if row["状态"] != "已停用" and row["角色"] in auth.ROLES]
    return max(users, key=lambda u: len(auth.pages_for(u.role)), default=None)


async def _run(runtime: Runtime, session_id: str, client: _Client, page: str) -> None:
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = page
    client.finished.clear()
    runtime.handle_backmsg(session_id, msg)
    await asyncio.wait_for(client.finished.wait(), RUN_TIMEOUT)


async def warm() -> None:
    started = time.perf_counter()
    user = await asyncio.to_thread(_account)
    token = await asyncio.to_thread(sessions.start, signin.store(), user, "启动预热") if user else None
    client = _Client({signin.cookie_name(HOST): token} if token else {})
    runtime = Runtime.instance()
    session_id = runtime.connect_session(client=client, user_info={})
    try:
        await _run(runtime, session_id, client, "")  # the default page, first in the menu
        for page in client.pages[1:]:
            await _run(runtime, session_id, client, page)
    finally:
        runtime.close_session(session_id)
        if token:
            await asyncio.to_thread(sessions.discard, signin.store(), token)
    log.info("启动预热完成：%d 个页面，%.1f 秒", len(client.pages) or 1, time.perf_counter() - started)


@asynccontextmanager
async def lifespan(app):
    async def guarded() -> None:
        try:
            await warm()
        except Exception:  # noqa: BLE001 - a failed warm-up costs the first visitor time, nothing else
            log.exception("启动预热失败")
        finally:
            ready.set()

    task = asyncio.create_task(guarded())
    yield
    task.cancel()
