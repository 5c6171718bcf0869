"""The security headers of web/headers.py, which the dashboard sends itself and the proxy sends
in front of it (web/nginx.py), applied in a real browser: the dashboard works under that
Content-Security-Policy (every page drawn, charts included, no violation reported), and the policy
does block what it is there for (an image or a connection to another host)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard_fixtures import (ARTIFACTS, CHROMIUM, browser, demo_server, demo_template,  # noqa: F401
                                login, open_page, wait_ready)
from scoring.accounts import registry
from web import nginx
from web.headers import HEADERS

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"没有找到 {CHROMIUM}")
WATCH_JS = """() => { window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


def test_the_proxy_sends_the_apps_headers_and_forwards_the_client_address(tmp_path):
    text = nginx.render(tmp_path, "127.0.0.1", 8080, [8501, 8502])
    for name, value in HEADERS:
        assert f'add_header {name} "{value}" always;' in text and f"proxy_hide_header {name};" in text
    sent = dict(HEADERS)
    assert sent["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in sent["Content-Security-Policy"]
    assert re.search(r"^\s*proxy_set_header X-Forwarded-For \$remote_addr;", text, re.M)


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    log = ARTIFACTS / "browser-headers" / "server.log"
    with demo_server(demo_template, tmp_path_factory.mktemp("headers"), log) as srv:
        yield srv


def test_the_dashboard_works_under_its_own_headers(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.add_init_script(f"({WATCH_JS})()")
        console = []
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        sent = page.goto(server.url).headers
        for name, value in HEADERS:
            assert sent[name.lower()] == value, name
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
        page.close()
