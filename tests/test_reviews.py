"""核对与更正申请: a unit asks about one of its records (or a missing one) before the quarter is
published; accepting applies the change through the audited correction path and moves the
ranking, rejecting needs a reason and changes nothing; a request follows its record through an
undo; requests survive a backup and restore, and a crafted one is refused. The dashboard: the
unit's page, the queue and the publish warning (AppTest; the browser walk is in
test_browser_review.py)."""
from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from conftest import load, ranking, row
from dashboard_fixtures import UNIT_ACCOUNT_UNIT, assert_clean, dashboard, demo_copy, demo_template  # noqa: F401
from scoring.backup import BackupError, backup_bytes, restore_from
from scoring.engine import Engine, rulebook_for
from scoring.engine.periods import Period
from scoring.intake.reader import HEADERS
from scoring.intake.validate import validate_row
from scoring.store import Store
from scoring.views import review as review_views

Q4 = Period.quarter(2025, 4)


def checked(store: Store, values: dict) -> dict:
    event, problems = validate_row({h: values.get(h, "") for h in HEADERS}, store.unit_book(), rulebook_for(store))
    assert not problems, problems
    return event


def quarter(store: Store) -> dict:
    """教育局 18 (市《决策参考》) behind 财政局 20; returns unit ids and 教育局's event id."""
    load(store, [row("2025-10-05", "教育局", "采用", "市", "决策参考", title="甲信息"),
                 row("2025-10-06", "财政局", "采用", "市", "专报信息", "前瞻预警", title="乙信息")])
    units = {u.name: u.id for u in store.unit_book().units}
    event = store.scalar("SELECT id FROM events WHERE title = '甲信息'")
    return {"edu": units["教育局"], "fin": units["财政局"], "event": event}


def rank_of(store: Store, unit: str) -> tuple:
    frame = ranking(store, Q4)
    return frame.filter(pl.col("单位") == unit).select("排名", "得分").row(0)


def ask_for_region(store: Store, ids: dict) -> int:
    """教育局 says its adoption was at the 自治区 level (《每日要情》盟市前沿, 30)."""
    wanted = checked(store, row("2025-10-05", "教育局", "采用", "自治区", "每日要情", "盟市前沿", title="甲信息"))
    return store.add_review(ids["edu"], Q4.start, Q4.end, "更正", "教育局信息员", "实为自治区采用",
                            event_id=ids["event"], event=wanted)


def test_an_accepted_request_is_a_correction_and_moves_the_ranking(store):
    ids = quarter(store)
    assert rank_of(store, "教育局") == (2, 18)
    rid = ask_for_region(store, ids)
    asked = review_views.requests_table(Engine.open(store))
    assert asked.select("状态", "申请", "理由").row(0) == ("待处理", "更正", "实为自治区采用")
    assert "层级：市 → 自治区" in asked["申请内容"][0] and "甲信息" in asked["记录"][0]
    assert store.open_review_count() == 1
    request = store.review(rid)
    wanted = checked(store, review_views.request_values(request, store.event_by_id(ids["event"]), store.unit_book()))
    store.accept_correction(rid, wanted, "录入员", "核实无误")
    assert rank_of(store, "教育局") == (1, 30)
    # the existing correction path did it: a correction record (kept across re-imports) and its audit line
    fixes = store.corrections(ids["event"])
    assert fixes.select("who", "action").row(0) == ("录入员", "更正") and "采纳更正申请" in fixes["reason"][0]
    actions = store.audit_log()["action"].to_list()
    assert actions[:3] == ["采纳更正申请", "更正事件", "提交更正申请"]
    done = review_views.requests_table(Engine.open(store), ids["edu"]).row(0, named=True)
    assert (done["状态"], done["处理人"], done["处理意见"]) == ("已采纳", "录入员", "核实无误")
    assert done["处理结果"].startswith(f"事件 {ids['event']} 已更正") and "市 → 自治区" in done["处理结果"]
    assert "市 → 自治区" in done["申请内容"]  # what was asked stays as asked after the record changed
    assert store.open_review_count() == 0
    with pytest.raises(ValueError, match="已处理"):
        store.reject_review(rid, "录入员", "再次处理")


def test_a_rejected_request_needs_a_reason_and_changes_nothing(store):
    ids = quarter(store)
    rid = ask_for_region(store, ids)
    before = store.data_version()
    with pytest.raises(ValueError, match="理由"):
        store.reject_review(rid, "录入员", " ")
    assert store.data_version() == before
    store.reject_review(rid, "录入员", "登记表原件为市级采用")
    assert rank_of(store, "教育局") == (2, 18) and store.corrections().height == 0
    done = review_views.requests_table(Engine.open(store), ids["edu"]).row(0, named=True)
    assert (done["状态"], done["处理意见"], done["处理结果"]) == ("未采纳", "登记表原件为市级采用", "")
    assert store.audit_log(1).select("action", "reason").row(0) == ("不采纳更正申请", "登记表原件为市级采用")


