"""Scoring periods: calendar years and quarters (三(一)9 “1个计分年度”; 五: quarterly 通报), months,
year-to-date and custom ranges."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_month(day: date) -> date:
    return month_end(day) + timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str  # year | quarter | month | ytd | range
    label: str

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), "year", f"{year}年")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if quarter not in (1, 2, 3, 4):
            raise ValueError("季度应为 1 至 4")
        first = date(year, 3 * quarter - 2, 1)
        return cls(first, month_end(date(year, 3 * quarter, 1)), "quarter",
                   f"{year}年第{'一二三四'[quarter - 1]}季度")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        first = date(year, month, 1)
        return cls(first, month_end(first), "month", f"{year}年{month}月")

    @classmethod
    def ytd(cls, year: int, end: date) -> "Period":
        return cls(date(year, 1, 1), end, "ytd", f"{year}年1月1日至{end.month}月{end.day}日")

    @classmethod
    def between(cls, start: date, end: date) -> "Period":
        if end < start:
            raise ValueError("结束日期不能早于开始日期")
        if start.day == 1 and end == month_end(end) and start.year == end.year:  # whole months: 2025年1—2月
            months = f"{start.month}月" if start.month == end.month else f"{start.month}—{end.month}月"
            return cls(start, end, "range", f"{start.year}年{months}")
        return cls(start, end, "range", f"{start.isoformat()} 至 {end.isoformat()}")

    @property
    def key(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month + 2) // 3}"
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def quarter_number(self) -> int | None:
        return (self.start.month + 2) // 3 if self.kind == "quarter" else None

    def previous(self) -> "Period":
        """The period just before, of the same kind (last year, last quarter, last month)."""
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        if self.kind == "quarter":
            q = self.quarter_number
            return Period.quarter(self.start.year - (q == 1), 4 if q == 1 else q - 1)
        if self.kind == "month":
            prev = self.start - timedelta(days=1)
            return Period.month(prev.year, prev.month)
        if self.kind == "ytd":
            end = self.end.replace(year=self.end.year - 1) if not (self.end.month == 2 and self.end.day == 29) \
                else date(self.end.year - 1, 2, 28)
            return Period.ytd(self.start.year - 1, end)
        length = self.end - self.start
        return Period.between(self.start - length - timedelta(days=1), self.start - timedelta(days=1))

    def quarters(self) -> list["Period"]:
        return [Period.quarter(self.start.year, q) for q in range(1, 5)
                if Period.quarter(self.start.year, q).start <= self.end]

    def months(self) -> list[date]:
        out, day = [], self.start.replace(day=1)
        while day <= self.end:
            out.append(day)
            day = next_month(day)
        return out

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    n = day.year * 12 + day.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)
