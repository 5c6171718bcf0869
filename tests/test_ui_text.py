"""What a user reads on the dashboard: Chinese only (no None, nan, item codes, English words or
JSON), strings someone typed or uploaded shown as the characters they are (never a live link
or image), and no table whose own toolbar downloads unguarded cells."""
from __future__ import annotations

import html
import json
import re
import tomllib
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from dashboard_fixtures import (ROOT, assert_clean, dashboard, demo_copy, demo_template,  # noqa: F401
                                page_files)
from scoring.accounts import registry
from scoring.engine import Engine
from scoring.store import Store

PAYLOAD = "[点此查看通知](http://evil.example/) ![t](http://127.0.0.1:8999/img.png)"
PAYLOADS = [PAYLOAD, "**粗体** _斜体_ # 标题", "<img src=x onerror=alert(1)>", "`代码` :red[红字] $x^2$",
            "www.evil.example http://evil.example/a_b WWW.EVIL.EXAMPLE mailto:a@evil.example a@evil.example",
            "> 引用\n- 列表", "\\[已转义\\](http://evil.example/)"]
# Streamlit renders GitHub-flavoured Markdown (with bare-address links); markdown-it's gfm-like
# preset with linkify is the closest parser in Python.
MARKDOWN = MarkdownIt("gfm-like")
LIVE = re.compile(r"<(a|img|em|strong|h\d|code|blockquote|ul|ol|del)\b")


def rendered(markdown: str) -> str:
    return MARKDOWN.render(markdown)


def seen(html_text: str) -> str:
    """The characters a reader sees (the invisible word joiners that break bare links removed)."""
    return html.unescape(html_text).replace("\u2060", "")


# --------------------------------------------------------------------------------------------
# Tables: one wrapper, the grid's own download off
# --------------------------------------------------------------------------------------------
def test_every_table_and_uploader_goes_through_the_wrappers():
    """st.dataframe/st.data_editor/st.table/st.file_uploader only in pages/_widgets.py: the wrapper
    switches off nothing by itself, but it is where the guarded CSV, the "—" for empty cells, local
    times and the Chinese uploader live; a table drawn elsewhere would miss them."""
    calls = re.compile(r"\bst\.(dataframe|data_editor|table|file_uploader)\(")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
             if path.name != "_widgets.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if calls.search(line)]
    assert found == []


