"""三(二) 扣分事项 and 三(二)3 的保底, written from the clause's words and the Readings of
docs/规则说明.md (the quota ladder, tracked months, waivers)."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.engine import Engine
from scoring.engine.periods import Period

from conftest import AS_OF, load, row, submissions, unit_row

C_UNIT = "气象局"          # group C: 单月报送信息不少于 4 条
A_UNIT = "教育局"          # group A: 不少于 15 条
OTHER = "财政局"


def quota_codes(store, unit: str, until: date, as_of: date = AS_OF) -> list[tuple[str, str | None]]:
    engine = Engine.open(store, as_of=as_of)
    uid = engine.units.resolve(unit).id
    status = engine.quota_status(until).filter(pl.col("unit_id") == uid)
    return [(m.strftime("%Y-%m"), c) for m, c in status.select("month", "code").iter_rows()]


def months_of_c_unit(counts: dict[str, int]) -> list[dict]:
    rows = []
    for month, n in counts.items():
        rows += submissions(C_UNIT, month, n)
        rows += submissions(OTHER, month, 15)  # keeps every month tracked
    return rows


def test_first_short_month_costs_30_and_each_further_one_50(store):
    """三(二)1: 未完成信息报送任务的，扣30分并下发提醒函；经提醒后仍无较大改变的，扣50分。"""
    load(store, months_of_c_unit({"2025-01": 2, "2025-02": 1, "2025-03": 3}))
    assert quota_codes(store, C_UNIT, date(2025, 3, 31)) == [
        ("2025-01", "DED_QUOTA"), ("2025-02", "DED_QUOTA_REPEAT"), ("2025-03", "DED_QUOTA_REPEAT")]
    got = unit_row(store, C_UNIT, Period.quarter(2025, 1))
    assert got["扣分"] == -30 - 50 - 50


def test_a_month_at_quota_ends_the_run(store):
    load(store, months_of_c_unit({"2025-01": 2, "2025-02": 4, "2025-03": 3}))
    assert quota_codes(store, C_UNIT, date(2025, 3, 31)) == [
        ("2025-01", "DED_QUOTA"), ("2025-02", None), ("2025-03", "DED_QUOTA")]


def test_a_waived_month_neither_extends_nor_ends_the_run(store):
    """Reading: short Jan −30, waived Feb, short Mar −50."""
    load(store, months_of_c_unit({"2025-01": 2, "2025-02": 0, "2025-03": 3}))
    uid = store.unit_book().resolve(C_UNIT).id
    store.add_waiver(uid, date(2025, 2, 1), "单位搬迁", "测试")
    assert quota_codes(store, C_UNIT, date(2025, 3, 31)) == [
        ("2025-01", "DED_QUOTA"), ("2025-02", None), ("2025-03", "DED_QUOTA_REPEAT")]
    assert unit_row(store, C_UNIT, Period.quarter(2025, 1))["扣分"] == -80


def test_a_run_crosses_the_new_year(store):
    load(store, months_of_c_unit({"2024-12": 1, "2025-01": 1}))
    assert quota_codes(store, C_UNIT, date(2025, 1, 31)) == [("2024-12", "DED_QUOTA"), ("2025-01", "DED_QUOTA_REPEAT")]
    assert unit_row(store, C_UNIT, Period.year(2025))["扣分"] == -50
    assert unit_row(store, C_UNIT, Period.year(2024))["扣分"] == -30


def test_only_ended_months_with_stored_submissions_are_checked(store):
    """Reading: a month is tracked when some 报送 row is stored in it and it has ended."""
    load(store, months_of_c_unit({"2025-01": 1}))
    # No 报送 rows at all in February: not tracked, no deduction for anyone.
    assert quota_codes(store, C_UNIT, date(2025, 2, 28)) == [("2025-01", "DED_QUOTA")]
    # January has not ended on 31 January.
    assert quota_codes(store, C_UNIT, date(2025, 1, 31), as_of=date(2025, 1, 31)) == []
    assert quota_codes(store, C_UNIT, date(2025, 1, 31), as_of=date(2025, 2, 1)) == [("2025-01", "DED_QUOTA")]


def test_a_unit_with_no_submissions_in_a_tracked_month_is_short(store):
    """零报送: the unit has no row at all, yet it is named and deducted."""
    load(store, submissions(OTHER, "2025-05", 15))
    assert quota_codes(store, A_UNIT, date(2025, 5, 31)) == [("2025-05", "DED_QUOTA")]
    got = unit_row(store, A_UNIT, Period.quarter(2025, 2))
    assert (got["报送数"], got["原始得分"], got["得分"]) == (0, -30, 0)


def test_quota_deduction_is_dated_on_the_first_day_of_its_month(store):
    load(store, months_of_c_unit({"2025-03": 1, "2025-04": 1}))
    engine = Engine.open(store, as_of=AS_OF)
    uid = engine.units.resolve(C_UNIT).id
    q1 = engine.scored_events(Period.quarter(2025, 1), [uid]).filter(pl.col("code").str.starts_with("DED_"))
    q2 = engine.scored_events(Period.quarter(2025, 2), [uid]).filter(pl.col("code").str.starts_with("DED_"))
    assert q1.select("day", "code", "points").rows() == [(date(2025, 3, 1), "DED_QUOTA", -30)]
    assert q2.select("day", "code", "points").rows() == [(date(2025, 4, 1), "DED_QUOTA_REPEAT", -50)]
    assert "低于任务数 4 条" in q1["title"][0]


def test_improvement_share_setting_ends_the_run_without_50(store):
    """Reading: 较大改变 — a setting may let a month reaching a share of the quota end the run."""
    load(store, months_of_c_unit({"2025-01": 1, "2025-02": 3, "2025-03": 1}))
    assert quota_codes(store, C_UNIT, date(2025, 3, 31))[1] == ("2025-02", "DED_QUOTA_REPEAT")
    store.set_setting("quota_improvement_share", 0.75, "测试")
    assert quota_codes(store, C_UNIT, date(2025, 3, 31)) == [
        ("2025-01", "DED_QUOTA"), ("2025-02", None), ("2025-03", "DED_QUOTA")]


def test_typed_quota_deduction_rows_are_rejected(store):
    from conftest import check_rows, rulebook_for

    report = check_rows([(2, row("2025-01-05", C_UNIT, "扣分", column="未完成报送任务"))], "x.csv",
                        store.unit_book(), rulebook_for(store))
    assert not report.ok
    assert report.errors[0].column == "栏目" and "自动计算" in report.errors[0].message


def test_late_solicited_draft_first_30_then_50_each_in_the_year(store):
    """三(二)1: 未按时完成约稿任务的，扣30分；经提醒后仍无较大改变的，扣50分。"""
    load(store, [row(d, A_UNIT, "扣分", column="约稿逾期") for d in
                 ("2025-02-10", "2025-05-10", "2025-09-10", "2026-01-10")])
    assert unit_row(store, A_UNIT, Period.quarter(2025, 1))["扣分"] == -30
    assert unit_row(store, A_UNIT, Period.quarter(2025, 2))["扣分"] == -50
    assert unit_row(store, A_UNIT, Period.year(2025))["扣分"] == -30 - 50 - 50
    assert unit_row(store, A_UNIT, Period.year(2026))["扣分"] == -30  # a new scoring year starts over


def test_major_error_with_leader_instruction(store):
    """三(二)2: 被市领导同志批示的扣100分，被自治区领导同志批示的扣200分。"""
    load(store, [
        row("2025-03-01", A_UNIT, "扣分", "", "", "重大失误", "市领导"),
        row("2025-03-02", OTHER, "扣分", "自治区", "", "重大失误", "自治区领导"),
        row("2025-03-03", OTHER, "采用", "自治区", "每日要情特刊"),
    ] + [row("2025-03-04", A_UNIT, "采用", "国家", "国务院办公厅")])
    assert unit_row(store, A_UNIT, Period.year(2025))["扣分"] == -100
    assert unit_row(store, A_UNIT, Period.year(2025))["得分"] == 200 - 100
    assert unit_row(store, OTHER, Period.year(2025))["原始得分"] == 50 - 200


def test_total_below_zero_is_reported_as_zero(store):
    """三(二)3: 扣分后总分值在0分以下的，按0分计算 — per reported total, not per event."""
    load(store, [
        row("2025-02-01", A_UNIT, "采用", "市", "决策参考"),                 # Q1 +18
        row("2025-05-01", A_UNIT, "扣分", column="重大失误", leader="市领导"),  # Q2 −100
        row("2025-08-01", A_UNIT, "采用", "自治区", "每日要情特刊"),          # Q3 +50
        row("2025-08-02", A_UNIT, "采用", "自治区", "专报信息", "问题"),       # Q3 +60
    ])
    q = [unit_row(store, A_UNIT, Period.quarter(2025, n)) for n in (1, 2, 3)]
    assert [r["得分"] for r in q] == [18, 0, 110]
    assert q[1]["原始得分"] == -100
    # 累计得分 = floored raw sum from 1 January: 18 − 100 + 110 = 28, not 18 + 0 + 110.
    assert q[2]["累计得分"] == 28
    assert q[1]["累计得分"] == 0
    assert unit_row(store, A_UNIT, Period.year(2025))["得分"] == 28
