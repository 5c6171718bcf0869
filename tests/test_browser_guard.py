"""Security fixes seen in a real browser (Playwright + Debian's chromium): a 管理 tab left open
downloads nothing once its sign-in has ended elsewhere, a unit name written as a link is text in
the 排名 and 评先评优 charts, and 管理 → 设置 keeps 登录有效时长 in its range. Screenshots go to
test-artifacts/guard/ (look at them)."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard_fixtures import (ADMIN_NAME, ADMIN_PASSWORD, ARTIFACTS, CHROMIUM, browser,  # noqa: F401
                                demo_template, login, module_server, open_page, signed_in_page, wait_ready)
from scoring.accounts import auth
from scoring.store import Store

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）")

OUT = ARTIFACTS / "guard"
LINK = '<a href="http://evil.example/login">发展和改革委员会</a>'
CLI = "命令行:测试"


server = module_server("guard")


def backup_tab(browser, url: str):
    """A signed-in tab on 管理 → 备份 (in a browser of its own), and the downloads it receives."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(url)
    wait_ready(page)
    login(page)
    page.wait_for_selector("text=催报名单", timeout=60_000)
    wait_ready(page)
    open_page(page, "管理")
    page.get_by_role("tab", name="备份").click()
    page.wait_for_selector("text=下载数据库备份", timeout=60_000)
    got: list = []
    page.on("download", lambda d: got.append(d))
    return page, got


def click_backup(page) -> None:
    page.get_by_role("button", name="下载数据库备份").click()


def backups_made(store) -> int:
    log = store.audit_log()
    return log.filter(log["action"] == "备份数据库").height


@pytest.mark.parametrize("ending", ["sign-out in another tab", "password reset"])
def test_a_stale_admin_tab_downloads_no_backup(server, browser, ending):
    store = Store(server.db)
    before = backups_made(store)
    page, got = backup_tab(browser, server.url)
    with page.expect_download(timeout=60_000):  # while the sign-in lives, the button works
        click_backup(page)
    assert len(got) == 1 and backups_made(store) == before + 1
    got[0].cancel()
    page.reload()  # the tab as it was: 管理 → 备份, signed in
    wait_ready(page)
    page.get_by_role("tab", name="备份").click()
    page.wait_for_selector("text=下载数据库备份", timeout=60_000)
    if ending == "sign-out in another tab":
        other = page.context.new_page()  # the same browser: the cookie signs it in
        other.goto(server.url)
        wait_ready(other)
        other.get_by_role("button", name="退出登录").click()
        other.wait_for_selector("[data-testid='stForm']", timeout=60_000)
        other.close()
    else:
        auth.set_password(store, CLI, ADMIN_NAME, ADMIN_PASSWORD)
    click_backup(page)
    page.wait_for_selector("text=登录已失效", timeout=60_000)  # the click's rerun says why
    page.wait_for_timeout(5000)  # a backup of the demo takes 1–3 s: time for one to arrive
    page.screenshot(path=OUT / f"01-过期标签页下载备份-{ending}.png")
    assert len(got) == 1, "the stale tab received the database"
    assert backups_made(store) == before + 1
    page.context.close()


def test_a_unit_name_written_as_a_link_is_text_in_the_charts(server, browser):
    store = Store(server.db)
    with store.transaction() as con:  # as a database from before names were checked holds it
        con.execute("UPDATE units SET name = ? WHERE id = 1", [LINK])
        store._bump(con)
    page = signed_in_page(browser, server.url)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for title, shot in (("排名", "02-排名图表中的链接名称.png"), ("评先评优", "03-评先评优图表中的链接名称.png")):
        open_page(page, title)
        charts = page.locator("[data-testid='stPlotlyChart'] .main-svg")
        assert charts.count()
        assert page.locator("[data-testid='stPlotlyChart'] a").count() == 0  # no link anywhere in a chart
        shown = " ".join(t or "" for t in page.locator("[data-testid='stPlotlyChart'] text").all_text_contents())
        assert "<a href=" in shown, title  # the characters themselves, as text
        chart = page.locator("[data-testid='stPlotlyChart']").first
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=OUT / shot)
    assert not [u for u in requests if "evil.example" in u]
    page.context.close()


def test_the_settings_page_keeps_a_number_in_its_range(server, browser):
    """At the page: 登录有效时长 is a number input with limits; typing 1e8 saves
    nothing out of range, and Streamlit's English out-of-range tooltip is not shown."""
    store = Store(server.db)
    page = signed_in_page(browser, server.url)
    open_page(page, "管理")
    page.get_by_role("tab", name="设置").click()
    form = page.locator("[data-testid='stForm']").filter(has=page.locator(".st-key-set_session_idle_hours"))
    box = form.locator("input")
    box.scroll_into_view_if_needed()
    box.fill("1e8")
    box.press("Enter")
    assert "数值（0.25 至 168）" in form.inner_text()  # the range in Chinese, and the red frame:
    assert form.locator(".stTooltipErrorHoverTarget:visible").count() == 0  # no English tooltip
    form.get_by_role("button", name="保存").click()
    wait_ready(page)
    form.screenshot(path=OUT / "04-设置-登录有效时长.png")
    stored = store.stored_settings().get("session_idle_hours")
    assert stored is None or 0.25 <= stored <= 168, stored
    page.context.close()
