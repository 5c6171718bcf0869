"""Why each number is what it is: every event of a period with its item, points, clause and rule
version, and every derived row (a task's outcome, a condition) with a sentence saying what the
unit did against what, in which period."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.engine import numbers
from scoring.engine.exact import POINTS
from scoring.engine.periods import Period
from scoring.engine.points import points_table
from scoring.profile.constructs import PERIOD_WORDS

_QUARTERS = "一二三四"


def period_label(start: date, period: str) -> str:
    """A derived row's period in words: 3月, 1–2月, 第一季度, 上半年, 2025年, 3月3日起一周."""
    if period == "month":
        return f"{start.month}月"
    if period == "two_months":
        return f"{start.month}–{start.month + 1}月"
    if period == "quarter":
        return f"第{_QUARTERS[(start.month - 1) // 3]}季度"
    if period == "half":
        return "上半年" if start.month <= 6 else "下半年"
    if period == "year":
        return f"{start.year}年"
    if period == "week":
        return f"{start.month}月{start.day}日起一周"
    return PERIOD_WORDS.get(period, period)


class ExplainMixin:
    def _unit_word(self, task_name: str) -> str:
        """条 for a task counting rows, 分 for one on points, nothing for other measures."""
        task = next((q for q in self.profile.quotas if q.name == task_name), None)
        if task is None or not task.measure:
            return "条"
        spec = self.measure_spec(task.measure)
        return "分" if spec.kind == "points" else ("条" if spec.kind == "count" else "")

    def _derived_title(self, row: dict, item: str) -> str:
        label = period_label(row["month"], row["period"])
        if row["value"] is None:  # a condition
            return f"{label}{row['task']}：{row['status']}" if row["task"] else f"{label}{item}"
        unit = self._unit_word(row["task"])
        value, quota, n = (numbers.text(row[k]) for k in ("value", "quota", "n"))
        code = row["code"]
        task = next((q for q in self.profile.quotas if q.name == row["task"]), None)
        if task is not None and code in (task.first, task.repeat):
            if row["period"] == "month" and unit == "条":  # the words the 通报 and the tests know
                return f"{row['month'].month}月报送 {value} 条，低于任务数 {quota} 条（{row['status']}）"
            return f"{label}{row['task']} {value}{unit}，低于任务 {quota}{unit}（{row['status']}）"
        if task is not None and code == task.missing:
            return f"{label}{row['task']} {value}{unit}，少于任务 {quota}{unit}，差 {n}{unit}"
        if task is not None and code == task.above:
            return f"{label}{row['task']} {value}{unit}，超出 {quota}{unit} 共 {n}{unit}"
        if task is not None and code == task.missed:
            return f"{label}未完成{row['task']}（{value}{unit}，任务 {quota}{unit}）"
        return f"{label}完成{row['task']}（{value}{unit}，任务 {quota}{unit}）"

    def scored_events(self, period: Period, unit_ids: list[int] | None = None) -> pl.DataFrame:
        """Every event with its item, points, clause and rule version; derived rows with their reason.
        This is the “why” behind each score."""
        with self.store.session():
            events = self.store.event_rows(period.start, period.end, unit_ids)
            late = self._late_rows(period.start, period.end).select("id", pl.col("code").alias("_late"))
            derived = self.derived_rows(period)
        events = (events.join(late, on="id", how="left")
                  .with_columns(pl.coalesce("_late", "code").alias("code"), self._vidx(events["day"]).alias("vidx"))
                  .drop("_late"))
        table = points_table(self.book)
        scored = (events.join(table, on=["vidx", "code"], how="left")
                  .with_columns((pl.coalesce(pl.col("pick").cast(POINTS), pl.col("points_each"))
                                 * pl.col("weight").cast(POINTS)).cast(POINTS).alias("points"))
                  .drop("points_each", "weight", "pick"))
        if unit_ids is not None:
            derived = derived.filter(pl.col("unit_id").is_in(unit_ids))
        derived = derived.join(table, on=["vidx", "code"], how="left")
        titles = [self._derived_title(r, r["item"]) for r in derived.iter_rows(named=True)]
        derived = derived.with_columns(
            pl.lit(None, pl.Int64).alias("id"), pl.col("type").alias("kind"), pl.col("month").alias("day"),
            (pl.col("n") * pl.col("points_each")).cast(POINTS).alias("points"),
            pl.Series("title", titles, dtype=pl.Utf8),
            pl.when(pl.col("value").is_null()).then(pl.lit("系统按条件计算"))
            .when(pl.col("code").is_in(self._ladder_codes())).then(pl.lit("系统按月计算"))
            .otherwise(pl.lit("系统按任务完成情况计算")).alias("note"))
        names = self.units.table.select("unit_id", "单位")
        out = pl.concat([scored, derived.select([c for c in derived.columns if c in scored.columns])],
                        how="diagonal_relaxed")
        return out.join(names, on="unit_id", how="left").sort(["day", "unit_id"], nulls_last=True)

    def _ladder_codes(self) -> list[str]:
        return [c for q in self.profile.quotas for c in (q.first, q.repeat) if c]

    def event_points(self, period: Period) -> tuple[list[date], pl.DataFrame, pl.DataFrame]:
        """What scores one stored event, for reads scoring events in the store: the versions' boundaries,
        (vidx, code, points_each) and (id, code) of the period's 约稿逾期 rows (first or repeat)."""
        late = self._late_rows(period.start, period.end).select("id", "code")
        return list(self.book.boundaries), points_table(self.book).select("vidx", "code", "points_each"), late
