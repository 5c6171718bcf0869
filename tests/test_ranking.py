"""Ranks within a group, rule versions by date, dated group membership, what-if."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.profile.rules import RuleError

from conftest import AS_OF, load, ranking, row, submissions, unit_row

Y = Period.year(2025)


def test_every_unit_appears_even_with_nothing_stored(store):
    frame = ranking(store, Y)
    assert frame.height == 54
    assert frame.group_by("组别").len().sort("组别").rows() == [("A", 31), ("B", 12), ("C", 11)]
    assert set(frame["得分"]) == {0}
    # All tie at 0: rank 1, listed in the official order of 附件.
    a = frame.filter(pl.col("组别") == "A")
    assert set(a["排名"]) == {1}
    assert a["单位"].to_list()[:3] == ["巴彦高勒镇", "渡口镇", "补隆淖镇"]


def test_ties_share_the_better_rank_and_keep_official_order(store):
    """Ranks 1, 2, 2, 4; within a tie the order of the unit list."""
    load(store, [
        row("2025-01-05", "教育局", "采用", "市", "决策参考"),           # 18
        row("2025-01-05", "财政局", "采用", "市", "专报信息", "前瞻预警"),  # 20
        row("2025-01-05", "渡口镇", "采用", "市", "决策参考"),           # 18
        row("2025-01-05", "水利局", "采用", "市", "专报信息", "非问题"),    # 12
    ])
    a = ranking(store, Y).filter(pl.col("组别") == "A").head(5)
    assert a.select("单位", "排名", "得分").rows() == [
        ("财政局", 1, 20), ("渡口镇", 2, 18), ("教育局", 2, 18), ("水利局", 4, 12), ("巴彦高勒镇", 5, 0)]


def test_units_at_zero_after_the_floor_tie(store):
    load(store, [row("2025-03-01", "教育局", "扣分", column="重大失误", leader="市领导")])
    a = ranking(store, Y).filter(pl.col("组别") == "A")
    assert a.filter(pl.col("单位") == "教育局")["排名"][0] == 1


def test_an_event_is_scored_by_the_version_in_force_on_its_date(store):
    """七: 计分标准在当月所属季度政务信息工作通报中予以说明 — rules are dated versions."""
    store.save_rule_version(date(2025, 7, 1), "effective: 2025-07-01\nversion: '2025-07-01'\nitems:\n"
                            "  - code: CITY_ZWYQ_BRIEF\n    points: 4\n", "第二季度通报调整简讯分值", "测试")
    load(store, [
        row("2024-01-10", "教育局", "采用", "市", "政务要情", "简讯"),   # before the first version: 3
        row("2025-06-30", "教育局", "采用", "市", "政务要情", "简讯"),   # 3
        row("2025-07-01", "教育局", "采用", "市", "政务要情", "简讯"),   # 4
    ])
    engine = Engine.open(store, as_of=AS_OF)
    scored = engine.scored_events(Period.between(date(2024, 1, 1), date(2025, 12, 31)))
    assert scored.select("day", "points", "version").rows() == [
        (date(2024, 1, 10), 3, "2024-02-23"), (date(2025, 6, 30), 3, "2024-02-23"),
        (date(2025, 7, 1), 4, "2025-07-01")]
    assert unit_row(store, "教育局", Y)["得分"] == 7


def test_what_if_changes_scores_and_leaves_the_store_unchanged(store):
    load(store, [row("2025-01-05", "教育局", "采用", "市", "政务要情", "简讯"),
                 row("2025-01-05", "财政局", "采用", "市", "政务要情", "重要信息")])
    before = (store.data_version(), store.event_count(), ranking(store, Y).rows())
    engine = Engine.open(store, as_of=AS_OF)
    cmp = engine.compare(Y, {"CITY_ZWYQ_BRIEF": 10})
    edu = cmp.filter(pl.col("单位") == "教育局").row(0, named=True)
    assert (edu["得分"], edu["试算得分"], edu["排名"], edu["试算排名"], edu["名次变化"]) == (3, 10, 2, 1, 1)
    assert (store.data_version(), store.event_count(), ranking(store, Y).rows()) == before


def test_what_if_keeps_signs(store):
    engine = Engine.open(store, as_of=AS_OF)
    with pytest.raises(RuleError):
        engine.with_overrides({"DED_QUOTA": 10})
    with pytest.raises(RuleError):
        engine.with_overrides({"CITY_JCCK": -1})
    with pytest.raises(RuleError):
        engine.with_overrides({"NO_SUCH": 1})
    assert engine.with_overrides({"DED_QUOTA": -10.5}).book.latest().items["DED_QUOTA"].points == -10.5


def test_group_membership_is_dated(store):
    """A month's quota follows the group on its first day; a period's ranking group its last day."""
    book = store.unit_book()
    uid = book.resolve("气象局").id
    store.move_unit(uid, "A", date(2025, 4, 1), "测试", "调整为A类")
    rows = submissions("气象局", "2025-03", 5) + submissions("气象局", "2025-04", 5)
    load(store, rows)
    engine = Engine.open(store, as_of=AS_OF)
    status = engine.quota_status(date(2025, 4, 30)).filter(pl.col("unit_id") == uid)
    assert status.select("month", "quota", "code").rows() == [
        (date(2025, 3, 1), 4, None), (date(2025, 4, 1), 15, "DED_QUOTA")]
    assert unit_row(store, "气象局", Period.quarter(2025, 1))["组别"] == "C"
    assert unit_row(store, "气象局", Period.quarter(2025, 2))["组别"] == "A"
    assert unit_row(store, "气象局", Period.year(2025))["组别"] == "A"


def test_a_retired_unit_is_listed_only_in_periods_it_was_active(store):
    uid = store.unit_book().resolve("气象局").id
    store.retire_unit(uid, date(2025, 3, 31), "测试", "撤并")
    assert "气象局" in ranking(store, Period.quarter(2025, 1))["单位"].to_list()
    assert "气象局" not in ranking(store, Period.quarter(2025, 2))["单位"].to_list()
    from conftest import check_rows, rulebook_for

    report = check_rows([(2, row("2025-04-02", "气象局", "报送"))], "x.csv", store.unit_book(), rulebook_for(store))
    assert report.errors[0].column == "单位" and "不在考评名单" in report.errors[0].message


def test_a_new_unit_takes_its_place_in_the_official_order(store):
    store.add_unit("数据局", "B", date(2025, 1, 1), "测试", after="司法局")
    b = ranking(store, Y).filter(pl.col("组别") == "B")["单位"].to_list()
    assert b.index("数据局") == b.index("司法局") + 1
    assert "数据局" not in ranking(store, Period.year(2024))["单位"].to_list()
