"""Staying signed in, in a real browser (Playwright + Debian's chromium): a reload keeps the
account and the page; a copied 单位详情 link opens that unit in a new tab, and for someone signed
out it opens there once they sign in; a password reset signs the old tab out; logout ends the
session on the server. The token is in an HttpOnly cookie: a page served on another port of the
host can neither read it nor open a dashboard session. Screenshots go to test-artifacts/sessions/."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dashboard_fixtures import (ADMIN_NAME, ADMIN_PASSWORD, ARTIFACTS, CHROMIUM, CHROMIUM_ARGS,  # noqa: F401
                                browser, demo_server, demo_template, login, module_server, open_page,
                                wait_ready)
from scoring.accounts import auth, sessions
from scoring.store import Store
from web import signin

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）")

OUT = ARTIFACTS / "sessions"
CLI = "命令行:测试"


server = module_server("sessions")


def heading(page) -> str:
    return page.locator("h1").first.text_content() or ""


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def wait_heading(page, words: str) -> None:
    page.wait_for_function(f"() => (document.querySelector('h1') || {{textContent: ''}}).textContent.includes({words!r})",
                           timeout=60_000)
    wait_ready(page)


def session_cookie(context, present: bool = True) -> dict | None:
    """The sign-in cookie, after waiting up to 10 s for the page's request that sets (present) or
    clears it to land."""
    for _ in range(50):
        found = next((c for c in context.cookies() if c["name"].startswith("kaoping")), None)
        if (found is not None) == present:
            break
        time.sleep(0.2)
    return found


def assert_no_english_dialog(page) -> None:
    assert page.locator("text=Page not found").count() == 0


def test_reload_and_copied_links_stay_signed_in_until_the_password_is_reset(server, browser):
    store = Store(server.db)
    auth.add_user(store, CLI, "会话测试员", "session-pass-1", "查看")
    unit = store.unit_book().units[4]

    # The server's very first request is a copied 单位详情 link from a browser without a cookie:
    # the login form at that address, then that unit.
    link = f"{server.url}/unit?unit={unit.id}"
    other = browser.new_context(viewport={"width": 1400, "height": 900})
    fresh = other.new_page()
    fresh.goto(link)
    fresh.wait_for_selector("[data-testid='stForm']", timeout=60_000)
    wait_ready(fresh)
    assert "/unit" in fresh.url and fresh.locator("text=请先登录").count() == 0
    assert_no_english_dialog(fresh)
    fresh.screenshot(path=OUT / "03-未登录打开链接显示登录.png")
    login(fresh)
    wait_heading(fresh, "单位详情")
    assert unit.name in main_text(fresh) and f"unit={unit.id}" in fresh.url
    assert_no_english_dialog(fresh)
    fresh.screenshot(path=OUT / "04-登录后回到链接的单位.png")

    # sign in, open 排名 on the C group, reload: still signed in, still on 排名's C group
    first = browser.new_context(viewport={"width": 1400, "height": 900})
    page = first.new_page()
    page.goto(server.url)
    wait_ready(page)
    login(page, "会话测试员", "session-pass-1")
    page.wait_for_selector("text=当前用户：会话测试员", timeout=60_000)
    wait_ready(page)
    cookie = session_cookie(first)
    assert cookie is not None and cookie["sameSite"] == "Strict" and cookie["path"] == "/" and cookie["httpOnly"]
    assert cookie["name"] == signin.cookie_name(f"127.0.0.1:{server.port}")
    assert cookie["value"] not in page.evaluate("document.cookie")
    assert store.rows("SELECT count(*) FROM sessions WHERE name = '会话测试员'")[0][0] == 1
    open_page(page, "排名")
    page.get_by_role("tab", name="C 组").click()
    page.wait_for_function("() => location.search.includes('group=C')", timeout=60_000)
    wait_ready(page)
    assert "period=" in page.url
    page.reload()
    wait_heading(page, "排名")
    assert page.locator("text=当前用户：会话测试员").count() == 1
    assert "/rank" in page.url and "group=C" in page.url
    assert page.get_by_role("tab", selected=True).first.inner_text().startswith("C 组")
    assert_no_english_dialog(page)
    page.screenshot(path=OUT / "01-刷新后仍在排名.png")

    # a copied 单位详情 link opens that unit in another tab of the same browser
    tab = first.new_page()
    tab.goto(link)
    wait_heading(tab, "单位详情")
    assert unit.name in main_text(tab)
    assert tab.locator("text=当前用户：会话测试员").count() == 1
    tab.screenshot(path=OUT / "02-新标签页打开复制的单位链接.png")
    tab.close()

    # a password reset (from the command line) signs the first tab out at its next click, and
    # a second tab of that browser at its next reload
    spare = first.new_page()
    spare.goto(f"{server.url}/rank")
    wait_heading(spare, "排名")
    auth.set_password(store, CLI, "会话测试员", "session-pass-2")
    page.locator("[data-testid='stSidebarNav'] a", has_text="总览").first.click()
    page.wait_for_selector("text=登录已失效", timeout=60_000)
    wait_ready(page)
    assert page.locator("text=当前用户：会话测试员").count() == 0
    page.screenshot(path=OUT / "05-重置密码后旧标签页已退出.png")
    spare.reload()  # the first tab cleared the browser's cookie: the login form
    wait_ready(spare)
    assert spare.locator("[data-testid='stForm']").count() == 1
    assert spare.locator("text=当前用户：会话测试员").count() == 0

    # logout ends the session on the server and clears the cookie
    fresh.get_by_role("button", name="退出登录").click()
    fresh.wait_for_selector("[data-testid='stForm']", timeout=60_000)
    wait_ready(fresh)
    assert session_cookie(other, present=False) is None
    assert store.rows("SELECT count(*) FROM sessions WHERE name = ?", [ADMIN_NAME])[0][0] == 0

    # a browser whose cookie outlived its session (reset elsewhere) is told so at its next visit
    login(fresh)
    fresh.wait_for_selector(f"text=当前用户：{ADMIN_NAME}", timeout=60_000)
    wait_ready(fresh)
    assert session_cookie(other) is not None
    auth.set_password(store, CLI, ADMIN_NAME, ADMIN_PASSWORD)
    fresh.reload()
    fresh.wait_for_selector("text=登录已失效", timeout=60_000)
    assert fresh.locator(f"text=当前用户：{ADMIN_NAME}").count() == 0
    first.close()
    other.close()


class _OtherSite(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = "<!doctype html><meta charset=utf-8><title>同一主机上的其他网页</title><p>其他网页".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_page_on_another_port_can_neither_read_the_token_nor_open_a_session(server, browser):
    site = ThreadingHTTPServer(("127.0.0.1", 0), _OtherSite)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(server.url)
        wait_ready(page)
        login(page)
        page.wait_for_selector(f"text=当前用户：{ADMIN_NAME}", timeout=60_000)
        cookie = session_cookie(context)
        assert cookie is not None and cookie["httpOnly"]
        other = context.new_page()
        other.goto(f"http://127.0.0.1:{site.server_address[1]}/")
        assert cookie["value"] not in other.evaluate("document.cookie")
        opened = other.evaluate(f"""() => new Promise(done => {{
            const ws = new WebSocket('ws://127.0.0.1:{server.port}/_stcore/stream', 'streamlit');
            ws.onopen = () => {{ ws.close(); done('opened'); }};
            ws.onerror = () => done('refused'); }})""")
        assert opened == "refused"
    finally:
        context.close()
        site.shutdown()
