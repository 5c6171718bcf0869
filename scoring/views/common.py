"""What several pages share: the tier and header vocabulary, and the periods the data covers."""
from __future__ import annotations

from datetime import date

from ..periods import Period

TIER_COLUMNS = ["市级", "自治区级", "国家级", "批示加分", "约稿·线索·调研", "扣分"]
ADOPTION_COLUMNS = {"市级采用": "市级", "自治区级采用": "自治区级", "国家级采用": "国家级"}
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def data_span(store) -> tuple[date | None, date | None]:
    """First and last day with a live event (None, None on an empty store)."""
    first, last = store.event_span()
    return first, last


def data_years(store, today: date) -> list[int]:
    """Years a user can pick: every year with data (newest first), or this year when empty."""
    first, last = data_span(store)
    if first is None:
        return [today.year]
    return list(range(last.year, first.year - 1, -1))


def latest_quarter(store, today: date) -> tuple[int, int]:
    """(year, quarter) of the last event, or of today on an empty store."""
    _, last = data_span(store)
    day = last or today
    return day.year, (day.month + 2) // 3


def data_months(store, today: date) -> list[date]:
    """First days of every month from the first to the last event, newest first."""
    first, last = data_span(store)
    if first is None:
        return [today.replace(day=1)]
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = _next_month(day)
    return months[::-1]


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def make_period(kind: str, year: int, quarter: int = 1, start: date | None = None,
                end: date | None = None, today: date | None = None) -> Period:
    """The period a page's picker describes: 季度 / 年度 / 年初至今 / 自定义."""
    if kind == "季度":
        return Period.quarter(year, quarter)
    if kind == "年度":
        return Period.year(year)
    if kind == "年初至今":
        today = today or date.today()
        end = min(today, date(year, 12, 31)) if today.year >= year else date(year, 12, 31)
        return Period.ytd(year, end)
    if start is None or end is None:
        raise ValueError("请选择开始和结束日期")
    return Period.between(start, end)
