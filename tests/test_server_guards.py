"""The dashboard's server (server.py) as an attacker on the network meets it: security headers on
every response, no metrics, websockets only from the dashboard's own origin, the sign-in cookie
route refusing other origins and spent codes, and uploads bounded before the body is read —
nobody anonymous, a few files per session, memory held flat under a flood. And its start: every
page warmed by a headless session that leaves no session or audit line behind.

Each of these was open before server.py: /_stcore/metrics answered, no header was sent, a page on
another port opened a session, and twelve anonymous 45 MB uploads took the server up by ~540 MB.
"""
from __future__ import annotations

import http.client
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from dashboard_fixtures import ARTIFACTS, demo_server, demo_template  # noqa: F401
from scoring.accounts import auth, registry, sessions
from scoring.store import Store
from web import signin
from web.deployment import proc_peak_rss_mib, reset_peak_rss
from web.headers import HEADERS
from web.warm import READY_PATH

MB = 1 << 20


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    log = ARTIFACTS / "server-guards" / "server.log"
    with demo_server(demo_template, tmp_path_factory.mktemp("guards"), log) as srv:
        yield srv


def request(server, method: str, path: str, headers: dict | None = None, body: bytes = b""):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def xsrf(server) -> str:
    """The XSRF cookie Streamlit hands every visitor (its uploads require it, echoed in a header)."""
    _, headers, _ = request(server, "GET", "/_stcore/health")
    return headers["set-cookie"].split("_streamlit_xsrf=", 1)[1].split(";", 1)[0]


