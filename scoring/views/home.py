"""总览: the month at a glance."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.engine import Engine
from scoring.engine.periods import Period, month_end
from scoring.profile.units import UnitBook
from scoring.views.common import _next_month, adoption_columns, quota_text, rank_movement


def contacts(units: UnitBook) -> pl.DataFrame:
    return pl.DataFrame(
        [{"unit_id": u.id, "负责人": u.head or "", "联系人": u.contact or "", "电话": u.phone or ""} for u in units.units],
        schema={"unit_id": pl.Int32, "负责人": pl.Utf8, "联系人": pl.Utf8, "电话": pl.Utf8})


def home_summary(engine: Engine, month: date) -> dict:
    """The month at a glance: quota status (催报 list), 零报送 units, adoptions by tier for the
    quarter so far, each group's top units (with their movement against the quarter before),
    and key numbers."""
    month = month.replace(day=1)
    month_period = Period.month(month.year, month.month)
    quarter = (month.month + 2) // 3
    qtd = Period.between(date(month.year, 3 * quarter - 2, 1), month_end(month))
    qtd = Period(qtd.start, qtd.end, "range", f"{month.year}年第{'一二三四'[quarter - 1]}季度（截至{month.month}月底）")
    quota = (engine.submissions_vs_quota(month_period)
             .join(contacts(engine.units), on="unit_id", how="left")
             .with_columns((pl.col("任务数") - pl.col("报送数")).clip(lower_bound=0).alias("差额")))
    behind = (quota.filter((pl.col("报送数") < pl.col("任务数")) & (pl.col("状态") != "豁免"))
              .sort(["组别", "差额"], descending=[False, True])
              .select("组别", "单位", "报送数", "任务数", "差额", "联系人", "电话", "负责人", "状态", "unit_id"))
    zero = quota.filter(pl.col("报送数") == 0).select("组别", "单位", "任务数", "状态", "联系人", "电话", "unit_id")
    group_quota = (quota.group_by("组别").agg(
        pl.len().alias("单位数"),
        (pl.col("报送数") >= pl.col("任务数")).sum().alias("达标单位"),
        ((pl.col("报送数") < pl.col("任务数")) & (pl.col("状态") != "豁免")).sum().alias("未达标单位"),
        pl.col("报送数").sum().alias("报送数")).sort("组别"))
    ranking = engine.ranking(qtd, cumulative=False)
    columns = adoption_columns(engine.profile)
    adoptions = (ranking.group_by("组别").agg([pl.col(c).sum() for c in columns])
                 .unpivot(index="组别", on=list(columns), variable_name="层级", value_name="采用数")
                 .with_columns(pl.col("层级").replace(columns))
                 .sort(["组别", "层级"]))
    # The quarter so far against the whole quarter before (the last one a 通报 ranked).
    before = Period.quarter(month.year, quarter).previous()
    top = (ranking.filter(pl.col("排名") <= 3)
           .join(rank_movement(engine, ranking, before), on="unit_id", how="left")
           .select("组别", "排名", "单位", "得分", "升降", "名次变化", "报送数", "采用数", "unit_id"))
    month_rank = engine.ranking(month_period, cumulative=False)
    metrics = {
        "报送数": int(month_rank["报送数"].sum()),
        "采用数": int(month_rank["采用数"].sum()),
        "批示数": int(month_rank["批示数"].sum()),
        "未达标单位": behind.height,
        "零报送单位": zero.height,
        "单位数": month_rank.height,
    }
    return {"month": month_period, "qtd": qtd, "before": before, "behind": behind, "zero": zero,
            "group_quota": group_quota, "adoptions": adoptions, "top": top, "metrics": metrics,
            "quota_text": quota_text(engine.profile), "adoption_tiers": list(columns.values()),
            "month_ended": _next_month(month) <= engine.as_of}
