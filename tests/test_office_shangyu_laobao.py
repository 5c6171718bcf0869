"""上虞劳保局: 《市劳动保障局2009年度信息宣传工作考核办法》 (data/profiles/上虞劳保局/办法原文.txt), each number
computed by hand from the sentence it cites. The profile's readings: 科室、单位 and the 乡镇街道 centres are
ranked apart; a 简讯 in the 市委、市府办公室 publications, for which no 简讯 value is written, counts 8."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import load, ranking, row, task_period, unit_row
from scoring.engine.periods import Period
from scoring.store import Store

OFFICE = "上虞劳保局"


def office(tmp_path) -> Store:
    return Store(tmp_path / "office.duckdb", profile=OFFICE)


def adopted(day, unit, level, publication, column=""):
    return row(day, unit, "采用", level, publication, column, info_id=f"{unit}{day}{column}", title=f"{unit}{day}")


def test_a_brief_counts_half_of_an_item_in_the_same_place(tmp_path):
    """一1–5: each 简讯 value the text writes is half of the 信息 value beside it."""
    store = office(tmp_path)
    load(store, [adopted("2025-04-01", "就业促进科", "本局", "劳动与保障", "简讯"),      # “简讯每条得1分”
                 adopted("2025-04-02", "就业促进科", "上虞", "其它报刊", "简讯"),        # “简讯每条得2.5分”
                 adopted("2025-04-03", "就业促进科", "绍兴", "绍兴市劳动保障局刊物", "简讯"),  # “简讯每条得5分”
                 adopted("2025-04-07", "就业促进科", "绍兴", "其它报刊", "简讯"),        # “简讯为每条得3分”
                 adopted("2025-04-08", "就业促进科", "省", "中国劳动保障报", "简讯"),    # “简讯每条得6分”
                 adopted("2025-04-09", "就业促进科", "国家", "中国劳动保障报", "简讯"),  # “简讯为每条得7.5分”
                 adopted("2025-04-10", "社会保险科", "国家", "中国劳动保障报"),           # “每条得15分”
                 adopted("2025-04-11", "社会保险科", "上虞", "市委市府办刊物", "简讯")])  # reading: 8, no half
    q2 = Period.quarter(2025, 2)
    # 1 + 2.5 + 5 + 3 + 6 + 7.5 = 25 exactly
    assert unit_row(store, "就业促进科", q2)["信息"] == Decimal(25)
    assert unit_row(store, "社会保险科", q2)["信息"] == Decimal(23)  # 15 + 8


def test_research_reports_and_papers(tmp_path):
    """一1 “工作内参上采用的调研报告和论文每篇得10分”; 一3 “绍兴市局内参上录用的调研报告或论文每篇得12分”;
    一6 “劳动保障学会和省级部门刊物上发表……论文或调研报告每篇得20分”."""
    store = office(tmp_path)
    load(store, [adopted("2025-07-01", "劳动关系科", "本局", "工作内参", "调研报告"),
                 adopted("2025-07-02", "劳动关系科", "绍兴", "绍兴市局内参", "论文"),
                 adopted("2025-07-03", "劳动关系科", "省", "劳动保障学会刊物", "论文")])
    got = unit_row(store, "劳动关系科", Period.quarter(2025, 3))
    assert got["调研论文"] == Decimal(42) and got["调研论文篇数"] == 3


def test_the_year_ranks_on_the_sum_of_the_quarters(tmp_path):
    """二 “年终根据每季度得分结果累计排定名次”; groups ranked apart (the profile's reading of 一)."""
    store = office(tmp_path)
    load(store, [adopted("2025-02-03", "百官街道", "省", "浙江劳动保障", ""),             # Q1 12
                 adopted("2025-05-06", "百官街道", "国家", "中国劳动保障报", "简讯"),      # Q2 7.5
                 adopted("2025-11-04", "百官街道", "本局", "劳动与保障", "简讯"),          # Q4 1
                 adopted("2025-03-05", "崧厦镇", "绍兴", "绍兴市委市府办刊物"),            # Q1 10
                 adopted("2025-08-05", "崧厦镇", "本局", "工作内参", "论文"),              # Q3 10
                 adopted("2025-06-05", "办公室", "本局", "劳动与保障")])                   # Q2 2
    quarters = [unit_row(store, "百官街道", Period.quarter(2025, q))["得分"] for q in (1, 2, 3, 4)]
    assert quarters == [Decimal(12), Decimal("7.5"), 0, Decimal(1)]
    year = ranking(store, Period.year(2025))
    scores = dict(year.select("单位", "得分").iter_rows())
    assert scores["百官街道"] == Decimal("20.5") and scores["崧厦镇"] == Decimal(20)
    ranks = dict(year.select("单位", "排名").iter_rows())
    groups = dict(year.select("单位", "组别").iter_rows())
    assert (ranks["百官街道"], ranks["崧厦镇"], ranks["办公室"]) == (1, 2, 1)
    assert (groups["百官街道"], groups["办公室"]) == ("乡镇街道", "科室单位")



def test_the_target_is_points_of_the_year(tmp_path):
    """一 “年初办公室下达信息工作目标分（详见附表）” (the profile's readings: 20 for a centre, 30 for 百官街道)."""
    store = office(tmp_path)
    load(store, [adopted("2025-02-03", "百官街道", "省", "浙江劳动保障"), adopted("2025-05-06", "百官街道", "国家", "中国劳动保障报"),
                 adopted("2025-03-05", "崧厦镇", "省", "浙江劳动保障"), adopted("2025-08-05", "崧厦镇", "本局", "工作内参", "论文")])
    year = task_period(store, "目标分", date(2025, 1, 1))
    # 百官街道: 12 + 15 = 27 of its 30 → not met; 崧厦镇: 12 + 10 = 22 of 20 → met.
    assert (year["百官街道"]["n"], year["百官街道"]["status"]) == (Decimal(27), "未达标")
    assert (year["崧厦镇"]["n"], year["崧厦镇"]["status"]) == (Decimal(22), "达标")
