"""Tabs and boxes that are drawn only when opened, in a real browser (Playwright + Debian's
chromium): a click on a tab of 单位详情 or 评先评优 reruns the page and shows that tab's content;
the sidebar's 修改密码 box shows its form when opened and changes the password. Drawing the tables
of those pages does not load pandas into the server. Screenshots go to test-artifacts/tabs/."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard_fixtures import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser, click_tab,  # noqa: F401
                                demo_server, demo_template, grid_rows, login, open_page, wait_ready)
from scoring.accounts import auth
from scoring.store import Store

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）")

OUT = ARTIFACTS / "tabs"


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server(demo_template, tmp_path_factory.mktemp("tabs"), OUT / "server.log") as srv:
        yield srv


def panel(page):
    return page.locator("[role='tabpanel']:visible").first


def test_tabs_draw_what_is_picked_and_the_password_box_works(server, browser):
    store = Store(server.db)
    auth.add_user(store, "命令行:测试", "标签测试员", "tabs-pass-1", "查看")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server.url)
    wait_ready(page)
    login(page, "标签测试员", "tabs-pass-1")
    page.wait_for_selector("text=催报名单", timeout=60_000)
    page.locator("[data-testid='stSidebarNav'] a", has_text="单位详情").wait_for(timeout=60_000)
    wait_ready(page)

    open_page(page, "单位详情")
    assert panel(page).locator("[data-testid='stPlotlyChart']").count() == 0  # 得分明细: a table
    click_tab(page, "每月报送")
    assert panel(page).locator("[data-testid='stPlotlyChart'] .main-svg").count() >= 1
    months = grid_rows(page)
    assert len(months) == 3 and all(row[0].startswith("2025-1") for row in months)  # the quarter's months
    page.screenshot(path=OUT / "01-单位详情-每月报送.png")
    click_tab(page, "季度得分与排名")
    assert "第" in panel(page).inner_text() and panel(page).locator("[data-testid='stPlotlyChart']").count() == 1
    page.screenshot(path=OUT / "02-单位详情-季度得分与排名.png")
    # the tab's icon is drawn by the app itself, once (no PNG encoded on every run, nothing fetched)
    assert page.locator("link[rel*='icon']").first.get_attribute("href").startswith("data:image/png;base64,")

    open_page(page, "评先评优")
    assert panel(page).locator("[data-testid='stPlotlyChart']").count() == 1  # 季度名次走势
    click_tab(page, "优秀信息")
    assert panel(page).locator("[data-testid='stPlotlyChart']").count() == 0
    assert "年内得分最高的信息" in panel(page).inner_text() and grid_rows(page)
    page.screenshot(path=OUT / "03-评先评优-优秀信息.png")
    click_tab(page, "评先资格")  # the office's own cases under the table, from its profile
    note = panel(page).inner_text()
    assert "约稿逾期" in note and "不得评为先进单位和进步较大单位" in note and "考评办法六" not in note
    panel(page).get_by_text("不得评为先进单位和进步较大单位").scroll_into_view_if_needed()
    page.screenshot(path=OUT / "03b-评先评优-评先资格.png")

    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_label("原密码").count() == 0  # the form is drawn once the box opens
    sidebar.get_by_text("修改密码").click()
    sidebar.get_by_label("原密码").wait_for(timeout=60_000)
    wait_ready(page)
    sidebar.get_by_label("原密码").fill("tabs-pass-1")
    sidebar.get_by_label("新密码（至少 8 位）").fill("tabs-pass-2")
    sidebar.get_by_label("再输入一次新密码").fill("tabs-pass-2")
    sidebar.get_by_role("button", name="修改").click()
    page.wait_for_selector("text=密码已修改", timeout=60_000)
    wait_ready(page)  # the page under the sidebar finishes its run
    page.screenshot(path=OUT / "04-修改密码.png")
    assert auth.login(store, "标签测试员", "tabs-pass-2").role == "查看"
    with pytest.raises(auth.AuthError):
        auth.login(store, "标签测试员", "tabs-pass-1")
    # the change ends the account's other sessions; this tab keeps its sign-in, a reload included
    page.reload()
    page.wait_for_selector("text=当前用户：标签测试员", timeout=60_000)
    assert page.locator("text=登录已失效").count() == 0
    page.close()
    # Tables never made the server load pandas (~50 MiB of its memory; pages/_widgets.df)
    assert "pandas/_libs" not in Path(f"/proc/{server.proc.pid}/maps").read_text()
