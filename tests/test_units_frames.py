"""Ranking groups and quota grids read the unit list as frames: they must give what the dated
memberships give unit by unit (a unit's group moves with its memberships; a retired unit ranks
in its group of its last active day; a month's quota follows the group of its first day)."""
from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from scoring.engine import Engine
from scoring.engine.periods import Period, next_month
from scoring.engine.policies import unit_month_quotas
from scoring.store import Store
from scoring.profile.units import Unit, UnitBook

UNITS = [Unit(1, "甲局", 30, date(2024, 1, 1)), Unit(2, "乙局", 10, date(2024, 1, 1), date(2025, 5, 20)),
         Unit(3, "丙镇", 20, date(2025, 3, 1)), Unit(4, "丁办", 40, date(2026, 1, 1)), Unit(5, "戊局", 50, date(2024, 1, 1))]
MEMBERSHIPS = {1: [(date(2025, 7, 1), "B"), (date(2024, 1, 1), "A")], 2: [(date(2024, 1, 1), "C"), (date(2025, 2, 1), "A")],
               3: [(date(2025, 3, 1), "C")], 4: [(date(2026, 1, 1), "A")],
               5: [(date(2025, 6, 1), "B"), (date(2025, 6, 1), "C")]}  # two the same day: the later-sorting one
QUOTAS = {"A": 15, "B": 10, "C": 8}


def one_by_one(book: UnitBook, start: date, end: date) -> pl.DataFrame:
    rows = [(u.id, u.name, book.ranking_group(u, end), u.order) for u in book.active_between(start, end)]
    return pl.DataFrame(rows, schema={"unit_id": pl.Int32, "单位": pl.Utf8, "组别": pl.Utf8, "序号": pl.Int64}, orient="row")


def test_ranking_groups_from_frames_match_the_memberships():
    book = UnitBook(UNITS, {}, MEMBERSHIPS, QUOTAS)
    for start, end in ((date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 1, 1), date(2025, 3, 31)),
                       (date(2025, 4, 1), date(2025, 6, 30)), (date(2024, 1, 1), date(2024, 12, 31))):
        got = book.ranking_frame(start, end)
        assert_frame_equal(got, one_by_one(book, start, end))
    year = book.ranking_frame(date(2025, 1, 1), date(2025, 12, 31))
    assert dict(year.select("单位", "组别").iter_rows()) == {"乙局": "A", "丙镇": "C", "甲局": "B", "戊局": "C"}


def test_quota_grid_follows_the_group_of_each_months_first_day():
    book = UnitBook(UNITS, {}, MEMBERSHIPS, QUOTAS)
    months = [date(2025, m, 1) for m in range(1, 13)]
    got = unit_month_quotas(book, months)
    want = [(u.id, m, book.quota_on(u.id, m)) for u in book.units for m in months
            if u.active_on(m) and book.quota_on(u.id, m) is not None]
    assert got.rows() == want


def test_a_book_from_the_stores_frames_is_the_same_book(store):
    book = store.unit_book()
    rebuilt = UnitBook(book.units, dict(book.aliases), book.memberships, book.quotas)
    assert rebuilt.units == book.units and rebuilt.memberships == book.memberships
    assert_frame_equal(rebuilt.table, book.table)
    assert_frame_equal(rebuilt.ranking_frame(date(2025, 1, 1), date(2025, 12, 31)),
                       book.ranking_frame(date(2025, 1, 1), date(2025, 12, 31)))


def quota_rows_one_by_one(engine, period) -> pl.DataFrame:
    """三(二)1 monthly 报送 against the quota, unit by unit and month by month (the plain reading)."""
    counts = {(r[0], r[1]): r[2] for r in engine.monthly(period.end).iter_rows()}
    ladder = engine.quota_status(period.end)
    status = {(r[0], r[1]): (r[2], r[3]) for r in ladder.select("unit_id", "month", "status", "code").iter_rows()}
    rows = []
    for month in period.months():
        for unit in engine.units.units:
            quota = engine.units.quota_on(unit.id, month) if unit.active_on(month) else None
            if quota is None:
                continue
            ended = next_month(month) <= engine.as_of
            st, code = status.get((unit.id, month), ("未统计" if ended else "未结束", None))
            rows.append((unit.id, unit.name, engine.units.group_on(unit.id, month), month,
                         counts.get((unit.id, month), 0), quota, st, code))
    return pl.DataFrame(rows, schema={"unit_id": pl.Int32, "单位": pl.Utf8, "组别": pl.Utf8, "月份": pl.Date,
                                      "报送数": pl.Int64, "任务数": pl.Int64, "状态": pl.Utf8, "扣分代码": pl.Utf8},
                        orient="row")


def test_submissions_against_the_quota_match_the_unit_by_unit_reading(demo_db):
    store, seen = Store(demo_db), set()
    for as_of in (date(2025, 8, 15), date(2026, 1, 15)):
        engine = Engine.open(store, as_of=as_of)
        for period in (Period.year(2025), Period.quarter(2025, 3), Period.year(2024)):
            got = engine.submissions_vs_quota(period)
            assert_frame_equal(got, quota_rows_one_by_one(engine, period))
            seen |= set(got["状态"])
    assert {"达标", "未达标", "未结束"} <= seen
