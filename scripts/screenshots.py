"""Screenshots of every dashboard page for the README: docs/screenshots/<page>.png, plus 排名 and
单位详情 on a phone (rank-phone.png, unit-phone.png, 390×844, the menu closed as a phone shows it)
and the first printed page of 排名 (rank-print.png: A4 landscape, as Ctrl+P gives it).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Builds the demo database in a temporary folder, starts the dashboard on a free port of
127.0.0.1, signs in, and drives Debian's chromium (Playwright) through the pages at 1400×900.
Needs /usr/bin/chromium, fonts-noto-cjk and pdftoppm (poppler-utils).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import polars as pl  # noqa: E402

from dashboard_fixtures import (ADMIN_NAME, ADMIN_PASSWORD, CHROMIUM, CHROMIUM_ARGS, Server,  # noqa: E402
                                click_tab, open_page, signed_in_page, wait_ready)

# (file name, navigation title, what to do on the page before the picture)
SHOTS = [("home", "总览"), ("rank", "排名"), ("unit", "单位详情"), ("commend", "评先评优"),
         ("upload", "数据导入"), ("review", "核对与更正"), ("rules", "规则试算"), ("export", "导出"), ("admin", "管理")]


# Scroll the tabs to `above` pixels below the top of the window (room for the header bar, or for
# what comes before the tabs).
SHOW_TABS = """(above) => { document.querySelector("[data-testid='stTabs']").scrollIntoView();
  for (const el of [document.querySelector("[data-testid='stMain']"), document.scrollingElement])
    if (el) el.scrollTop = Math.max(0, el.scrollTop - above); }"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def saved(path: Path, title: str) -> None:
    log(f"{title} → {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def prepare(page, key: str) -> None:
    """Make the page show something worth a picture."""
    if key == "rank":
        click_tab(page, "B 组")
    elif key == "unit":
        click_tab(page, "季度得分与排名")
        page.evaluate(SHOW_TABS, 190)
        page.wait_for_timeout(500)
    elif key == "upload":
        page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(ROOT / "data" / "示例.xlsx"))
        page.wait_for_selector("text=检查通过", timeout=60_000)
        wait_ready(page)
    elif key == "review":
        box = page.locator("[data-testid='stDataFrame']:visible").first.bounding_box()
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # the request's selection cell
        page.wait_for_selector("text=采纳并更正", timeout=60_000)
        wait_ready(page)
    elif key == "rules":
        box = page.locator(".st-key-whatif_text input")  # by its key: the label is for people
        box.fill("CITY_ZWYQ_BRIEF=6, REGION_MRYQ_FRONT=40")
        box.press("Enter")
        page.wait_for_selector("text=试算调整", timeout=60_000)
        wait_ready(page)


def sample_request(store) -> None:
    """A unit's 更正申请 waiting on 核对与更正: its first 市级 adoption of the last quarter was 自治区级."""
    from scoring.engine import Engine
    from scoring.engine.periods import Period
    from scoring.intake.validate import validate_row
    from scoring.views.upload import event_values

    engine = Engine.open(store)
    last = store.event_span()[1]
    quarter = Period.quarter(last.year, (last.month + 2) // 3)
    found = store.event_rows(quarter.start, quarter.end).filter((pl.col("kind") == "采用") & (pl.col("level") == "市"))
    event = store.event_by_id(found["id"][0])
    values = {**event_values(event, engine.units), "层级": "自治区"}
    wanted, problems = validate_row(values, engine.units, engine.book)
    if problems:
        log(f"示例更正申请未建立：{problems}")
        return
    store.add_review(event["unit_id"], quarter.start, quarter.end, "更正", "单位信息员", "该信息为自治区级采用",
                     event_id=event["id"], event=wanted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        print(f"没有找到 {CHROMIUM}：请先安装 chromium 与 fonts-noto-cjk", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from demo.build import build_demo
    from scoring.accounts import auth

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        log("生成演示数据库")
        store = build_demo(db)
        auth.add_user(store, "截图脚本", ADMIN_NAME, ADMIN_PASSWORD, "管理")
        sample_request(store)
        server = Server(db, Path(tmp) / "server.log")
        try:
            server.wait_healthy()
            log(f"服务器就绪：{server.url}")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = signed_in_page(browser, server.url, 1400, 900)
                for key, title in SHOTS:
                    if not page.locator("[data-testid='stSidebarNav'] a", has_text=title).count():
                        log(f"导航中没有“{title}”，跳过")
                        continue
                    open_page(page, title)
                    prepare(page, key)
                    page.screenshot(path=str(out / f"{key}.png"))
                    saved(out / f"{key}.png", title)
                open_page(page, "排名")
                page.set_viewport_size({"width": 390, "height": 844})
                page.wait_for_timeout(1500)
                page.evaluate(SHOW_TABS, 70)
                page.wait_for_timeout(500)
                page.screenshot(path=str(out / "rank-phone.png"))
                saved(out / "rank-phone.png", "排名（手机）")
                page.goto(f"{server.url}/unit")  # the menu is closed on a phone: by address
                wait_ready(page)
                page.evaluate(SHOW_TABS, 70)
                page.wait_for_timeout(500)
                page.screenshot(path=str(out / "unit-phone.png"))
                saved(out / "unit-phone.png", "单位详情（手机）")
                page.set_viewport_size({"width": 1400, "height": 900})
                open_page(page, "排名")
                wait_ready(page)
                page.emulate_media(media="print")
                page.wait_for_timeout(2000)  # charts redraw for the page, then are fitted to it
                pdf = Path(tmp) / "排名.pdf"
                page.pdf(path=str(pdf), format="A4", landscape=True)
                subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                                str(out / "rank-print")], check=True)
                saved(out / "rank-print.png", "排名（打印第 1 页）")
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
