"""Ranking groups and quota grids read the unit list as frames: they must give what the dated
memberships give unit by unit (a unit's group moves with its memberships; a retired unit ranks
in its group of its last active day; a month's quota follows the group of its first day)."""
from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from scoring.policies import unit_month_quotas
from scoring.units import Unit, UnitBook

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
