"""Import checks the office wants to hear about without refusing the file (规则说明 第三部分 9、12):
an adoption typed twice in one register, and a 批示 whose 信息编号 was adopted only at another level.
Both rows still count (考评办法三(一): every adoption and every 批示 is scored)."""
from __future__ import annotations

import polars as pl

from conftest import check_rows, load, row, rulebook_for
from scoring.engine import Engine
from scoring.engine.periods import Period

UNIT = "发展和改革委员会"
DAY = "2025-03-05"


def check(store, rows):
    numbered = [(i + 2, r) for i, r in enumerate(rows)]
    return check_rows(numbered, "x.csv", store.unit_book(), rulebook_for(store), store.known_info_ids)


def test_the_same_adoption_twice_in_one_file_is_a_warning_and_both_count(store):
    twice = row(DAY, UNIT, "采用", "市", "政务要情", "简讯", info_id="D-1", title="同一条信息")
    other = row(DAY, UNIT, "采用", "市", "决策参考", "", info_id="D-1", title="同一条信息")
    report = check(store, [twice, dict(twice), other])
    assert report.ok
    assert [(w.row, w.column) for w in report.warnings] == [(3, "信息编号")]
    assert "第 2 行" in report.warnings[0].message and "两行都计分" in report.warnings[0].message
    load(store, [twice, dict(twice)])
    # 三(一)1: each 采用 row scores, so the office decides whether the second one is a typing error
    one = Engine.open(store).book.latest().items["CITY_ZWYQ_BRIEF"].points
    ranking = Engine.open(store).ranking(Period.quarter(2025, 1))
    assert ranking.filter(pl.col("单位") == UNIT)["市级"][0] == 2 * one


def test_an_instruction_matching_only_an_adoption_at_another_level_is_a_warning(store):
    adopted = row(DAY, UNIT, "采用", "市", "政务要情", "简讯", info_id="L-1")
    region = row(DAY, UNIT, "批示", "自治区", "专报信息", "", "自治区领导", info_id="L-1")
    report = check(store, [adopted, region])
    assert report.ok
    assert [(w.row, w.column) for w in report.warnings] == [(3, "层级")]
    assert "市级" in report.warnings[0].message and "自治区级" in report.warnings[0].message
    # the same against an adoption stored by an earlier import
    load(store, [adopted])
    report = check(store, [region])
    assert report.ok and [w.column for w in report.warnings] == ["层级"]
    # at the adoption's own level there is nothing to say
    assert check(store, [row(DAY, UNIT, "批示", "市", "政务要情", "", "市领导", info_id="L-1")]).warnings == []
