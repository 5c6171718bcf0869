"""The security headers of deploy/nginx-kaoping.conf, applied in a real browser: the dashboard works
under that Content-Security-Policy (every page drawn, charts included, no violation reported), and
the policy does block what it is there for (an image or a connection to another host).

nginx is not needed: the browser's requests are routed through Playwright, which adds the headers
exactly as written in the configuration file."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dashboard_fixtures import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Server, demo_template,  # noqa: F401
                                login, open_page, wait_ready)
from scoring.accounts import registry

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"没有找到 {CHROMIUM}")
WATCH_JS = """() => { window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


def proxy_headers() -> dict[str, str]:
    """Every add_header of the nginx configuration (name -> value)."""
    text = (ROOT / "deploy" / "nginx-kaoping.conf").read_text(encoding="utf-8")
    found = re.findall(r'^\s*add_header\s+([\w-]+)\s+"([^"]*)"\s+always;', text, re.M)
    return {name.lower(): value for name, value in found}


def test_the_proxy_sets_the_headers_and_forwards_the_client_address():
    headers = proxy_headers()
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] and "frame-ancestors 'none'" in headers["content-security-policy"]
    text = (ROOT / "deploy" / "nginx-kaoping.conf").read_text(encoding="utf-8")
    assert re.search(r"^\s*proxy_set_header X-Forwarded-For \$remote_addr;", text, re.M)


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    db = tmp_path_factory.mktemp("headers") / "demo.duckdb"
    shutil.copy(demo_template, db)
    srv = Server(db, ARTIFACTS / "browser-headers" / "server.log")
    try:
        srv.wait_healthy()
        yield srv
    finally:
        srv.stop()


def test_the_dashboard_works_under_the_proxy_headers(server):
    from playwright.sync_api import sync_playwright

    headers = proxy_headers()
    with sync_playwright() as p:
        # A response fulfilled by Playwright counts as coming from no particular address, and
        # chromium's local-network checks then refuse its WebSocket to 127.0.0.1: not a CSP matter.
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            *CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.add_init_script(f"({WATCH_JS})()")
            console = []
            page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)

            def add_headers(route):
                response = route.fetch()
                route.fulfill(response=response, headers={**response.headers, **headers})

            page.route(f"{server.url}/**", add_headers)
            page.goto(server.url)
            wait_ready(page)
            login(page)
            wait_ready(page)
            for entry in registry.PAGES:
                open_page(page, entry.title)
                assert page.evaluate("window.__violations") == [], entry.title
            assert console == []

            # … and what the policy is for: nothing from another host is loaded.
            blocked = page.evaluate("""async () => {
                const img = new Image(); img.src = 'http://127.0.0.1:8999/i.png';
                let fetched = 'allowed';
                try { await fetch('http://evil.example/'); } catch (e) { fetched = 'blocked'; }
                await new Promise(r => setTimeout(r, 300));
                return [fetched, window.__violations]; }""")
            assert blocked[0] == "blocked"
            assert any(v.startswith("img-src http://127.0.0.1:8999") for v in blocked[1]), blocked[1]
            assert any(v.startswith("connect-src http://evil.example") for v in blocked[1]), blocked[1]
        finally:
            browser.close()
