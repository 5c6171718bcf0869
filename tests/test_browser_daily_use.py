"""Rough edges of daily use in a real browser (Playwright + Debian's chromium): on a phone the menu
starts closed and closes after each choice, and 排名 and 单位详情 keep their numbers inside the
screen; the 期间 segment stays chosen when clicked again; the grid's column menu speaks Chinese;
the 评先评优 走势 chart's legend sits inside the chart. Screenshots go to
test-artifacts/daily-use/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard_fixtures import (ARTIFACTS, CHROMIUM, browser, demo_server, demo_template,  # noqa: F401
                                open_page, signed_in_page, visible_table, wait_ready)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）")

OUT = ARTIFACTS / "daily-use"
PHONE = {"width": 390, "height": 844}
SIDEBAR_JS = "() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right"
LATIN = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server(demo_template, tmp_path_factory.mktemp("daily-use"), OUT / "server.log") as srv:
        yield srv


# a phone's browser: Streamlit closes the menu after a choice on a device that says it is mobile
PHONE_OPTIONS = {"user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                               "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
                 "is_mobile": True, "has_touch": True}


def choose(page, title: str) -> None:
    """Open the menu (closed on a phone) and pick a page."""
    page.locator("[data-testid=stExpandSidebarButton]").click()
    page.wait_for_function(f"() => ({SIDEBAR_JS})() > 200")
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    page.wait_for_function(f"() => (document.querySelector('h1') || {{textContent: ''}}).textContent.includes('{title}')")
    wait_ready(page)


def overflow(page) -> list[str]:
    """Tables and charts on screen that reach past the window's right edge."""
    return page.evaluate("""() => [...document.querySelectorAll("[data-testid=stDataFrame], [data-testid=stPlotlyChart]")]
        .filter(e => e.offsetParent && e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.getAttribute('data-testid'))""")


def test_phone_menu_closed_and_numbers_in_view(server, browser):
    page = signed_in_page(browser, server.url, PHONE["width"], PHONE["height"], **PHONE_OPTIONS)
    page.screenshot(path=OUT / "phone-home.png")
    assert page.evaluate(SIDEBAR_JS) <= 0  # the menu starts closed, the page in full view
    choose(page, "排名")
    page.wait_for_timeout(800)
    assert page.evaluate(SIDEBAR_JS) <= 0  # and closes again after the choice
    page.screenshot(path=OUT / "phone-rank.png")
    assert overflow(page) == []
    table = visible_table(page)
    assert table.bounding_box()["x"] + table.bounding_box()["width"] <= PHONE["width"]
    # the score breakdown carries its numbers: each bar's score beside it
    scores = page.locator("[data-testid='stPlotlyChart']:visible .textpoint").all_text_contents()
    assert any(re.fullmatch(r"\s*[\d,]+ 分", s) for s in scores), scores[:5]
    choose(page, "单位详情")
    page.evaluate("() => document.querySelector('[data-testid=stTabs]').scrollIntoView()")
    page.wait_for_timeout(500)
    page.screenshot(path=OUT / "phone-unit.png")
    assert overflow(page) == []
    headers = visible_table(page).evaluate("el => [...el.querySelectorAll('[role=columnheader]')].map(h => h.textContent)")
    assert headers[:3] == ["日期", "分值", "事项"], headers
    page.close()


def test_period_segment_stays_chosen(server, browser):
    page = signed_in_page(browser, server.url)
    open_page(page, "排名")
    year = page.locator("[data-testid=stButtonGroup] button", has_text="年度").first
    year.click()
    wait_ready(page)
    year.click()  # the segment already chosen
    wait_ready(page)
    assert page.locator("[data-testid=stButtonGroup] button[aria-checked=true]").all_text_contents() == ["年度"]
    assert "季度" not in [s.text_content() for s in page.locator("[data-testid=stSelectbox] label").all()]
    assert page.locator("text=/2025年（2025-01-01 至 2025-12-31）/").count() == 1
    page.close()


def test_grid_column_menu_in_chinese(server, browser):
    page = signed_in_page(browser, server.url)
    open_page(page, "排名")
    box = visible_table(page).bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 18)  # over 得分's header: its menu button shows
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + 35 + 48 + 210 + 64 - 12, box["y"] + 18)
    menu = page.locator("[data-testid=stDataFrameColumnMenu]")
    menu.wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    page.screenshot(path=OUT / "column-menu.png")
    text = menu.evaluate("""el => { const c = el.cloneNode(true);  // the words, without the icons' ligature names
        c.querySelectorAll('[data-testid=stIconMaterial]').forEach(i => i.remove()); return c.innerText; }""")
    assert "升序排列" in text and "降序排列" in text and "隐藏此列" in text, text
    assert not LATIN.findall(text.replace("得分", "")), text
    page.close()


def test_trend_chart_legend_inside_the_chart(server, browser):
    page = signed_in_page(browser, server.url)
    open_page(page, "评先评优")
    page.get_by_role("tab", name="季度名次走势").click()
    wait_ready(page)
    chart = page.locator("[data-testid='stPlotlyChart']:visible").first
    chart.scroll_into_view_if_needed()
    page.screenshot(path=OUT / "commend-trend.png")
    outer = chart.bounding_box()
    legend = chart.locator(".legend").bounding_box()
    assert outer["x"] <= legend["x"] and legend["x"] + legend["width"] <= outer["x"] + outer["width"] + 1
    entries = chart.locator(".legend .traces").count()
    assert 0 < entries <= 12  # the units proposed for a title, not the whole group
    page.close()
