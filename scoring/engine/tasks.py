"""Tasks (profile.yaml `policies.quota`): what each unit did against its target in every checked
period, and the derived items that earns.

A task counts rows of chosen items, or a measure (points of chosen tiers, distinct items …), per
period of its length (per group), against the target of the unit's group on the period's first
day or the unit's own (units.yaml). A period is checked once it has ended and something is
recorded in it (or as `untracked` says). Its outcomes, each a derived item applied `n` times:
the ladder (first / repeat), `missing` (n = the shortfall), `base` (met; capped per year),
`missed` (n = 1) and `above` (n = the excess over the target's top). Outcomes count in a ranking
period that wholly contains their period; a task charged to the year counts only in year scores.
"""
from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from scoring.engine.exact import POINTS
from scoring.engine.periods import Period
from scoring.engine.policies import by_period, quota_ladder, tracked_periods, untracked_between
from scoring.profile.constructs import PERIOD_MONTHS, QuotaPolicy

# What a derived row is, for scoring and for explaining it (engine/explain.py words it).
DERIVED = {"unit_id": pl.Int32, "code": pl.Utf8, "month": pl.Date, "n": POINTS, "charge": pl.Utf8,
           "period": pl.Utf8, "task": pl.Utf8, "value": POINTS, "quota": POINTS, "status": pl.Utf8}
NOT_CHECKED = ("豁免", "未统计")


def _after(period_col: str = "period") -> pl.Expr:
    """The first day after each row's period (month = its first day, `period` its length)."""
    expr = pl.col("month") + pl.duration(days=7)
    for kind, size in PERIOD_MONTHS.items():
        expr = pl.when(pl.col(period_col) == kind).then(pl.col("month").dt.offset_by(f"{size}mo")).otherwise(expr)
    return expr


