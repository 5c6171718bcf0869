"""六 (先进个人, 优秀信息): commendation reads authors and items from the store a bounded way (per
unit and author, or the best items only) — they must name the same people and items as scoring
every event of the year does (`engine.scored_events`, the explanation behind each score)."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scoring.engine import commend
from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.store import Store

from conftest import AS_OF, load, row

YEAR = 2025


def authors_from_every_event(engine: Engine, unit_ids: list[int]) -> pl.DataFrame:
    """先进个人 as the whole year's scored events give it: each name of an author list credited with
    the points of every item scoring above zero; the most points, then the most items, then the name."""
    events = engine.scored_events(Period.year(YEAR), unit_ids)
    scored = events.filter((pl.col("points") > 0) & (pl.col("author") != "") & pl.col("author").is_not_null())
    per_author = (scored.with_columns(pl.col("author").str.split("、").alias("作者")).explode("作者")
                  .group_by("unit_id", "单位", "作者").agg(pl.col("points").sum().alias("得分"), pl.len().alias("条数"))
                  .sort(["unit_id", "得分", "条数", "作者"], descending=[False, True, True, False]))
    return per_author.group_by("unit_id", maintain_order=True).first().rename({"作者": "先进个人"})


def items_from_every_event(engine: Engine, limit: int) -> pl.DataFrame:
    """优秀信息 as the whole year's scored events give it (adoptions and instructions per 信息编号 and unit)."""
    events = engine.scored_events(Period.year(YEAR))
    items = events.filter(pl.col("kind").is_in(["采用", "批示"]) & (pl.col("info_id") != ""))
    titles = items.filter(pl.col("kind") == "采用").group_by("info_id").agg(pl.col("title").first().alias("标题"))
    return (items.group_by("info_id", "单位").agg(pl.col("points").sum().alias("得分"),
                                                (pl.col("kind") == "采用").sum().alias("采用次数"),
                                                (pl.col("kind") == "批示").sum().alias("批示次数"),
                                                pl.col("author").first().alias("作者"))
            .join(titles, on="info_id", how="left")
            .sort(["得分", "info_id", "单位"], descending=[True, False, False]).head(limit)
            .select("单位", "标题", "作者", "得分", "采用次数", "批示次数", pl.col("info_id").alias("信息编号")))


@pytest.fixture(scope="module")
def demo_engine(demo_db):
    return Engine.open(Store(demo_db), as_of=date(2026, 1, 15))


def test_top_authors_match_every_scored_event_on_the_demo(demo_engine):
    unit_ids = [u.id for u in demo_engine.units.units]
    got = commend.top_authors(demo_engine, YEAR, unit_ids)
    want = authors_from_every_event(demo_engine, unit_ids)
    assert got.height > 10
    assert_frame_equal(got.sort("unit_id"), want.sort("unit_id"))


@pytest.mark.parametrize("limit", [10, 40])
def test_excellent_items_match_every_scored_event_on_the_demo(demo_engine, limit):
    got = commend.excellent_items(demo_engine, YEAR, limit)
    assert got.height == limit
    assert_frame_equal(got, items_from_every_event(demo_engine, limit))


def test_late_drafts_and_rule_versions_score_as_the_engine_scores_them(store):
    """三(二)1 约稿逾期 (first and repeat) and a what-if's points reach the bounded reads too."""
    load(store, [
        row("2025-02-01", "财政局", "采用", "市", "决策参考", author="张三、李四", info_id="XX-1"),
        row("2025-02-02", "财政局", "批示", "市", "政务要情", leader="市领导", author="李四", info_id="XX-1"),
        row("2025-02-03", "财政局", "采用", "市", "政务要情", "简讯", author="王五"),
        row("2025-03-03", "财政局", "扣分", column="约稿逾期", author="王五"),
        row("2025-04-03", "财政局", "扣分", column="约稿逾期", author="王五"),
    ])
    engine = Engine.open(store, as_of=AS_OF)
    unit = [engine.units.resolve("财政局").id]
    for e in (engine, engine.with_overrides({"CITY_ZWYQ_BRIEF": 40.0})):
        assert_frame_equal(commend.top_authors(e, YEAR, unit), authors_from_every_event(e, unit))
        assert_frame_equal(commend.excellent_items(e, YEAR), items_from_every_event(e, 10))
