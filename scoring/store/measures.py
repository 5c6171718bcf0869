"""Reads behind a profile's tasks, conditions and measures: counts of chosen items per unit and
month (or week), and distinct 信息编号 per unit and period. Codes and bucket sizes are bound
parameters; every statement's text is fixed."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.store.queries import _MONTH_NUMBER, _month_date, _version_index_sql


class MeasuresMixin:
    def monthly_counts(self, until: date, codes: list[str]) -> pl.DataFrame:
        """(unit_id, month, n): live rows of these items per unit and month, all history up to `until`
        (a task's run of short periods may cross years)."""
        return self.frame(f"""SELECT unit_id, {_MONTH_NUMBER} AS month, count(*) AS n FROM events
            WHERE NOT withdrawn AND list_contains(?, code) AND day <= ? GROUP BY ALL""",
                          [list(codes), until]).with_columns(_month_date(pl.col("month")).alias("month"))

    def weekly_counts(self, until: date, codes: list[str]) -> pl.DataFrame:
        """(unit_id, month = the week's Monday, n): live rows of these items per unit and week."""
        return self.frame("""SELECT unit_id, CAST(date_trunc('week', day) AS DATE) AS month, count(*) AS n
            FROM events WHERE NOT withdrawn AND list_contains(?, code) AND day <= ? GROUP BY ALL""",
                          [list(codes), until])

    def monthly_rows(self, until: date) -> pl.DataFrame:
        """(month, n): live rows of any item per month county-wide (which periods have records at all)."""
        return self.frame(f"""SELECT {_MONTH_NUMBER} AS month, count(*) AS n FROM events
            WHERE NOT withdrawn AND day <= ? GROUP BY ALL""", [until]).with_columns(_month_date(pl.col("month")).alias("month"))

    def monthly_code_counts(self, start: date, end: date, boundaries: list[date]) -> pl.DataFrame:
        """(unit_id, code, vidx, month, n, w, own): live rows per unit, item, rule version and month in
        [start, end]; w sums the rows' weights (factors) of rows whose points the item gives, own the
        weighted points of rows whose points the editor chose."""
        vidx, params = _version_index_sql(boundaries)
        return self.frame(f"""SELECT unit_id, code, CAST({vidx} AS INTEGER) AS vidx, {_MONTH_NUMBER} AS month,
                   count(*) AS n, sum(CASE WHEN pick IS NULL THEN weight ELSE 0 END) AS w,
                   sum(CASE WHEN pick IS NULL THEN 0 ELSE weight * pick END) AS own
            FROM events WHERE NOT withdrawn AND day BETWEEN ? AND ? GROUP BY ALL""",
                          [*params, start, end]).with_columns(_month_date(pl.col("month")).alias("month"))

    def distinct_counts(self, start: date, end: date, codes: list[str], months: int) -> pl.DataFrame:
        """(unit_id, month = the first month of its period, n): distinct 信息编号 among live rows of these
        items per unit and period of `months` months (aligned on January; 0: all of [start, end] as one
        period, month null); a row without an 信息编号 counts on its own."""
        return self.frame(f"""SELECT unit_id, (({_MONTH_NUMBER}) // nullif(?, 0)) * ? AS month,
                   count(DISTINCT CASE WHEN info_id = '' THEN 'row:' || id ELSE info_id END) AS n
            FROM events WHERE NOT withdrawn AND list_contains(?, code) AND day BETWEEN ? AND ? GROUP BY ALL""",
                          [months, months, list(codes), start, end]).with_columns(
            _month_date(pl.col("month")).alias("month"))
