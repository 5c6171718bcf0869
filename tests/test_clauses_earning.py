"""三(一) 评分标准, one case per scoring item, each written from the clause's own words.

Every case goes the whole way: a register row is validated and stored like an import, then the
unit's year score is read from the ranking. Points are the numbers the clause states.
"""
from __future__ import annotations

import polars as pl
import pytest

from scoring.engine import Engine
from scoring.engine.periods import Period

from conftest import AS_OF, load, row, unit_row

UNIT = "发展和改革委员会"
DAY = "2025-03-05"

# (clause, the sentence, row (类型, 层级, 刊物, 栏目, 批示人), expected code, points)
CASES = [
    ("三(一)1", "“重要信息”栏目每采用1条信息计6分", ("采用", "市", "政务要情", "重要信息", ""), "CITY_ZWYQ_IMPORTANT", 6),
    ("三(一)1", "“部门工作”栏目每采用1条信息计6分", ("采用", "市", "政务要情", "部门工作", ""), "CITY_ZWYQ_DEPT", 6),
    ("三(一)1", "“旗县区动态”栏目每采用1条信息计6分", ("采用", "市", "政务要情", "旗县区动态", ""), "CITY_ZWYQ_COUNTY", 6),
    ("三(一)1", "“简讯”栏目每采用1条信息计3分", ("采用", "市", "政务要情", "简讯", ""), "CITY_ZWYQ_BRIEF", 3),
    ("三(一)1", "市政府办公室信息调研科合稿信息每采用1条信息计3分", ("采用", "市", "政务要情", "合稿", ""), "CITY_ZWYQ_MERGED", 3),
    ("三(一)2", "《决策参考》每采用1篇信息计18分", ("采用", "市", "决策参考", "", ""), "CITY_JCCK", 18),
    ("三(一)3", "每采用1篇前瞻性、预警性信息计20分", ("采用", "市", "专报信息", "前瞻预警", ""), "CITY_ZBXX_WARNING", 20),
    ("三(一)3", "每采用1篇问题类信息计16分", ("采用", "市", "专报信息", "问题", ""), "CITY_ZBXX_PROBLEM", 16),
    ("三(一)3", "每采用1篇非问题类信息计12分", ("采用", "市", "专报信息", "非问题", ""), "CITY_ZBXX_OTHER", 12),
    ("三(一)4", "微信公众号“政务要情”栏目采用，每采用1条信息计10分", ("采用", "市", "微信公众号", "政务要情", ""), "CITY_WECHAT_ZWYQ", 10),
    ("三(一)4", "每采用1条“简讯”类信息计5分", ("采用", "市", "微信公众号", "简讯", ""), "CITY_WECHAT_BRIEF", 5),
    ("三(一)5", "被市政府办公室信息调研科采用，每采用1篇信息计15分", ("采用", "市", "舆情", "", ""), "CITY_OPINION", 15),
    ("三(一)5", "被自治区政府办公厅信息调研处采用并上报国务院办公厅，每采用1篇信息计30分", ("采用", "自治区", "舆情", "", ""), "REGION_OPINION", 30),
    ("三(一)6", "获市领导同志批示加30分", ("批示", "市", "政务要情", "", "市领导"), "CITY_LEADER", 30),
    ("三(一)6", "市政府办公室领导同志批示加 20分", ("批示", "市", "决策参考", "", "市政府办公室领导"), "CITY_OFFICE_LEADER", 20),
    ("三(一)7", "“盟市前沿”每采用1条计30分", ("采用", "自治区", "每日要情", "盟市前沿", ""), "REGION_MRYQ_FRONT", 30),
    ("三(一)7", "“问题聚焦”每采用1条计40分", ("采用", "自治区", "每日要情", "问题聚焦", ""), "REGION_MRYQ_FOCUS", 40),
    ("三(一)7", "“简讯”每采用1条计20分", ("采用", "自治区", "每日要情", "简讯", ""), "REGION_MRYQ_BRIEF", 20),
    ("三(一)7", "被《每日要情》（特刊）采用，每采用1篇计 50 分", ("采用", "自治区", "每日要情特刊", "", ""), "REGION_MRYQ_SPECIAL", 50),
    ("三(一)7", "被自治区《专报信息》采用，每采用1篇计50分", ("采用", "自治区", "专报信息", "非问题", ""), "REGION_ZBXX", 50),
    ("三(一)7", "其中问题类专报计60分", ("采用", "自治区", "专报信息", "问题", ""), "REGION_ZBXX_PROBLEM", 60),
    ("三(一)8", "获自治区领导同志签批加40分", ("批示", "自治区", "专报信息", "", "自治区领导"), "REGION_LEADER", 40),
    ("三(一)8", "自治区政府办公厅领导同志签批加30分", ("批示", "自治区", "每日要情", "", "自治区政府办公厅领导"), "REGION_OFFICE_LEADER", 30),
    ("三(一)9", "约稿信息被市政府办公室选用并上报自治区政府办公厅，每选用1篇计15分", ("约稿", "市", "", "选用", ""), "SOLICITED_CITY", 15),
    ("三(一)9", "被自治区政府办公厅优选采用并上报国务院办公厅，每采用1篇计30分", ("约稿", "自治区", "", "选用", ""), "SOLICITED_REGION", 30),
    ("三(一)9", "按弃稿处理的不加分", ("约稿", "", "", "弃稿", ""), "SOLICITED_DROPPED", 0),
    ("三(一)9", "被国务院办公厅采用的，每篇计200分", ("采用", "国家", "国务院办公厅", "", ""), "STATE_ADOPTED", 200),
    ("三(一)9", "获国务院领导同志签批另加300分", ("批示", "国家", "国务院办公厅", "", "国务院领导"), "STATE_LEADER", 300),
    ("二(二)", "国务院领导（含国务院办公厅领导）同志批示", ("批示", "国家", "国务院办公厅", "", "国务院办公厅领导"), "STATE_OFFICE_LEADER", 300),
    ("三(一)10", "主动提供信息线索，被市政府办公室综合后采用的，加15分", ("线索", "市", "", "", ""), "LEAD_CITY", 15),
    ("三(一)12", "配合承办自治区政府办公厅信息专项调研的，每承办1次计80分", ("调研", "自治区", "", "承办", ""), "RESEARCH_REGION", 80),
    ("三(一)12", "配合承办市政府办公室开展调研的，每承办1次计50分", ("调研", "市", "", "承办", ""), "RESEARCH_CITY", 50),
    ("三(一)12", "调研后报送信息，被市政府办公室采用的每篇每次加25分", ("调研", "市", "", "调研信息", ""), "RESEARCH_INFO_CITY", 25),
    ("三(一)12", "被自治区政府办公厅采用的每篇每次加50分", ("调研", "自治区", "", "调研信息", ""), "RESEARCH_INFO_REGION", 50),
    ("三(一)13", "通过政务信息及时反馈批示落实情况的，每篇每次加20分", ("批示落实", "", "", "", ""), "FEEDBACK", 20),
    ("六", "信息报送出现严重失真的，取消获评资格（不扣分）", ("扣分", "", "", "严重失真", ""), "DISTORTION", 0),
]
EARNING_CODES = {c[3] for c in CASES} | {"SUBMISSION"}