@contextmanager
def live_session(server, origin: str | None = None):
    """A dashboard session opened over the websocket, as the login page does: its id, while open."""
    with connect(f"ws://127.0.0.1:{server.port}/_stcore/stream", subprotocols=["streamlit"], origin=origin,
                 open_timeout=30, max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(ws.recv(timeout=60))
            if fwd.WhichOneof("type") == "new_session":
                break
        yield fwd.new_session.initialize.session_id


def put_upload(server, session: str, size: int, cookie: str, token: str, file_id: str | None = None) -> int:
    """PUT one file to the upload route as the frontend does; the status. The body is sent after the
    headers, so a refusal on the headers alone comes back without the server reading it."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        conn.putrequest("PUT", f"/_stcore/upload_file/{session}/{file_id or uuid.uuid4()}")
        for name, value in {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie,
                            "X-Xsrftoken": token, "Content-Length": str(len(head) + size + len(tail))}.items():
            conn.putheader(name, value)
        conn.endheaders()
        try:
            conn.send(head)
            for _ in range(size // MB):
                conn.send(b"x" * MB)
            conn.send(b"x" * (size % MB) + tail)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body: the answer is already waiting
        return conn.getresponse().status
    finally:
        conn.close()


def signed_in_cookie(server, role: str) -> str:
    store = Store(server.db)
    name = f"上传{role}"
    if name not in auth.list_users(store)["用户名"].to_list():
        auth.add_user(store, "命令行:测试", name, "upload-test-pass", role)
    token = sessions.start(store, auth.User(name, role, None))
    return f"{signin.cookie_name(f'127.0.0.1:{server.port}')}={token}"


def test_the_server_warms_every_page_at_start_and_leaves_no_trace(server, demo_template):
    # One headless session signs in (by a session the server makes and removes) and opens every
    # page but those left to their first visitor (registry: warm=False, an editable table's pandas),
    # off any visitor's request: the first visitor after a restart finds the caches warm.
    deadline = time.monotonic() + 180
    while (status := request(server, "GET", READY_PATH)[0]) != 200:
        assert status == 503 and time.monotonic() < deadline
        time.sleep(0.5)
    text = server.log_path.read_text(encoding="utf-8")
    warmed = [p for p in registry.PAGES if p.warm]
    assert 0 < len(warmed) < len(registry.PAGES)
    assert f"启动预热完成：{len(warmed)} 个页面" in text and "Traceback" not in text, text[-2000:]
    store, before = Store(server.db), Store(demo_template)
    assert store.rows("SELECT count(*) FROM sessions")[0][0] == 0
    assert store.rows("SELECT count(*) FROM audit")[0][0] == before.rows("SELECT count(*) FROM audit")[0][0]


def test_every_response_carries_the_security_headers_and_metrics_are_closed(server):
    for path in ("/", "/rank", "/_stcore/health", "/_stcore/metrics", "/_stcore/metrics/"):
        status, headers, body = request(server, "GET", path)
        for name, value in HEADERS:
            assert headers.get(name.lower()) == value, (path, name)
        if "metrics" in path:
            assert status == 404 and b"cache_memory_bytes" not in body and b"session" not in body


def test_websockets_only_from_the_dashboards_own_origin(server):
    with live_session(server, origin=f"http://127.0.0.1:{server.port}") as sid:
        assert sid
    with live_session(server) as sid:  # no Origin: not a browser, and it carries no visitor's cookie
        assert sid
    for other in (f"http://127.0.0.1:{server.port + 1}", f"http://localhost:{server.port}", "http://evil.example",
                  "null"):
        with pytest.raises(InvalidStatus) as refused:
            with live_session(server, origin=other):
                pass
        assert refused.value.response.status_code == 403, other


def test_the_cookie_route_takes_a_fresh_code_from_its_own_origin_only(server):
    store = Store(server.db)
    token = sessions.start(store, auth.User("测试管理员", "管理", None))
    own = {"Origin": f"http://127.0.0.1:{server.port}"}
    code = signin.offer(token)  # this process's codes are not the server's: a code it never issued
    assert request(server, "POST", signin.PATH, own, code.encode())[0] == 410
    assert request(server, "POST", signin.PATH, {}, b"x")[0] == 403            # no Origin
    assert request(server, "POST", signin.PATH, {"Origin": f"http://127.0.0.1:{server.port + 1}"}, b"x")[0] == 403
    assert request(server, "POST", signin.PATH, own, b"x" * 1000)[0] == 413


def test_uploads_need_an_account_that_may_upload(server):
    token = xsrf(server)
    anonymous = f"_streamlit_xsrf={token}"
    viewer = f"{signed_in_cookie(server, '查看')}; {anonymous}"
    clerk = f"{signed_in_cookie(server, '录入')}; {anonymous}"
    with live_session(server) as sid:
        assert put_upload(server, sid, MB, anonymous, token) == 403
        assert put_upload(server, sid, MB, viewer, token) == 403
        assert put_upload(server, sid, MB, clerk, token) == 204
        # a body without a declared length, or longer than one file, is refused on its headers
        status, _, _ = request(server, "PUT", f"/_stcore/upload_file/{sid}/x",
                               {"Cookie": clerk, "X-Xsrftoken": token, "Transfer-Encoding": "chunked"})
        assert status == 411
        assert put_upload(server, sid, 52 * MB, clerk, token) == 413


def test_a_session_holds_two_files_and_a_removed_one_frees_its_place(server):
    token = xsrf(server)
    cookie = f"{signed_in_cookie(server, '录入')}; _streamlit_xsrf={token}"
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    with live_session(server) as sid:
        assert put_upload(server, sid, MB, cookie, token, first) == 204
        assert put_upload(server, sid, MB, cookie, token, first) == 204   # the same file again replaces it
        assert put_upload(server, sid, MB, cookie, token, second) == 204
        assert put_upload(server, sid, MB, cookie, token) == 429
        assert request(server, "DELETE", f"/_stcore/upload_file/{sid}/{first}",
                       {"Cookie": cookie, "X-Xsrftoken": token})[0] == 204
        assert put_upload(server, sid, MB, cookie, token) == 204


def test_an_upload_flood_leaves_the_servers_memory_flat(server):
    token = xsrf(server)
    anonymous = f"_streamlit_xsrf={token}"
    admin = f"{signed_in_cookie(server, '管理')}; {anonymous}"
    pid = server.proc.pid
    results: list[int] = []

    def push(sid: str, cookie: str) -> None:
        results.append(put_upload(server, sid, 45 * MB, cookie, token))

    with ExitStack() as stack:
        sids = [stack.enter_context(live_session(server)) for _ in range(6)]
        reset_peak_rss(pid)
        before = proc_peak_rss_mib(pid)
        # twelve anonymous 45 MB uploads at once (the probe's flood), then twelve from a signed-in
        # administrator across six sessions: at most three files' worth per address is held
        for cookie in (anonymous, admin):
            threads = [threading.Thread(target=push, args=(sid, cookie)) for sid in sids for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        grown = proc_peak_rss_mib(pid) - before
    assert results[:12] == [403] * 12
    assert 1 <= results[12:].count(204) <= 3 and set(results[12:]) <= {204, 429}, results[12:]
    assert grown < 3 * 45 + 80, f"server peak grew by {grown:.0f} MiB"
