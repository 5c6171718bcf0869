"""评先评优: one group's progress, ordered by the chosen measure and marked with the outcome."""
from __future__ import annotations

import polars as pl

from scoring.engine import Engine, commend


def progress_table(engine: Engine, year: int, measure: str, group: str) -> pl.DataFrame:
    """The group's units, most improved first by `measure` (units without an earlier figure last),
    with the compared figures named by their periods and 评选: 先进单位, 进步较大单位, or why a
    unit may not be commended (engine.commend.eligibility)."""
    chosen = commend.select(engine, year, measure)
    basis = commend.basis_labels(measure, year)
    column = commend.measure_column(measure)
    outcome = pl.concat([chosen["先进单位"].select("unit_id", pl.lit("先进单位").alias("评选")),
                         chosen["进步较大单位"].select("unit_id", pl.lit("进步较大单位").alias("评选"))])
    barred = chosen["资格"].filter(~pl.col("合格")).select("unit_id", pl.col("原因").alias("不参评原因"))
    return (commend.improvement(engine, year, measure).filter(pl.col("组别") == group)
            .join(outcome, on="unit_id", how="left").join(barred, on="unit_id", how="left")
            .with_columns(pl.coalesce("评选", pl.when(pl.col("不参评原因").is_not_null()).then(pl.lit("不参评")),
                                      pl.lit("")).alias("评选"), pl.col("不参评原因").fill_null(""))
            .sort([column, "序号"], descending=[True, False], nulls_last=True)
            .select("单位", "评选", *[pl.col(k).alias(v) for k, v in basis.items()], "不参评原因", "unit_id"))
