"""The dashboard through Streamlit's AppTest: every page renders on the demo database, the
period picker changes the ranking, uploads import (or show row errors and store nothing),
a what-if changes ranks without touching the store, clicks open a unit's detail."""
from __future__ import annotations

import io
import json
import re

import duckdb
import polars as pl
import pytest

from dashboard_fixtures import (ADMIN_NAME, assert_clean, dashboard, demo_copy,  # noqa: F401
                                demo_template, open_tab, page_files)
from scoring.accounts import auth, registry
from scoring.engine import Engine
from scoring.views import home as home_views
from scoring.views import rules as rules_views
from scoring.store import Store

GOOD_CSV = ("日期,单位,类型,层级,刊物,栏目,批示人,信息编号,标题,作者\n"
            "2025-12-10,磴口供电公司,采用,国家,国务院办公厅,,,T-1,测试信息被国务院办公厅采用,张测试\n"
            "2025-12-12,磴口供电公司,批示,国家,国务院办公厅,,国务院领导,T-1,测试信息被国务院办公厅采用,\n")
BAD_CSV = ("日期,单位,类型,层级,刊物,栏目\n"
           "2025-12-10,不存在的单位,采用,市,政务要情,重要信息\n"
           "2025-13-40,磴口供电公司,采用,市,政务要情,重要信息\n"
           "2025-12-11,供电公司,扣分,,,未完成报送任务\n")


def table_values(at, key: str) -> pl.DataFrame:
    """A selectable table by its key (plain tables carry no key: find those by their columns)."""
    frame = next(d for d in at.dataframe if d.key == key)
    return pl.from_pandas(frame.value)


def page_paths(at) -> set[str]:
    """Page files the navigation lists after a plain run: AppTest refuses to switch to any other
    (a page a role may not use is not reachable by address either). Only asks; runs nothing."""
    listed = set()
    for page in registry.PAGES:
        try:
            at.switch_page(page.file)
        except ValueError:
            continue
        listed.add(page.file)
    return listed


def table_with(at, *columns: str) -> pl.DataFrame:
    frame = next(d for d in at.dataframe if set(columns) <= set(d.value.columns))
    return pl.from_pandas(frame.value)


def months_tab(at) -> None:
    """Open 单位详情's 每月报送 tab, where the waiver form would be, and check it is drawn."""
    open_tab(at, "unit_tab", "每月报送")
    assert_clean(at)
    table_with(at, "报送数", "任务数", "状态")


@pytest.mark.parametrize("page", page_files())
def test_every_page_renders(dashboard, demo_template, page):
    at = dashboard(demo_template, page)
    assert_clean(at)
    assert at.title, f"{page} 没有标题"


def test_navigation_lists_every_page(dashboard, demo_template):
    at = dashboard(demo_template)
    assert_clean(at)
    assert [t.value for t in at.title] == ["总览"]
    assert any("催报名单" in s.value for s in at.subheader)


def test_period_selection_changes_the_ranking(dashboard, demo_template):
    at = dashboard(demo_template, "rank")
    q4 = table_values(at, "rank_table_A")
    quarter = next(s for s in at.selectbox if s.label == "季度")
    assert quarter.value == 4
    quarter.set_value(1).run()
    assert_clean(at)
    q1 = table_values(at, "rank_table_A")
    assert q1.select("单位", "得分").rows() != q4.select("单位", "得分").rows()
    # the choice is remembered on the other pages
    at.switch_page("pages/unit.py").run()
    assert next(s for s in at.selectbox if s.label == "季度").value == 1
    # a whole year
    at.switch_page("pages/rank.py").run()
    at.button_group[0].set_value("年度").run()
    year = table_values(at, "rank_table_A")
    assert year["得分"].sum() > q1["得分"].sum()


