"""In a real browser: the 进步较大 measure chosen on 评先评优 is the one the annual Word 通报
uses. Sign in, pick a measure whose list differs from the settings' default, note the units the
page lists, open 导出 (it opens on that year, showing the measure), download the Word 通报 and
read its 进步较大 list. Screenshots go to test-artifacts/browser-choices/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from dashboard_fixtures import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, demo_server, demo_template,  # noqa: F401
                                login, open_page, wait_ready)
from scoring.engine import commend
from scoring.engine import Engine
from scoring.profile.settings import merged
from scoring.store import Store

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）")

OUT = ARTIFACTS / "browser-choices"
YEAR = 2025


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server(demo_template, tmp_path_factory.mktemp("browser-choices"), OUT / "server.log") as srv:
        yield srv


def improved_units(db: Path, measure: str) -> set[str]:
    return set(commend.select(Engine.open(Store(db)), YEAR, measure)["进步较大单位"]["单位"].to_list())


def a_measure_unlike_the_default(db: Path) -> str:
    default = merged(Store(db).stored_settings())["improvement_measure"]
    return next(m for m in commend.MEASURES if m != default
                and improved_units(db, m) and improved_units(db, m) != improved_units(db, default))


def listed_on_page(page) -> set[str]:
    """The units under 进步较大单位 in the three group boxes (“1. 单位（衡量方法 值）”)."""
    text = page.locator("[data-testid='stMain']").inner_text()
    names = set()
    for part in text.split("进步较大单位")[1:]:
        if "须书面检查" not in part:  # a sentence that mentions 进步较大单位, not a group's list
            continue
        for line in part.split("须书面检查")[0].splitlines():
            found = re.match(r"^\s*(?:\d+\.\s*)?([^（\s]+)（", line)
            if found:
                names.add(found.group(1))
    return names


def listed_in_docx(path: Path) -> set[str]:
    """The units of the 进步较大 table in the 表彰名单 attachment."""
    doc = Document(path)
    body = list(doc.element.body.iterchildren())
    heading = next(p for p in doc.paragraphs if p.text.strip() == "二、信息工作进步较大单位")._p
    table_el = next(el for el in body[body.index(heading):] if el.tag.endswith("}tbl"))
    table = next(t for t in doc.tables if t._tbl is table_el)
    header = [c.text for c in table.rows[0].cells]
    col = header.index("单位")
    return {row.cells[col].text for row in table.rows[1:]}


def pick(page, label: str, option: str) -> None:
    box = page.locator("[data-testid='stSelectbox']", has_text=label).first
    if box.get_by_role("combobox").input_value() == option:
        return
    box.get_by_role("button", name="Open").click()  # the arrow beside the box
    page.get_by_role("option", name=option, exact=True).click()
    wait_ready(page)


def test_the_measure_on_commend_is_the_annual_reports(server, tmp_path):
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    measure = a_measure_unlike_the_default(server.db)
    label = commend.MEASURES[measure]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(server.url)
            wait_ready(page)
            login(page)
            page.wait_for_selector("text=催报名单", timeout=60_000)
            wait_ready(page)

            open_page(page, "评先评优")
            pick(page, "年度", f"{YEAR}年")
            pick(page, "进步较大的衡量方法", label)
            page.screenshot(path=OUT / "01-评先评优.png", full_page=True)
            on_page = listed_on_page(page)
            assert on_page == improved_units(server.db, measure)

            open_page(page, "导出")
            page.screenshot(path=OUT / "02-导出.png", full_page=True)
            main = page.locator("[data-testid='stMain']")
            assert f"按“{label}”评定" in main.inner_text()
            button = page.locator("[data-testid='stDownloadButton'] button", has_text="通报（Word）").first
            with page.expect_download(timeout=120_000) as info:
                button.click()
            saved = tmp_path / info.value.suggested_filename
            info.value.save_as(saved)
            assert saved.name == f"{YEAR}年度政务信息工作通报.docx"
            assert listed_in_docx(saved) == on_page

            open_page(page, "评先评优")  # coming back keeps the choice
            chosen = page.locator("[data-testid='stSelectbox']", has_text="进步较大的衡量方法").get_by_role("combobox")
            assert chosen.input_value() == label
            assert listed_on_page(page) == on_page
            page.screenshot(path=OUT / "03-评先评优-返回.png", full_page=True)
            assert not errors, errors
        finally:
            browser.close()
