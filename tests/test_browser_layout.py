"""How 排名 and 单位详情 fit a screen, a phone and a sheet of paper, in a real browser (Playwright +
Debian's chromium): the key columns stay in view at 1280 px, a whole group shows without a
scroll box, a phone shows unit + score + rank, and printing gives A4 landscape pages with every
unit and no sidebar. The printed pages are rendered to PNG under test-artifacts/layout/ to look at."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import polars as pl
import pytest
from PIL import Image

from dashboard_fixtures import (ARTIFACTS, CHROMIUM, browser, demo_server, demo_template,  # noqa: F401
                                grid_rows, open_page, signed_in_page, visible_table)
from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.store import Store

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）")

OUT = ARTIFACTS / "layout"
KEY_COLUMNS = {"排名", "单位", "得分", "累计得分"}
PERIOD = Period.quarter(2025, 4)  # the page's default: the latest quarter with data


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    with demo_server(demo_template, tmp_path_factory.mktemp("layout"), OUT / "server.log") as srv:
        yield srv


def group_units(db: Path, group: str) -> list[str]:
    frame = Engine.open(Store(db)).ranking(PERIOD)
    return frame.filter(pl.col("组别") == group)["单位"].to_list()


def grid_state(page) -> dict:
    """Headers the visible table has drawn (glide-data-grid keeps an accessible copy of the cells
    in view, pinned columns included), the rows drawn, and its scroll area against its box."""
    return visible_table(page).evaluate("""el => {
        const s = el.querySelector('.dvn-scroller');
        const rows = new Set([...el.querySelectorAll('[data-testid^="glide-cell-"]')]
                             .map(c => c.getAttribute('data-testid').split('-')[3]));
        return {headers: [...el.querySelectorAll('[role=columnheader]')].map(h => h.textContent),
                rows: rows.size, scrollWidth: s.scrollWidth, clientWidth: s.clientWidth,
                scrollHeight: s.scrollHeight, clientHeight: s.clientHeight,
                right: el.getBoundingClientRect().right};
    }""")


def darkest(page, left: int, width: int) -> int:
    """The darkest pixel (0 black … 255 white) of the table's first rows between `left` and
    `left + width` px from its edge: how strongly a column's text is drawn."""
    box = visible_table(page).bounding_box()
    shot = page.screenshot(clip={"x": box["x"] + left, "y": box["y"] + 40, "width": width, "height": 35 * 5})
    return Image.open(io.BytesIO(shot)).convert("L").getextrema()[0]


def test_ranking_fits_1280(server, browser):
    page = signed_in_page(browser, server.url, 1280, 800)
    open_page(page, "排名")
    state = grid_state(page)
    assert KEY_COLUMNS | {"升降"} <= set(state["headers"]), state["headers"]
    assert state["right"] <= 1280
    # the whole A group, with no scroll box inside the page
    a = group_units(server.db, "A")
    assert state["rows"] == len(a) > 20
    assert state["scrollHeight"] <= state["clientHeight"] + 1
    assert [r[1] for r in grid_rows(page)] == a
    # the key columns come first and are drawn as strongly as the rest: pinned, Streamlit drew
    # them faded (排名, 单位 and 得分 paler than 报送数); the selection box is 35 px, 排名 48, 单位 210
    assert state["headers"][:5] == ["排名", "单位", "得分", "升降", "累计得分"], state["headers"]
    key_ink, other_ink = darkest(page, 35 + 48, 210), darkest(page, 560, 300)
    assert key_ink <= other_ink + 25, (key_ink, other_ink)
    # the other columns are reached by scrolling sideways
    assert state["scrollWidth"] > state["clientWidth"]
    visible_table(page).evaluate("el => { const s = el.querySelector('.dvn-scroller'); s.scrollLeft = s.scrollWidth; }")
    page.wait_for_timeout(800)
    assert "扣分" in grid_state(page)["headers"]
    page.screenshot(path=OUT / "rank-1280.png")
    page.close()


def test_sorting_by_the_movement_header_orders_places_as_numbers(server, browser):
    """Clicking 升降 sorted it as text (↑14 before ↑3, ↓10 before ↓2): who dropped most could not be
    read off the table. Now a click sorts by the number of places."""
    page = signed_in_page(browser, server.url, 1280, 800)
    open_page(page, "排名")
    column = grid_state(page)["headers"].index("升降")
    box = visible_table(page).bounding_box()
    page.mouse.click(box["x"] + 35 + 48 + 210 + 64 + 30, box["y"] + 18)  # the 升降 header: its menu
    page.locator("[role=menu]").get_by_text("升序排列").first.click()  # the grid's menu, in Chinese
    page.wait_for_timeout(800)
    page.screenshot(path=OUT / "rank-sorted-by-movement.png")
    shown = [r[column] for r in grid_rows(page)]
    numbers = [int(v) for v in shown if v.strip()]
    assert len(numbers) > 20 and len(set(numbers)) > 3, shown
    assert numbers == sorted(numbers), shown
    assert min(numbers) < 0 < max(numbers), shown
    page.close()