def within(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Rows whose period lies wholly in the ranking period."""
    return frame.filter((pl.col("month") >= period.start) & (_after() <= period.end + timedelta(days=1)))


class TasksMixin:
    def _task_dtype(self, task: QuotaPolicy):
        """Whole numbers for a task counting rows with whole targets, exact decimals otherwise."""
        targets = [*self.profile.quota_table(task).values(), *self.profile.unit_quota_table(task).values()]
        whole = all(t.low == t.low.to_integral_value() and t.top == t.top.to_integral_value() for t in targets)
        return pl.Int64 if whole and not task.measure else POINTS

    def _task_values(self, task: QuotaPolicy, period: str, until: date) -> pl.DataFrame:
        """(unit_id, month, n): the task's value per unit and period of this length, all history."""
        if task.measure:
            return self.measure_history(task.measure, period, until)
        if period == "week":
            return self._memo(("weekly", until, task.counts), lambda: self.store.weekly_counts(until, list(task.counts)))
        if task.counts_code:
            monthly = self.monthly(until, task.counts_code)
        else:
            monthly = self._memo(("monthly", until, task.counts),
                                 lambda: self.store.monthly_counts(until, list(task.counts)))
        return by_period(monthly, period)

    def _tracked(self, task: QuotaPolicy, period: str, values: pl.DataFrame, until: date) -> list[date]:
        """Periods checked: ended by the as-of date and with something recorded in them (the task's
        counted rows; any row at all for a task on a measure)."""
        if task.measure:
            rows = self._memo(("any rows", until), lambda: self.store.monthly_rows(until))
            values = by_period(rows.with_columns(pl.lit(0, pl.Int32).alias("unit_id")), period)
        return tracked_periods(values, self.as_of, until, period)

    def task_status(self, task: QuotaPolicy, until: date) -> pl.DataFrame:
        """Every checked unit-period of one task up to `until`: (unit_id, month = the period's first
        day, quota, top, n, code = the ladder's item or null, status, period)."""
        def compute():
            dtype = self._task_dtype(task)
            own = {u.id: t for name, t in self.profile.unit_quota_table(task).items()
                   if (u := self.units.by_name(name)) is not None}
            parts = []
            for period in task.all_periods:
                groups = {g: t for g, t in self.profile.quota_table(task).items() if task.period_of(g) == period}
                if not groups:
                    continue
                values = self._task_values(task, period, until)
                tracked = self._tracked(task, period, values, until)
                as_type = (lambda v: int(v)) if dtype == pl.Int64 else (lambda v: v)
                ladder = quota_ladder(
                    values, tracked, self.units, self.waived if period == "month" else set(),  # waivers are per month
                    float(self.settings["quota_improvement_share"]), (task.first, task.repeat or task.first),
                    {g: as_type(t.low) for g, t in groups.items()}, reset_yearly=not task.across_years,
                    breaks=untracked_between(tracked, period) if task.untracked == "break" else [],
                    unit_quotas={u: as_type(t.low) for u, t in own.items()}, dtype=dtype)
                tops = {g: t.top for g, t in groups.items() if t.high is not None}
                own_tops = {u: t.top for u, t in own.items() if t.high is not None}
                if tops or own_tops:
                    top = quota_ladder(values, tracked, self.units, set(), 1.0, ("", ""),
                                       {g: as_type(t.top) for g, t in groups.items()},
                                       unit_quotas={u: as_type(t.top) for u, t in own.items()}, dtype=dtype)
                    ladder = ladder.join(top.select("unit_id", "month", pl.col("quota").alias("top")),
                                         on=["unit_id", "month"], how="left", maintain_order="left")
                else:
                    ladder = ladder.with_columns(pl.col("quota").alias("top"))
                if not task.first:
                    ladder = ladder.with_columns(pl.lit(None, pl.Utf8).alias("code"))
                parts.append(ladder.with_columns(pl.lit(period).alias("period")))
            if not parts:
                return pl.DataFrame(schema={"unit_id": pl.Int32, "month": pl.Date, "quota": dtype, "n": dtype,
                                            "code": pl.Utf8, "status": pl.Utf8, "top": dtype, "period": pl.Utf8})
            return pl.concat(parts, how="diagonal_relaxed")
        return self._memo(("task", task.name, until, self.as_of, self.rules_key if task.measure else ()), compute)

    def quota_status(self, until: date) -> pl.DataFrame:
        """Every checked unit-period of the first task up to `until` (empty when the profile has none)."""
        if not self.profile.quotas:
            return quota_ladder(pl.DataFrame(schema={"unit_id": pl.Int32, "month": pl.Date, "n": pl.Int64}),
                                [], self.units, set(), 1.0, ("", ""), {}).with_columns(
                pl.col("quota").alias("top"), pl.lit("month").alias("period"))
        return self.task_status(self.profile.quotas[0], until)

    def task_outcomes(self, period: Period) -> pl.DataFrame:
        """The derived rows of every task for a ranking period (DERIVED)."""
        parts = []
        for task in self.profile.quotas:
            if task.charge == "year" and period.kind not in ("year", "ytd"):
                continue  # taken off the year only
            status = self.task_status(task, period.end)
            parts.extend(self._outcomes(task, status, period))
        frame = pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame(schema=DERIVED)
        return frame.with_columns(self._vidx(frame["month"]).alias("vidx"))

    def _outcomes(self, task: QuotaPolicy, status: pl.DataFrame, period: Period) -> list[pl.DataFrame]:
        def rows(frame: pl.DataFrame, code: str | pl.Expr, n: pl.Expr, quota: str = "quota") -> pl.DataFrame:
            code = pl.lit(code) if isinstance(code, str) else code
            return frame.select("unit_id", code.alias("code"), "month", n.cast(POINTS).alias("n"),
                                pl.lit(task.charge).alias("charge"), "period", pl.lit(task.name).alias("task"),
                                pl.col("n").cast(POINTS).alias("value"), pl.col(quota).cast(POINTS).alias("quota"),
                                "status").cast(DERIVED)

        checked = status.filter(~pl.col("status").is_in(NOT_CHECKED))
        short = checked.filter(pl.col("n") < pl.col("quota"))
        out = []
        if task.first:
            out.append(rows(within(status.filter(pl.col("code").is_not_null()), period), pl.col("code"), pl.lit(1)))
        if task.missing:
            out.append(rows(within(short, period), task.missing, pl.col("quota") - pl.col("n")))
        if task.missed:
            out.append(rows(within(short, period), task.missed, pl.lit(1)))
        if task.above:
            out.append(rows(within(checked.filter(pl.col("n") > pl.col("top")), period), task.above,
                            pl.col("n") - pl.col("top"), "top"))
        if task.base:
            met = checked.filter(pl.col("n") >= pl.col("quota")).sort("unit_id", "month")
            each = self.book.version_for(period.end).items[task.base].points
            if task.base_cap is not None and each > 0:  # at most base_cap points a year, in period order
                met = met.with_columns(pl.int_range(pl.len()).over("unit_id", pl.col("month").dt.year()).alias("_nth")) \
                    .filter(pl.col("_nth") < int(task.base_cap // each))
            out.append(rows(within(met, period), task.base, pl.lit(1)))
        return out

    def submissions_vs_quota(self, period: Period) -> pl.DataFrame:
        """Monthly counted rows of the first task against its target per unit, month by month in official
        unit order; a month without a status has not ended (未结束) or had nothing recorded (未统计)."""
        from scoring.engine.policies import unit_month_quotas

        task = self.profile.quotas[0] if self.profile.quotas else None
        monthly_task = task is not None and task.period == "month" and not task.periods and not task.measure
        targets = {g: int(t.low) for g, t in self.profile.quota_table(task).items()} if monthly_task else {}
        grid = self.units.groups_on(unit_month_quotas(self.units, period.months(), targets), "month")
        ladder = (self.quota_status(period.end).select("unit_id", "month", "status", "code") if monthly_task else
                  pl.DataFrame(schema={"unit_id": pl.Int32, "month": pl.Date, "status": pl.Utf8, "code": pl.Utf8}))
        monthly = self._task_values(task, "month", period.end) if monthly_task else \
            pl.DataFrame(schema={"unit_id": pl.Int32, "month": pl.Date, "n": pl.Int64})
        return (grid.sort("month", maintain_order=True)
                .join(self.units.table.select("unit_id", "单位"), on="unit_id", how="left", maintain_order="left")
                .join(monthly, on=["unit_id", "month"], how="left", maintain_order="left")
                .join(ladder, on=["unit_id", "month"], how="left", maintain_order="left")
                .select("unit_id", "单位", "组别", pl.col("month").alias("月份"), pl.col("n").fill_null(0).alias("报送数"),
                        pl.col("quota").alias("任务数"),
                        pl.coalesce("status", pl.when(pl.col("month").dt.offset_by("1mo") > self.as_of)
                                    .then(pl.lit("未结束")).otherwise(pl.lit("未统计"))).alias("状态"),
                        pl.col("code").alias("扣分代码"))
                .cast({"unit_id": pl.Int32, "报送数": pl.Int64, "任务数": pl.Int64, "扣分代码": pl.Utf8}))
