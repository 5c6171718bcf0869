"""Measures (profile.yaml `measures`, and the built-in names): per-unit values over periods.

A count measure counts register rows of chosen types, items or tiers (distinct 信息编号 when asked);
a points measure sums the points of chosen tiers' (non-derived) items; a ratio divides two
measures (undefined where the denominator is 0). The built-in names are every tier (its points),
报送数, 采用数 and 批示数 (rows of items of that type), unless the profile defines them itself.
Values come from one read per window of per unit × item × version × month counts.
"""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.engine.exact import POINTS, ratio
from scoring.engine.policies import period_start
from scoring.profile.constructs import PERIOD_MONTHS, Measure

BUILT_IN_TYPES = {"报送数": "报送", "采用数": "采用", "批示数": "批示"}


class MeasuresMixin:
    def measure_spec(self, name: str) -> Measure:
        """The profile's measure of that name, or the built-in one."""
        own = self.profile.measure(name)
        if own is not None:
            return own
        if name in BUILT_IN_TYPES:
            return Measure(name, "count", types=(BUILT_IN_TYPES[name],))
        return Measure(name, "points", tiers=(name,))

    def measure_codes(self, spec: Measure) -> list[str]:
        """The (non-derived) items a count or points measure takes rows of, in every rule version."""
        return sorted({code for v in self.book.versions for code, item in v.items.items() if not item.derived
                       and (code in spec.items or item.type in spec.types or item.tier in spec.tiers)})

    def _cells(self, start: date, end: date) -> pl.DataFrame:
        """(unit_id, code, vidx, month, n, w, own) of the live rows in [start, end] (no points: the
        cache is shared with what-ifs)."""
        return self._memo(("cells", start, end, tuple(self.book.boundaries)), lambda: self.store.monthly_code_counts(
            start, end, self.book.boundaries).with_columns(pl.col("vidx").cast(pl.Int32)))

    def measure_values(self, names: set[str], period: str | None, start: date, end: date) -> pl.DataFrame:
        """(unit_id, month, one column per name): the measures per unit and period of this length in
        [start, end] (`month` = the period's first day); period None: [start, end] as one period
        (month = start). Units without rows have no line (0 for counts and points)."""
        specs = {}
        for name in names:
            spec = self.measure_spec(name)
            specs[name] = spec
            for part in spec.parts:
                specs.setdefault(part, self.measure_spec(part))
        bucket = period_start(pl.col("month"), period) if period else pl.lit(start, pl.Date)
        cells = (self._cells(start, end).with_columns(bucket.alias("month"))
                 .join(self.points_each(), on=["vidx", "code"], how="left")
                 .with_columns((pl.col("w").cast(POINTS) * pl.col("points_each") + pl.col("own").cast(POINTS))
                               .alias("points")))
        out = None
        for name, spec in specs.items():
            if spec.kind == "ratio":
                continue
            codes = self.measure_codes(spec)
            if spec.distinct:
                months = PERIOD_MONTHS[period] if period else 0
                found = self.store.distinct_counts(start, end, codes, months)
                if not period:
                    found = found.with_columns(pl.lit(start, pl.Date).alias("month"))
                value = found.select("unit_id", "month", pl.col("n").cast(POINTS).alias(name))
            else:
                column = "n" if spec.kind == "count" else "points"
                value = (cells.filter(pl.col("code").is_in(codes)).group_by("unit_id", "month")
                         .agg(pl.col(column).sum().cast(POINTS).alias(name)))
            out = value if out is None else out.join(value, on=["unit_id", "month"], how="full", coalesce=True)
        if out is None:
            out = cells.select("unit_id", "month").unique()
        out = out.with_columns([pl.col(n).fill_null(0) for n, s in specs.items() if s.kind != "ratio"])
        ratios = [ratio(pl.col(s.parts[0]), pl.col(s.parts[1])).alias(n) for n, s in specs.items() if s.kind == "ratio"]
        return out.with_columns(ratios) if ratios else out

    def measure_history(self, name: str, period: str, until: date) -> pl.DataFrame:
        """(unit_id, month, n): one measure per unit and period of this length, all history to `until`."""
        def compute():
            first = self._memo(("first day",), lambda: self.store.event_span()[0]) or until
            return self.measure_values({name}, period, date(first.year, 1, 1), until).select(
                "unit_id", "month", pl.col(name).alias("n"))
        return self._memo(("measure history", name, period, until, self.rules_key), compute)