def test_ranking_on_a_phone_shows_unit_score_and_rank(server, browser):
    page = signed_in_page(browser, server.url, 1280, 800)
    open_page(page, "排名")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(1000)
    state = grid_state(page)
    assert state["headers"][:4] == ["排名", "单位", "得分", "升降"], state["headers"]
    assert state["scrollWidth"] <= state["clientWidth"] + 1 and state["right"] <= 390
    rows = grid_rows(page)
    ranking = Engine.open(Store(server.db)).ranking(PERIOD).filter(pl.col("组别") == "A")
    first = ranking.row(0, named=True)
    assert rows[0][:3] == [str(first["排名"]), first["单位"], f"{first['得分']:,.0f}"]
    page.screenshot(path=OUT / "rank-390.png")
    page.close()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return [line for line in info.splitlines() if line.startswith(("Pages:", "Page size:"))]


def render(pdf: Path, stem: str) -> list[Path]:
    for old in OUT.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(OUT / stem)], check=True)
    return sorted(OUT.glob(f"{stem}-*.png"))


def test_printed_ranking_is_a4_landscape_with_every_unit(server, browser):
    page = signed_in_page(browser, server.url, 1440, 900)
    open_page(page, "排名")
    page.emulate_media(media="print")
    page.wait_for_timeout(2000)  # the charts redraw for the wider page, then are fitted again
    # every chart is scaled into the printable width of the sheet
    assert page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => {
        const el = c.closest('[data-testid="stElementContainer"]') || c;
        const z = parseFloat(el.style.zoom || '1');
        return c.querySelector('.main-svg').width.baseVal.value * z <= 1040; })""")
    pdf = OUT / "排名.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True)
    text = pdf_text(pdf)
    for group in ("A", "B", "C"):  # every group in full, not just the open tab
        missing = [u for u in group_units(server.db, group) if u not in text]
        assert not missing, (group, missing)
    assert "退出登录" not in text and "年初至今" not in text  # no sidebar, no period switches
    width, height = [float(x) for x in next(l for l in pdf_pages(pdf) if l.startswith("Page size"))
                     .split(":")[1].split("pts")[0].split("x")]
    assert width > height  # landscape
    assert render(pdf, "排名-打印")
    page.close()


def test_printed_unit_detail_lists_its_records(server, browser):
    page = signed_in_page(browser, server.url, 1440, 900)
    open_page(page, "单位详情")
    name = page.locator("h3").first.text_content()
    page.emulate_media(media="print")
    page.wait_for_timeout(500)
    pdf = OUT / "单位详情.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True)
    text = pdf_text(pdf)
    assert name in text and "计分记录" in text and "每月报送" in text
    assert "退出登录" not in text
    assert render(pdf, "单位详情-打印")
    page.close()


def test_ctrl_p_in_a_wide_window_fits_the_chart_to_the_sheet(server, browser):
    """As Ctrl+P does (print layout on a screen-sized page, beforeprint fired): in a 1920 px window
    the chart is wider than A4 landscape until it is fitted."""
    page = signed_in_page(browser, server.url, 1920, 900)
    open_page(page, "排名")
    # Plotly draws at its default 700 px first and then at the container's width: wait for that
    # (a loaded machine can take longer than wait_ready's pause), failing if it never comes.
    page.wait_for_function("() => document.querySelector('[data-testid=\"stPlotlyChart\"] .main-svg')"
                           ".width.baseVal.value > 1040", timeout=30_000)
    page.evaluate("""() => { window.__printedWidths = [];
        window.addEventListener('beforeprint', () => document.querySelectorAll('[data-testid="stPlotlyChart"]')
            .forEach(c => { const box = c.closest('[data-testid="stElementContainer"]') || c;
                            window.__printedWidths.push(c.querySelector('.main-svg').width.baseVal.value
                                                        * parseFloat(box.style.zoom || '1')); })); }""")
    pdf = OUT / "排名-1920.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True)
    widths = page.evaluate("() => window.__printedWidths")
    assert widths and max(widths) <= 1040, widths
    assert "退出登录" not in pdf_text(pdf)
    page.close()
