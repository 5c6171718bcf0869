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

from . import settings as settings_mod
from .periods import Period, month_end, next_month
from .profile import Profile, default_profile
from .rematch import ensure_matched
from .rules import RuleBook, build_rulebook, effective_dates
from .units import UnitBook


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


def tracked_months(monthly: pl.DataFrame, as_of: date, until: date) -> list[date]:
    """Months the quota is checked in: some 报送 row is stored in it and it has ended by as_of."""
    months = monthly.filter(pl.col("n") > 0)["month"].unique().sort().to_list()
    return [m for m in months if next_month(m) <= as_of and m <= until]


def unit_month_quotas(units: UnitBook, months: list[date], quotas: dict[str, int] | None = None) -> pl.DataFrame:
    """(unit_id, month, quota) for each unit active in each month with a group then (a month's
    quota follows the membership on its first day, units.quota_on), in official unit order."""
    schema = {"unit_id": pl.Int32, "month": pl.Date, "quota": pl.Int64}
    if not months or not units.units:
        return pl.DataFrame(schema=schema)
    unit_rows = pl.DataFrame({"unit_id": [u.id for u in units.units], "_order": range(len(units.units)),
                              "_from": [u.active_from for u in units.units], "_to": [u.active_to for u in units.units]},
                             schema={"unit_id": pl.Int32, "_order": pl.Int64, "_from": pl.Date, "_to": pl.Date})
    spans = pl.DataFrame([(uid, since, grp) for uid, found in units.memberships.items() for since, grp in found],
                         schema={"unit_id": pl.Int32, "_since": pl.Date, "_group": pl.Utf8}, orient="row")
    return (unit_rows.join(pl.DataFrame({"month": months}, schema={"month": pl.Date}), how="cross")
            .filter((pl.col("_from") <= pl.col("month")) & (pl.col("_to").is_null() | (pl.col("month") <= pl.col("_to"))))
            .sort("month")  # both sides sorted on the dates, as join_asof needs (within each unit too)
            .join_asof(spans.sort("_since"), left_on="month", right_on="_since", by="unit_id",
                       strategy="backward", check_sortedness=False)
            .filter(pl.col("_group").is_not_null())
            .sort("_order", "month")
            .select("unit_id", "month", pl.col("_group").replace_strict(units.quotas if quotas is None else quotas,
                                                                        return_dtype=pl.Int64).alias("quota")))