def test_the_grid_download_is_switched_off_for_every_table():
    """The toolbar's "Download as CSV" writes =HYPERLINK(...) cells as they are (issue: every role,
    kiosk guests included): Streamlit's client.disableDataExport removes it from every grid."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


def test_the_table_download_button_writes_guarded_cells(monkeypatch):
    """df(..., download=name) offers the table through the exports' CSV guard: BOM, and a '
    before every cell Excel would run (made when clicked, for a sign-in still live then)."""
    import csv
    import io

    import polars as pl

    from pages import _widgets
    from scoring.accounts.auth import User

    offered = {}
    monkeypatch.setattr(_widgets.st, "dataframe", lambda *a, **k: None)
    monkeypatch.setattr(_widgets.st, "download_button", lambda label, data, **k: offered.update(data=data, **k))
    monkeypatch.setattr(_widgets, "timezone", lambda: "Asia/Shanghai")
    monkeypatch.setattr(_widgets._session, "signed_in", lambda: True)
    monkeypatch.setattr(_widgets._session, "live_check", lambda action: lambda: User("测试", "查看"))
    cells = ["=HYPERLINK(\"http://evil.example\")", "@SUM(A1)", "=cmd|' /C calc'!A0", "+1", "-2", "\t3", "正常"]
    _widgets.df(pl.DataFrame({"标题": cells, "unit_id": range(len(cells))}), download="清单", key="t")
    data = offered["data"]().decode("utf-8")
    assert data.startswith("\ufeff") and offered["file_name"] == "清单.csv"
    rows = list(csv.reader(io.StringIO(data[1:])))
    assert rows[0] == ["标题"]  # the hidden column stays hidden
    assert [r[0] for r in rows[1:]] == ["'" + c for c in cells[:-1]] + ["正常"]


# --------------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_shows_markdown_as_the_characters_typed(payload):
    from pages._widgets import text

    out = rendered(text(payload))
    assert not LIVE.search(out), out
    assert "<img" not in out and "<a " not in out
    # what the reader sees is the string itself (line breaks become spaces)
    plain = re.sub(r"</?p>\n?", "", out).strip()
    assert seen(plain) == " ".join(payload.split())


def markdown_texts(at) -> list[str]:
    """Every string the dashboard hands to its Markdown renderer."""
    out = []
    for kind in ("markdown", "caption", "success", "info", "warning", "error", "toast", "title", "subheader", "header"):
        out += [e.value for e in at.get(kind)]
    for kind in ("metric", "expander", "tab", "page_link", "button", "text_input", "selectbox", "checkbox",
                 "toggle", "number_input", "download_button"):
        out += [getattr(e, "label", None) or getattr(e.proto, "label", "") for e in at.get(kind)]
    return [t for t in out if t]


def test_an_uploaded_file_name_with_links_and_images_shows_as_text(dashboard, demo_copy):
    name = f"{PAYLOAD}登记表.csv"
    title = "**标题** [链接](http://evil.example/)"
    csv = ("日期,单位,类型,层级,刊物,栏目,信息编号,标题\n"
           f"2025-12-10,磴口供电公司,采用,市,政务要情,简讯,P-1,{title}\n").encode("utf-8")
    at = dashboard(demo_copy, "upload")
    at.get("file_uploader")[0].set_value((name, csv, "text/csv")).run()
    assert_clean(at)
    next(b for b in at.button if b.label == "确认导入").click().run()
    assert_clean(at)
    texts = markdown_texts(at)
    shown = [t for t in texts if "evil" in t]
    assert shown, texts
    for t in shown:
        out = rendered(t)
        assert not LIVE.search(out), out
    assert any(PAYLOAD in seen(rendered(t)) for t in shown)
    # 导入记录 with the new batch picked, and 更正与撤回 with the new event: both name the file
    store = Store(demo_copy)
    batch = int(store.imports()["id"].max())
    event_id = int(store.frame("SELECT max(id) AS id FROM events")["id"][0])
    at.session_state["history_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    next(n for n in at.number_input if n.label == "或输入事件编号").set_value(event_id).run()
    assert_clean(at)
    about = [t for t in markdown_texts(at) if f"批次 {batch}" in t or f"事件 {event_id}" in t]
    assert len(about) == 2, markdown_texts(at)
    for t in about:
        out = rendered(t)
        assert "<a " not in out and "<img" not in out, out
        assert PAYLOAD in seen(out)


# --------------------------------------------------------------------------------------------
# Chinese only, on every page and tab
# --------------------------------------------------------------------------------------------
# File kinds and names (rule files, backup copies), and the 时区 setting's value
ALLOWED_LATIN = {"CSV", "Excel", "Word", "WPS", "PDF", "xlsx", "xls", "csv", "docx", "pdf", "duckdb", "yaml", "bak",
                 "MB", "Asia", "Shanghai"}
USER_COLUMNS = {"信息编号", "期号", "电话"}  # what the office typed, shown as typed
ENGLISH = re.compile(r"[A-Za-z][A-Za-z_]+")
JSON_LIKE = re.compile(r"[{\[]\s*\"|\"\s*:\s*[\"{\[\d]")


def visible_texts(at) -> list[tuple[str, str]]:
    """(where, text) for what a user reads: Markdown bodies and labels, options, placeholders,
    metric values and the cells of every table (hidden columns excepted)."""
    out = [("markdown", t) for t in markdown_texts(at)]
    for m in at.get("metric"):
        out.append(("metric", str(m.value)))
    for kind in ("selectbox", "multiselect", "radio"):
        for w in at.get(kind):
            out += [(f"{kind} {w.label}", str(o)) for o in w.options]
    for w in at.get("text_input"):
        if w.proto.placeholder:
            out.append((f"placeholder {w.label}", w.proto.placeholder))
    for d in at.get("dataframe"):
        config = json.loads(d.proto.columns or "{}")
        hidden = {c for c, v in config.items() if v is None or (isinstance(v, dict) and v.get("hidden"))}
        frame = d.value
        for col in frame.columns:
            if col in hidden or col in USER_COLUMNS:
                continue
            out.append((f"table {d.key} header", str(col)))
            values = frame[col]
            if values.isna().any():
                # a missing cell shows the table's placeholder
                out.append((f"table {d.key} {col} empty", d.proto.placeholder or "None"))
            out += [(f"table {d.key} {col}", v) for v in values.dropna().astype(str).unique() if isinstance(v, str)]
    return out


def problems(texts: list[tuple[str, str]], codes: set[str]) -> list[str]:
    bad = []
    for where, text in texts:
        words = set(ENGLISH.findall(text))
        if words & {"None", "nan", "NaN", "NaT", "null", "True", "False"}:
            bad.append(f"{where}: {text[:80]}")
        elif words & codes:
            bad.append(f"{where}（代码）: {text[:80]}")
        elif words - ALLOWED_LATIN - codes:
            bad.append(f"{where}（英文 {sorted(words - ALLOWED_LATIN)[:3]}）: {text[:80]}")
        elif JSON_LIKE.search(text):
            bad.append(f"{where}（JSON）: {text[:80]}")
    return bad


@pytest.fixture(scope="module")
def rule_codes(demo_template) -> set[str]:
    return {code for v in Engine.open(Store(demo_template)).book.versions for code in v.items}


@pytest.mark.parametrize("role", ["管理", "查看", "单位"])
def test_every_page_and_tab_reads_in_chinese(dashboard, demo_copy, rule_codes, role):
    """Every tab's content runs on each page (tabs do not skip hidden content), so one run per page
    reads all of them; the audit log has entries of every kind after the demo build."""
    at = dashboard(demo_copy, role=role)
    bad = []
    for page in registry.PAGES:
        try:
            at.switch_page(page.file).run()
        except ValueError:  # not listed for this role
            continue
        assert_clean(at)
        bad += [f"{page.title} · {b}" for b in problems(visible_texts(at), rule_codes)]
    assert bad == [], "\n".join(bad)


def test_whatif_messages_name_the_items_not_their_codes(dashboard, demo_template, rule_codes):
    """规则试算: a wrong sign and the list of changes say the item's name; the code is only in the
    tooltip of the typed form."""
    at = dashboard(demo_template, "rules")
    at.text_input(key="whatif_text").input("DED_QUOTA=10").run()
    assert_clean(at)
    assert at.error and "是扣分项" in at.error[0].value
    at.text_input(key="whatif_text").input("CITY_JCCK=30").run()
    assert_clean(at)
    change = next(m for m in at.caption if m.value.startswith("**试算调整**"))
    assert "→ 30" in change.value and "CITY_JCCK" in change.proto.help
    assert problems(visible_texts(at), rule_codes) == []


# --------------------------------------------------------------------------------------------
# 管理: waivers revocable, the audit log in words, times in the 时区 setting
# --------------------------------------------------------------------------------------------
def test_a_waiver_can_be_revoked_from_admin_and_is_audited(dashboard, demo_copy):
    """四: a waived month is skipped by the quota ladder; revoking it makes the month count again."""
    from datetime import date

    store = Store(demo_copy)
    unit = store.unit_book().units[0]
    store.add_waiver(unit.id, date(2025, 11, 1), "单位搬迁", "测试")
    at = dashboard(demo_copy, "admin")
    assert_clean(at)
    table = next(d for d in at.dataframe if d.key == "admin_waivers").value
    row = list(table["单位"]).index(unit.name)
    at.session_state["admin_waivers"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    at.text_input(key="revoke_reason").input("搬迁未获批准")
    next(b for b in at.button if b.label == "取消豁免").click().run()
    assert_clean(at)
    left = store.waivers()
    assert not left.filter((left["unit_id"] == unit.id) & (left["month"] == date(2025, 11, 1))).height
    last = store.audit_log(1).row(0, named=True)
    assert (last["action"], last["reason"]) == ("取消豁免", "搬迁未获批准")
    # a plain table has no key: the audit log is the one with these columns
    log = next(d.value for d in at.dataframe if {"操作", "对象", "内容"} <= set(d.value.columns))
    first = log.iloc[0]
    assert (first["操作"], first["对象"], first["内容"]) == ("取消豁免", unit.name, "月份：2025-11")


def test_the_audit_log_reads_as_words(demo_copy):
    from datetime import date

    from scoring.views import admin as admin_views

    store = Store(demo_copy)
    engine = Engine.open(store)
    event = store.frame("SELECT id, title FROM events WHERE kind = '采用' ORDER BY id LIMIT 1").row(0, named=True)
    store.set_withdrawn(event["id"], True, "测试", "采用被撤销")
    store.set_setting("improvement_measure", "growth_yoy", "测试")
    store.set_setting("advanced_count", {"A": 6, "B": 2, "C": 2}, "测试")
    store.move_unit(engine.units.units[0].id, "B", date(2025, 7, 1), "测试", "职能调整")
    log = admin_views.audit_table(Engine.open(store), 4)
    texts = dict(zip(log["对象"], log["内容"]))  # setting titles, unit names … instead of keys and ids
    assert texts["先进单位名额"] == "取值：A 组 6，B 组 2，C 组 2"
    assert texts["进步较大的衡量方法"] == "取值：得分较上年增长（分）"
    texts = dict(zip(log["操作"], log["内容"]))
    assert texts["调整组别"] == "组别：B；起始：2025-07-01"
    assert f"标题：{event['title']}" in texts["撤回事件"] and "事项：" in texts["撤回事件"]
    for text in log["内容"]:
        assert "{" not in text and '"' not in text and "_" not in text


def test_times_show_in_the_timezone_setting():
    """The store writes the server's clock; a reader sees the office's (时区 setting)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import polars as pl

    from scoring.views.common import local_times

    written = datetime.now().replace(microsecond=0)
    for tz in ("Asia/Shanghai", "America/New_York"):
        shown = local_times(pl.DataFrame({"时间": [written]}), tz)["时间"][0]
        office = datetime.now(ZoneInfo(tz)).replace(tzinfo=None)
        assert abs(shown - office) < timedelta(minutes=1)


