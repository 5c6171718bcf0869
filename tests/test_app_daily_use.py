"""Rough edges of daily use, through Streamlit's AppTest (forms and messages, where a browser adds
nothing): a file imported before says so, the error list's 建议 shows whole, the account forms
keep what was typed and open on the account's role, and no raw value (time-zone id, rule file
name, database file) is shown."""
from __future__ import annotations

import json

import polars as pl

from dashboard_fixtures import assert_clean, dashboard, demo_copy, demo_template, open_tab  # noqa: F401
from scoring.accounts import auth
from scoring.store import Store

CSV = ("日期,单位,类型,层级,刊物,栏目,批示人,信息编号,标题,作者\n"
       "2025-12-10,磴口供电公司,采用,国家,国务院办公厅,,,T-1,测试信息被国务院办公厅采用,张测试\n"
       "2025-12-12,磴口供电公司,批示,国家,国务院办公厅,,国务院领导,T-1,测试信息被国务院办公厅采用,\n")
MORE = "2025-12-15,磴口供电公司,报送,,,,,,又一条测试信息,张测试\n"
WRONG = ("日期,单位,类型,层级,刊物,栏目\n"
         "2025-12-10,磴口供电公司,采纳,,,\n")


def upload(at, name: str, text: str):
    at.file_uploader[0].set_value((name, text.encode("utf-8"), "text/csv")).run()
    assert_clean(at)
    return at


def test_a_file_imported_before_says_every_row_exists(dashboard, demo_copy):
    at = upload(dashboard(demo_copy, "upload"), "补录.csv", CSV)
    assert any("可以导入" in s.value for s in at.success)
    at.button(key="upload_confirm").click().run()
    upload(at, "补录.csv", CSV)
    assert not [s for s in at.success if "检查通过" in s.value]
    assert any("全部 2 行都已导入过" in i.value and "不会新增" in i.value for i in at.info), [i.value for i in at.info]
    upload(at, "补录（续）.csv", CSV + MORE)
    assert any("其中 2 行已导入过" in s.value and "新增 1 行" in s.value for s in at.success)


def test_the_suggestion_column_shows_its_longest_text_whole(dashboard, demo_copy):
    at = upload(dashboard(demo_copy, "upload"), "有错.csv", WRONG)
    table = next(d for d in at.dataframe if "建议" in d.value.columns)
    hint = pl.from_pandas(table.value)["建议"][0]
    assert hint.startswith("可选：") and len(hint) > 20
    width = json.loads(table.proto.columns)["建议"]["width"]
    assert width >= 14 * len(hint)  # the grid's face draws a CJK character 14 px wide


def test_undo_then_redo_starts_with_an_empty_reason(dashboard, demo_copy):
    at = dashboard(demo_copy, "upload")
    at.session_state["history_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    next(t for t in at.text_input if t.label == "原因（必填）").input("导错了文件")
    next(b for b in at.button if b.label == "撤销该批次").click().run()
    assert_clean(at)
    at.session_state["history_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert [b for b in at.button if b.label == "恢复该批次"]
    assert next(t for t in at.text_input if t.label == "原因（必填）").value == ""


def test_a_refused_new_account_keeps_what_was_typed(dashboard, demo_copy):
    at = dashboard(demo_copy, "admin")
    name = next(t for t in at.text_input if t.label == "用户名")
    name.input("测试查看")  # taken
    next(t for t in at.text_input if t.label.startswith("初始密码")).input("一个足够长的初始密码")
    next(s for s in at.selectbox if s.label == "角色").set_value("录入")
    next(b for b in at.button if b.label == "新增账号").click().run()
    assert any("已存在" in e.value for e in at.error)
    assert next(t for t in at.text_input if t.label == "用户名").value == "测试查看"
    assert next(s for s in at.selectbox if s.label == "角色").value == "录入"
    next(t for t in at.text_input if t.label == "用户名").input("新同事")
    next(b for b in at.button if b.label == "新增账号").click().run()
    assert auth.refresh(Store(demo_copy), auth.User("新同事", "录入", None)) is not None
    assert next(t for t in at.text_input if t.label == "用户名").value == ""  # a fresh form after a success


def test_changing_an_account_starts_from_its_role(dashboard, demo_copy):
    at = dashboard(demo_copy, "admin")
    users = auth.list_users(Store(demo_copy))
    for name, role, unit in users.select("用户名", "角色", "单位编号").iter_rows():
        at.selectbox(key="user_target").set_value(name).run()
        assert next(s for s in at.selectbox if s.label == "新角色").value == role, name
        assert next(s for s in at.selectbox if s.label.startswith("所属单位（角色为“单位”时）")).value == unit


def test_no_raw_values_on_screen(dashboard, demo_copy):
    at = dashboard(demo_copy, "home", role="查看")
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "duckdb" not in sidebar and "数据库" not in sidebar
    at = dashboard(demo_copy, "admin")
    shown = " ".join([*(w.value for w in at.markdown), *(c.value for c in at.caption),
                      *(str(v) for d in at.dataframe for v in d.value.to_numpy().ravel())])
    assert "Asia/" not in shown and ".yaml" not in shown
    assert next(s for s in at.selectbox if s.label == "时区").value == "Asia/Shanghai"
    assert "北京时间（东八区）" in next(s for s in at.selectbox if s.label == "时区").options


def test_progress_is_one_group_in_the_order_of_the_chosen_measure(dashboard, demo_template):
    """进步情况 shows the picked group only, most improved first by the measure chosen on the page,
    with the 先进 and 进步较大 units and those barred from commendation marked."""
    from scoring.engine import Engine, commend

    at = dashboard(demo_template, "commend")
    at.selectbox(key="w_commend_measure").set_value("growth_qoq").run()
    open_tab(at, "commend_tab", "进步情况")
    next(s for s in at.segmented_control if s.label == "组别").set_value("B").run()
    assert_clean(at)
    table = pl.from_pandas(next(d for d in at.dataframe if "评选" in d.value.columns).value)
    chosen = commend.select(Engine.open(Store(demo_template)), 2025, "growth_qoq")
    group = chosen["资格"].filter(pl.col("组别") == "B")
    assert sorted(table["单位"].to_list()) == sorted(group["单位"].to_list())
    growth = table["得分增长"].to_list()
    assert growth == sorted(growth, key=lambda g: float("-inf") if g != g or g is None else g, reverse=True)
    marks = dict(zip(table["单位"], table["评选"]))
    for key, mark in (("先进单位", "先进单位"), ("进步较大单位", "进步较大单位")):
        for name in chosen[key].filter(pl.col("组别") == "B")["单位"].to_list():
            assert marks[name] == mark
    barred = group.filter(~pl.col("合格"))["单位"].to_list()
    assert barred and all(marks[name] == "不参评" for name in barred)
    assert {"第一季度得分", "第四季度得分"} <= set(table.columns)
