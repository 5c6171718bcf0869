"""The derived rules a profile switches on (profile.yaml `policies`), as pure functions on frames.

- quota (a task): items (or a measure) required per period of any length per group or unit. Scored
  by a deduction ladder (first short period, then each later one of the run; a met period ends the
  run); engine/tasks.py adds the other outcomes (per missing item, met, missed, above).
- late: the late-draft ladder (first in a year, then each later one).
- adoption: one item adopted at several places adds up, or only its highest adoption counts.
The engine fetches the inputs and applies the points; docs/配置说明.md explains each setting.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from scoring.engine.exact import POINTS, zero
from scoring.engine.periods import add_months
from scoring.profile.constructs import PERIOD_MONTHS
from scoring.profile.units import UnitBook


def split_late_solicited(rows: pl.DataFrame, first: str, repeat: str) -> pl.DataFrame:
    """The late-draft ladder (the shipped 办法: 三(二)1 约稿逾期): the first in a scoring year scores as
    `first`, every later one that year as `repeat` (as `first` again when there is none).

    rows: (id, unit_id, day) of `first` events from 1 January of the first year concerned.
    Returns the same rows with the code each one scores as.
    """
    if rows.height == 0:
        return rows.with_columns(pl.lit(None, pl.Utf8).alias("code"))
    return (rows.sort(["day", "id"])
            .with_columns(pl.col("day").dt.year().alias("_year"))
            .with_columns(pl.int_range(pl.len()).over(["unit_id", "_year"]).alias("_nth"))
            .with_columns(pl.when(pl.col("_nth") == 0).then(pl.lit(first))
                          .otherwise(pl.lit(repeat or first)).alias("code"))
            .drop("_year", "_nth"))


# --------------------------------------------------------------------------------------------
# Quota periods
# --------------------------------------------------------------------------------------------
def period_after(start: date, period: str) -> date:
    """The first day after the period beginning on `start` (a week begins on Monday)."""
    if period == "week":
        return start + timedelta(days=7)
    return add_months(start, PERIOD_MONTHS[period])


def period_start(month: pl.Expr, period: str) -> pl.Expr:
    """The first day of the period (of `period`'s length, aligned on January) a month falls in."""
    size = PERIOD_MONTHS[period]
    return pl.date(month.dt.year(), (month.dt.month() - 1) // size * size + 1, 1)


def by_period(monthly: pl.DataFrame, period: str) -> pl.DataFrame:
    """Monthly counts (unit_id, month, n) summed per period, keyed by its first day (month).
    Weekly counts come from the store already per week."""
    if period in ("month", "week"):
        return monthly
    return (monthly.with_columns(period_start(pl.col("month"), period).alias("month"))
            .group_by("unit_id", "month").agg(pl.col("n").sum()))


def periods_within(period: str, start: date, end: date) -> list[date]:
    """First days of the periods of this length lying wholly in [start, end]."""
    if period == "week":
        day = start + timedelta(days=(7 - start.weekday()) % 7)
    else:
        size = PERIOD_MONTHS[period]
        day = date(start.year, (start.month - 1) // size * size + 1, 1)
    out = []
    while period_after(day, period) - timedelta(days=1) <= end:
        if day >= start:
            out.append(day)
        day = period_after(day, period)
    return out


def tracked_periods(monthly: pl.DataFrame, as_of: date, until: date, period: str = "month") -> list[date]:
    """Periods the quota is checked in: some counted row is stored in it and it has ended by as_of."""
    starts = by_period(monthly, period).filter(pl.col("n") > 0)["month"].unique().sort().to_list()
    return [m for m in starts if period_after(m, period) <= as_of and m <= until]


def untracked_between(tracked: list[date], period: str) -> list[date]:
    """Periods with no counted row at all between the first and the last tracked one."""
    if not tracked:
        return []
    out, day, have = [], tracked[0], set(tracked)
    while day < tracked[-1]:
        if day not in have:
            out.append(day)
        day = period_after(day, period)
    return out


def unit_month_quotas(units: UnitBook, months: list[date], quotas: dict | None = None,
                      unit_quotas: dict[int, object] | None = None, dtype=pl.Int64) -> pl.DataFrame:
    """(unit_id, month, quota) for each unit active in each period with a group then (a period's
    quota follows the membership on its first day, units.quota_on), in official unit order. A unit
    of such a group with a target of its own (units.yaml) has that instead."""
    schema = {"unit_id": pl.Int32, "month": pl.Date, "quota": dtype}
    if not months or not units.table.height:
        return pl.DataFrame(schema=schema)
    unit_rows = units.table.select("unit_id", "_from", "_to")
    grid = (units.groups_on(unit_rows.join(pl.DataFrame({"month": months}, schema={"month": pl.Date}), how="cross")
                            .filter((pl.col("_from") <= pl.col("month"))
                                    & (pl.col("_to").is_null() | (pl.col("month") <= pl.col("_to")))),
                            "month", "_group")  # in unit order, then month
            .filter(pl.col("_group").is_not_null())
            .select("unit_id", "month", pl.col("_group").replace_strict(units.quotas if quotas is None else quotas,
                                                                        default=None, return_dtype=dtype)
                    .alias("quota"))
            .filter(pl.col("quota").is_not_null()))
    if unit_quotas:
        own = pl.DataFrame({"unit_id": list(unit_quotas), "_own": list(unit_quotas.values())},
                           schema={"unit_id": pl.Int32, "_own": dtype})
        grid = (grid.join(own, on="unit_id", how="left", maintain_order="left")
                .with_columns(pl.coalesce("_own", "quota").alias("quota")).drop("_own"))
    return grid


def _cell_key() -> pl.Expr:
    """(unit_id, month) as one integer: joining on it is several times faster than on the pair."""
    return (pl.col("unit_id").cast(pl.Int64) * 1_000_000 + pl.col("month").cast(pl.Int32)).alias("_cell")


def quota_ladder(monthly: pl.DataFrame, months: list[date], units: UnitBook,
                 waived: set[tuple[int, date]], improvement_share: float = 1.0,
                 codes: tuple[str, str] | None = None, quotas: dict | None = None,
                 reset_yearly: bool = False, breaks: list[date] = (), unit_quotas: dict[int, object] | None = None,
                 dtype=pl.Int64) -> pl.DataFrame:
    """The deduction ladder of a quota (the shipped 办法: 三(二)1): a run of periods below quota
    scores its first period as codes[0] (−30, with a 提醒函) and each later one as codes[1] (−50);
    a period at quota ends the run; a waived period is skipped entirely. With `reset_yearly` a
    run ends at the year's end; a period in `breaks` (no rows recorded at all) ends it too.
    codes default to the default profile's first quota policy. Counts and quotas are `dtype`
    (whole numbers, or exact decimals for a task in points).

    With improvement_share < 1, a period after a reminder that reaches that share of the quota
    counts as “较大改变”: no −50, and the run ends.

    Worked on whole columns (a province has thousands of units). Going through a unit's
    periods in order, one is “in a run” when the one before (waived ones skipped) was
    short (−30 or −50). A period at quota is never short, one below the share always is; one in
    between (较大改变 when in a run, else −30) is short exactly when the one before was not,
    so along consecutive in-between periods shortness alternates, starting from the one
    before them.
    """
    if codes is None:
        from scoring.profile import default_profile

        policy = default_profile().quotas[0]
        codes = (policy.first, policy.repeat or policy.first)
    months = sorted({*months, *breaks})
    grid = (unit_month_quotas(units, months, quotas, unit_quotas, dtype).with_columns(_cell_key())
            .join(monthly.select(_cell_key(), "n"), on="_cell", how="left", maintain_order="left")
            .with_columns(pl.col("n").fill_null(0).cast(dtype)))
    waived_rows = pl.DataFrame(list(waived), schema={"unit_id": pl.Int32, "month": pl.Date}, orient="row")
    grid = (grid.join(waived_rows.select(_cell_key(), pl.lit(True).alias("_waived")), on="_cell",
                      how="left", maintain_order="left")
            .with_columns(pl.col("_waived").fill_null(False), pl.col("month").is_in(list(breaks)).alias("_break"),
                          (pl.col("unit_id").cast(pl.Int64) * 10000 + pl.col("month").dt.year() if reset_yearly
                           else pl.col("unit_id")).alias("_run")))
    met = (pl.col("n") >= pl.col("quota")) | pl.col("_break")
    share = pl.lit(improvement_share) if dtype == pl.Int64 else pl.lit(Decimal(str(improvement_share)), POINTS)
    between = ~met & (pl.col("n") >= share * pl.col("quota"))
    below = ~met & ~between
    counted = (grid.filter(~pl.col("_waived"))
               .with_columns(_between=between, _below=below, _i=pl.int_range(pl.len()))
               # each stretch of in-between periods: the one before it (row, and whether it was short)
               .with_columns(_before=pl.when(~pl.col("_between")).then(pl.col("_i")).forward_fill().over("_run"),
                             _before_short=pl.when(~pl.col("_between")).then(pl.col("_below"))
                             .forward_fill().over("_run").fill_null(False),
                             _unit_start=pl.col("_i").first().over("_run"))
               .with_columns(_k=pl.col("_i") - pl.coalesce("_before", pl.col("_unit_start") - 1) - 1)  # 0, 1, … in it
               .with_columns(_short=pl.when(pl.col("_between"))
                             .then(pl.col("_before_short") ^ (pl.col("_k") % 2 == 0))
                             .otherwise(pl.col("_below")))
               # the grid is in unit order then period order, so each run's rows are contiguous:
               # the row before within the run is the row before, when it has the same run
               .with_columns(_in_run=pl.when(pl.col("_run") == pl.col("_run").shift(1))
                             .then(pl.col("_short").shift(1)).otherwise(False))
               .select("_cell", "_in_run"))
    in_run = pl.col("_in_run")
    return (grid.join(counted, on="_cell", how="left", maintain_order="left")
            .with_columns(
                pl.when(pl.col("_waived") | met | (between & in_run)).then(None)
                .when(in_run).then(pl.lit(codes[1])).otherwise(pl.lit(codes[0])).alias("code"),
                pl.when(pl.col("_waived")).then(pl.lit("豁免")).when(pl.col("_break")).then(pl.lit("未统计"))
                .when(met).then(pl.lit("达标"))
                .when(between & in_run).then(pl.lit("较大改变"))
                .when(in_run).then(pl.lit("未达标（经提醒仍未改变）")).otherwise(pl.lit("未达标")).alias("status"))
            .select("unit_id", "month", "quota", "n", pl.col("code").cast(pl.Utf8), "status"))


def highest_only(adoptions: pl.DataFrame, points: pl.DataFrame) -> pl.DataFrame:
    """One item adopted at several places counts its highest adoption only. Taken in date order,
    each adoption of a unit's 信息编号 earns only what it adds above the best earlier one (a later,
    higher adoption tops up; a lower or equal one earns nothing), so no earlier period changes.

    adoptions: (unit_id, info_id, code, vidx, day) of 采用 rows with an 信息编号, from 1 January of
    the period's year; points: (vidx, code, points_each). Returns (unit_id, code, vidx, day, points)
    of the points to take back (zero or negative), to add to the sums of the days' periods.
    """
    schema = {"unit_id": pl.Int32, "code": pl.Utf8, "vidx": pl.Int32, "day": pl.Date, "points": POINTS}
    if adoptions.height == 0:
        return pl.DataFrame(schema=schema)
    return (adoptions.join(points.select("vidx", "code", "points_each"), on=["vidx", "code"], how="left")
            .sort("unit_id", "info_id", "day", "points_each", descending=[False, False, False, True])
            .with_columns(pl.col("points_each").cum_max().shift(1).over("unit_id", "info_id").fill_null(zero())
                          .alias("_best_before"))
            .with_columns((pl.max_horizontal(pl.col("points_each") - pl.col("_best_before"), zero())
                           - pl.col("points_each")).alias("points"))
            .filter(pl.col("points") != 0)
            .select(list(schema)).cast(schema))