def test_rank_tables_sort_movement_as_a_number_and_draw_key_columns_plainly(dashboard, demo_template):
    """升降 sorted as text (↑14 before ↑3, ↓10 before ↓2), so "who dropped" could not be answered by
    clicking its header; and the pinned key columns 排名/单位/得分 were drawn faded (Streamlit draws
    pinned cells so). On screen 升降 is the signed number of places, the same movement the arrows
    say; no column is pinned."""
    from scoring.engine.periods import Period
    from scoring.views.common import rank_movement

    at = dashboard(demo_template, "rank")
    for key in ("rank_table_A", "rank_phone_A"):
        element = next(d for d in at.dataframe if d.key == key)
        table = pl.from_pandas(element.value)
        assert table["升降"].dtype.is_integer(), key
        config = json.loads(element.proto.columns)
        assert config["升降"]["type_config"] == {"type": "number", "format": "%d"}
        assert not [c for c, v in config.items() if v.get("pinned")], key
    # 采用率 with the setting's places, trailing zeros kept (it showed 50% beside 45.45%), as in print
    config = json.loads(next(d for d in at.dataframe if d.key == "rank_table_A").proto.columns)
    assert config["采用率"]["type_config"]["format"] == "%.2f%%"
    printed = "".join(h.proto.body for h in at.get("html"))
    assert re.search(r"\d+\.\d\d%", printed) and not re.search(r"\d+\.\d%", printed)
    engine = Engine.open(Store(demo_template))
    q4 = Period.quarter(2025, 4)
    moves = rank_movement(engine, engine.ranking(q4), q4.previous())
    arrows = dict(zip(moves["unit_id"], moves["升降"]))
    shown = pl.from_pandas(next(d for d in at.dataframe if d.key == "rank_table_A").value)
    assert shown.height > 20
    for unit_id, n in zip(shown["unit_id"], shown["升降"]):
        assert arrows[unit_id] == ("—" if n is None else f"↑{n}" if n > 0 else f"↓{-n}" if n < 0 else "持平")
    assert shown["升降"].drop_nulls().n_unique() > 3  # rises and drops of several sizes to sort


def test_official_order_toggle(dashboard, demo_template):
    at = dashboard(demo_template, "rank")
    by_rank = table_values(at, "rank_table_A")["排名"].to_list()
    assert by_rank == sorted(by_rank)
    at.selectbox(key="rank_order").set_value("单位名单顺序").run()
    official = table_values(at, "rank_table_A")["单位"].to_list()
    units = Store(demo_template).unit_book()
    expected = [u.name for u in units.units if units.group_on(u.id, units.units[0].active_from) == "A"]
    assert official == expected