def test_withdrawal_and_addition_requests(store):
    ids = quarter(store)
    out = store.add_review(ids["fin"], Q4.start, Q4.end, "撤回", "财政局信息员", "重复登记",
                           event_id=store.scalar("SELECT id FROM events WHERE title = '乙信息'"))
    missing = checked(store, row("2025-11-03", "教育局", "采用", "市", "决策参考", title="丙信息"))
    add = store.add_review(ids["edu"], Q4.start, Q4.end, "补录", "教育局信息员", "漏录", event=missing)
    store.accept_withdrawal(out, "录入员")
    assert rank_of(store, "财政局")[1] == 0
    from scoring.intake.importer import check_rows

    values = review_views.request_values(store.review(add), None, store.unit_book())
    report = check_rows([(1, values)], "更正申请 补录", store.unit_book(), rulebook_for(store))
    assert store.accept_addition(add, report.file_name, "sha", report.events, "录入员") == {"导入批次": 2, "新增": 1}
    assert rank_of(store, "教育局") == (1, 36)
    table = review_views.requests_table(Engine.open(store))
    assert dict(zip(table["申请"], table["处理结果"])) == {"补录": "已补录", "撤回": f"事件 {store.review(out)['event_id']} 已撤回，不再计分"}


def test_a_unit_asks_only_about_its_own_records_of_the_period(store):
    ids = quarter(store)
    wanted = checked(store, row("2025-10-05", "教育局", "采用", "自治区", "每日要情", "盟市前沿", title="甲信息"))
    with pytest.raises(ValueError, match="不是本单位本期"):
        store.add_review(ids["fin"], Q4.start, Q4.end, "更正", "财政局信息员", "改", event_id=ids["event"], event=wanted)
    q3 = Period.quarter(2025, 3)
    with pytest.raises(ValueError, match="不是本单位本期"):
        store.add_review(ids["edu"], q3.start, q3.end, "更正", "教育局信息员", "改", event_id=ids["event"], event=wanted)
    with pytest.raises(ValueError, match="理由"):
        store.add_review(ids["edu"], Q4.start, Q4.end, "更正", "教育局信息员", "", event_id=ids["event"], event=wanted)
    same = checked(store, row("2025-10-05", "教育局", "采用", "市", "决策参考", title="甲信息"))
    with pytest.raises(ValueError, match="相同"):
        store.add_review(ids["edu"], Q4.start, Q4.end, "更正", "教育局信息员", "改", event_id=ids["event"], event=same)
    other = checked(store, row("2025-10-05", "财政局", "采用", "市", "决策参考", title="丁信息"))
    with pytest.raises(ValueError, match="本单位本期"):
        store.add_review(ids["edu"], Q4.start, Q4.end, "补录", "教育局信息员", "漏录", event=other)
    ask_for_region(store, ids)
    with pytest.raises(ValueError, match="待处理"):
        ask_for_region(store, ids)
    store.add_review(ids["edu"], Q4.start, Q4.end, "确认", "教育局信息员")
    with pytest.raises(ValueError, match="已确认"):
        store.add_review(ids["edu"], Q4.start, Q4.end, "确认", "教育局信息员")
    assert review_views.confirmed_units(Engine.open(store), Q4) == ["教育局"]


def test_a_request_follows_its_record_through_undo_and_redo(store):
    ids = quarter(store)
    rid = ask_for_region(store, ids)
    wanted = checked(store, row("2025-10-05", "教育局", "采用", "自治区", "每日要情", "盟市前沿", title="甲信息"))
    store.undo_import(1, "录入员", "导错了")
    assert store.review(rid)["live_id"] is None
    with pytest.raises(ValueError, match="已不在库中"):
        store.accept_correction(rid, wanted, "录入员")
    store.redo_import(1, "录入员", "恢复")
    assert store.review(rid)["live_id"] is not None  # a new event id, the same lasting key
    store.accept_correction(rid, wanted, "录入员")
    assert rank_of(store, "教育局") == (1, 30)


# -- backup and restore ---------------------------------------------------------------------------
def requests_and_trials(path) -> Store:
    store = Store(path)
    ids = quarter(store)
    ask_for_region(store, ids)
    store.add_trial("简讯 4 分", "CITY_ZWYQ_BRIEF=4", "2025Q4", "张三")
    return store


