"""Bounds on `/_stcore/upload_file/<session>/<file>` before a byte of the body is read.

Streamlit keeps every uploaded file in memory until its widget lets go of it or the session ends,
and accepts any file id for any live session: anyone who could open the login page could push
uploads until the server ran out of memory. Here, in order, before the request reaches Streamlit:
- only a signed-in account that may import or restore (the roles with an upload widget), by the
  sign-in cookie the browser sends with the upload — nobody anonymous;
- a declared Content-Length (no chunked bodies) of at most one file under the app's limit;
- per browser session at most FILES_PER_SESSION files held and in flight, per client address at
  most IN_FLIGHT_PER_ADDRESS uploads at once and BYTES_PER_ADDRESS held and in flight, and the
  whole server at most BYTES_SERVER — each file counted from the moment its request is accepted
  until Streamlit no longer holds it.
The proxy limits request rates and body sizes as a second line (web/nginx.py).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scoring.accounts import auth
from scoring.intake.reader import MAX_FILE_BYTES
from web.signin import cookie_user

PREFIX = "/_stcore/upload_file/"
UPLOAD_ACTIONS = ("import", "backup")      # the 数据导入 and 管理 → 备份 uploaders
MULTIPART_SLACK = 1 << 20                  # form framing around the file (Streamlit allows the same)
MAX_REQUEST = MAX_FILE_BYTES + MULTIPART_SLACK
FILES_PER_SESSION = 2                      # each uploader takes one file; a replaced one is deleted
IN_FLIGHT_PER_ADDRESS = 2
BYTES_PER_ADDRESS = 3 * MAX_REQUEST
BYTES_SERVER = 4 * MAX_REQUEST             # ~200 MB of uploads in memory at most, whoever sends them


@dataclass
class _File:
    session: str
    file_id: str
    address: str
    size: int
    done: bool = False   # False while its request runs


class Ledger:
    """The uploads this process has accepted and not yet seen released."""

    def __init__(self, held):
        self._held = held            # (session, file_id) -> does Streamlit still hold that file?
        self._files: dict[int, _File] = {}
        self._lock = threading.Lock()

    def admit(self, session: str, file_id: str, address: str, size: int) -> _File | str:
        """A reservation for one upload, or the reason it is refused."""
        with self._lock:
            self._files = {k: f for k, f in self._files.items() if not f.done or self._held(f.session, f.file_id)}
            files = list(self._files.values())
            # A new upload under the same id replaces the file it names; that one stops counting.
            files = [f for f in files if not (f.done and f.session == session and f.file_id == file_id)]
            mine = [f for f in files if f.address == address]
            if sum(f.session == session for f in files) >= FILES_PER_SESSION:
                return "本会话已有上传的文件，请先移除再上传"
            if sum(not f.done for f in mine) >= IN_FLIGHT_PER_ADDRESS:
                return "同一地址同时上传的文件过多，请稍后再试"
            if sum(f.size for f in mine) + size > BYTES_PER_ADDRESS:
                return "同一地址上传的文件过多，请稍后再试"
            if sum(f.size for f in files) + size > BYTES_SERVER:
                return "服务器正在处理的上传过多，请稍后再试"
            entry = _File(session, file_id, address, size)
            self._files[id(entry)] = entry
            return entry

    def finish(self, entry: _File, stored: bool) -> None:
        with self._lock:
            if stored:
                for key, f in list(self._files.items()):
                    if f is not entry and f.done and (f.session, f.file_id) == (entry.session, entry.file_id):
                        del self._files[key]
                entry.done = True
            else:
                self._files.pop(id(entry), None)


def _held_by_streamlit(session: str, file_id: str) -> bool:
    from streamlit.runtime import Runtime

    return bool(Runtime.instance().uploaded_file_mgr.get_files(session, [file_id]))


async def _refuse(send: Send, status: int, reason: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": reason.encode()})


class UploadLimits:
    def __init__(self, app: ASGIApp, held=_held_by_streamlit):
        self.app = app
        self.ledger = Ledger(held)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "PUT" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)   # DELETE frees a file: always welcome
            return
        parts = scope["path"][len(PREFIX):].split("/")
        if len(parts) != 2 or not all(parts):
            await _refuse(send, 404, "上传地址无效")
            return
        lengths = [v for k, v in scope["headers"] if k == b"content-length"]
        if len(lengths) != 1 or not lengths[0].isdigit():
            await _refuse(send, 411, "上传请求须注明长度")
            return
        size = int(lengths[0])
        if size > MAX_REQUEST:
            await _refuse(send, 413, "文件过大")
            return
        user = await run_in_threadpool(cookie_user, scope)
        if user is None or not any(auth.can(user, action) for action in UPLOAD_ACTIONS):
            await _refuse(send, 403, "请先以可以上传文件的账号登录")
            return
        address = (scope.get("client") or ("",))[0]
        entry = self.ledger.admit(parts[0], parts[1], address, size)
        if isinstance(entry, str):
            await _refuse(send, 429, entry)
            return
        received, status = 0, None

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > size:  # the server enforces Content-Length; this holds the count anyway
                raise ValueError("upload body longer than declared")
            return message

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, counted, watched)
        finally:
            self.ledger.finish(entry, stored=status is not None and status < 300)