# --------------------------------------------------------------------------------------------
# The import preview: item, points, and the ranks a file would move
# --------------------------------------------------------------------------------------------
def test_the_import_preview_shows_item_points_and_rank_changes(dashboard, demo_copy):
    """三(一)9: a 国务院办公厅 adoption scores; the preview says so per row and which ranks it would
    move in its quarter, without storing anything."""
    import polars as pl

    from scoring.engine.periods import Period

    store = Store(demo_copy)
    engine = Engine.open(store)
    c_group = engine.ranking(Period.quarter(2025, 4)).filter(pl.col("组别") == "C").sort("排名")
    last = c_group["单位"][-1]
    csv = ("日期,单位,类型,层级,刊物,栏目,信息编号,标题\n"
           f"2025-12-10,{last},采用,国家,国务院办公厅,,N-1,经验做法被国务院办公厅采用\n").encode("utf-8")
    events = store.event_count()
    at = dashboard(demo_copy, "upload")
    at.get("file_uploader")[0].set_value(("补录.csv", csv, "text/csv")).run()
    assert_clean(at)
    preview = next(d.value for d in at.dataframe if "事项" in d.value.columns)
    item = next(i for i in engine.book.latest().items.values() if i.tier == "国家级" and i.type == "采用")
    assert preview["分值"].tolist() == [float(item.points)]
    assert preview["事项"].tolist() == [item.name]
    next(b for b in at.button if b.label == "计算名次变化").click().run()
    assert_clean(at)
    moves = pl.from_pandas(next(d.value for d in at.dataframe if "导入后排名" in d.value.columns))
    mine = moves.filter(pl.col("单位") == last).row(0, named=True)
    assert mine["期间"] == "2025年第四季度" and mine["导入后排名"] < mine["现排名"] and mine["变化"].startswith("↑")
    assert moves.filter(pl.col("组别") != "C").height == 0  # other groups do not move
    assert store.event_count() == events
    codes = {code for v in engine.book.versions for code in v.items}
    assert problems(visible_texts(at), codes) == []


def test_a_published_number_shows_as_text_at_office_time(dashboard, demo_copy):
    """通报期号 is typed on 导出 and shown on 排名 to everyone; the time is the office's."""
    from scoring.engine.periods import Period
    from scoring.reports.publish import published_snapshot, publish
    from scoring.views.common import local_time

    store = Store(demo_copy)
    period = Period.quarter(2025, 4)
    publish(store, Engine.open(store), period, "测试", PAYLOAD)
    issued = published_snapshot(store, period.key).issued_at
    at = dashboard(demo_copy, "rank")
    assert_clean(at)
    note = next(e.label for e in at.expander if "通报" in e.label)
    out = rendered(note)
    assert "<a " not in out and "<img" not in out, out
    assert PAYLOAD in seen(out)
    assert f"{local_time(issued, 'Asia/Shanghai'):%Y-%m-%d %H:%M}" in seen(out)
