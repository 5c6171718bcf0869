"""The dashboard in a real browser (Playwright + Debian's chromium, fonts-noto-cjk): start the
server on 127.0.0.1, sign in, upload a register, see the ranking change, open a unit's detail,
download a file. Every step is logged and every page is saved as a screenshot under
test-artifacts/ (kept by CI as artifacts)."""
from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import polars as pl
import pytest

from dashboard_fixtures import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Server, browser, demo_template,  # noqa: F401
                                click_tab, grid_rows, login, open_page, visible_table, wait_ready)
from scoring.accounts import registry
from scoring.intake.register_xlsx import write_xlsx
from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.store import Store

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）")

OUT = ARTIFACTS / "browser"
PAGES = [p.title for p in registry.PAGES]


@pytest.fixture(scope="module")
def steps():
    OUT.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger("browser-test")
    log.setLevel(logging.INFO)
    handler = logging.FileHandler(OUT / "steps.log", mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    started = time.monotonic()

    def step(message: str) -> None:
        log.info("[%6.1fs] %s", time.monotonic() - started, message)

    yield step
    log.removeHandler(handler)
    handler.close()


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory, steps):
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    shutil.copy(demo_template, db)
    steps(f"启动 streamlit（数据库 {db}）")
    srv = Server(db, OUT / "server.log")
    try:
        srv.wait_healthy()
        steps(f"服务器就绪：{srv.url}")
        yield srv
    finally:
        srv.stop()
        steps("服务器已停止")


def lowest_of_group(db: Path, group: str, period: Period) -> str:
    frame = Engine.open(Store(db)).ranking(period)
    return frame.filter(pl.col("组别") == group).sort("排名")["单位"][-1]


def grid_rows_of_group(db: Path, group: str) -> list[str]:
    return [u.name for u in Store(db).unit_book().units
            if Store(db).unit_book().group_on(u.id, Period.quarter(2025, 4).end) == group]


def rank_in_table(page, unit: str) -> int:
    for cells in grid_rows(page):
        if unit in cells:
            return int(cells[0])
    raise AssertionError(f"排名表中没有 {unit}：{grid_rows(page)[:3]}")


def test_browser_walkthrough(server, browser, steps, tmp_path):
    period = Period.quarter(2025, 4)  # the page's default: the latest quarter with data
    target = lowest_of_group(server.db, "C", period)
    steps(f"目标单位：{target}（C 组 {period.label}末位）")
    register = tmp_path / "国务院采用补录.xlsx"
    write_xlsx([{"日期": "2025-12-10", "单位": target, "类型": "采用", "层级": "国家", "刊物": "国务院办公厅",
                 "信息编号": "BROWSER-1", "标题": f"{target}经验做法被国务院办公厅采用", "作者": "浏览器测试"},
                {"日期": "2025-12-15", "单位": target, "类型": "批示", "层级": "国家", "刊物": "国务院办公厅",
                 "批示人": "国务院领导", "信息编号": "BROWSER-1", "标题": f"{target}经验做法被国务院办公厅采用"}],
               register, title_row="补录")
    before_events = Store(server.db).event_count()

    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    wait_ready(page)
    page.screenshot(path=OUT / "00-登录.png")
    steps("登录")
    login(page)
    page.wait_for_selector("text=催报名单", timeout=60_000)
    wait_ready(page)
    steps("总览已显示")

    open_page(page, "排名")
    click_tab(page, "C 组")
    before = rank_in_table(page, target)
    steps(f"上传前 {target} 排名第 {before} 名")
    assert before > 1

    open_page(page, "数据导入")
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(register))
    page.wait_for_selector("text=检查通过", timeout=60_000)
    wait_ready(page)
    page.screenshot(path=OUT / "05a-数据导入-预览.png")
    steps("上传文件并通过检查")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("text=新增 2 行", timeout=60_000)
    steps("确认导入")
    assert Store(server.db).event_count() == before_events + 2

    open_page(page, "排名")
    click_tab(page, "C 组")
    after = rank_in_table(page, target)
    steps(f"上传后 {target} 排名第 {after} 名")
    assert after == 1

    box = visible_table(page).bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # the first row's selection cell
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').textContent.includes('单位详情')",
                           timeout=60_000)
    wait_ready(page)
    heading = page.locator("h3").first.text_content()
    steps(f"点击排名表第一行，打开单位详情：{heading}")
    assert target in heading
    assert "国务院办公厅" in page.locator("[data-testid='stDataFrame']").first.evaluate(
        "el => [...el.querySelectorAll('[data-testid^=\"glide-cell-\"]')].map(c => c.textContent).join(' ')")
    page.screenshot(path=OUT / "03-单位详情.png")

    open_page(page, "排名")
    click_tab(page, "C 组")
    bar = page.locator("[data-testid='stPlotlyChart']:visible .bars path").first
    bar.scroll_into_view_if_needed()
    bar.click(force=True)
    page.wait_for_function("() => (document.querySelector('h1') || {textContent: ''}).textContent.includes('单位详情')",
                           timeout=60_000)
    wait_ready(page)
    clicked = page.locator("h3").first.text_content()
    steps(f"点击得分构成图的色条，打开单位详情：{clicked}")
    assert clicked in set(grid_rows_of_group(server.db, "C"))

    for i, title in enumerate(PAGES, start=1):
        if not page.locator("[data-testid='stSidebarNav'] a", has_text=title).count():
            steps(f"导航中没有“{title}”，跳过截图")
            continue
        open_page(page, title)
        page.screenshot(path=OUT / f"{i:02d}-{title}.png")
        steps(f"截图：{title}")

    if page.locator("[data-testid='stSidebarNav'] a", has_text="导出").count():
        open_page(page, "导出")
    else:
        open_page(page, "数据导入")
    button = page.locator("[data-testid='stDownloadButton'] button").first
    label = button.text_content().replace("download", "").strip()  # (the icon's ligature text)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    saved = OUT / download.suggested_filename
    download.save_as(saved)
    steps(f"下载“{label}”：{saved.name}（{saved.stat().st_size} 字节）")
    assert saved.stat().st_size > 1000
    assert not errors, errors
    page.close()
