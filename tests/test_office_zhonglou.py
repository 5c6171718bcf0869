"""钟楼审批局: 《钟楼区行政审批局信息工作考核评分细则》 (data/profiles/钟楼审批局/办法原文.txt), each number
computed by hand from the sentence it cites. The profile's readings: 6 items a quarter for every 科室, 9 for
政务服务中心; 录用率 = distinct adopted items ÷ items submitted in the quarter."""
from __future__ import annotations

from decimal import Decimal

from conftest import load, ranking, row, unit_row
from scoring.engine.periods import Period
from scoring.store import Store

OFFICE = "钟楼审批局"
Q1, Q2, Q3 = (Period.quarter(2025, q) for q in (1, 2, 3))


def office(tmp_path) -> Store:
    return Store(tmp_path / "office.duckdb", profile=OFFICE)


def submitted(unit, month, n):
    return [row(f"2025-{month:02d}-{1 + i:02d}", unit, "报送", title=f"{unit}{month}月稿件{i}") for i in range(n)]


def adopted(day, unit, level, kind, info_id):
    return row(day, unit, "采用", level, "常州政务信息", kind, info_id=info_id, title=f"稿件{info_id}")


def test_each_missing_item_costs_a_point_and_a_low_rate_one_more(tmp_path):
    store = office(tmp_path)
    load(store, submitted("办公室", 1, 4) + submitted("政策法规科", 2, 6) + submitted("政务服务中心", 3, 8)
         + [adopted("2025-03-10", "政策法规科", "区", "政务及新闻", "F1"), adopted("2025-03-11", "政策法规科", "区", "党建", "F2")]
         + [adopted(f"2025-03-1{i}", "政务服务中心", "区", "政务及新闻", f"Z{i}") for i in range(3)])
    got = {u: unit_row(store, u, Q1) for u in ("办公室", "政策法规科", "政务服务中心", "数据管理科")}
    # 2 “每季度报送数量不达标的，每少1篇，扣1分”: 办公室 4 of 6 → −2.
    # 5 “每季度稿件录用率低于30%的，扣1分”: 0 of 4 adopted → −1.
    # 注 “基础得分为6分”: 6 − 2 − 1 = 3.
    assert got["办公室"]["扣分"] == Decimal(-3) and got["办公室"]["得分"] == Decimal(3)
    # 政策法规科: 6 of 6, 2 of 6 adopted (33 %, not below 30 %); 6 “区级录用稿件：政务及新闻类、党建类每篇计10分” → 6 + 20.
    assert got["政策法规科"]["扣分"] == 0 and got["政策法规科"]["得分"] == Decimal(26)
    # 政务服务中心 (its own task: 9): 8 submitted → −1; 3 of 8 adopted (37.5 %) → 6 − 1 + 3 × 10 = 35.
    assert got["政务服务中心"]["扣分"] == Decimal(-1) and got["政务服务中心"]["得分"] == Decimal(35)
    # 数据管理科 submitted nothing: −6 for the six missing items; its rate cannot be computed, so no second
    # deduction; “扣完为止”: the 6 base points go, nothing more → 0.
    assert got["数据管理科"]["扣分"] == Decimal(-6) and got["数据管理科"]["得分"] == 0
    # 注 “季度综合得分低于6分的，视为不达标”.
    assert {u for u, r in got.items() if r["不达标"] == "是"} == {"办公室", "数据管理科"}
    ranks = dict(ranking(store, Q1).select("单位", "排名").iter_rows())
    assert (ranks["政务服务中心"], ranks["政策法规科"], ranks["办公室"], ranks["数据管理科"]) == (1, 2, 3, 4)


