"""The shared-server deployment, started with its own command (deploy/serve.sh: two dashboard
processes on loopback behind Debian's nginx, on free ports, in a temporary run folder): a browser
signs in through the proxy, switches pages and reloads and stays signed in, on one process; a
signed-in browser routed to the other process is still signed in; every browser sticks to one
process; the proxy sends each security header once, serves no metrics, refuses oversized bodies
and upload floods, keeps tokens out of its logs, and the app processes cannot be reached but
through it.
Screenshots go to test-artifacts/deploy/."""
from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from dashboard_fixtures import (ADMIN_NAME, ARTIFACTS, CHROMIUM, browser, demo_template, free_port,  # noqa: F401
                                login, open_page, wait_ready)
from web import signin
from web.deployment import Deployment, nginx_binary
from web.headers import HEADERS

ROOT = Path(__file__).resolve().parent.parent
OUT = ARTIFACTS / "deploy"
LOG_LINE = re.compile(r'^(\S+) \[[^\]]+\] "(\S+) (\S+)" (\d+) \d+ \S+ (\S+) "([^"]*)"$')


def _have_nginx() -> bool:
    try:
        return bool(nginx_binary())
    except SystemExit:
        return False


pytestmark = [pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"没有找到 {CHROMIUM}"),
              pytest.mark.skipif(not _have_nginx(), reason="没有找到 nginx（bash scripts/install.sh dev）")]


