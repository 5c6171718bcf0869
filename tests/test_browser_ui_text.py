"""What the browser shows (Playwright + Debian's chromium): tables without the grid's own CSV
download, the file uploader in Chinese, an uploaded file name carrying Markdown links and images
shown as text on 导入记录, and 撤销该批次 staying on its tab. Screenshots go to
test-artifacts/ui-text/ (look at them: CSS is only proven by what the page looks like)."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard_fixtures import (ARTIFACTS, CHROMIUM, browser, demo_server, demo_template,  # noqa: F401
                                open_page, signed_in_page, visible_table, wait_ready)
from scoring.store import Store

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"没有找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）")

OUT = ARTIFACTS / "ui-text"
PAYLOAD = "[点此查看通知](http://evil.example/) ![t](http://127.0.0.1:8999/img.png)"


@pytest.fixture(scope="module")
def page(demo_template, tmp_path_factory, browser):
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server(demo_template, tmp_path_factory.mktemp("ui-text"), OUT / "server.log") as server:
        tab = signed_in_page(browser, server.url)
        tab.db = server.db
        yield tab


def toolbar_labels(page) -> list[str]:
    """The buttons a table's toolbar offers once the pointer is over it."""
    visible_table(page).hover()
    page.wait_for_timeout(600)
    toolbar = page.locator("[data-testid='stElementToolbar']:visible").first
    return [b.get_attribute("aria-label") or "" for b in toolbar.locator("button").all()]


def test_tables_offer_no_unguarded_csv_download(page):
    open_page(page, "排名")
    labels = toolbar_labels(page)
    page.screenshot(path=OUT / "01-排名-表格工具栏.png")
    assert labels, "表格工具栏没有出现"
    assert not [label for label in labels if "download" in label.lower() or "下载" in label]
    open_page(page, "管理")
    page.get_by_role("tab", name="操作日志").click()
    page.wait_for_timeout(500)
    labels = toolbar_labels(page)
    assert labels and not [label for label in labels if "download" in label.lower()]


def test_the_uploader_reads_in_chinese(page):
    open_page(page, "数据导入")
    zone = page.locator("[data-testid='stFileUploaderDropzone']").first
    text = zone.inner_text()
    zone.screenshot(path=OUT / "02-数据导入-上传框.png")
    assert "Upload" not in text and "per file" not in text and "Browse" not in text
    button = zone.locator("button [data-testid='stMarkdownContainer']")
    assert page.evaluate("e => getComputedStyle(e, '::after').content", button.element_handle()) == '"选择文件"'
    # while a file is dragged over it
    files = page.evaluate_handle("""() => { const d = new DataTransfer();
        d.items.add(new File(['x'], 'a.csv', {type: 'text/csv'})); return d; }""")
    zone.dispatch_event("dragenter", {"dataTransfer": files})
    page.wait_for_timeout(300)
    zone.screenshot(path=OUT / "02b-数据导入-拖入文件.png")
    assert "Drag" not in zone.inner_text()
    overlay = zone.locator(":scope > div:not([data-testid])")
    assert page.evaluate("e => getComputedStyle(e, '::after').content", overlay.element_handle()) == '"松开鼠标即可上传"'
    zone.dispatch_event("dragleave", {"dataTransfer": files})


def test_an_uploaded_name_with_links_shows_as_text_and_undo_stays_on_its_tab(page):
    open_page(page, "数据导入")
    csv = ("日期,单位,类型,层级,刊物,栏目,信息编号,标题\n"
           f"2025-12-10,磴口供电公司,采用,市,政务要情,简讯,P-1,{PAYLOAD}\n").encode("utf-8")
    name = f"{PAYLOAD}登记表.csv"
    page.locator("[data-testid='stFileUploader'] input[type=file]").first.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": csv}])
    page.wait_for_selector("text=检查通过", timeout=60_000)
    wait_ready(page)
    # the chosen file's chip sits in the same kind of wrapper as the drag-over words: they must
    # not stay on screen under a chosen file
    holder = page.locator("[data-testid='stFileUploaderDropzone'] > div:has([data-testid='stFileChips'])").first
    assert page.evaluate("e => getComputedStyle(e, '::after').content", holder.element_handle()) in ("none", "normal")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("text=已导入", timeout=60_000)
    wait_ready(page)
    page.get_by_role("tab", name="导入记录").click()
    page.wait_for_timeout(500)
    box = visible_table(page).bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # the newest batch's selection cell
    page.wait_for_selector("text=撤销该批次", timeout=30_000)
    wait_ready(page)
    page.screenshot(path=OUT / "03-导入记录-文件名.png", full_page=True)
    batch = int(Store(page.db).imports()["id"].max())
    line = page.locator("[data-testid='stMarkdownContainer']", has_text=f"批次 {batch}").first
    assert PAYLOAD in line.inner_text().replace("\u2060", "")  # word joiners break bare links
    # no live link or image anywhere on the page
    links = page.locator("a[href*='evil.example']")
    assert links.count() == 0, [links.nth(i).evaluate("e => e.parentElement.parentElement.outerHTML.slice(0, 600)")
                                for i in range(links.count())]
    assert page.locator("img[src*='8999']").count() == 0

    page.get_by_label("原因（必填）").fill("浏览器测试：撤销")
    page.get_by_role("button", name="撤销该批次").click()
    page.wait_for_selector(f"text=已撤销批次 {batch}", timeout=60_000)
    wait_ready(page)
    page.screenshot(path=OUT / "04-撤销后仍在导入记录.png")
    assert page.get_by_role("tab", name="导入记录").get_attribute("aria-selected") == "true"
