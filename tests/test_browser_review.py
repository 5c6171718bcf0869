"""核对与更正 and 试算方案 in a real browser (Playwright + Debian's chromium) at 1366×768.

The 核对 loop: a 单位 account flags one record for correction and another for withdrawal; 录入
sees the count in the menu, accepts the first (the unit's rank moves on 单位详情) and rejects the
second with a reason; the unit reads both outcomes. The what-if: 名次变化 in view without
scrolling, movers filtered, an unsaved trial kept across a page switch (the sidebar says so) and
guarded by the browser's leave prompt, then saved and reopened from its link with the same rows.
Screenshots go to test-artifacts/review/."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard_fixtures import (ADMIN_PASSWORD, ARTIFACTS, CHROMIUM, UNIT_ACCOUNT_UNIT, browser,  # noqa: F401
                                demo_server, demo_template, grid_rows, login, open_page, visible_table, wait_ready)
from scoring.store import Store

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）")

OUT = ARTIFACTS / "review"
SIZE = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server(demo_template, tmp_path_factory.mktemp("review"), OUT / "server.log") as srv:
        yield srv


def signed_in(browser, url: str, name: str, path: str = ""):
    page = browser.new_context(viewport=SIZE).new_page()
    page.goto(f"{url}/{path}")
    wait_ready(page)
    login(page, name, ADMIN_PASSWORD)
    page.wait_for_selector("text=当前用户", timeout=60_000)
    wait_ready(page)
    return page


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def rows(page, table: int = 0) -> list[list[str]]:
    """The rendered rows of the n-th visible table, once the grid has drawn its cells."""
    visible_table(page, table).locator("[data-testid^='glide-cell-']").first.wait_for(state="attached", timeout=30_000)
    return grid_rows(page, table)


def pick_row(page, table: int, row: int) -> None:
    """Click the selection cell of a row of the n-th visible table."""
    box = visible_table(page, table).bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 35 * row + 17)
    wait_ready(page)


def pick(page, key: str, option: str) -> None:
    """Choose an option of a selectbox by typing it (the list filters to it) and Enter."""
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).wait_for(timeout=10_000)
    page.keyboard.press("Enter")
    wait_ready(page)
    assert box.input_value() == option


def unit_rank(page, url: str) -> str:
    page.goto(f"{url}/unit?unit={UNIT_ACCOUNT_UNIT}&period=2025Q4")
    wait_ready(page)
    return page.locator("[data-testid='stMetric']", has_text="组排名").first.inner_text().split("\n")[-1]


def test_a_unit_flags_records_and_the_office_accepts_one_and_rejects_one(server, browser):
    staff = signed_in(browser, server.url, "测试录入")
    before = unit_rank(staff, server.url)

    unit = signed_in(browser, server.url, "测试单位")
    open_page(unit, "核对与更正")
    unit.screenshot(path=OUT / "01-单位核对记录.png")
    first, second = rows(unit)[:2]
    pick_row(unit, 0, 0)
    unit.wait_for_selector("text=提交申请", timeout=30_000)
    wait_ready(unit)
    pick(unit, f"review{first[0]}_level", "自治区")
    unit.get_by_label("理由（必填）").first.fill("该信息为自治区级采用")
    unit.screenshot(path=OUT / "02-申请更正.png", full_page=True)
    unit.get_by_role("button", name="提交申请").click()
    unit.wait_for_selector("text=已提交对事件", timeout=60_000)
    wait_ready(unit)
    pick_row(unit, 0, 1)
    unit.get_by_text("该记录不应计入（撤回）").click()
    wait_ready(unit)
    unit.get_by_label("理由（必填）").first.fill("与上一条重复")
    unit.get_by_role("button", name="提交申请").click()
    unit.wait_for_selector("text=撤回申请", timeout=60_000)
    wait_ready(unit)

    open_page(staff, "核对与更正")
    assert staff.locator("[data-testid='stSidebarNav'] a", has_text="核对与更正（2）").count() == 1
    staff.screenshot(path=OUT / "03-待处理申请.png")
    queue = rows(staff)
    assert [r[3] for r in queue] == ["撤回", "更正"] and second[5] in queue[0][4] and first[5] in queue[1][4]
    pick_row(staff, 0, 1)
    staff.wait_for_selector("text=采纳并更正", timeout=30_000)
    staff.screenshot(path=OUT / "04-采纳更正.png", full_page=True)
    staff.get_by_role("button", name="采纳并更正").click()
    staff.wait_for_selector("text=已采纳", timeout=60_000)
    wait_ready(staff)
    pick_row(staff, 0, 0)
    staff.get_by_label("处理意见（不采纳时必填）").fill("两条报送内容不同，不是重复")
    staff.get_by_role("button", name="不采纳").click()
    staff.wait_for_selector("text=未采纳", timeout=60_000)
    wait_ready(staff)
    assert staff.locator("[data-testid='stSidebarNav'] a", has_text="（").count() == 0  # nothing waits now
    after = unit_rank(staff, server.url)
    assert before != after and int(after.strip("第 名")) < int(before.strip("第 名"))

    open_page(unit, "核对与更正")
    unit.get_by_text("本单位的申请").scroll_into_view_if_needed()
    unit.screenshot(path=OUT / "05-单位看到处理结果.png", full_page=True)
    mine = rows(unit, 1)
    outcome = {r[2]: r for r in mine}  # 编号 期间 申请 状态 处理结果 处理意见 …
    assert outcome["更正"][3] == "已采纳" and "已更正" in outcome["更正"][4]
    assert outcome["撤回"][3] == "未采纳" and outcome["撤回"][5] == "两条报送内容不同，不是重复"


WHATIF = "CITY_ZWYQ_BRIEF=6, REGION_MRYQ_FRONT=40"


def test_a_trial_keeps_its_movers_in_view_survives_leaving_and_reopens_from_its_link(server, browser):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = signed_in(browser, server.url, "测试录入")
    open_page(page, "规则试算")
    box = page.locator(".st-key-whatif_text input")
    box.fill(WHATIF)
    box.press("Enter")
    page.wait_for_selector("text=试算调整", timeout=60_000)
    wait_ready(page)
    page.evaluate("() => { for (const el of [document.querySelector(\"[data-testid='stMain']\"), "
                  "document.scrollingElement]) if (el) el.scrollTop = 0; }")
    page.wait_for_timeout(300)
    page.screenshot(path=OUT / "11-试算-1366x768.png")
    header = page.locator("[data-testid='stDataFrame']:visible", has_text="试算排名").first
    cells = header.evaluate("""el => { const grid = el.getBoundingClientRect();
        return [...el.querySelectorAll('[role=columnheader]')].map(h => [h.textContent, h.getBoundingClientRect().right,
                                                                         grid.top]); }""")
    moves = next(c for c in cells if "名次变化" in c[0])
    assert moves[1] < SIZE["width"] and moves[2] + 35 * 3 < SIZE["height"], cells  # in view, with rows under it
    shown = rows(page, 1)

    page.locator("[data-testid='stButtonGroup'] button", has_text="上升").click()
    wait_ready(page)
    risers = rows(page, 1)
    assert risers and all(r[2].startswith("↑") for r in risers)
    page.locator("[data-testid='stButtonGroup'] button", has_text="全部").click()
    wait_ready(page)

    open_page(page, "排名")  # a page switch keeps the trial, and the sidebar says it waits
    note = page.locator("[data-testid='stSidebar']").get_by_text("规则试算中有尚未保存的试算")
    assert note.count() == 1
    page.screenshot(path=OUT / "12-其他页面提示未保存.png")
    page.get_by_role("link", name="回到规则试算").click()
    page.wait_for_selector("text=试算调整", timeout=60_000)
    wait_ready(page)
    assert rows(page, 1) == shown

    prompts: list[str] = []

    def stay(dialog) -> None:
        prompts.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    with pytest.raises(PlaywrightTimeout):  # reloading the tab asks first; dismissed, nothing reloads
        page.reload(timeout=5_000)
    assert prompts == ["beforeunload"] and rows(page, 1) == shown

    page.get_by_label("保存为试算方案").fill("简讯 6 分、前沿 40 分")
    page.get_by_role("button", name="保存方案").click()
    page.wait_for_function("() => location.search.includes('trial=')", timeout=60_000)
    wait_ready(page)
    trial = Store(server.db).trials()["id"][0]
    assert f"trial={trial}" in page.url
    page.reload()  # saved: no prompt, and the address opens the trial again
    page.wait_for_selector("text=试算调整", timeout=60_000)
    wait_ready(page)
    assert prompts == ["beforeunload"] and rows(page, 1) == shown

    other = signed_in(browser, server.url, "测试查看", f"rules?trial={trial}")
    other.wait_for_selector("text=试算调整", timeout=60_000)
    wait_ready(other)
    assert "简讯 6 分、前沿 40 分" in other.locator(".st-key-trial_pick").get_by_role("combobox").input_value()
    assert rows(other, 1) == shown
    other.screenshot(path=OUT / "13-从链接打开方案.png")