@pytest.mark.parametrize("clause, sentence, fields, code, points", CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_item_scores_as_the_clause_says(store, clause, sentence, fields, code, points):
    load(store, [row(DAY, UNIT, *fields, info_id="X1", title="测试信息")])
    scored = Engine.open(store, as_of=AS_OF).scored_events(Period.year(2025))
    assert scored["code"].to_list() == [code]
    assert scored["points"].to_list() == [points]
    assert clause in scored["clause"][0] or clause == "二(二)"
    assert unit_row(store, UNIT, Period.year(2025))["得分"] == points


def test_a_submission_counts_toward_the_quota_and_scores_nothing_itself(store):
    """四: A类单月报送信息不少于15条 — a 报送 row is counted, not scored."""
    from conftest import submissions

    load(store, submissions(UNIT, "2025-03", 15))
    got = unit_row(store, UNIT, Period.year(2025))
    assert (got["报送数"], got["得分"]) == (15, 0)
    scored = Engine.open(store, as_of=AS_OF).scored_events(Period.year(2025), [got["unit_id"]])
    assert set(scored["code"]) == {"SUBMISSION"} and set(scored["points"]) == {0}


def test_one_item_adopted_at_city_and_region_scores_at_each_level(store):
    """三(一)11: 同一条（篇）信息被自治区政府办公厅和市政府办公室同时采用的，累计加分。"""
    load(store, [
        row(DAY, UNIT, "采用", "市", "政务要情", "重要信息", info_id="DK-1"),
        row(DAY, UNIT, "采用", "自治区", "每日要情", "盟市前沿", info_id="DK-1"),
    ])
    assert unit_row(store, UNIT, Period.year(2025))["得分"] == 6 + 30


def test_several_leaders_on_one_item_add_up(store):
    """三(一)6 / 8: 被多位领导同志批示（签批）的信息，累计加分。"""
    load(store, [
        row(DAY, UNIT, "采用", "市", "专报信息", "问题", info_id="DK-2"),
        row(DAY, UNIT, "批示", "市", "专报信息", "", "市领导", info_id="DK-2"),
        row(DAY, UNIT, "批示", "市", "专报信息", "", "市政府办公室领导", info_id="DK-2"),
        row(DAY, UNIT, "采用", "自治区", "专报信息", "问题", info_id="DK-2"),
        row(DAY, UNIT, "批示", "自治区", "专报信息", "", "自治区领导", info_id="DK-2"),
        row(DAY, UNIT, "批示", "自治区", "专报信息", "", "自治区政府办公厅领导", info_id="DK-2"),
    ])
    got = unit_row(store, UNIT, Period.year(2025))
    assert got["得分"] == 16 + 30 + 20 + 60 + 40 + 30
    assert got["批示加分"] == 120
    assert got["批示数"] == 4


def test_merged_draft_gives_each_contributing_unit_its_row(store):
    """三(一)1 合稿: every contributing unit is entered with its own row and gets 3."""
    load(store, [row(DAY, u, "采用", "市", "政务要情", "合稿", info_id="HG-1") for u in (UNIT, "教育局", "财政局")])
    frame = Engine.open(store, as_of=AS_OF).ranking(Period.year(2025))
    scores = dict(zip(frame["单位"], frame["得分"]))
    assert [scores[u] for u in (UNIT, "教育局", "财政局")] == [3, 3, 3]


def test_instruction_on_a_publication_the_clause_does_not_list_is_rejected(store):
    """三(一)6 counts 批示 only on 《政务要情》《决策参考》《专报信息》: not on the WeChat account."""
    from conftest import check_rows, rulebook_for

    rows = [(2, {h: v for h, v in row(DAY, UNIT, "批示", "市", "微信公众号", "", "市领导").items()})]
    report = check_rows(rows, "x.csv", store.unit_book(), rulebook_for(store))
    assert not report.ok
    assert report.errors[0].column == "刊物"
    assert "微信公众号" in report.errors[0].message and "政务要情" in report.errors[0].message


def test_instruction_by_a_leader_of_another_level_is_rejected(store):
    from conftest import check_rows, rulebook_for

    rows = [(2, row(DAY, UNIT, "批示", "自治区", "专报信息", "", "市领导"))]
    report = check_rows(rows, "x.csv", store.unit_book(), rulebook_for(store))
    assert [e.column for e in report.errors] == ["批示人"]
    assert "自治区领导" in report.errors[0].message


def test_instruction_without_a_stored_adoption_is_accepted_with_a_warning(store):
    from conftest import check_rows, rulebook_for

    rows = [(2, row(DAY, UNIT, "批示", "市", "政务要情", "", "市领导", info_id="NOPE-1"))]
    report = check_rows(rows, "x.csv", store.unit_book(), rulebook_for(store), store.known_info_ids)
    assert report.ok
    assert report.warnings and "NOPE-1" in report.warnings[0].message
    load(store, [row(DAY, UNIT, "采用", "市", "政务要情", "简讯", info_id="OK-1")])
    rows = [(2, row(DAY, UNIT, "批示", "市", "政务要情", "", "市领导", info_id="OK-1"))]
    assert check_rows(rows, "x.csv", store.unit_book(), rulebook_for(store), store.known_info_ids).warnings == []
