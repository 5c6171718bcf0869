"""上虞经信局: 《上虞市经济和信息化局信息工作考核办法》 (data/profiles/上虞经信局/办法原文.txt), each number
computed by hand from the sentence it cites. The profile's readings: the 30 points of 三(一)1 are for the
year's task (全年任务), scored in the year's ranking; the two 科室 outside the task table are listed, not ranked."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import load, ranking, row, task_period, unit_row
from scoring.engine.periods import Period
from scoring.store import Store

OFFICE = "上虞经信局"
YEAR, Q4 = Period.year(2025), Period.quarter(2025, 4)


def office(tmp_path) -> Store:
    return Store(tmp_path / "office.duckdb", profile=OFFICE)


def a_year_of(unit, n):
    return [row(f"2025-{1 + i % 12:02d}-{1 + i // 12:02d}", unit, "报送", title=f"{unit}信息{i}") for i in range(n)]


def adopted(day, unit, level, publication, column="", info_id=""):
    return row(day, unit, "采用", level, publication, column, info_id=info_id or f"{unit}{day}", title=f"{unit}{day}")


def test_the_years_task_done_scores_thirty(tmp_path):
    """三(一)1 “报送记分：完成报送考核任务的记30分，未完成的不得分。” against 二's 全年任务 of each 科室."""
    store = office(tmp_path)
    load(store, a_year_of("资源节约与综合利用科", 12) + a_year_of("企业发展科", 15) + a_year_of("墙体材料改革办公室", 2)
         + a_year_of("经济运行科", 20))
    scores = {u: unit_row(store, u, YEAR)["报送记分"] for u in
              ("资源节约与综合利用科", "企业发展科", "墙体材料改革办公室", "经济运行科", "办公室")}
    # 12 of 12 → 30; 15 of 16 → 0; 2 of 2 (the table's only task for this office) → 30;
    # 经济运行科 20 of its own 24 (not the group's 20) → 0; 办公室 nothing of 20 → 0.
    assert scores == {"资源节约与综合利用科": Decimal(30), "企业发展科": 0, "墙体材料改革办公室": Decimal(30),
                      "经济运行科": 0, "办公室": 0}
    # A quarter holds no whole year: the 30 points belong to the year's ranking only.
    assert unit_row(store, "资源节约与综合利用科", Q4)["报送记分"] == 0


def test_adoptions_at_each_place(tmp_path):
    """三(一)2 录用记分."""
    store = office(tmp_path)
    load(store, [adopted("2025-10-08", "办公室", "省", "省府办", "单篇"),        # “省委办、省府办录用信息：单篇计100分”
                 adopted("2025-10-09", "办公室", "绍兴", "绍兴市委办", "动态"),   # “绍兴市委办、市府办录用信息：……动态计10分”
                 adopted("2025-10-10", "办公室", "上虞", "上虞信息", "参阅件"),   # “上虞信息：……《参阅件》录用的信息，每条12分”
                 adopted("2025-10-13", "办公室", "上虞", "上虞日报"),             # “《上虞日报》录用信息每条计3分”
                 adopted("2025-10-14", "办公室", "省", "经信简报"),               # “被……省……经信委（部）相关简报……30”
                 adopted("2025-11-03", "行政许可科", "国家", "国办", "单条")])    # “中办、国务院办录用信息：……单条计100分”
    office_row = unit_row(store, "办公室", Q4)
    assert (office_row["上级录用"], office_row["本市录用"], office_row["主管部门录用"]) == (Decimal(110), Decimal(15), Decimal(30))
    assert office_row["得分"] == Decimal(155)
    assert unit_row(store, "行政许可科", Q4)["得分"] == Decimal(100)
    ranks = dict(ranking(store, Q4).select("单位", "排名").iter_rows())
    assert (ranks["办公室"], ranks["行政许可科"]) == (1, 2)


def test_other_leaders_instructions_count_half(tmp_path):
    """三(一)3 “凡市委、市政府主要领导做出批示的信息，每条另加15分（其他领导减半计分，下同）”."""
    store = office(tmp_path)
    same = dict(info_id="JX7", title="工业经济运行分析")
    load(store, [row("2025-10-08", "经济运行科", "采用", "上虞", "上虞政务", "政务动态", **same),
                 row("2025-10-20", "经济运行科", "批示", "上虞", "上虞政务", "政务动态", "主要领导", **same),
                 row("2025-10-21", "经济运行科", "批示", "上虞", "上虞政务", "政务动态", "其他领导", **same)])
    got = unit_row(store, "经济运行科", Q4)
    # 15 + 15 × 0.5 = 22.5 (exactly); the 政务动态 itself “每条计4分”: 26.5.
    assert got["重大突破加分"] == Decimal("22.5") and got["得分"] == Decimal("26.5")


def test_offices_outside_the_task_table_are_listed_but_not_ranked(tmp_path):
    store = office(tmp_path)
    load(store, [adopted("2025-10-08", "技术进步科", "上虞", "上虞日报"), adopted("2025-10-09", "技术进步科", "上虞", "上虞日报"),
                 adopted("2025-10-10", "办公室", "上虞", "上虞日报")])
    frame = ranking(store, Q4)
    assert frame.height == 9  # every unit of units.yaml is on the list
    listed = frame.select("单位", "排名", "得分").rows()
    # the two are shown after the ranked 科室, with their points and no rank
    assert listed[-2:] == [("技术进步科", None, Decimal(6)), ("信息化推进科", None, 0)]
    # 办公室's 3 is first among the ranked, although 技术进步科 has more
    assert dict((u, r) for u, r, _ in listed)["办公室"] == 1



def test_a_month_task_of_one_to_two_is_met_at_one(tmp_path):
    """二 月任务 “1-2” (the profile's range [1, 2]): one item in the month meets it; 资源节约与综合利用科's
    “1” is met at one too, 经济运行科's “2” is not."""
    store = office(tmp_path)
    load(store, [row("2025-01-06", u, "报送", title=f"{u}一月") for u in ("办公室", "资源节约与综合利用科", "经济运行科")])
    january = task_period(store, "月任务", date(2025, 1, 1))
    assert (january["办公室"]["status"], january["办公室"]["quota"], january["办公室"]["top"]) == ("达标", 1, 2)
    assert january["资源节约与综合利用科"]["status"] == "达标" and january["经济运行科"]["status"] == "未达标"


def test_the_ranking_page_shows_the_unranked_offices_after_the_ranked_ones(tmp_path):
    """The two 科室 outside the task table: on the 排名 page below the ranked 科室, never as a tie."""
    from scoring.engine import Engine
    from scoring.views.rank import ranking_view

    store = office(tmp_path)
    load(store, [adopted("2025-10-08", "技术进步科", "上虞", "上虞日报"), adopted("2025-10-10", "办公室", "上虞", "上虞日报")])
    shown = ranking_view(Engine.open(store, as_of=date(2026, 6, 30)), Q4).select("单位", "排名", "并列").rows()
    assert shown[0] == ("办公室", 1, "")
    assert shown[-2:] == [("技术进步科", None, ""), ("信息化推进科", None, "")]