def quota_ladder(monthly: pl.DataFrame, months: list[date], units: UnitBook,
                 waived: set[tuple[int, date]], improvement_share: float = 1.0,
                 codes: tuple[str, str] | None = None) -> pl.DataFrame:
    """The deduction ladder of a quota (the shipped 办法: 三(二)1): a run of months below quota scores its
    first month as codes[0] (−30, with a 提醒函) and each later one as codes[1] (−50); a month at
    quota ends the run; a waived month is skipped entirely. codes default to the default
    profile's first quota policy.

    With improvement_share < 1, a month after a reminder that reaches that share of the quota
    counts as “较大改变”: no −50, and the run ends.

    Worked on whole columns (a province has thousands of units). Going through a unit's
    months in order, one is “in a run” when the month before (waived months skipped) was
    short (−30 or −50). A month at quota is never short, one below the share always is; one in
    between (较大改变 when in a run, else −30) is short exactly when the month before was not,
    so along consecutive in-between months shortness alternates, starting from the month
    before them.
    """
    if codes is None:
        policy = default_profile().quotas[0]
        codes = (policy.first, policy.repeat or policy.first)
    grid = (unit_month_quotas(units, months)
            .join(monthly.select("unit_id", "month", "n"), on=["unit_id", "month"], how="left", maintain_order="left")
            .with_columns(pl.col("n").fill_null(0).cast(pl.Int64)))
    waived_rows = pl.DataFrame(list(waived), schema={"unit_id": pl.Int32, "month": pl.Date}, orient="row")
    grid = grid.join(waived_rows.with_columns(pl.lit(True).alias("_waived")), on=["unit_id", "month"],
                     how="left", maintain_order="left").with_columns(pl.col("_waived").fill_null(False))
    met = pl.col("n") >= pl.col("quota")
    between = ~met & (pl.col("n") >= improvement_share * pl.col("quota"))
    below = ~met & ~between
    counted = (grid.filter(~pl.col("_waived"))
               .with_columns(_between=between, _below=below, _i=pl.int_range(pl.len()))
               # each stretch of in-between months: the month before it (row, and whether it was short)
               .with_columns(_before=pl.when(~pl.col("_between")).then(pl.col("_i")).forward_fill().over("unit_id"),
                             _before_short=pl.when(~pl.col("_between")).then(pl.col("_below"))
                             .forward_fill().over("unit_id").fill_null(False),
                             _unit_start=pl.col("_i").first().over("unit_id"))
               .with_columns(_k=pl.col("_i") - pl.coalesce("_before", pl.col("_unit_start") - 1) - 1)  # 0, 1, … in it
               .with_columns(_short=pl.when(pl.col("_between"))
                             .then(pl.col("_before_short") ^ (pl.col("_k") % 2 == 0))
                             .otherwise(pl.col("_below")))
               .with_columns(_in_run=pl.col("_short").shift(1).over("unit_id").fill_null(False))
               .select("unit_id", "month", "_in_run"))
    in_run = pl.col("_in_run")
    return (grid.join(counted, on=["unit_id", "month"], how="left", maintain_order="left")
            .with_columns(
                pl.when(pl.col("_waived") | met | (between & in_run)).then(None)
                .when(in_run).then(pl.lit(codes[1])).otherwise(pl.lit(codes[0])).alias("code"),
                pl.when(pl.col("_waived")).then(pl.lit("豁免")).when(met).then(pl.lit("达标"))
                .when(between & in_run).then(pl.lit("较大改变"))
                .when(in_run).then(pl.lit("未达标（经提醒仍未改变）")).otherwise(pl.lit("未达标")).alias("status"))
            .select("unit_id", "month", "quota", "n", pl.col("code").cast(pl.Utf8), "status"))


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

    def monthly(self, until: date) -> pl.DataFrame:
        return self._memo(("monthly", until),
                          lambda: self.store.monthly_submissions(until, self.profile.submission_code))

    def _late_rows(self, start: date, end: date) -> pl.DataFrame:
        late = self.profile.late
        if late is None:
            return pl.DataFrame(schema={"id": pl.Int64, "unit_id": pl.Int32, "day": pl.Date, "code": pl.Utf8})
        first = date(start.year, 1, 1)  # the order within the year decides first or repeat
        return self._memo(("late", start, end), lambda: split_late_solicited(
            self.store.code_rows(late.item, first, end), late.item, late.repeat).filter(pl.col("day") >= start))

    # -- derived ------------------------------------------------------------------------------
    def quota_status(self, until: date) -> pl.DataFrame:
        """Every tracked unit-month up to `until`: count vs quota, status and the deduction code."""
        def compute():
            monthly = self.monthly(until)
            months = tracked_months(monthly, self.as_of, until)
            policy = self.profile.quotas[0] if self.profile.quotas else None
            codes = (policy.first, policy.repeat or policy.first) if policy else ("", "")
            ladder = quota_ladder(monthly, months if policy else [], self.units, self.waived,
                                  float(self.settings["quota_improvement_share"]), codes)
            return ladder if policy and policy.first else ladder.with_columns(pl.lit(None, pl.Utf8).alias("code"))
        return self._memo(("ladder", until, self.as_of), compute)
        return self._memo(("ladder", until, self.as_of), compute)

    def _vidx(self, days: pl.Series) -> pl.Series:
        bounds = pl.Series(self.book.boundaries, dtype=pl.Date)
        return bounds.search_sorted(days, side="right").cast(pl.Int32) if len(bounds) else \
            pl.Series([0] * len(days), dtype=pl.Int32)

    def quota_deductions(self, period: Period) -> pl.DataFrame:
        """Derived quota deductions (first / repeat) dated on the first day of their month."""
        ladder = self.quota_status(period.end).filter(
            pl.col("code").is_not_null() & (pl.col("month") >= period.start) & (pl.col("month") <= period.end))
        return ladder.with_columns(pl.col("month").alias("day"), self._vidx(ladder["month"]).alias("vidx"))

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
        return apply_points(pl.concat(parts), points_table(self.book))

    # -- totals and ranks ----------------------------------------------------------------------
    def totals(self, period: Period) -> pl.DataFrame:
        """Per unit: raw sum, points per tier, 报送数, adoptions per tier, 批示数."""
        scored = self.scored_counts(period)
        hidden = [t.name for t in self.profile.tiers if not t.column]
        tiers = (scored.filter(~pl.col("tier").is_in(hidden))
                 .group_by("unit_id").agg(
                     pl.col("points").sum().alias("原始得分"),
                     *[pl.col("points").filter(pl.col("tier") == t).sum().alias(t) for t in self.profile.score_tiers],
                     pl.col("n").filter(pl.col("type") == "采用").sum().alias("采用数"),
                     *[pl.col("n").filter((pl.col("type") == "采用") & (pl.col("tier") == t)).sum().alias(c)
                       for t, c in self.profile.adoption_tiers.items()],
                     pl.col("n").filter(pl.col("type") == "批示").sum().alias("批示数")))
        subs = (scored.filter(pl.col("code") == self.profile.submission_code)
                .group_by("unit_id").agg(pl.col("n").sum().alias("报送数")))
        return tiers.join(subs, on="unit_id", how="full", coalesce=True)

    def unit_frame(self, period: Period) -> pl.DataFrame:
        """Every unit active in the period, with its ranking group (membership on the last day)."""
        rows = [{"unit_id": u.id, "单位": u.name, "组别": self.units.ranking_group(u, period.end), "序号": u.order}
                for u in self.units.active_between(period.start, period.end)]
        return pl.DataFrame(rows, schema={"unit_id": pl.Int32, "单位": pl.Utf8, "组别": pl.Utf8, "序号": pl.Int64})

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
                 .with_columns(pl.when(pl.col("报送数") > 0)
                               .then(pl.col("采用数") / pl.col("报送数")).otherwise(None).alias("采用率")))
        frame = frame.with_columns(rank_within_groups(frame, ties=self.profile.ties).alias("排名"))
        if cumulative:
            if ytd.start == period.start:
                frame = frame.with_columns(pl.col("得分").alias("累计得分"))
            else:
                acc = self.totals(ytd).select("unit_id", self._floored("原始得分").alias("累计得分"))
                frame = frame.join(acc, on="unit_id", how="left").with_columns(pl.col("累计得分").fill_null(0.0))
        return frame.sort(["组别", "排名", "序号"]).select(
            "组别", "排名", "单位", "报送数", "得分", *[c for c in frame.columns if c not in
                                                   ("组别", "排名", "单位", "报送数", "得分")])

    def _floored(self, column: str) -> pl.Expr:
        return pl.max_horizontal(pl.col(column), pl.lit(0.0)) if self.profile.floor else pl.col(column).cast(pl.Float64)

    def compare(self, period: Period, overrides: dict[str, float]) -> pl.DataFrame:
        """What-if side by side: current vs overridden score and rank per unit, nothing stored."""
        now = self.ranking(period, cumulative=False).select("组别", "单位", "序号", "得分", "排名")
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
        names = pl.DataFrame({"unit_id": [u.id for u in self.units.units], "单位": [u.name for u in self.units.units]},
                             schema={"unit_id": pl.Int32, "单位": pl.Utf8})
        out = pl.concat([scored, derived.select([c for c in derived.columns if c in scored.columns])],
                        how="diagonal_relaxed")
        return out.join(names, on="unit_id", how="left").sort(["day", "unit_id"], nulls_last=True)

    def submissions_vs_quota(self, period: Period) -> pl.DataFrame:
        """Monthly 报送 count against the quota per unit in the period (ended months and current)."""
        monthly = self.monthly(period.end)
        rows = []
        counts = {(r[0], r[1]): r[2] for r in monthly.iter_rows()}
        ladder = self.quota_status(period.end)
        status = {(r[0], r[1]): (r[2], r[3]) for r in ladder.select("unit_id", "month", "status", "code").iter_rows()}
        for month in period.months():
            for unit in self.units.units:
                quota = self.units.quota_on(unit.id, month) if unit.active_on(month) else None
                if quota is None:
                    continue
                st, code = status.get((unit.id, month), ("未结束" if next_month(month) > self.as_of else "未统计", None))
                rows.append({"unit_id": unit.id, "单位": unit.name, "组别": self.units.group_on(unit.id, month),
                             "月份": month, "报送数": counts.get((unit.id, month), 0), "任务数": quota,
                             "状态": st, "扣分代码": code})
        return pl.DataFrame(rows, schema={"unit_id": pl.Int32, "单位": pl.Utf8, "组别": pl.Utf8, "月份": pl.Date,
                                          "报送数": pl.Int64, "任务数": pl.Int64, "状态": pl.Utf8, "扣分代码": pl.Utf8})


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
