"""scoring/views/: the frames the dashboard pages draw (pure functions, no streamlit)."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from conftest import AS_OF, load, row, submissions
from scoring.profile.overrides import parse_overrides
from scoring.views import admin, common, home, rank, rules, unit, upload
from scoring.engine import Engine, rulebook_for
from scoring.intake.importer import check_rows
from scoring.engine.periods import Period
from scoring.intake.reader import HEADERS
from scoring.profile.rules import RuleError


def engine(store) -> Engine:
    return Engine.open(store, as_of=AS_OF)


def test_ranking_view_marks_ties_and_sorts_by_official_order(store):
    load(store, [row("2025-02-03", "渡口镇", "采用", "市", "政务要情", "简讯"),
                 row("2025-02-04", "补隆淖镇", "采用", "市", "政务要情", "简讯"),
                 row("2025-02-05", "沙金苏木", "采用", "市", "政务要情", "重要信息")])
    frame = rank.ranking_view(engine(store), Period.quarter(2025, 1))
    a = frame.filter(pl.col("组别") == "A")
    assert a.head(3).select("单位", "排名", "并列").rows() == [
        ("沙金苏木", 1, ""), ("渡口镇", 2, "并列"), ("补隆淖镇", 2, "并列")]
    official = rank.ranking_view(engine(store), Period.quarter(2025, 1), "单位名单顺序")
    assert official.filter(pl.col("组别") == "A")["单位"].head(3).to_list() == ["巴彦高勒镇", "渡口镇", "补隆淖镇"]


def test_tier_points_add_up_to_the_raw_score(store):
    load(store, [row("2025-02-03", "渡口镇", "采用", "市", "政务要情", "简讯"),
                 row("2025-02-04", "渡口镇", "采用", "自治区", "每日要情", "简讯"),
                 row("2025-02-05", "渡口镇", "扣分", column="约稿逾期")])
    ranking = rank.ranking_view(engine(store), Period.quarter(2025, 1))
    tiers = ranking.select(pl.sum_horizontal(common.tier_columns(store.profile)).alias("分值"), "原始得分")
    assert (tiers["原始得分"] == tiers["分值"]).all()
    assert ranking.filter(pl.col("单位") == "渡口镇")["扣分"][0] == -30


def test_home_summary_names_units_behind_quota_and_zero_submissions(store):
    rows = submissions("巴彦高勒镇", "2025-03", 15) + submissions("渡口镇", "2025-03", 3)
    load(store, rows)
    s = home.home_summary(engine(store), date(2025, 3, 1))
    behind = s["behind"]
    assert behind.filter(pl.col("单位") == "渡口镇").select("报送数", "任务数", "差额").row(0) == (3, 15, 12)
    assert "巴彦高勒镇" not in behind["单位"].to_list()
    assert s["metrics"]["零报送单位"] == s["zero"].height == 52  # every other unit sent nothing
    assert s["month_ended"] is True
    assert set(s["adoptions"]["层级"].to_list()) == {"市级", "自治区级", "国家级"}


def test_unit_detail_lists_events_derived_deductions_and_waived_months(store):
    rows = submissions("渡口镇", "2025-01", 3) + submissions("渡口镇", "2025-02", 3) + \
        submissions("巴彦高勒镇", "2025-03", 15) + [row("2025-01-20", "渡口镇", "采用", "市", "政务要情", "简讯",
                                                     title="一条简讯", author="张三、李四")]
    load(store, rows)
    store.add_waiver(2, date(2025, 2, 1), "单位搬迁", "测试")
    d = unit.unit_detail(engine(store), Period.quarter(2025, 1), 2)
    events = d["events"]
    assert {"日期", "类型", "事项", "分值", "标题", "条款", "规则版本", "来源"} <= set(events.columns)
    derived = events.filter(pl.col("来源") == "系统按月计算")
    assert derived.select("日期", "分值").rows() == [(date(2025, 1, 1), -30.0), (date(2025, 3, 1), -50.0)]
    waived = events.filter(pl.col("类型") == "豁免")
    assert waived["日期"].to_list() == [date(2025, 2, 1)] and "单位搬迁" in waived["标题"][0]
    assert d["summary"]["得分"] == 0  # 3 − 30 − 50, floored
    assert d["authors"].filter(pl.col("作者") == "张三")["采用数"][0] == 1
    assert d["months"]["状态"].to_list()[1] == "豁免"
    assert unit.waivable_months(engine(store), 2, date(2025, 3, 31)) == [date(2025, 3, 1), date(2025, 1, 1)]


def test_rank_by_quarter_skips_quarters_without_data(store):
    load(store, submissions("渡口镇", "2025-01", 15) + submissions("渡口镇", "2025-04", 15))
    q = rank.rank_by_quarter(engine(store), 2025)
    assert sorted(set(q["季度号"].to_list())) == [1, 2]


def test_error_frame_splits_the_suggestion(store):
    numbered = [(2, {h: "" for h in HEADERS} | {"日期": "2025-01-02", "单位": "发改", "类型": "报送"})]
    report = check_rows(numbered, "x.csv", store.unit_book(), rulebook_for(store))
    frame = upload.error_frame(report)
    r = frame.row(0, named=True)
    assert (r["行"], r["列"]) == (2, "单位")
    assert r["信息"] == "未知单位“发改”" and "发展和改革委员会" in r["建议"]


def test_overrides_from_editor_and_text(store):
    base = rules.whatif_base(Engine.open(store))
    edited = base.with_columns(pl.when(pl.col("代码") == "CITY_ZWYQ_BRIEF").then(4.0)
                               .otherwise(pl.col("试算分值")).alias("试算分值"))
    assert rules.overrides_from(edited) == {"CITY_ZWYQ_BRIEF": 4.0}
    # one parser for the command line's --set and the page's text box
    assert parse_overrides("CITY_ZWYQ_BRIEF=4，DED_QUOTA=-10") == {"CITY_ZWYQ_BRIEF": 4.0, "DED_QUOTA": -10.0}
    assert parse_overrides(["CITY_ZWYQ_BRIEF=4", "DED_QUOTA=-10"]) == {"CITY_ZWYQ_BRIEF": 4.0, "DED_QUOTA": -10.0}
    with pytest.raises(ValueError):
        parse_overrides("CITY_ZWYQ_BRIEF")
    eng = Engine.open(store)
    problems = rules.check_overrides(eng, {"NOPE": 1, "DED_QUOTA": 5, "CITY_JCCK": 20})
    quota = eng.book.latest().items["DED_QUOTA"].name
    # the item by its name: a user reads no code (the code stays in the tooltip)
    assert problems == ["没有代码为“NOPE”的计分事项", f"“{quota}”是扣分项，试算分值应为负数或 0，现为 5"]


def test_a_saved_rule_version_applies_from_its_date(store):
    load(store, [row("2025-02-03", "渡口镇", "采用", "市", "政务要情", "简讯"),
                 row("2025-05-06", "渡口镇", "采用", "市", "政务要情", "简讯")])
    book = rulebook_for(store)
    body = rules.rule_version_yaml(date(2025, 4, 1), {"CITY_ZWYQ_BRIEF": 4}, "第一季度通报调整", book)
    store.save_rule_version(date(2025, 4, 1), body, "第一季度通报调整", "测试")
    year = engine(store).ranking(Period.year(2025))
    assert year.filter(pl.col("单位") == "渡口镇")["得分"][0] == 3 + 4
    history = rules.versions_table(engine(store))
    brief = book.latest().items["CITY_ZWYQ_BRIEF"].name
    assert history["调整内容"].to_list()[-1] == f"{brief} 3→4"
    with pytest.raises(RuleError):
        rules.rule_version_yaml(date(2025, 4, 1), {"DED_QUOTA": 5}, "错", book)


def test_rule_table_and_units_table(store):
    table = rules.rule_table(engine(store))
    brief = table.filter(pl.col("代码") == "CITY_ZWYQ_BRIEF").row(0, named=True)
    assert (brief["层级"], brief["刊物"], brief["栏目"], brief["分值"]) == ("市", "政务要情", "简讯", 3.0)
    assert table.filter(pl.col("代码") == "DED_QUOTA")["层级"][0] == "（系统推导）"
    units = admin.units_table(engine(store), date(2025, 1, 1))
    assert units.height == 54 and units["序号"].to_list() == list(range(1, 55))
    assert "发改委" in units.filter(pl.col("单位") == "发展和改革委员会")["简称"][0]


def test_make_period():
    assert common.make_period("季度", 2025, 2).label == "2025年第二季度"
    assert common.make_period("年度", 2025).key == "2025"
    assert common.make_period("年初至今", 2025, today=date(2025, 5, 9)).end == date(2025, 5, 9)
    assert common.make_period("年初至今", 2024, today=date(2025, 5, 9)).end == date(2024, 12, 31)
    assert common.make_period("自定义", 2025, start=date(2025, 1, 5), end=date(2025, 2, 5)).kind == "range"


def test_ranking_view_shows_movement_against_the_quarter_before(store):
    # 2025 Q1: 渡口镇 (重要信息, more points) above 补隆淖镇 (简讯); Q2 the other way round.
    load(store, [row("2025-02-03", "渡口镇", "采用", "市", "政务要情", "重要信息"),
                 row("2025-02-04", "补隆淖镇", "采用", "市", "政务要情", "简讯"),
                 row("2025-05-03", "补隆淖镇", "采用", "市", "政务要情", "重要信息"),
                 row("2025-05-04", "渡口镇", "采用", "市", "政务要情", "简讯")])
    q1 = rank.ranking_view(engine(store), Period.quarter(2025, 1))
    q2 = rank.ranking_view(engine(store), Period.quarter(2025, 2))
    by = {u: r for u, r in q2.select("单位", "排名").iter_rows()}
    before = {u: r for u, r in q1.select("单位", "排名").iter_rows()}
    moves = {u: (c, t) for u, c, t in q2.select("单位", "名次变化", "升降").iter_rows()}
    assert moves["补隆淖镇"] == (1, "↑1") and moves["渡口镇"] == (-1, "↓1")
    assert before["渡口镇"] == by["补隆淖镇"] == 1
    # units that scored nothing in either quarter keep their (tied) place
    assert moves["巴彦高勒镇"] == (0, "持平")
    # ordered by movement as a number, within each group: ↑ most first (or ↓ most), no movement last
    for order, sign in (("上升最多", 1), ("下降最多", -1)):
        a = rank.ranking_view(engine(store), Period.quarter(2025, 2), order).filter(pl.col("组别") == "A")
        change = a["名次变化"].drop_nulls().to_list()
        assert change == sorted(change, key=lambda c: -sign * c)
        missing = a["名次变化"].is_null().to_list()
        assert missing == sorted(missing)  # units with nothing to compare come last
        assert a["升降"][0] == ("↑1" if sign > 0 else "↓1")
    # the first quarter with data has nothing to compare with (2024 Q4 lies before the data)
    assert set(q1["升降"].to_list()) == {"—"} and q1["名次变化"].null_count() == q1.height


def test_home_top_units_carry_their_movement(store):
    load(store, [row("2025-02-03", "渡口镇", "采用", "市", "政务要情", "重要信息"),
                 row("2025-05-03", "补隆淖镇", "采用", "市", "政务要情", "重要信息"),
                 row("2025-05-04", "渡口镇", "采用", "市", "政务要情", "简讯")])
    s = home.home_summary(engine(store), date(2025, 5, 1))
    assert s["before"] == Period.quarter(2025, 1)
    top = {u: m for u, m in s["top"].select("单位", "升降").iter_rows()}
    assert top["补隆淖镇"].startswith("↑") and top["渡口镇"] == "↓1"
