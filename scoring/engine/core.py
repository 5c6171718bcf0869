"""The scoring engine: stored events + units + rule versions -> scored events -> totals -> ranks.

Pure functions over Polars frames do the rules; `Engine` only fetches their inputs from the
store (which aggregates events per unit, item and rule version first, so the cost of scoring
and of a what-if does not grow with the number of events). Points are exact decimals
(engine/exact.py). Tasks, conditions, measures, the score formula and the explanations are mixins
(tasks.py, conditions.py, measures.py, score.py, explain.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl

from scoring.engine.conditions import ConditionsMixin
from scoring.engine.exact import POINTS
from scoring.engine.explain import ExplainMixin
from scoring.engine.measures import MeasuresMixin
from scoring.engine.periods import Period
from scoring.engine.points import apply_points, points_table, rank_within_groups
from scoring.engine.policies import highest_only, split_late_solicited
from scoring.engine.rematch import ensure_matched
from scoring.engine.score import ScoreMixin
from scoring.engine.tasks import TasksMixin
from scoring.profile import Profile, default_profile
from scoring.profile.rules import RuleBook, build_rulebook, effective_dates
from scoring.profile.units import UnitBook

COUNTS = {"unit_id": pl.Int32, "code": pl.Utf8, "vidx": pl.Int32, "n": POINTS, "w": POINTS, "own": POINTS}


def today_in(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


# --------------------------------------------------------------------------------------------
# The engine: fetch inputs, compose the rule functions
# --------------------------------------------------------------------------------------------
@dataclass
class Engine(TasksMixin, ConditionsMixin, MeasuresMixin, ScoreMixin, ExplainMixin):
    store: object
    book: RuleBook
    units: UnitBook
    settings: dict
    as_of: date
    waived: set[tuple[int, date]] = field(default_factory=set)
    profile: Profile = field(default_factory=default_profile, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, store, as_of: date | None = None, overrides: dict[str, Decimal] | None = None) -> "Engine":
        with store.session():  # one connection for all of it: opening one costs tens of milliseconds
            profile = store.profile
            conf = store.settings()
            book = rulebook_for(store)
            ensure_matched(store, book)
            waivers = store.waivers()
            units = store.unit_book()
        if overrides:
            book = book.with_overrides(overrides)
        return cls(store=store, book=book, units=units, settings=conf,
                   as_of=as_of or today_in(conf["timezone"]),
                   waived={(r[0], r[1]) for r in waivers.select("unit_id", "month").iter_rows()}, profile=profile)

    def with_overrides(self, overrides: dict[str, Decimal]) -> "Engine":
        """A what-if engine sharing this one's fetched inputs (the store is not touched)."""
        return Engine(self.store, self.book.with_overrides(overrides), self.units, self.settings,
                      self.as_of, self.waived, self.profile, self._cache)

    def _memo(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def rules_key(self) -> tuple:
        """What a cached result depending on points is keyed by (what-ifs share the cache)."""
        return tuple(sorted(self.book.overrides.items()))

    def points_each(self) -> pl.DataFrame:
        """(vidx, code, points_each, tier) of this engine's rule book (what-ifs included)."""
        return points_table(self.book).select("vidx", "code", "points_each", "tier")

    @property
    def submission_codes(self) -> list[str]:
        """The items whose rows are 报送数: the profile's own measure of that name, else every
        (non-derived) item of type 报送."""
        return self.measure_codes(self.measure_spec("报送数"))

    # -- inputs -------------------------------------------------------------------------------
    def _read_inputs(self, *periods: Period) -> None:
        """Fetch what scoring these periods needs and is not cached yet, over one connection:
        per period the counts and the monthly rows of the first task's item up to its end (one
        scan gives both when neither is cached) and the 约稿逾期 rows of its year."""
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
        """(unit_id, code, vidx, n, w, own) of the live rows in [start, end]."""
        if self.book.weighted:  # factors or chosen points: the weighted sums are read per month
            return self._memo(("weighted counts", start, end), lambda: self._cells(start, end)
                              .group_by("unit_id", "code", "vidx").agg(pl.col("n").sum(), pl.col("w").sum(),
                                                                       pl.col("own").sum()).cast(COUNTS))
        bounds = self.book.boundaries
        return self._memo(("counts", start, end, tuple(bounds)),
                          lambda: self.store.code_counts(start, end, bounds, self.profile.submission_code))

    def monthly(self, until: date, counted: str | None = None) -> pl.DataFrame:
        """Counted rows per unit and month up to `until` (of the first task's item by default)."""
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

    def _vidx(self, days: pl.Series) -> pl.Series:
        bounds = pl.Series(self.book.boundaries, dtype=pl.Date)
        return bounds.search_sorted(days, side="right").cast(pl.Int32) if len(bounds) else \
            pl.Series([0] * len(days), dtype=pl.Int32)

    def derived_rows(self, period: Period) -> pl.DataFrame:
        """Every task's and condition's derived rows for the period (tasks.DERIVED + vidx)."""
        return self._memo(("derived", period, self.as_of, self.rules_key), lambda: pl.concat(
            [self.task_outcomes(period), self.condition_rows(period)], how="vertical_relaxed"))

    # -- takebacks -----------------------------------------------------------------------------
    def _adoption_takebacks(self, period: Period) -> pl.DataFrame:
        """With `adoption: highest`, the points an item's repeated adoptions give back (else none)."""
        schema = {"unit_id": pl.Int32, "code": pl.Utf8, "vidx": pl.Int32, "day": pl.Date, "points": POINTS}
        if self.profile.adoption != "highest":
            return pl.DataFrame(schema=schema)
        codes = sorted({c for v in self.book.versions for c, it in v.items.items() if it.type == "采用"})
        rows = self.store.event_rows(date(period.start.year, 1, 1), period.end, codes=codes)
        rows = rows.filter(pl.col("info_id") != "").select("unit_id", "info_id", "code", "day")
        rows = rows.with_columns(self._vidx(rows["day"]).alias("vidx"))
        return highest_only(rows, points_table(self.book)).filter(pl.col("day") >= period.start)

    def _merged_takebacks(self, period: Period) -> pl.DataFrame:
        """With `merged: {share: even | fraction}`, what each unit's 合稿 row gives back of its points."""
        schema = {"unit_id": pl.Int32, "code": pl.Utf8, "vidx": pl.Int32, "day": pl.Date, "points": POINTS}
        merged = self.profile.merged
        if merged is None or merged.share == "full":
            return pl.DataFrame(schema=schema)
        year = Period.year(period.start.year)  # the units sharing an 信息编号, wherever in its year
        rows = self.store.event_rows(year.start, max(year.end, period.end), codes=[merged.item])
        rows = rows.filter(pl.col("info_id") != "").with_columns(pl.col("unit_id").n_unique().over("info_id").alias("_k"))
        rows = rows.filter((pl.col("day") >= period.start) & (pl.col("day") <= period.end))
        each = pl.col("points_each")  # divided last: 3 points among 3 units is 1 each, exactly
        kept = each / pl.col("_k").cast(POINTS) if merged.share == "even" else each * pl.lit(merged.share, POINTS)
        rows = rows.with_columns(self._vidx(rows["day"]).alias("vidx"))
        return (rows.join(points_table(self.book).select("vidx", "code", "points_each"), on=["vidx", "code"], how="left")
                .with_columns((kept - each).alias("points"))
                .select(list(schema)).cast(schema))

    def scored_counts(self, period: Period, charge: str | None = None) -> pl.DataFrame:
        """(unit_id, code, vidx, n, points …) for the period, derived rows included (only those
        charged to `charge` when given)."""
        self._read_inputs(period)
        late_item = self.profile.late.item if self.profile.late else ""
        counts = self._counts(period.start, period.end).filter(pl.col("code") != late_item)
        late = self._late_rows(period.start, period.end)
        late = late.with_columns(self._vidx(late["day"]).alias("vidx")) \
            .group_by("unit_id", "code", "vidx").agg(pl.len().alias("n"))
        derived = self.derived_rows(period)
        if charge:
            derived = derived.filter(pl.col("charge") == charge)
        derived = derived.group_by("unit_id", "code", "vidx").agg(pl.col("n").sum())
        schema = {"unit_id": pl.Int32, "code": pl.Utf8, "vidx": pl.Int32, "n": POINTS}
        parts = [f.select(list(schema)).cast(schema) for f in ([counts, late, derived] if not charge else [derived])]
        table = points_table(self.book)
        weighted = counts.select(list(COUNTS)).cast(COUNTS) if "w" in counts.columns and not charge else None
        scored = apply_points(pl.concat(parts[1:] if weighted is not None else parts), table)
        if weighted is not None:
            scored = pl.concat([apply_points(weighted, table), scored], how="diagonal_relaxed")
        takeback = pl.concat([self._adoption_takebacks(period), self._merged_takebacks(period)]) if not charge else None
        if takeback is not None and takeback.height:
            back = (takeback.group_by("unit_id", "code", "vidx").agg(pl.col("points").sum())
                    .join(table, on=["vidx", "code"], how="left").with_columns(pl.lit(0, POINTS).alias("n")))
            scored = pl.concat([scored, back], how="diagonal_relaxed")
        return scored

    # -- totals and ranks ----------------------------------------------------------------------
    def totals(self, period: Period) -> pl.DataFrame:
        """Per unit: raw sum, points per tier, 报送数, adoptions per tier, 批示数."""
        return self._memo(("totals", period, self.as_of, self.rules_key), lambda: self._totals(period))

    def _totals(self, period: Period) -> pl.DataFrame:
        scored = self.scored_counts(period)
        hidden = [t.name for t in self.profile.tiers if not t.column]
        adopted = pl.col("type") == "采用"

        def where(cond: pl.Expr, column: str) -> pl.Expr:  # masked columns sum faster than filters per group
            return pl.when(cond).then(pl.col(column)).otherwise(0)

        tiers = (scored.group_by("unit_id").agg(
                     where(~pl.col("tier").is_in(hidden), "points").sum().alias("原始得分"),
                     *[where(pl.col("tier") == t.name, "points").sum().alias(self.tier_column(t.name))
                       for t in self.profile.tiers if t.column or self.tier_in_formula(t.name)],
                     where(adopted, "n").sum().alias("采用数"),
                     *[where(adopted & (pl.col("tier") == t), "n").sum().alias(c)
                       for t, c in self.profile.adoption_tiers.items()],
                     where(pl.col("type") == "批示", "n").sum().alias("批示数"),
                     where(pl.col("code").is_in(self.submission_codes), "n").sum().alias("报送数")))
        return tiers

    def unit_frame(self, period: Period) -> pl.DataFrame:
        """Every unit active in the period, with its ranking group (membership on the last day)."""
        return self.units.ranking_frame(period.start, period.end)

    def ranking(self, period: Period, cumulative: bool = True) -> pl.DataFrame:
        """The group ranking: every active unit (zeros included), the score by the profile's formula
        and floor (the shipped 办法: 三(二)3), ranks by the profile's tie rule within the group, ties
        listed in the official unit order; units not ranked (units.yaml) last in their group."""
        adoption_columns = list(self.profile.adoption_tiers.values())
        counts = ["采用数", *adoption_columns, "批示数", "报送数"]
        ytd = Period.ytd(period.end.year, period.end)
        self._read_inputs(period, *([ytd] if cumulative and ytd.start != period.start else []))
        frame = (self.unit_frame(period)
                 .join(self.totals(period), on="unit_id", how="left")
                 .with_columns([pl.col(c).fill_null(0) for c in ["原始得分", *self.tier_columns()]])
                 .with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in counts])
                 .join(self.scores(period), on="unit_id", how="left")
                 .with_columns(self.adoption_rate())
                 .with_columns(pl.col("单位").is_in(list(self.profile.unranked)).alias("_unranked")))
        frame = frame.with_columns(rank_within_groups(
            frame.with_columns(pl.when(pl.col("_unranked")).then(None).otherwise(pl.col("得分")).alias("_score")),
            "_score", self.profile.ties).alias("排名"))
        if cumulative:
            acc = self.scores(ytd) if ytd.start != period.start else frame.select("unit_id", "得分")
            frame = frame.join(acc.rename({"得分": "累计得分"}), on="unit_id", how="left") \
                .with_columns(pl.col("累计得分").fill_null(0))
        frame = self.with_flags(frame, period)
        order = {g: i for i, g in enumerate(self.profile.group_codes)}  # groups in the profile's order
        frame = frame.sort(pl.col("组别").replace_strict(order, default=len(order), return_dtype=pl.Int64),
                           "组别", "_unranked", "排名", "序号").drop("_unranked")
        frame = frame.drop([c for c in frame.columns if c.startswith("_tier:")])
        return frame.select(
            "组别", "排名", "单位", "报送数", "得分", *[c for c in frame.columns if c not in
                                                   ("组别", "排名", "单位", "报送数", "得分")])

    def compare(self, period: Period, overrides: dict[str, Decimal], base: dict | None = None) -> pl.DataFrame:
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


def ranking_for(store, period: Period, as_of: date | None = None,
                overrides: dict[str, Decimal] | None = None) -> pl.DataFrame:
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