def test_requests_and_trials_survive_a_backup_and_restore(tmp_path):
    store = requests_and_trials(tmp_path / "a.duckdb")
    data = backup_bytes(store)
    other = Store(tmp_path / "b.duckdb")
    restore_from(other.path, data, who="管理员")
    restored = Store(other.path)
    assert restored.reviews().drop("made_at").to_dicts() == store.reviews().drop("made_at").to_dicts()
    assert restored.trials().select("name", "overrides", "period").rows() == [("简讯 4 分", "CITY_ZWYQ_BRIEF=4", "2025Q4")]
    assert restored.open_review_count() == 1


@pytest.mark.parametrize("sql, words", [
    ("UPDATE reviews SET wanted = '{\"title = (SELECT 1), note\": \"x\"}'", "不能更正的字段"),
    ("UPDATE reviews SET status = '已办'", "类别或状态"),
    ("UPDATE reviews SET was = '[1]'", "格式"),
    ("UPDATE trials SET overrides = 'CITY_ZWYQ_BRIEF'", "代码=分值"),
    ("UPDATE trials SET overrides = ''", "试算方案"),
])
def test_a_crafted_request_or_trial_in_a_backup_is_refused(tmp_path, sql, words):
    store = requests_and_trials(tmp_path / "a.duckdb")
    backup = tmp_path / "bk.duckdb"
    backup.write_bytes(backup_bytes(store))
    con = duckdb.connect(str(backup))
    con.execute(sql)
    con.close()
    target = Store(tmp_path / "b.duckdb")
    with pytest.raises(BackupError, match=words):
        restore_from(target.path, backup.read_bytes())
    assert Store(target.path).reviews().height == 0


# -- the dashboard ------------------------------------------------------------------------------
def unit_event(db) -> dict:
    """An adoption of the test 单位 account's unit in 2025 Q4 (the quarter its page opens on)."""
    return Store(db).frame("""SELECT id, title FROM events WHERE unit_id = ? AND kind = '采用' AND level = '市'
        AND day BETWEEN '2025-10-01' AND '2025-12-31' ORDER BY day, id LIMIT 1""", [UNIT_ACCOUNT_UNIT]).row(0, named=True)


def table(at, column: str) -> pl.DataFrame:
    """The table with this column (only selectable tables carry their key in AppTest)."""
    return pl.from_pandas(next(d for d in at.dataframe if column in d.value.columns).value)


def select(at, key: str, row: int) -> None:
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()


def test_the_review_pages_walk_a_request_from_unit_to_publication(dashboard, demo_copy):
    event = unit_event(demo_copy)
    unit = dashboard(demo_copy, "review", role="单位")
    assert_clean(unit)
    records = pl.from_pandas(next(d for d in unit.dataframe if d.key == "review_records").value)
    select(unit, "review_records", records["事件编号"].to_list().index(event["id"]))
    next(s for s in unit.selectbox if s.key == f"review{event['id']}_level").set_value("自治区")
    next(t for t in unit.text_input if t.label == "理由（必填）").input("该信息为自治区级采用")
    next(b for b in unit.button if b.label == "提交申请").click().run()
    assert_clean(unit)
    assert any("已提交" in s.value for s in unit.success), [e.value for e in unit.error]
    mine = table(unit, "处理结果")
    assert mine.select("申请", "状态").row(0) == ("更正", "待处理")

    export = dashboard(demo_copy, "export", role="录入")  # 2025 Q4 is the export page's default
    assert_clean(export)
    assert any("1 条单位的更正申请未处理" in w.value for w in export.warning)
    waiting = table(export, "申请内容")
    assert waiting["申请内容"][0].endswith("层级：市 → 自治区")

    staff = dashboard(demo_copy, "review", role="录入")
    assert_clean(staff)
    assert [o for o in staff.get("button_group")[0].options] == ["待处理 1", "全部申请"]
    select(staff, "review_queue", 0)
    next(b for b in staff.button if b.label == "采纳并更正").click().run()
    assert_clean(staff)
    assert any("已采纳" in s.value for s in staff.success)
    assert Store(demo_copy).event_by_id(event["id"])["level"] == "自治区"

    unit = dashboard(demo_copy, "review", role="单位")
    mine = table(unit, "处理结果")
    assert mine["状态"][0] == "已采纳" and mine["处理结果"][0].startswith(f"事件 {event['id']} 已更正")
    next(b for b in unit.button if "记录无误，确认" in b.label).click().run()
    assert any("确认2025年第四季度的记录无误" in s.value for s in unit.success)