def test_clicking_a_ranking_row_opens_the_unit(dashboard, demo_template):
    at = dashboard(demo_template, "rank")
    assert not [d for d in at.dataframe if d.key == "rank_table_B"]  # only the open group is drawn
    open_tab(at, "rank_group", "B 组")
    table = table_values(at, "rank_table_B")
    at.session_state["rank_table_B"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert_clean(at)
    assert [t.value for t in at.title] == ["单位详情"]
    unit = next(s for s in at.selectbox if s.label == "单位")
    assert unit.format_func(unit.value) == table["单位"][1]
    assert any(m.label.endswith("组排名") and m.value == f"第 {table['排名'][1]} 名" for m in at.metric)


def test_upload_of_a_good_file_imports_it(dashboard, demo_copy):
    store = Store(demo_copy)
    before = store.event_count()
    at = dashboard(demo_copy, "upload")
    at.file_uploader[0].set_value(("补录.csv", GOOD_CSV.encode("utf-8"), "text/csv")).run()
    assert_clean(at)
    assert any("检查通过" in s.value for s in at.success)
    assert store.event_count() == before  # nothing stored before the confirmation
    at.button(key="upload_confirm").click().run()
    assert_clean(at)
    assert store.event_count() == before + 2
    assert any("新增 2 行" in s.value for s in at.success)
    imports = store.imports()
    assert imports["file_name"][0] == "补录.csv" and imports["user_name"][0] == ADMIN_NAME
    # the ranking follows at once
    at.switch_page("pages/rank.py").run()
    open_tab(at, "rank_group", "C 组")
    table = table_values(at, "rank_table_C")
    assert table.filter(pl.col("单位") == "磴口供电公司")["排名"][0] == 1


def test_upload_of_a_bad_file_shows_row_errors_and_stores_nothing(dashboard, demo_copy):
    store = Store(demo_copy)
    before, version = store.event_count(), store.data_version()
    at = dashboard(demo_copy, "upload")
    at.file_uploader[0].set_value(("有错.csv", BAD_CSV.encode("gb18030"), "text/csv")).run()
    assert_clean(at)
    assert any("本文件未导入任何记录" in e.value for e in at.error)
    errors = table_with(at, "行", "列", "信息", "建议")
    assert set(errors["行"].to_list()) == {2, 3, 4}
    unknown = errors.filter(pl.col("行") == 2).row(0, named=True)
    assert unknown["列"] == "单位" and "不存在的单位" in unknown["信息"]
    assert not [b for b in at.button if b.key == "upload_confirm"]
    assert store.event_count() == before and store.data_version() == version


def test_manual_entry_uses_the_same_validation(dashboard, demo_copy):
    store = Store(demo_copy)
    before = store.event_count()
    at = dashboard(demo_copy, "upload")
    form = "manual0"
    at.selectbox(key=f"{form}_unit").set_value("气象局")
    at.selectbox(key=f"{form}_kind").set_value("采用")
    at.selectbox(key=f"{form}_level").set_value("市")
    at.selectbox(key=f"{form}_pub").set_value("政务要情")
    at.selectbox(key=f"{form}_col").set_value("")  # 政务要情 needs a 栏目
    at.text_input(key=f"{form}_title").input("手工录入的信息")
    next(b for b in at.button if b.label == "校验并保存").click().run()
    assert any("栏目" in e.value for e in at.error)
    assert store.event_count() == before
    at.selectbox(key=f"{form}_col").set_value("简讯")
    next(b for b in at.button if b.label == "校验并保存").click().run()
    assert_clean(at)
    assert store.event_count() == before + 1
    assert any("已保存 1 条记录" in s.value for s in at.success)


def test_withdraw_and_restore_one_event_with_a_reason(dashboard, demo_copy):
    store = Store(demo_copy)
    event = store.event_rows(*store.event_span(), codes=["CITY_ZWYQ_BRIEF"]).row(0, named=True)
    at = dashboard(demo_copy, "upload")
    at.number_input(key="fix_id").set_value(event["id"]).run()
    assert_clean(at)
    withdraw = next(b for b in at.button if b.label == "撤回该记录")
    withdraw.click().run()
    assert any("请填写原因" in e.value for e in at.error)
    at.text_input(key=f"fix{event['id']}_reason").input("刊物撤稿")
    next(b for b in at.button if b.label == "撤回该记录").click().run()
    assert_clean(at)
    assert store.event_by_id(event["id"])["withdrawn"] is True
    log = store.audit_log(1).row(0, named=True)
    assert log["action"] == "撤回事件" and log["reason"] == "刊物撤稿" and log["who"] == ADMIN_NAME


def moved_units(at) -> int:
    """The count on the what-if's 名次变化 filter (“名次变化 24”)."""
    moves = next(b for b in at.get("button_group") if b.label.endswith("名次"))
    return int(next(o for o in moves.options if o.startswith("名次变化")).split()[-1])


def test_whatif_changes_ranks_without_changing_the_store(dashboard, demo_copy):
    store = Store(demo_copy)
    version, rules = store.data_version(), store.saved_rule_sources()
    at = dashboard(demo_copy, "rules")
    assert any("尚未修改任何分值" in i.value for i in at.info)
    base = rules_views.whatif_base(Engine.open(store))
    row = base["代码"].to_list().index("CITY_ZWYQ_BRIEF")
    at.session_state["whatif_editor"] = {"edited_rows": {row: {"试算分值": 60.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert_clean(at)
    assert moved_units(at) > 0
    compare = [pl.from_pandas(d.value) for d in at.dataframe if "试算排名" in d.value.columns]
    assert len(compare) == 3
    assert any((c["试算排名"] != c["排名"]).any() for c in compare)
    assert store.data_version() == version and store.saved_rule_sources() == rules


def test_whatif_text_overrides_and_bad_sign(dashboard, demo_template):
    at = dashboard(demo_template, "rules")
    at.text_input(key="whatif_text").input("DED_QUOTA=10").run()
    assert any("扣分项" in e.value for e in at.error)
    at.text_input(key="whatif_text").input("CITY_ZWYQ_BRIEF=4").run()
    assert_clean(at)
    assert moved_units(at) > 0


def test_unit_detail_explains_the_score(dashboard, demo_template):
    store = Store(demo_template)
    units = store.unit_book()
    waived = store.waivers().row(0, named=True)
    at = dashboard(demo_template)
    at.session_state["unit_id"] = waived["unit_id"]
    at.switch_page("pages/unit.py").run()
    at.button_group[0].set_value("年度").run()
    next(s for s in at.selectbox if s.label == "年度").set_value(waived["month"].year).run()
    assert_clean(at)
    unit = next(s for s in at.selectbox if s.label == "单位")
    assert unit.format_func(unit.value) == units.get(waived["unit_id"]).name
    events = pl.from_pandas(at.dataframe[0].value)
    assert {"日期", "事项", "分值", "条款", "规则版本", "来源"} <= set(events.columns)
    assert "豁免" in events["类型"].to_list()  # shown where the deduction would have been


def test_a_unit_account_sees_only_its_unit(dashboard, demo_template):
    at = dashboard(demo_template, role="单位")
    assert_clean(at)
    assert page_paths(at) == {"pages/home.py", "pages/rank.py", "pages/unit.py", "pages/review.py"}
    # 总览 shows no live score either (it showed 本月得分 while 单位详情 withheld it)
    assert not [m for m in at.metric if "得分" in m.label or "排名" in m.label]
    at.switch_page("pages/unit.py").run()
    assert_clean(at)
    assert not [s for s in at.selectbox if s.label == "单位"]
    # nothing is published on the demo: no score or rank on 单位详情 either, as on 排名
    assert not [m for m in at.metric if "排名" in m.label or "得分" in m.label]
    assert any("尚未通报发布" in i.value for i in at.info)
    open_tab(at, "unit_tab", "季度得分与排名")
    assert any("还没有已通报的季度排名" in c.value for c in at.caption)
    at.switch_page("pages/rank.py").run()  # rankings only once published
    assert any("尚未通报发布" in i.value for i in at.info)


def test_a_unit_account_sees_the_issued_rank_on_its_detail_page(dashboard, demo_copy):
    """The figures a 单位 account sees are those of the 通报 as issued, not the live ranking: a
    snapshot whose rank differs from the live one (as after a later import) shows the issued one."""
    import json

    from dashboard_fixtures import UNIT_ACCOUNT_UNIT
    from scoring.engine.periods import Period
    from scoring.reports import publish

    store = Store(demo_copy)
    period = Period.quarter(2025, 4)
    issued = publish.snapshot_frame(Engine.open(store), period)
    live = issued.filter(pl.col("unit_id") == UNIT_ACCOUNT_UNIT).row(0, named=True)
    issued = issued.with_columns(pl.when(pl.col("unit_id") == UNIT_ACCOUNT_UNIT).then(pl.lit(live["排名"] + 5))
                                 .otherwise(pl.col("排名")).alias("排名"),
                                 pl.when(pl.col("unit_id") == UNIT_ACCOUNT_UNIT).then(pl.lit(live["得分"] + 7))
                                 .otherwise(pl.col("得分")).alias("得分"))
    store.add_publication(period.key, period.label, None, "测试", json.dumps(
        {"schema": 1, "period": period.key, "label": period.label, "rows": issued.to_dicts()}, ensure_ascii=False,
        default=str))
    at = dashboard(demo_copy, "unit", role="单位")
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"{live['组别']} 组排名（通报）"] == f"第 {live['排名'] + 5} 名"
    assert metrics["得分（通报）"] == f"{live['得分'] + 7:,.0f}"
    assert not any("尚未通报发布" in i.value for i in at.info)
    # the quarter tab lists the issued quarter only
    open_tab(at, "unit_tab", "季度得分与排名")
    table = next(d for d in at.dataframe if "季度" in d.value.columns)
    assert pl.from_pandas(table.value).select("季度", "排名").rows() == [("第四季度", live["排名"] + 5)]


def test_a_unit_account_sees_the_published_ranking(dashboard, demo_copy):
    from scoring.reports import publish
    from scoring.engine import Engine
    from scoring.engine.periods import Period

    store = Store(demo_copy)
    publish.publish(store, Engine.open(store), Period.quarter(2025, 4), "测试", "4")
    at = dashboard(demo_copy, "rank", role="单位")
    assert_clean(at)
    assert any(m.label.startswith("本单位") for m in at.metric)
    assert not [d for d in at.dataframe if d.key and d.key.startswith("rank_table")]


def test_a_viewer_cannot_write(dashboard, demo_template):
    at = dashboard(demo_template, role="查看")
    assert_clean(at)
    assert not page_paths(at) & {"pages/upload.py", "pages/review.py", "pages/admin.py"}
    at.switch_page("pages/unit.py").run()
    months_tab(at)
    assert not [e for e in at.expander if "豁免" in e.label]


def test_login_form_when_signed_out(dashboard, demo_template):
    at = dashboard(demo_template, signed_in=False)
    assert [s.value for s in at.subheader] == ["登录"]
    at.text_input[0].input(ADMIN_NAME)
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert any("用户名或密码错误" in e.value for e in at.error)


def test_template_download_is_the_shipped_template(dashboard, demo_template):
    at = dashboard(demo_template, "upload")
    assert [b for b in at.get("download_button") if "模板" in b.proto.label]


def test_undo_and_redo_an_import(dashboard, demo_copy):
    store = Store(demo_copy)
    before = store.event_count()
    at = dashboard(demo_copy, "upload")
    history = table_values(at, "history_table")
    row = history["批次"].to_list().index(2)  # the 2025 register
    at.session_state["history_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    next(t for t in at.text_input if t.label == "原因（必填）").input("导错了文件")
    next(b for b in at.button if b.label == "撤销该批次").click().run()
    assert_clean(at)
    assert store.event_count() < before
    assert store.imports().filter(pl.col("id") == 2)["undo_reason"][0] == "导错了文件"
    assert any("已撤销批次 2" in s.value for s in at.success)
    at.session_state["history_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    next(t for t in at.text_input if t.label == "原因（必填）").input("恢复")
    next(b for b in at.button if b.label == "恢复该批次").click().run()
    assert_clean(at)
    assert store.event_count() == before


def test_waive_a_month_from_the_unit_page(dashboard, demo_copy):
    from scoring.engine import Engine

    store = Store(demo_copy)
    ladder = Engine.open(store).quota_status(store.event_span()[1])
    unit_id, month = ladder.filter(pl.col("code").is_not_null()).select("unit_id", "month").row(0)
    at = dashboard(demo_copy)
    at.session_state["unit_id"] = unit_id
    at.switch_page("pages/unit.py").run()
    at.button_group[0].set_value("年度").run()
    next(s for s in at.selectbox if s.label == "年度").set_value(month.year).run()
    open_tab(at, "unit_tab", "每月报送")
    next(s for s in at.selectbox if s.label == "月份").set_value(month)
    next(t for t in at.text_input if t.label == "豁免原因（必填）").input("机构改革，经批准免报")
    next(b for b in at.button if b.label == "确认豁免").click().run()
    assert_clean(at)
    waivers = store.waivers()
    assert (unit_id, month) in set(waivers.select("unit_id", "month").iter_rows())
    assert store.audit_log(1)["action"][0] == "豁免"


def test_admin_renames_a_unit_and_changes_a_setting(dashboard, demo_copy):
    store = Store(demo_copy)
    at = dashboard(demo_copy, "admin")
    assert_clean(at)
    next(t for t in at.text_input if t.label == "新名称").input("巴彦高勒镇人民政府")
    next(b for b in at.button if b.label == "保存名称").click().run()
    assert_clean(at)
    assert store.unit_book().get(1).name == "巴彦高勒镇人民政府"
    assert store.unit_book().resolve("巴彦高勒镇").id == 1  # the old name stays an alias
    at.toggle(key="set_error_disqualifies").set_value(True)
    next(b for b in at.button if b.label == "保存" and "error_disqualifies" in (b.form_id or "")).click().run()
    assert_clean(at)
    assert store.stored_settings()["error_disqualifies"] is True


def test_commendation_says_when_the_earlier_year_has_no_data(dashboard, demo_template):
    at = dashboard(demo_template, "commend")
    assert_clean(at)
    assert not at.warning
    next(s for s in at.selectbox if s.label == "年度").set_value(2024).run()
    assert_clean(at)
    assert any("没有考评数据" in w.value for w in at.warning)
    next(s for s in at.selectbox if s.label == "进步较大的衡量方法").set_value("growth_qoq").run()
    assert_clean(at)
    assert not at.warning  # Q4 vs Q1 of 2024 has data


def test_empty_database_shows_how_to_import(dashboard, tmp_path):
    db = tmp_path / "empty.duckdb"
    store = Store(db)
    auth.add_user(store, "测试", ADMIN_NAME, "dashboard-test-pass", "管理")
    for page in page_files():
        at = dashboard(db, page)
        assert_clean(at)
        if page in ("pages/home.py", "pages/rank.py", "pages/unit.py", "pages/commend.py"):
            assert any("还没有事件记录" in i.value for i in at.info), page


def test_an_unexpected_error_shows_a_chinese_message(dashboard, demo_copy, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(home_views, "home_summary", broken)
    at = dashboard(demo_copy)
    from pages._session import ERROR_TEXT

    assert not at.exception
    assert [e.value for e in at.error] == [ERROR_TEXT]


def test_save_a_whatif_as_a_new_rule_version(dashboard, demo_copy):
    from datetime import date

    store = Store(demo_copy)
    at = dashboard(demo_copy, "rules")
    at.text_input(key="whatif_text").input("CITY_ZWYQ_BRIEF=4").run()
    next(d for d in at.date_input if d.label == "生效日期").set_value(date(2025, 10, 1))
    next(t for t in at.text_input if t.label == "调整依据（必填）").input("第三季度通报调整简讯分值")
    next(b for b in at.button if b.label == "保存新版本").click().run()
    assert_clean(at)
    saved = store.saved_rule_sources()
    assert [name for name, _ in saved] == ["数据库:2025-10-01"] and "CITY_ZWYQ_BRIEF" in saved[0][1]
    assert any("已保存 2025-10-01 起施行" in s.value for s in at.success)
    at.switch_page("pages/rules.py").run()
    assert any("2025-10-01" in str(v) for v in table_with(at, "版本", "生效日期", "调整内容")["版本"].to_list())


def test_kiosk_mode_opens_read_only_without_login(dashboard, demo_copy):
    auth.set_kiosk(Store(demo_copy), "测试", True)
    at = dashboard(demo_copy, signed_in=False)
    assert_clean(at)
    assert [t.value for t in at.title] == ["总览"]
    assert not page_paths(at) & {"pages/upload.py", "pages/review.py", "pages/admin.py"}


def test_change_own_password(demo_copy, monkeypatch):
    # (the form sits in the sidebar of app.py; AppTest reruns only the page after the first run,
    # so the form is driven on its own here)
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SCORING_DB", str(demo_copy))
    at = AppTest.from_string("import scoring.accounts.auth as auth\nfrom pages import _account\n"
                             "_account.password_form(auth.User('测试查看', '查看', None))\n", default_timeout=30).run()
    assert not at.text_input  # drawn only once the box is opened
    at.session_state["own_password_box"] = True
    at.run()

    def change(old: str, new: str) -> None:
        fields = {t.label: t for t in at.text_input}
        fields["原密码"].input(old)
        next(t for label, t in fields.items() if label.startswith("新密码")).input(new)
        fields["再输入一次新密码"].input(new)
        at.button[0].click().run()

    change("wrong-password", "a-new-password-1")
    assert any("原密码不正确" in e.value for e in at.error)
    change("dashboard-test-pass", "a-new-password-1")
    assert any("密码已修改" in s.value for s in at.success)
    assert auth.login(Store(demo_copy), "测试查看", "a-new-password-1").role == "查看"


# --------------------------------------------------------------------------------------------
# Trust: the kiosk visitor, a 单位 account, the administrator's backup and kiosk switch
# --------------------------------------------------------------------------------------------
ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _kiosk_db(demo_copy) -> Store:
    import scoring.accounts.auth as auth

    store = Store(demo_copy)
    auth.set_kiosk(store, "测试", True)
    return store


@pytest.mark.parametrize("page", ["upload", "admin", "review"])
def test_a_kiosk_visitor_cannot_open_the_write_pages(dashboard, demo_copy, page):
    _kiosk_db(demo_copy)
    at = dashboard(demo_copy, signed_in=False)
    assert_clean(at)
    assert "user" not in at.session_state  # a visitor is no signed-in account
    assert any("只读" in c.value for c in at.caption)
    assert f"pages/{page}.py" not in page_paths(at)
    with pytest.raises(ValueError):  # not in the navigation, so not reachable by address either
        at.switch_page(f"pages/{page}.py")
    # and the page itself refuses the visitor, should it ever be run
    from streamlit.testing.v1 import AppTest

    direct = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=30).run()
    assert not direct.exception, [e.value for e in direct.exception]
    assert any("免登录只读模式下不能打开此页面" in e.value for e in direct.error)
    assert not direct.file_uploader and not direct.tabs and not direct.button and not direct.toggle


def test_a_kiosk_visitor_cannot_write(dashboard, demo_copy, monkeypatch):
    from streamlit.testing.v1 import AppTest

    store = _kiosk_db(demo_copy)
    version = store.data_version()
    at = dashboard(demo_copy, signed_in=False)
    at.switch_page("pages/unit.py").run()
    assert_clean(at)
    assert any(m.label.endswith("组排名") for m in at.metric)  # browsing works
    months_tab(at)
    assert not [e for e in at.expander if "豁免" in e.label]
    # the write paths themselves refuse the visitor, whatever the page shows
    monkeypatch.setenv("SCORING_DB", str(demo_copy))
    script = """
import pytest
import scoring.accounts.auth as auth
import streamlit as st
from pages import _data, _session

u = _session.user()
st.text(f"{type(u).__name__} {u.role}")
called = []
for action in ("import", "correct", "undo", "waive", "units", "settings", "users", "backup"):
    st.text(f"{action} {_session.can(action)}")
    with pytest.raises(PermissionError):
        _session.write(action, called.append, action)
with pytest.raises(PermissionError):
    _session.who()
with pytest.raises(PermissionError):
    _session.download("backup", lambda: b"database")
with pytest.raises(PermissionError):
    auth.set_kiosk(_data.store(), u, False)  # a guest is no auth.User: auth refuses it too
with pytest.raises(PermissionError):
    auth.add_user(_data.store(), u, "闯入者", "long-enough-pass", "管理")
st.text(f"called {len(called)}")
st.text(f"export {_session.can('export')} {_session.can('import')}")
"""
    app = AppTest.from_string(script, default_timeout=30).run()
    assert not app.exception, [e.value for e in app.exception]
    shown = [t.value for t in app.text]
    assert shown[0] == "Guest 查看"
    assert all(line.endswith("False") for line in shown[1:9]), shown
    assert "called 0" in shown and "export True False" in shown
    assert store.data_version() == version and store.user_record("闯入者") is None
    assert __import__("scoring.accounts.auth", fromlist=["x"]).kiosk_enabled(store)


def test_without_kiosk_nobody_signed_in_sees_only_the_login(dashboard, demo_template, monkeypatch):
    from streamlit.testing.v1 import AppTest

    at = dashboard(demo_template, signed_in=False)
    assert [s.value for s in at.subheader] == ["登录"]
    with pytest.raises(ValueError):
        at.switch_page("pages/admin.py")
    direct = AppTest.from_file(str(ROOT / "pages" / "admin.py"), default_timeout=30).run()
    assert any("请先登录" in w.value for w in direct.warning)
    assert not direct.tabs and not direct.dataframe


def test_a_unit_account_cannot_pick_another_unit(dashboard, demo_template):
    from dashboard_fixtures import UNIT_ACCOUNT_UNIT

    units = Store(demo_template).unit_book()
    other = next(u.id for u in units.units if u.id != UNIT_ACCOUNT_UNIT)
    at = dashboard(demo_template, role="单位")
    listed = page_paths(at)
    at.session_state["unit_id"] = other  # as a link from another page would set it
    at.query_params["unit"] = str(other)
    at.switch_page("pages/unit.py").run()
    assert_clean(at)
    assert not [s for s in at.selectbox if s.label == "单位"]
    assert [m.value for m in at.markdown if m.value.startswith("### ")] == [f"### {units.get(UNIT_ACCOUNT_UNIT).name}"]
    months_tab(at)
    assert not [e for e in at.expander if "豁免" in e.label]
    at.switch_page("pages/home.py").run()
    assert_clean(at)
    assert [s.value for s in at.subheader] == [units.get(UNIT_ACCOUNT_UNIT).name]
    assert not at.dataframe  # no 催报名单 of every unit
    for page in ("admin", "upload", "export", "commend", "rules"):
        assert f"pages/{page}.py" not in listed


def test_admin_has_the_kiosk_switch_and_the_backup_tab(dashboard, demo_copy):
    import scoring.accounts.auth as auth

    store = Store(demo_copy)
    at = dashboard(demo_copy, "admin")
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["单位", "豁免", "设置", "用户", "备份", "操作日志"]
    assert [b for b in at.get("download_button") if b.proto.label == "下载数据库备份"]
    assert any(c.label.startswith("我已了解") for c in at.checkbox)
    at.toggle(key="kiosk_toggle").set_value(True)
    next(b for b in at.button if b.label == "保存" and (b.form_id or "") == "kiosk").click().run()
    assert_clean(at)
    assert auth.kiosk_enabled(store)
    assert store.audit_log(1)["who"][0] == ADMIN_NAME
    # a 录入 account has no 管理 page and no backup
    at = dashboard(demo_copy, role="录入")
    assert "pages/admin.py" not in page_paths(at)


def test_backup_download_and_restore(dashboard, demo_copy, monkeypatch):
    from streamlit.testing.v1 import AppTest

    import scoring.accounts.auth as auth

    store = Store(demo_copy)
    monkeypatch.setenv("SCORING_DB", str(demo_copy))
    script = f"""
import pytest
import scoring.accounts.auth as auth
import streamlit as st
from pages import _data, _session

from scoring.backup import backup_bytes

def backup():
    return _session.download("backup", backup_bytes, _data.store(), audit_as="who")()

st.session_state["user"] = auth.User({ADMIN_NAME!r}, "管理", None)
st.session_state["backup"] = backup()
for role in ("录入", "查看", "单位"):
    st.session_state["user"] = auth.User("测试" + role, role, 3 if role == "单位" else None)
    _session.begin_run()
    with pytest.raises(PermissionError):
        backup()
"""
    app = AppTest.from_string(script, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    data = app.session_state["backup"]
    assert data[:4] and store.audit_log(1)["action"][0] == "备份数据库" and store.audit_log(1)["who"][0] == ADMIN_NAME
    before = store.event_count()
    store.set_alias("备份后的简称", 1, "测试")
    # restore through the 备份 tab: a bad file and a missing confirmation change nothing
    at = dashboard(demo_copy, "admin")
    upload = next(f for f in at.file_uploader if f.key == "restore_file")
    upload.set_value(("坏文件.duckdb", b"not a database", "application/octet-stream"))
    next(c for c in at.checkbox if c.key == "restore_confirm").check()
    next(b for b in at.button if b.label == "恢复").click().run()
    assert_clean(at)
    assert any("未恢复" in e.value for e in at.error)
    # a backup made on another server (its profile elsewhere) is refused; the dashboard goes on
    foreign = demo_copy.with_name("另一台服务器.duckdb")
    foreign.write_bytes(data)
    con = duckdb.connect(str(foreign))
    con.execute("UPDATE meta SET value = '/srv/另一台服务器/profiles/某县' WHERE key = 'profile'")
    con.close()
    next(f for f in at.file_uploader if f.key == "restore_file").set_value(
        ("另一台服务器.duckdb", foreign.read_bytes(), "application/octet-stream"))
    next(c for c in at.checkbox if c.key == "restore_confirm").check()
    next(b for b in at.button if b.label == "恢复").click().run()
    assert_clean(at)
    assert any("未恢复" in e.value and "在本机找不到" in e.value for e in at.error)
    at.switch_page("pages/rank.py").run()
    assert_clean(at)
    at.switch_page("pages/admin.py").run()
    next(f for f in at.file_uploader if f.key == "restore_file").set_value(("备份.duckdb", data, "application/octet-stream"))
    next(b for b in at.button if b.label == "恢复").click().run()
    assert any("请先勾选确认" in e.value for e in at.error)
    assert "备份后的简称" in store.unit_book().aliases
    next(f for f in at.file_uploader if f.key == "restore_file").set_value(("备份.duckdb", data, "application/octet-stream"))
    next(c for c in at.checkbox if c.key == "restore_confirm").check()
    next(b for b in at.button if b.label == "恢复").click().run()
    assert_clean(at)
    assert any("已从备份" in s.value for s in at.success), [e.value for e in at.error]
    assert store.event_count() == before
    assert "备份后的简称" not in store.unit_book().aliases
    assert auth.login(store, ADMIN_NAME, "dashboard-test-pass").role == "管理"


def test_print_tables_show_names_as_text():
    """The print view's plain HTML tables escape every cell: a unit name is text typed by a user."""
    from pages._layout import print_table

    html = print_table(pl.DataFrame({"单位": ['<img src=x onerror="alert(1)">[链接](http://evil.example/)'],
                                     "得分": [1234.0], "排名": [None]}, schema={"单位": pl.Utf8, "得分": pl.Float64,
                                                                           "排名": pl.Int64}), "A 组 <b>")
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<caption>A 组 &lt;b&gt;</caption>" in html
    assert '<td class="num">1,234</td>' in html and '<td class="num">—</td>' in html
