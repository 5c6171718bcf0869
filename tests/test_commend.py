"""考评办法六: 先进单位 / 进步较大单位 / 取消获评资格 / 书面检查."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.engine import commend
from scoring.engine import Engine

from conftest import AS_OF, load, row, submissions


def engine(store):
    return Engine.open(store, as_of=AS_OF)


def reasons(store, year=2025) -> dict[str, str]:
    e = commend.eligibility(engine(store), year)
    return dict(e.filter(~pl.col("合格")).select("单位", "原因").iter_rows())


def test_quota_deduction_late_draft_and_distortion_disqualify(store):
    """六: 未按要求完成信息报送任务被通报1次以上、未按时限要求报送约稿信息或信息报送出现严重失真的，取消获评资格。"""
    everyone_ok = [r for u in engine(store).units.units for r in submissions(u.name, "2025-01", 15)]
    load(store, everyone_ok + submissions("司法局", "2025-02", 8) + [
        row("2025-03-03", "教育局", "扣分", column="约稿逾期"),
        row("2025-04-03", "财政局", "扣分", column="严重失真"),
        row("2025-04-04", "水利局", "扣分", column="重大失误", leader="市领导"),
    ])
    got = reasons(store)
    assert "约稿逾期" in got["教育局"]
    assert "严重失真" in got["财政局"]
    assert "2月报送 0 条，低于任务数 15 条" in got["发展和改革委员会"]  # everyone but 司法局 short in February
    assert "司法局" not in got
    assert "水利局" in got  # short in February too …
    assert "重大失误" not in got["水利局"] and "较大失误" not in got["水利局"]  # … but not for the error


def test_major_error_disqualifies_only_when_the_setting_says_so(store):
    load(store, [row("2025-04-04", "水利局", "扣分", column="重大失误", leader="市领导")])
    assert "水利局" not in reasons(store)
    store.set_setting("error_disqualifies", True, "测试")
    assert "较大失误" in reasons(store)["水利局"]


def test_advanced_units_include_ties_at_the_cut_off_and_skip_the_disqualified(store):
    store.set_setting("advanced_count", {"A": 2, "B": 1, "C": 1}, "测试")
    load(store, [
        row("2025-02-01", "教育局", "采用", "自治区", "每日要情特刊"),       # 50, but disqualified
        row("2025-02-02", "教育局", "扣分", column="约稿逾期"),            # −30 → 20
        row("2025-02-01", "财政局", "采用", "市", "专报信息", "前瞻预警"),    # 20
        row("2025-02-01", "渡口镇", "采用", "市", "决策参考"),              # 18
        row("2025-02-01", "水利局", "采用", "市", "决策参考"),              # 18 tie at the cut-off
        row("2025-02-01", "统计局", "采用", "市", "专报信息", "非问题"),      # 12
    ])
    chosen = commend.select(engine(store), 2025)
    assert chosen["先进单位"].filter(pl.col("组别") == "A")["单位"].to_list() == ["财政局", "渡口镇", "水利局"]


def test_first_year_in_use_says_there_is_no_earlier_data(store):
    load(store, [row("2025-02-01", "财政局", "采用", "市", "决策参考")])
    chosen = commend.select(engine(store), 2025, "growth_yoy")
    assert chosen["进步较大单位"].height == 0
    assert "上年没有考评数据" in chosen["note"]


def test_most_improved_by_rank_gain_year_on_year(store):
    store.set_setting("advanced_count", {"A": 1, "B": 0, "C": 0}, "测试")
    store.set_setting("improved_count", {"A": 1, "B": 0, "C": 0}, "测试")
    load(store, [
        row("2024-05-01", "财政局", "采用", "市", "决策参考"), row("2024-05-01", "教育局", "采用", "市", "政务要情", "简讯"),
        row("2025-05-01", "财政局", "采用", "自治区", "每日要情特刊"), row("2025-05-01", "教育局", "采用", "自治区", "每日要情", "盟市前沿"),
        row("2025-05-01", "渡口镇", "采用", "市", "政务要情", "简讯"),
    ])
    # 2024: 财政局 1, 教育局 2, others 3. 2025: 财政局 1 (advanced), 教育局 2 (+0), 渡口镇 3 (from 3: +0)
    growth = commend.improvement(engine(store), 2025, "rank_gain_yoy")
    edu = growth.filter(pl.col("单位") == "教育局").row(0, named=True)
    assert (edu["上期排名"], edu["本期排名"], edu["得分增长"]) == (2, 2, 27)
    chosen = commend.select(engine(store), 2025, "growth_yoy")
    assert chosen["先进单位"]["单位"].to_list() == ["财政局"]
    assert chosen["进步较大单位"]["单位"].to_list() == ["教育局"]   # 先进 chosen first, then from the rest


def test_lowest_ranked_units_owe_a_written_explanation(store):
    store.set_setting("review_count", {"A": 1, "B": 1, "C": 1}, "测试")
    load(store, [row("2025-02-01", u.name, "采用", "市", "政务要情", "简讯")
                 for u in engine(store).units.units if u.name not in ("教育局", "公安局")])
    review = commend.select(engine(store), 2025)["书面检查"]
    assert review.select("组别", "单位").rows() == [("A", "教育局"), ("B", "公安局"),
                                                   *[("C", u) for u in review.filter(pl.col("组别") == "C")["单位"]]]
    assert review.filter(pl.col("组别") == "C").height == 11  # all C units tie at 3: all listed


def test_top_author_is_suggested_as_advanced_individual(store):
    load(store, [
        row("2025-02-01", "财政局", "采用", "市", "决策参考", author="张三、李四"),
        row("2025-02-02", "财政局", "采用", "市", "政务要情", "简讯", author="李四"),
    ])
    top = commend.top_authors(engine(store), 2025, [engine(store).units.resolve("财政局").id])
    assert top.select("单位", "先进个人", "得分").rows() == [("财政局", "李四", 21)]