@pytest.fixture(scope="module")
def deployed(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deploy")
    shutil.copy(demo_template, folder / "demo.duckdb")
    deployment = Deployment(folder / "run", folder / "demo.duckdb", free_port(), 2, "127.0.0.1")
    serve = ["bash", str(ROOT / "deploy" / "serve.sh")]
    where = ["--run-dir", str(deployment.run_dir)]
    subprocess.run([*serve, "start", "--processes", "2", "--port", str(deployment.port), "--listen", "127.0.0.1",
                    "--db", str(deployment.db), *where], check=True, timeout=300)
    try:
        status = subprocess.run([*serve, "status", *where], capture_output=True, text=True, timeout=60)
        assert status.returncode == 0 and status.stdout.count("仪表盘进程") == 2, status.stdout
        yield deployment
    finally:
        subprocess.run([*serve, "stop", *where], timeout=120)
        OUT.mkdir(parents=True, exist_ok=True)
        for log in (deployment.run_dir / "logs").glob("*.log"):
            shutil.copy(log, OUT / log.name)
    assert not deployment.status_ok()


def get(deployment, path: str, headers: dict | None = None, method: str = "GET", body: bytes = b""):
    conn = http.client.HTTPConnection("127.0.0.1", deployment.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def access_log(deployment) -> list[tuple[str, str, str, str]]:
    """(method, path, upstream, user agent) of every request nginx has logged so far."""
    found = []
    for line in (deployment.run_dir / "logs" / "access.log").read_text(encoding="utf-8").splitlines():
        m = LOG_LINE.match(line)
        assert m, line
        found.append((m[2], m[3], m[5], m[6]))
    return found


def upstreams(deployment, agent: str, path: str | None = None, at_least: int = 1) -> set[str]:
    """The processes that served a client's requests (to `path`). nginx logs a websocket when it
    closes: wait up to 10 s for `at_least` such lines."""
    for _ in range(50):
        found = [up for method, p, up, ua in access_log(deployment) if ua == agent and (path is None or p == path)]
        if len(found) >= at_least:
            break
        time.sleep(0.2)
    return set(found)


def test_headers_once_no_metrics_bounded_bodies_and_apps_on_loopback_only(deployed):
    status, headers, _ = get(deployed, "/")
    assert status == 200
    names = [name.lower() for name, _ in headers]
    for name, value in HEADERS:
        assert names.count(name.lower()) == 1 and dict((k.lower(), v) for k, v in headers)[name.lower()] == value
    route = next(v for k, v in headers if k.lower() == "set-cookie" and v.startswith("kp_route="))
    assert "HttpOnly" in route and "SameSite=Strict" in route
    for path in ("/_stcore/metrics", "/_stcore/metrics/"):
        status, headers, _ = get(deployed, path)
        assert status == 404 and "x-frame-options" in {k.lower() for k, _ in headers}
    # a body above one file's limit is refused by nginx before it reaches an app process
    conn = http.client.HTTPConnection("127.0.0.1", deployed.port, timeout=60)
    conn.putrequest("PUT", "/_stcore/upload_file/s/f")
    conn.putheader("Content-Length", str(60 << 20))
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413 and "请求过大" in response.read().decode()   # in Chinese: a person may see it
    conn.close()
    assert get(deployed, "/", method="POST", body=b"x" * (100 << 10))[0] == 413
    # uploads from one address in quick succession: the app refuses the anonymous ones (403), then
    # nginx stops passing them on at all (429)
    answers = [get(deployed, "/_stcore/upload_file/s/f", {"Content-Length": "1"}, "PUT", b"x") for _ in range(16)]
    statuses = [status for status, _, _ in answers]
    assert statuses[0] == 403 and statuses[-1] == 429 and set(statuses) == {403, 429}, statuses
    assert "过于频繁" in answers[-1][2]
    # the app processes listen on 127.0.0.1 only (state 0A: LISTEN)
    sockets = [line.split() for table in ("tcp", "tcp6")
               for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]]
    for port in deployed.app_ports():
        assert {f[1] for f in sockets if f[3] == "0A" and f[1].endswith(f":{port:04X}")} == {f"0100007F:{port:04X}"}


def test_every_browser_sticks_to_one_process(deployed):
    for n in range(16):
        agent = f"sticky-{n}"
        _, headers, _ = get(deployed, "/", {"User-Agent": agent})
        cookie = next(v for k, v in headers if k.lower() == "set-cookie").split(";", 1)[0]
        for _ in range(3):
            get(deployed, "/_stcore/health", {"User-Agent": agent, "Cookie": cookie})
        assert len(upstreams(deployed, agent)) == 1, agent   # the first request included
    assert len({next(iter(upstreams(deployed, f"sticky-{n}"))) for n in range(16)}) == 2


def test_signed_in_through_the_proxy_across_pages_reloads_and_processes(deployed, browser):
    OUT.mkdir(parents=True, exist_ok=True)
    agent = "deploy-browser"
    context = browser.new_context(viewport={"width": 1400, "height": 900}, user_agent=agent)
    page = context.new_page()
    page.goto(deployed.url)
    wait_ready(page)
    login(page)
    page.wait_for_selector(f"text=当前用户：{ADMIN_NAME}", timeout=60_000)
    wait_ready(page)
    open_page(page, "排名")
    open_page(page, "单位详情")
    page.screenshot(path=OUT / "01-经代理登录后切换页面.png")
    page.reload()
    page.wait_for_selector(f"text=当前用户：{ADMIN_NAME}", timeout=60_000)
    wait_ready(page)
    assert "/unit" in page.url and page.locator("h1").first.inner_text() == "单位详情"
    page.screenshot(path=OUT / "02-刷新后仍已登录.png")
    name = signin.cookie_name(f"127.0.0.1:{deployed.port}")
    token = next(c["value"] for c in context.cookies() if c["name"] == name)
    context.close()
    streams = upstreams(deployed, agent, "/_stcore/stream", at_least=2)
    assert len(streams) == 1, streams   # both websockets (before and after the reload) on one process

    # the same sign-in routed to either process (another route cookie each time): signed in on both
    served = set()
    for n in range(12):
        other = browser.new_context(viewport={"width": 1400, "height": 900}, user_agent=f"{agent}-{n}")
        other.add_cookies([{"name": name, "value": token, "url": deployed.url},
                           {"name": "kp_route", "value": f"route-{n}", "url": deployed.url}])
        tab = other.new_page()
        tab.goto(f"{deployed.url}/rank")
        tab.wait_for_selector(f"text=当前用户：{ADMIN_NAME}", timeout=60_000)
        other.close()
        served |= upstreams(deployed, f"{agent}-{n}", "/_stcore/stream")
        if len(served) == 2:
            break
    assert len(served) == 2, served

    # no token, cookie or sign-in code in any log
    for log in (deployed.run_dir / "logs").glob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert token not in text and name + "=" not in text, log.name
