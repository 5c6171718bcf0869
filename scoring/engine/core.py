"""The scoring engine: stored events + units + rule versions -> scored events -> totals -> ranks.

Pure functions over Polars frames do the rules; `Engine` only fetches their inputs from the
store (which aggregates events per unit, item and rule version first, so the cost of scoring
and of a what-if does not grow with the number of events).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from scoring.profile import settings as settings_mod
from scoring.engine.periods import Period, month_end
from scoring.engine.policies import (above_and_base, by_period, highest_only, quota_ladder, split_late_solicited,  # noqa: F401
                       tracked_months, tracked_periods, unit_month_quotas, untracked_between)
from scoring.profile import Profile, QuotaPolicy, default_profile
from scoring.engine.rematch import ensure_matched
from scoring.profile.rules import RuleBook, build_rulebook, effective_dates
from scoring.profile.units import UnitBook


def today_in(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


# --------------------------------------------------------------------------------------------
# Pure rule functions
# --------------------------------------------------------------------------------------------
def points_table(book: RuleBook) -> pl.DataFrame:
    """(vidx, code) -> points, tier, type, clause, name, version: every item of every version."""
    rows = [
        {"vidx": i, "code": item.code, "points_each": float(item.points), "tier": item.tier,
         "type": item.type, "clause": item.clause, "item": item.name, "version": v.version}
        for i, v in enumerate(book.versions) for item in v.items.values()
    ]
    return pl.DataFrame(rows, schema={"vidx": pl.Int32, "code": pl.Utf8, "points_each": pl.Float64,
                                      "tier": pl.Utf8, "type": pl.Utf8, "clause": pl.Utf8,
                                      "item": pl.Utf8, "version": pl.Utf8})


def apply_points(counts: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """counts (unit_id, code, vidx, n) -> + points_each, points = n × points_each, tier …"""
    return (counts.with_columns(pl.col("vidx").cast(pl.Int32))
            .join(table, on=["vidx", "code"], how="left")
            .with_columns((pl.col("n") * pl.col("points_each")).alias("points")))


def rank_within_groups(frame: pl.DataFrame, score: str = "得分", ties: str = "min") -> pl.Series:
    """Ranks within each group by score descending; ties share the better rank, and the next
    rank is 4 after 1, 2, 2 ("min") or 3 ("dense")."""
    return frame.select(pl.col(score).rank(ties, descending=True).over("组别").cast(pl.Int64)).to_series()


# --------------------------------------------------------------------------------------------
# The engine: fetch inputs, compose the rule functions
# --------------------------------------------------------------------------------------------
@dataclass
class Engine:
    store: object
    book: RuleBook
    units: UnitBook
    settings: dict
    as_of: date
    waived: set[tuple[int, date]] = field(default_factory=set)
    profile: Profile = field(default_factory=default_profile, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, store, as_of: date | None = None, overrides: dict[str, float] | None = None) -> "Engine":
        with store.session():  # one connection for all of it: opening one costs tens of milliseconds
            profile = store.profile
            conf = settings_mod.merged(store.stored_settings(), profile)
            book = rulebook_for(store)
            ensure_matched(store, book)
            waivers = store.waivers()
            units = store.unit_book()
        if overrides:
            book = book.with_overrides(overrides)
        return cls(store=store, book=book, units=units, settings=conf,
                   as_of=as_of or today_in(conf["timezone"]),
                   waived={(r[0], r[1]) for r in waivers.select("unit_id", "month").iter_rows()}, profile=profile)

    def with_overrides(self, overrides: dict[str, float]) -> "Engine":
        """A what-if engine sharing this one's fetched inputs (the store is not touched)."""
        return Engine(self.store, self.book.with_overrides(overrides), self.units, self.settings,
                      self.as_of, self.waived, self.profile, self._cache)

    def _memo(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # -- inputs -------------------------------------------------------------------------------
    def _read_inputs(self, *periods: Period) -> None:
        """Fetch what scoring these periods needs and is not cached yet, over one connection:
        per period the counts and the monthly 报送 up to its end (one scan gives both when
        neither is cached) and the 约稿逾期 rows of its year."""
        bounds = tuple(self.book.boundaries)
        wanted = [(p, ("counts", p.start, p.end, bounds), ("monthly", p.end)) for p in periods]
        if all(c in self._cache and m in self._cache and ("late", p.start, p.end) in self._cache
               for p, c, m in wanted):
            return
        with self.store.session():
            for p, counts, monthly in wanted:
                if counts not in self._cache and monthly not in self._cache:
                    self._cache[counts], self._cache[monthly] = self.store.counts_and_monthly(
                        p.start, p.end, list(bounds), self.profile.submission_code)
                self._counts(p.start, p.end)
                self.monthly(p.end)
                self._late_rows(p.start, p.end)

    def _counts(self, start: date, end: date) -> pl.DataFrame:
        bounds = self.book.boundaries
        return self._memo(("counts", start, end, tuple(bounds)),
                          lambda: self.store.code_counts(start, end, bounds, self.profile.submission_code))

    def monthly(self, until: date, counted: str | None = None) -> pl.DataFrame:
        """Counted rows per unit and month up to `until` (of the first quota's item by default)."""
        if counted is None or counted == self.profile.submission_code:
            return self._memo(("monthly", until),
                              lambda: self.store.monthly_submissions(until, self.profile.submission_code))
        return self._memo(("monthly", until, counted), lambda: self.store.monthly_submissions(until, counted))

    def _late_rows(self, start: date, end: date) -> pl.DataFrame:
        late = self.profile.late
        if late is None:
            return pl.DataFrame(schema={"id": pl.Int64, "unit_id": pl.Int32, "day": pl.Date, "code": pl.Utf8})
        first = date(start.year, 1, 1)  # the order within the year decides first or repeat
        return self._memo(("late", start, end), lambda: split_late_solicited(
            self.store.code_rows(late.item, first, end), late.item, late.repeat).filter(pl.col("day") >= start))

    # -- derived ------------------------------------------------------------------------------
    def quota_status(self, until: date) -> pl.DataFrame:
        """Every tracked unit-month of the first quota up to `until`: count vs quota, status and
        the deduction code (empty when the profile has no quota)."""
        if not self.profile.quotas:
            return quota_ladder(pl.DataFrame(schema={"unit_id": pl.Int32, "month": pl.Date, "n": pl.Int64}),
                                [], self.units, set(), 1.0, ("", ""), {})
        return self.policy_status(self.profile.quotas[0], until)

    def policy_status(self, policy: QuotaPolicy, until: date) -> pl.DataFrame:
        """Every tracked unit-period of one quota up to `until` (`month` = the period's first day)."""
        def compute():
            if policy.period == "week":
                monthly = self._memo(("weekly", until, policy.counts),
                                     lambda: self.store.weekly_submissions(until, policy.counts))
            else:
                monthly = self.monthly(until, policy.counts)
            tracked = tracked_periods(monthly, self.as_of, until, policy.period)
            ladder = quota_ladder(
                by_period(monthly, policy.period), tracked, self.units,
                self.waived if policy.period == "month" else set(),  # waivers are per month
                float(self.settings["quota_improvement_share"]), (policy.first, policy.repeat or policy.first),
                self.profile.quota_table(policy), reset_yearly=not policy.across_years,
                breaks=untracked_between(tracked, policy.period) if policy.untracked == "break" else [])
            return ladder if policy.first else ladder.with_columns(pl.lit(None, pl.Utf8).alias("code"))
        return self._memo(("ladder", policy.name, until, self.as_of), compute)

    def _vidx(self, days: pl.Series) -> pl.Series:
        bounds = pl.Series(self.book.boundaries, dtype=pl.Date)
        return bounds.search_sorted(days, side="right").cast(pl.Int32) if len(bounds) else \
            pl.Series([0] * len(days), dtype=pl.Int32)

    def quota_deductions(self, period: Period) -> pl.DataFrame:
        """Derived quota deductions (first / repeat) of every quota, dated on the first day of their
        period (a quarter's when the quota is quarterly)."""
        parts = [self.policy_status(p, period.end) for p in self.profile.quotas] or [self.quota_status(period.end)]
        ladder = pl.concat(parts).filter(
            pl.col("code").is_not_null() & (pl.col("month") >= period.start) & (pl.col("month") <= period.end))
        return ladder.with_columns(pl.col("month").alias("day"), self._vidx(ladder["month"]).alias("vidx"))

    def quota_earnings(self, period: Period) -> pl.DataFrame:
        """Derived earned rows (unit_id, code, month, n, vidx): base points for met periods and
        points for items above the quota, of the quotas that give them."""
        parts = []
        for p in self.profile.quotas:
            if p.base or p.above:
                base_each = float(self.book.version_for(period.end).items[p.base].points) if p.base else 0.0
                parts.append(above_and_base(self.policy_status(p, period.end), p.base, base_each, p.base_cap,
                                            p.above, period.start, period.end))
        schema = {"unit_id": pl.Int32, "code": pl.Utf8, "month": pl.Date, "n": pl.Int64}
        earned = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
        return earned.with_columns(self._vidx(earned["month"]).alias("vidx"))

    def _adoption_takebacks(self, period: Period) -> pl.DataFrame:
        """With `adoption: highest`, the points an item's repeated adoptions give back (else none)."""
        schema = {"unit_id": pl.Int32, "code": pl.Utf8, "vidx": pl.Int32, "day": pl.Date, "points": pl.Float64}
        if self.profile.adoption != "highest":
            return pl.DataFrame(schema=schema)

        def compute():
            codes = sorted({c for v in self.book.versions for c, it in v.items.items() if it.type == "采用"})
            rows = self.store.event_rows(date(period.start.year, 1, 1), period.end, codes=codes)
            rows = rows.filter(pl.col("info_id") != "").select("unit_id", "info_id", "code", "day")
            rows = rows.with_columns(self._vidx(rows["day"]).alias("vidx"))
            return highest_only(rows, points_table(self.book)).filter(pl.col("day") >= period.start)
        return compute()

    def _merged_takebacks(self, period: Period) -> pl.DataFrame:
        """With `merged: {share: even | fraction}`, what each unit's 合稿 row gives back of its points."""
        schema = {"unit_id": pl.Int32, "code": pl.Utf8, "vidx": pl.Int32, "day": pl.Date, "points": pl.Float64}
        merged = self.profile.merged
        if merged is None or merged.share == "full":
            return pl.DataFrame(schema=schema)
        year = Period.year(period.start.year)  # the units sharing an 信息编号, wherever in its year
        rows = self.store.event_rows(year.start, max(year.end, period.end), codes=[merged.item])
        rows = rows.filter(pl.col("info_id") != "").with_columns(pl.col("unit_id").n_unique().over("info_id").alias("_k"))
        rows = rows.filter((pl.col("day") >= period.start) & (pl.col("day") <= period.end))
        share = (1.0 / pl.col("_k")) if merged.share == "even" else pl.lit(float(merged.share))
        rows = rows.with_columns(self._vidx(rows["day"]).alias("vidx"))
        return (rows.join(points_table(self.book).select("vidx", "code", "points_each"), on=["vidx", "code"], how="left")
                .with_columns((pl.col("points_each") * (share - 1.0)).alias("points"))
                .select(list(schema)).cast(schema))

    def scored_counts(self, period: Period) -> pl.DataFrame:
        """(unit_id, code, vidx, n, points …) for the period, derived deductions included."""
        self._read_inputs(period)
        late_item = self.profile.late.item if self.profile.late else ""
        counts = self._counts(period.start, period.end).filter(pl.col("code") != late_item)
        late = self._late_rows(period.start, period.end)
        late = late.with_columns(self._vidx(late["day"]).alias("vidx")) \
            .group_by("unit_id", "code", "vidx").agg(pl.len().alias("n"))
        quota = self.quota_deductions(period).group_by("unit_id", "code", "vidx").agg(pl.len().alias("n"))
        schema = {"unit_id": pl.Int32, "code": pl.Utf8, "vidx": pl.Int32, "n": pl.Int64}
        parts = [f.select(list(schema)).cast(schema) for f in (counts, late, quota)]
        if any(p.base or p.above for p in self.profile.quotas):
            earned = self.quota_earnings(period).group_by("unit_id", "code", "vidx").agg(pl.col("n").sum())
            parts.append(earned.select(list(schema)).cast(schema))
        table = points_table(self.book)
        scored = apply_points(pl.concat(parts), table)
        takeback = pl.concat([self._adoption_takebacks(period), self._merged_takebacks(period)])
        if takeback.height:
            back = (takeback.group_by("unit_id", "code", "vidx").agg(pl.col("points").sum())
                    .join(table, on=["vidx", "code"], how="left").with_columns(pl.lit(0, pl.Int64).alias("n")))
            scored = pl.concat([scored, back.select(scored.columns)])
        return scored

    # -- totals and ranks ----------------------------------------------------------------------
    def totals(self, period: Period) -> pl.DataFrame:
        """Per unit: raw sum, points per tier, 报送数, adoptions per tier, 批示数."""
        scored = self.scored_counts(period)
        hidden = [t.name for t in self.profile.tiers if not t.column]
        adopted = pl.col("type") == "采用"

        def where(cond: pl.Expr, column: str) -> pl.Expr:  # masked columns sum faster than filters per group
            return pl.when(cond).then(pl.col(column)).otherwise(0)

        tiers = (scored.filter(~pl.col("tier").is_in(hidden))
                 .group_by("unit_id").agg(
                     pl.col("points").sum().alias("原始得分"),
                     *[where(pl.col("tier") == t, "points").sum().alias(t) for t in self.profile.score_tiers],
                     where(adopted, "n").sum().alias("采用数"),
                     *[where(adopted & (pl.col("tier") == t), "n").sum().alias(c)
                       for t, c in self.profile.adoption_tiers.items()],
                     where(pl.col("type") == "批示", "n").sum().alias("批示数")))
        subs = (scored.filter(pl.col("code") == self.profile.submission_code)
                .group_by("unit_id").agg(pl.col("n").sum().alias("报送数")))
        return tiers.join(subs, on="unit_id", how="full", coalesce=True)

    def unit_frame(self, period: Period) -> pl.DataFrame:
        """Every unit active in the period, with its ranking group (membership on the last day)."""
        return self.units.ranking_frame(period.start, period.end)

    def ranking(self, period: Period, cumulative: bool = True) -> pl.DataFrame:
        """The group ranking: every active unit (zeros included), score floored at zero when the
        profile says so (the shipped 办法: 三(二)3), ranks by the profile's tie rule within the group, ties
        listed in the official unit order."""
        adoption_columns = list(self.profile.adoption_tiers.values())
        numeric = ["原始得分", *self.profile.score_tiers, "采用数", *adoption_columns, "批示数", "报送数"]
        ytd = Period.ytd(period.end.year, period.end)
        self._read_inputs(period, *([ytd] if cumulative and ytd.start != period.start else []))
        frame = (self.unit_frame(period)
                 .join(self.totals(period), on="unit_id", how="left")
                 .with_columns([pl.col(c).fill_null(0) for c in numeric])
                 .with_columns(pl.col("报送数").cast(pl.Int64), pl.col("采用数").cast(pl.Int64),
                               pl.col("批示数").cast(pl.Int64),
                               *[pl.col(c).cast(pl.Int64) for c in adoption_columns])
                 .with_columns(self._floored("原始得分").alias("得分"))
                 .with_columns(self._zeroed(period, "得分"))
                 .with_columns(pl.when(pl.col("报送数") > 0)
                               .then(pl.col("采用数") / pl.col("报送数")).otherwise(None).alias("采用率")))
        frame = frame.with_columns(rank_within_groups(frame, ties=self.profile.ties).alias("排名"))
        if cumulative:
            if ytd.start == period.start:
                frame = frame.with_columns(pl.col("得分").alias("累计得分"))
            else:
                acc = self.totals(ytd).select("unit_id", self._floored("原始得分").alias("累计得分")) \
                    .with_columns(self._zeroed(ytd, "累计得分"))
                frame = frame.join(acc, on="unit_id", how="left").with_columns(pl.col("累计得分").fill_null(0.0))
        order = {g: i for i, g in enumerate(self.profile.group_codes)}  # groups in the profile's order
        frame = frame.sort(pl.col("组别").replace_strict(order, default=len(order), return_dtype=pl.Int64),
                           "组别", "排名", "序号")
        return frame.select(
            "组别", "排名", "单位", "报送数", "得分", *[c for c in frame.columns if c not in
                                                   ("组别", "排名", "单位", "报送数", "得分")])

    def _zeroed(self, period: Period, column: str) -> pl.Expr:
        """A year (or year to date) of a unit with `zero_after` late drafts or more scores zero."""
        late = self.profile.late
        if not late or not late.zero_after or period.start != date(period.end.year, 1, 1):
            return pl.col(column)
        rows = self._late_rows(period.start, period.end)  # the year's: the period starts on 1 January
        out = rows.group_by("unit_id").len().filter(pl.col("len") >= late.zero_after)["unit_id"].to_list()
        return pl.when(pl.col("unit_id").is_in(out)).then(0.0).otherwise(pl.col(column)).alias(column)

    def _floored(self, column: str) -> pl.Expr:
        return pl.max_horizontal(pl.col(column), pl.lit(0.0)) if self.profile.floor else pl.col(column).cast(pl.Float64)

    def compare(self, period: Period, overrides: dict[str, float], base: dict | None = None) -> pl.DataFrame:
        """What-if side by side per unit, nothing stored: score and rank under `base` (another
        what-if; default the rules in force) vs under `overrides`."""
        now = (self.with_overrides(base) if base else self).ranking(period, cumulative=False).select(
            "组别", "单位", "序号", "得分", "排名")
        then = self.with_overrides(overrides).ranking(period, cumulative=False).select(
            "单位", pl.col("得分").alias("试算得分"), pl.col("排名").alias("试算排名"))
        return (now.join(then, on="单位")
                .with_columns((pl.col("排名") - pl.col("试算排名")).alias("名次变化"),
                              (pl.col("试算得分") - pl.col("得分")).alias("得分变化"))
                .sort(["组别", "试算排名", "序号"]))

    # -- explanations --------------------------------------------------------------------------
    def scored_events(self, period: Period, unit_ids: list[int] | None = None) -> pl.DataFrame:
        """Every event with its item, points, clause and rule version; derived deductions with
        their reason. This is the “why” behind each score."""
        with self.store.session():
            events = self.store.event_rows(period.start, period.end, unit_ids)
            late = self._late_rows(period.start, period.end).select("id", pl.col("code").alias("_late"))
            quota = self.quota_deductions(period)
        events = (events.join(late, on="id", how="left")
                  .with_columns(pl.coalesce("_late", "code").alias("code"), self._vidx(events["day"]).alias("vidx"))
                  .drop("_late"))
        table = points_table(self.book)
        scored = events.join(table, on=["vidx", "code"], how="left").rename({"points_each": "points"})
        if unit_ids is not None:
            quota = quota.filter(pl.col("unit_id").is_in(unit_ids))
        derived = (quota.join(table, on=["vidx", "code"], how="left")
                   .with_columns(pl.lit(None, pl.Int64).alias("id"), pl.lit("扣分").alias("kind"),
                                 pl.format("{}月报送 {} 条，低于任务数 {} 条（{}）", pl.col("month").dt.month(),
                                           pl.col("n"), pl.col("quota"), pl.col("status")).alias("title"),
                                 pl.lit("系统按月计算").alias("note"))
                   .rename({"points_each": "points"}))
        earned = self.quota_earnings(period)
        if unit_ids is not None:
            earned = earned.filter(pl.col("unit_id").is_in(unit_ids))
        earned = (earned.join(table, on=["vidx", "code"], how="left")
                  .with_columns(pl.lit(None, pl.Int64).alias("id"), pl.col("type").alias("kind"),
                                pl.col("month").alias("day"), (pl.col("n") * pl.col("points_each")).alias("points"),
                                pl.format("{}（{} 条）", pl.col("item"), pl.col("n")).alias("title"),
                                pl.lit("系统按任务完成情况计算").alias("note")))
        derived = pl.concat([derived, earned.select([c for c in earned.columns if c in derived.columns])],
                            how="diagonal_relaxed")
        names = self.units.table.select("unit_id", "单位")
        out = pl.concat([scored, derived.select([c for c in derived.columns if c in scored.columns])],
                        how="diagonal_relaxed")
        return out.join(names, on="unit_id", how="left").sort(["day", "unit_id"], nulls_last=True)

    def event_points(self, period: Period) -> tuple[list[date], pl.DataFrame, pl.DataFrame]:
        """What scores one stored event, for reads scoring events in the store: the versions' boundaries,
        (vidx, code, points_each) and (id, code) of the period's 约稿逾期 rows (first or repeat)."""
        late = self._late_rows(period.start, period.end).select("id", "code")
        return list(self.book.boundaries), points_table(self.book).select("vidx", "code", "points_each"), late

    def submissions_vs_quota(self, period: Period) -> pl.DataFrame:
        """Monthly 报送 count against the quota per unit in the period, month by month in official unit
        order; a month without a ladder row has not ended (未结束) or had nothing recorded (未统计)."""
        grid = self.units.groups_on(unit_month_quotas(self.units, period.months()), "month")
        ladder = self.quota_status(period.end).select("unit_id", "month", "status", "code")
        return (grid.sort("month", maintain_order=True)
                .join(self.units.table.select("unit_id", "单位"), on="unit_id", how="left", maintain_order="left")
                .join(self.monthly(period.end), on=["unit_id", "month"], how="left", maintain_order="left")
                .join(ladder, on=["unit_id", "month"], how="left", maintain_order="left")
                .select("unit_id", "单位", "组别", pl.col("month").alias("月份"), pl.col("n").fill_null(0).alias("报送数"),
                        pl.col("quota").alias("任务数"),
                        pl.coalesce("status", pl.when(pl.col("month").dt.offset_by("1mo") > self.as_of)
                                    .then(pl.lit("未结束")).otherwise(pl.lit("未统计"))).alias("状态"),
                        pl.col("code").alias("扣分代码"))
                .cast({"unit_id": pl.Int32, "报送数": pl.Int64, "任务数": pl.Int64, "扣分代码": pl.Utf8}))


def ranking_for(store, period: Period, as_of: date | None = None,
                overrides: dict[str, float] | None = None) -> pl.DataFrame:
    """Open an engine and rank one period over a single connection (what `python -m scoring rank`
    does): opening a DuckDB connection costs tens of milliseconds, a county ranking about as much."""
    with store.session():
        engine = Engine.open(store, as_of=as_of)
        if overrides:
            engine = engine.with_overrides(overrides)
        return engine.ranking(period)


def rulebook_for(store) -> RuleBook:
    """The profile's rule files plus versions saved in this database: versions pair by the
    effective date they state (not their file name), and a saved one wins on its date."""
    profile = store.profile
    saved = store.saved_rule_sources()
    saved_dates = {eff for eff, _, _ in effective_dates(saved)}
    files = [(n, t) for eff, n, t in effective_dates(profile.rule_files()) if eff not in saved_dates]
    return build_rulebook(files + saved, profile.vocabulary)
