"""Conditions (profile.yaml `policies.conditions`): an item's points once per period where an
expression over measures holds (录用率 < 0.3 …), or — without an expression — once per period
that has begun (an unconditional base score such as 基础得分6分).

A condition with an expression is checked in each period of its length (per group) that lies
wholly in the ranking period and has ended; every unit active then in such a group is checked,
with zero rows counting as zero (and a ratio over zero as `undefined` says).
"""
from __future__ import annotations

from datetime import timedelta

import polars as pl

from scoring.engine.exact import POINTS
from scoring.engine.expr import to_polars
from scoring.engine.periods import Period
from scoring.engine.policies import period_after, periods_within
from scoring.engine.tasks import DERIVED
from scoring.profile.constructs import Condition
from scoring.profile.formula import parse


class ConditionsMixin:
    def condition_rows(self, period: Period) -> pl.DataFrame:
        """The derived rows of every condition for a ranking period (DERIVED, plus vidx)."""
        parts = [self._condition(c, kind, period) for c in self.profile.conditions for kind in c.all_periods]
        frame = pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame(schema=DERIVED)
        return frame.with_columns(self._vidx(frame["month"]).alias("vidx"))

    def _condition(self, c: Condition, kind: str, period: Period) -> pl.DataFrame:
        groups = [g for g in self.profile.group_codes if c.period_of(g) == kind]
        starts = [s for s in periods_within(kind, period.start, period.end)
                  if (period_after(s, kind) <= self.as_of if c.when else s <= self.as_of)]
        if not starts or not groups:
            return pl.DataFrame(schema=DERIVED)
        grid = self._period_grid(starts, kind, groups)
        status = pl.lit("")
        if c.when:
            node = self._parsed(c.when)
            last = period_after(starts[-1], kind) - timedelta(days=1)
            values = self.measure_values(node.names, kind, starts[0], last)
            grid = grid.join(values, on=["unit_id", "month"], how="left")
            specs = {n: self.measure_spec(n) for n in node.names}
            grid = grid.with_columns([pl.col(n).fill_null(0) for n, s in specs.items() if s.kind != "ratio"])
            grid = grid.filter(to_polars(node).fill_null(c.undefined))
            status = pl.concat_str([pl.lit(f"{n} ") + _shown(pl.col(n), specs[n].kind) for n in sorted(node.names)],
                                   separator="，")
        return grid.select("unit_id", pl.lit(c.item).alias("code"), "month", pl.lit(1, POINTS).alias("n"),
                           pl.lit("period").alias("charge"), pl.lit(kind).alias("period"),
                           pl.lit(c.when).alias("task"), pl.lit(None, POINTS).alias("value"),
                           pl.lit(None, POINTS).alias("quota"), status.alias("status")).cast(DERIVED)

    def _parsed(self, text: str):
        names = {t.name for t in self.profile.tiers} | {m.name for m in self.profile.measures} | {"报送数", "采用数", "批示数"}
        return self._memo(("parsed", text), lambda: parse(text, names, True))

    def _period_grid(self, starts: list, kind: str, groups: list[str]) -> pl.DataFrame:
        """(unit_id, month) of every unit active on a period's first day in one of these groups."""
        months = pl.DataFrame({"month": starts}, schema={"month": pl.Date})
        active = (self.units.table.select("unit_id", "_from", "_to").join(months, how="cross")
                  .filter((pl.col("_from") <= pl.col("month")) & (pl.col("_to").is_null() | (pl.col("month") <= pl.col("_to")))))
        return (self.units.groups_on(active, "month", "_group").filter(pl.col("_group").is_in(groups))
                .select("unit_id", "month"))


def _shown(value: pl.Expr, kind: str) -> pl.Expr:
    """A measure's value as text in an explanation: a rate in per cent, other values as numbers."""
    if kind == "ratio":
        return pl.when(value.is_null()).then(pl.lit("无法计算")).otherwise(
            (value.cast(pl.Float64) * 100).round(2).cast(pl.Utf8) + pl.lit("%"))
    return value.cast(pl.Float64).round(4).cast(pl.Utf8).str.replace(r"\.0$", "")