def test_the_rate_counts_an_item_adopted_twice_once(tmp_path):
    """5 “每季度稿件录用率低于30%的，扣1分”, the rate over distinct items (信息编号)."""
    store = office(tmp_path)
    load(store, submitted("数据管理科", 4, 10) + submitted("踏勘评审科", 5, 10)
         + [adopted("2025-06-02", "数据管理科", "区", "政务及新闻", "S1"), adopted("2025-06-09", "数据管理科", "市", "政务及新闻", "S1"),
            adopted("2025-06-03", "数据管理科", "区", "党建", "S2")]
         + [adopted(f"2025-06-1{i}", "踏勘评审科", "区", "理论调研", f"T{i}") for i in range(3)])
    data, survey = unit_row(store, "数据管理科", Q2), unit_row(store, "踏勘评审科", Q2)
    # 数据管理科: S1 at 区 (10) and at 市 (“市级录用稿件：政务及新闻类、党建类每篇计15分”), S2 at 区 (10) = 35;
    # 2 distinct items of 10 = 20 % < 30 % → −1: 6 − 1 + 35 = 40.
    assert (data["录用"], data["扣分"], data["得分"]) == (Decimal(35), Decimal(-1), Decimal(40))
    # 踏勘评审科: 3 of 10 = 30 %, not below → no deduction; “理论调研类每篇计20分” × 3 = 60; 6 + 60 = 66.
    assert (survey["录用"], survey["扣分"], survey["得分"]) == (Decimal(60), 0, Decimal(66))


def test_deductions_use_up_the_base_but_never_the_bonuses(tmp_path):
    """注 “基础得分为6分，扣完为止，加分无上限”."""
    store = office(tmp_path)
    unit = "市场准入审批科"
    load(store, submitted(unit, 7, 6)
         + [adopted("2025-08-04", unit, "市", "理论调研", "M1"), adopted("2025-08-05", unit, "市", "理论调研", "M2"),
            row("2025-08-06", unit, "约稿", title="专题约稿"),
            row("2025-08-07", unit, "批示", "市", "常州政务信息", "理论调研", "市领导", info_id="M1", title="稿件M1")]
         + [row(f"2025-09-0{i}", unit, "扣分", column="内容不规范", title=f"通报{i}") for i in range(1, 4)]
         + [row("2025-09-08", unit, "扣分", column="报送不及时", title="迟报")])
    got = unit_row(store, unit, Q3)
    # 4 “每次扣2分” × 3 and 1 “扣1分” → −7; 6 − 7 would be −1, but the deductions stop at the base: 0.
    # 6 “市级录用稿件：……理论调研类每篇计30分” × 2 = 60; 3 “每篇计2分”; 7 “市级每篇加20分”.
    assert got["扣分"] == Decimal(-7) and got["得分"] == Decimal(60 + 2 + 20)  # not 81
    assert got["不达标"] != "是"


def test_the_year_is_the_sum_of_its_quarters_each_floored(tmp_path):
    """“季度综合得分” (the profile's year: quarters): each quarter's deductions stop at that quarter's base."""
    store = office(tmp_path)
    unit = "建设工程审批科"
    load(store, submitted("办公室", 1, 6)  # Q1 is tracked: some 报送 stored
         + [row(f"2025-02-1{i}", unit, "扣分", column="内容不规范", title=f"通报{i}") for i in range(2)]
         + submitted(unit, 5, 6)
         + [adopted("2025-05-20", unit, "区", "政务及新闻", "J1"), adopted("2025-05-21", unit, "区", "政务及新闻", "J2")])
    quarters = [unit_row(store, unit, Period.quarter(2025, q))["得分"] for q in (1, 2, 3, 4)]
    # Q1: 0 of 6 → −6, two notices → −4; 6 − 10 < 0 → 0.  Q2: 6 of 6, 2 of 6 adopted → 6 + 20 = 26.
    # Q3, Q4: no 报送 stored anywhere (not tracked), the base alone → 6 each.
    assert quarters == [0, Decimal(26), Decimal(6), Decimal(6)]
    # Scored whole, the year would be max(24 − 10, 0) + 20 = 34; as the sum of its quarters it is 38.
    assert unit_row(store, unit, Period.year(2025))["得分"] == Decimal(38)
    assert unit_row(store, unit, Period.year(2025))["不达标"] != "是"  # 38 is not below the year's base of 24

