"""A period's score from its tier sums: the profile's formula (their sum by default), the floor at
zero, a year of too many late drafts scored zero, and the year either scored whole or as the sum
of its quarters' scores (each with its own formula and floor) plus what is charged to the year.
Also the 采用率 column and the profile's flags (不达标 …)."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.engine.exact import POINTS, ratio, zero
from scoring.engine.expr import to_polars
from scoring.engine.periods import Period
from scoring.profile.formula import parse

FLAG_NAMES = ("得分", "原始得分")


def describe(profile) -> str:
    """How a score is made, in the words of the documents: 得分为各项得分之和，合计低于0分的按0分计."""
    formula = profile.score.formula
    text = f"得分按“{formula}”计算" if formula else "得分为各项得分之和"
    if profile.floor:
        text += "，合计低于0分的按0分计" if not formula else "，低于0分的按0分计"
    if profile.score.year == "quarters":
        text += "；年度得分为各季度得分之和"
    return text


class ScoreMixin:
    def tier_column(self, tier: str) -> str:
        """A tier's column in the totals: its name when shown, a private name when only the formula uses it."""
        shown = next((t.column for t in self.profile.tiers if t.name == tier), True)
        return tier if shown else f"_tier:{tier}"

    def tier_in_formula(self, tier: str) -> bool:
        return tier in self._formula().names if self._formula() is not None else False

    def tier_columns(self) -> list[str]:
        return [self.tier_column(t.name) for t in self.profile.tiers if t.column or self.tier_in_formula(t.name)]

    def _formula(self):
        text = self.profile.score.formula
        if not text:
            return None
        return self._memo(("formula",), lambda: parse(text, {t.name for t in self.profile.tiers}, False))

    def _raw_score(self) -> pl.Expr:
        node = self._formula()
        if node is None:
            return pl.col("原始得分")
        return to_polars(node, lambda name: pl.col(self.tier_column(name)))

    def _floored(self, expr: pl.Expr) -> pl.Expr:
        return pl.max_horizontal(expr, zero()) if self.profile.floor else expr

    def _period_score(self, period: Period) -> pl.DataFrame:
        """(unit_id, 得分) of every unit active in the period, by the formula and the floor."""
        columns = ["原始得分", *self.tier_columns()]
        frame = (self.unit_frame(period).select("unit_id")
                 .join(self.totals(period).select("unit_id", *columns), on="unit_id", how="left")
                 .with_columns([pl.col(c).fill_null(0).cast(POINTS) for c in columns]))
        return frame.select("unit_id", self._floored(self._raw_score()).cast(POINTS).alias("得分"))

    def scores(self, period: Period) -> pl.DataFrame:
        """(unit_id, 得分) for the period: a year (or year to date) of the profile's `year: quarters`
        is the sum of its quarters' scores plus its year-charged points, floored."""
        def compute():
            quarters = _quarters_in(period)
            if self.profile.score.year != "quarters" or len(quarters) < 2:
                found = self._period_score(period)
            else:
                parts = [self._period_score(q) for q in quarters]
                year = (self.scored_counts(period, charge="year").group_by("unit_id")
                        .agg(pl.col("points").sum().alias("得分")))
                found = (pl.concat([*parts, year.cast({"得分": POINTS})]).group_by("unit_id")
                         .agg(pl.col("得分").sum()).with_columns(self._floored(pl.col("得分")).alias("得分")))
            return found.with_columns(self._zeroed(period, "得分")).cast({"得分": POINTS})
        return self._memo(("scores", period, self.as_of, self.rules_key), compute)

    def _zeroed(self, period: Period, column: str) -> pl.Expr:
        """A year (or year to date) of a unit with `zero_after` late drafts or more scores zero."""
        late = self.profile.late
        if not late or not late.zero_after or period.start != date(period.end.year, 1, 1):
            return pl.col(column)
        rows = self._late_rows(period.start, period.end)  # the year's: the period starts on 1 January
        out = rows.group_by("unit_id").len().filter(pl.col("len") >= late.zero_after)["unit_id"].to_list()
        return pl.when(pl.col("unit_id").is_in(out)).then(zero()).otherwise(pl.col(column)).alias(column)

    @staticmethod
    def adoption_rate() -> pl.Expr:
        """采用率 = 采用数 ÷ 报送数, exact (rounded only where shown); none without 报送."""
        return ratio(pl.col("采用数"), pl.col("报送数")).alias("采用率")

    def with_flags(self, frame: pl.DataFrame, period: Period) -> pl.DataFrame:
        """One column per flag of the profile: 是 where its condition holds, else empty."""
        if not self.profile.flags:
            return frame
        tiers = {t.name for t in self.profile.tiers}
        measures = {m.name for m in self.profile.measures} | {"报送数", "采用数", "批示数"}
        nodes = [(flag, parse(flag.when, tiers | measures | set(FLAG_NAMES), True)) for flag in self.profile.flags]
        wanted = {n for _, node in nodes for n in node.names if n in measures - set(frame.columns)}
        if wanted:
            values = self.measure_values(wanted, None, period.start, period.end).drop("month")
            frame = frame.join(values, on="unit_id", how="left").with_columns(
                [pl.col(n).fill_null(0) for n in wanted if self.measure_spec(n).kind != "ratio"])
        column = (lambda name: pl.col(name) if name in frame.columns or name not in tiers
                  else pl.col(self.tier_column(name)))
        frame = frame.with_columns([pl.when(to_polars(node, column).fill_null(False)).then(pl.lit("是"))
                                    .otherwise(pl.lit("")).alias(flag.name) for flag, node in nodes])
        return frame.drop([n for n in wanted if n not in {f.name for f, _ in nodes}])


def _quarters_in(period: Period) -> list[Period]:
    """The quarters a period overlaps, each cut to the period (whole ones stay quarters)."""
    out = []
    for year in range(period.start.year, period.end.year + 1):
        for q in Period.year(year).quarters():
            if q.end < period.start or q.start > period.end:
                continue
            if q.start >= period.start and q.end <= period.end:
                out.append(q)
            else:
                out.append(Period.between(max(q.start, period.start), min(q.end, period.end)))
    return out
