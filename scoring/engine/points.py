"""The pure rule functions the engine composes: every item's points per rule version, points
applied to counts, ranks within groups."""
from __future__ import annotations

import polars as pl

from scoring.engine.exact import POINTS
from scoring.profile.rules import RuleBook

def points_table(book: RuleBook) -> pl.DataFrame:
    """(vidx, code) -> points, tier, type, clause, name, version: every item of every version."""
    rows = [
        {"vidx": i, "code": item.code, "points_each": item.points, "tier": item.tier,
         "type": item.type, "clause": item.clause, "item": item.name, "version": v.version, "text": item.text}
        for i, v in enumerate(book.versions) for item in v.items.values()
    ]
    return pl.DataFrame(rows, schema={"vidx": pl.Int32, "code": pl.Utf8, "points_each": POINTS,
                                      "tier": pl.Utf8, "type": pl.Utf8, "clause": pl.Utf8,
                                      "item": pl.Utf8, "version": pl.Utf8, "text": pl.Utf8})


def apply_points(counts: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """counts (unit_id, code, vidx, n[, w, own]) -> + points_each, points = w × points_each + own
    (w, the weighted count, is n when no factor applies; own, the points editors chose)."""
    if "w" not in counts.columns:
        counts = counts.with_columns(pl.col("n").alias("w"), pl.lit(0, POINTS).alias("own"))
    return (counts.with_columns(pl.col("vidx").cast(pl.Int32))
            .join(table, on=["vidx", "code"], how="left")
            .with_columns((pl.col("w").cast(POINTS) * pl.col("points_each") + pl.col("own").cast(POINTS))
                          .alias("points")))


def rank_within_groups(frame: pl.DataFrame, score: str = "得分", ties: str = "min") -> pl.Series:
    """Ranks within each group by score descending; ties share the better rank, and the next
    rank is 4 after 1, 2, 2 ("min") or 3 ("dense"). Units not ranked (null score) get none."""
    return frame.select(pl.col(score).rank(ties, descending=True).over("组别").cast(pl.Int64)).to_series()
