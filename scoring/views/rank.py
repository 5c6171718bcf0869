"""排名: the ranking as drawn, ranks by quarter, and what was published."""
from __future__ import annotations

import polars as pl

from scoring.engine import numbers
from scoring.engine.exact import POINTS

from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.reports import publish
from scoring.views.common import QUARTER_NAMES, data_span, rank_movement


# How 排名 can be ordered (the page offers these in Chinese; the grid's own sort would order the
# 升降 arrows as text, ↑14 before ↑3): sort keys within each group, 序号 breaking ties.
ORDERS = {"名次": (["排名"], [False]), "上升最多": (["名次变化"], [True]), "下降最多": (["名次变化"], [False]),
          "单位名单顺序": ([], [])}


def ranking_view(engine: Engine, period: Period, order: str = "名次") -> pl.DataFrame:
    """The ranking with a 并列 marker, 采用率 in percent, the movement against the period before
    (名次变化, 升降: last quarter for a quarter, last year for a year), in one of ORDERS within
    each group (units without a movement last when ordered by it)."""
    frame = engine.ranking(period)
    ties = frame.group_by("组别", "排名").agg(pl.len().alias("_n"))
    frame = (frame.join(ties, on=["组别", "排名"], how="left")
             .join(rank_movement(engine, frame, period.previous()), on="unit_id", how="left")
             .with_columns(pl.when((pl.col("_n") > 1) & pl.col("排名").is_not_null()).then(pl.lit("并列"))
                           .otherwise(pl.lit("")).alias("并列"),
                           (pl.col("采用率") * 100).round(numbers.rate_places(engine.settings)).alias("采用率"))
             .drop("_n"))
    keys, descending = ORDERS[order]
    return frame.sort(["组别", *keys, "序号"], descending=[False, *descending, False], nulls_last=True)


def bar_ends(frame: pl.DataFrame, tiers: list[str]) -> list:
    """Where each unit's bar of tier parts ends on the score axis: its positive parts added up
    (deductions are drawn leftwards from zero), so that the score can be written past the end."""
    return frame.select(pl.sum_horizontal(pl.col(t).clip(lower_bound=0) for t in tiers))[:, 0].to_list()


def rank_by_quarter(engine: Engine, year: int) -> pl.DataFrame:
    """Score and rank of every unit in each quarter of the year that has begun and holds data, with
    the size of its group that quarter (组内单位数: the depth of the rank axis)."""
    _, last = data_span(engine.store)
    frames = []
    for q in range(1, 5):
        period = Period.quarter(year, q)
        if last is None or period.start > last or period.start > engine.as_of:
            continue
        frames.append(engine.ranking(period, cumulative=False)
                      .select("组别", "单位", "unit_id", "序号", "得分", "排名")
                      .with_columns(pl.lit(q).alias("季度号"), pl.lit(QUARTER_NAMES[q]).alias("季度"),
                                    pl.len().over("组别").alias("组内单位数")))
    if not frames:
        return pl.DataFrame(schema={"组别": pl.Utf8, "单位": pl.Utf8, "unit_id": pl.Int32, "序号": pl.Int64,
                                    "得分": POINTS, "排名": pl.Int64, "季度号": pl.Int32, "季度": pl.Utf8,
                                    "组内单位数": pl.UInt32})
    return pl.concat(frames).sort(["季度号", "组别", "排名", "序号"])


def published(engine: Engine, period_key: str):
    """The latest publication of a period (figures as issued), or None."""
    return publish.published_snapshot(engine.store, period_key)


def published_table(engine: Engine, period_key: str) -> pl.DataFrame | None:
    pub = published(engine, period_key)
    if pub is None:
        return None
    return publish.issued_table(pub)


def published_changes(engine: Engine, period: Period) -> pl.DataFrame | None:
    """What differs now from the latest publication of the period (None: nothing, or unpublished)."""
    return publish.published_changes(engine.store, engine, period)
