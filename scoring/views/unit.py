"""单位详情: why a unit has its score, down to each event, its points and clause."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.engine.exact import POINTS

from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.reports import publish
from scoring.views.common import QUARTER_NAMES


def _split_authors(frame: pl.DataFrame) -> pl.DataFrame:
    return (frame.filter(pl.col("author").is_not_null() & (pl.col("author") != ""))
            .with_columns(pl.col("author").str.split("、").alias("作者"))
            .explode("作者").filter(pl.col("作者") != ""))


def unit_detail(engine: Engine, period: Period, unit_id: int) -> dict:
    """Why this unit has this score: summary, every event (waived months included), monthly
    quota, authors. Score and rank by quarter: rank_by_quarter()."""
    unit = engine.units.get(unit_id)
    ranking = engine.ranking(period)
    row = ranking.filter(pl.col("unit_id") == unit_id)
    summary = row.row(0, named=True) if row.height else None
    group_size = ranking.filter(pl.col("组别") == summary["组别"]).height if summary else 0
    scored = engine.scored_events(period, [unit_id])
    quota = engine.submissions_vs_quota(period).filter(pl.col("unit_id") == unit_id)
    waivers = engine.store.waivers().filter(pl.col("unit_id") == unit_id)
    waived = (quota.filter(pl.col("状态") == "豁免")
              .join(waivers.select(pl.col("month").alias("月份"), "reason", "who"), on="月份", how="left"))
    events = (scored.with_columns(
        pl.col("id").alias("事件编号"), pl.col("day").alias("日期"), pl.col("kind").alias("类型"),
        pl.col("item").alias("事项"), pl.col("code").alias("代码"), pl.col("title").fill_null("").alias("标题"),
        pl.col("points").alias("分值"), pl.col("clause").alias("条款"), pl.col("text").fill_null("").alias("原文"),
        pl.col("version").alias("规则版本"),
        pl.when(pl.col("file_name").is_not_null())
        .then(pl.format("{} 第{}行", pl.col("file_name"), pl.col("src_row")))
        .otherwise(pl.col("note")).alias("来源"),
        pl.col("author").fill_null("").alias("作者"), pl.col("note").fill_null("").alias("备注"))
        .select("日期", "类型", "事项", "分值", "标题", "条款", "原文", "规则版本", "来源", "作者", "备注", "代码", "事件编号"))
    if waived.height:
        first = engine.profile.quotas[0].first if engine.profile.quotas else ""
        waived_item = engine.book.latest().items.get(first)  # the deduction a waiver spares: its clause and words
        extra = waived.select(
            pl.col("月份").alias("日期"), pl.lit("豁免").alias("类型"), pl.lit("报送任务扣分（已豁免）").alias("事项"),
            pl.format("{}月报送 {} 条（任务数 {} 条），已豁免：{}（{}）", pl.col("月份").dt.month(), pl.col("报送数"),
                      pl.col("任务数"), pl.col("reason").fill_null(""), pl.col("who").fill_null("")).alias("标题"),
            pl.lit(0, POINTS).alias("分值"), pl.lit(waived_item.clause if waived_item else "").alias("条款"),
            pl.lit(waived_item.text if waived_item else "").alias("原文"), pl.lit("").alias("规则版本"),
            pl.lit("豁免记录").alias("来源"), pl.lit("").alias("作者"), pl.lit("").alias("备注"),
            pl.lit("WAIVED").alias("代码"), pl.lit(None, pl.Int64).alias("事件编号")).select(events.columns)
        events = pl.concat([events, extra], how="vertical_relaxed")
    events = events.sort(["日期", "事件编号"], nulls_last=True)
    by_item = (events.filter(pl.col("代码") != "WAIVED")
               .group_by("类型", "事项", "代码", "条款").agg(pl.len().alias("条数"), pl.col("分值").sum().alias("合计"))
               .sort("合计", descending=True))
    authors = _split_authors(scored.filter(pl.col("id").is_not_null()))
    authors = (authors.group_by("作者").agg(
        (pl.col("kind") == "报送").sum().alias("报送数"),
        (pl.col("kind") == "采用").sum().alias("采用数"),
        pl.col("points").filter(pl.col("points") > 0).sum().alias("得分"))
        .sort(["得分", "采用数", "作者"], descending=[True, True, False]))
    months = quota.select("月份", "报送数", "任务数", "状态", "扣分代码")
    return {"unit": {"id": unit.id, "name": unit.name, "head": unit.head, "contact": unit.contact,
                     "phone": unit.phone},
            "summary": summary, "group_size": group_size, "events": events, "by_item": by_item,
            "months": months, "authors": authors,
            "waivers": waivers.select(pl.col("month").alias("月份"), pl.col("reason").alias("原因"),
                                      pl.col("who").alias("操作人"), pl.col("made_at").alias("时间"))}


def waivable_months(engine: Engine, unit_id: int, until: date) -> list[date]:
    """Ended months in which the unit was short of its quota (with or without a deduction)."""
    ladder = engine.quota_status(until)
    return (ladder.filter((pl.col("unit_id") == unit_id) & pl.col("code").is_not_null())
            .sort("month", descending=True)["month"].to_list())


def published_standing(engine: Engine, period: Period, unit_id: int) -> dict | None:
    """The unit's rank and scores as issued in the latest 通报 of the period (what a 单位 account
    may see), or None before publication or when the unit was not in it."""
    pub = publish.published_snapshot(engine.store, period.key)
    if pub is None:
        return None
    row = pub.frame.filter(pl.col("unit_id") == unit_id)
    if row.height == 0:
        return None
    r = row.row(0, named=True)
    return {"组别": r["组别"], "排名": r["排名"], "得分": r["得分"], "累计得分": r["累计得分"],
            "group_size": pub.frame.filter(pl.col("组别") == r["组别"]).height, "publication": pub}


def published_quarters(engine: Engine, year: int, unit_id: int) -> pl.DataFrame:
    """Score and rank by quarter as issued (published quarters only), like rank_by_quarter()."""
    rows = []
    for q in range(1, 5):
        s = published_standing(engine, Period.quarter(year, q), unit_id)
        if s is not None:
            rows.append({"季度号": q, "季度": QUARTER_NAMES[q], "组别": s["组别"], "得分": s["得分"], "排名": s["排名"],
                         "组内单位数": s["group_size"]})
    return pl.DataFrame(rows, schema={"季度号": pl.Int32, "季度": pl.Utf8, "组别": pl.Utf8, "得分": POINTS,
                                      "排名": pl.Int64, "组内单位数": pl.UInt32}, orient="row")
