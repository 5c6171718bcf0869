"""What several pages share: the tier and header vocabulary, and the periods the data covers."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from scoring.engine.periods import Period


def tier_columns(profile) -> list[str]:
    """The score columns of the breakdown, chart legend and 通报 headings, in the profile's order."""
    return profile.score_tiers


def adoption_columns(profile) -> dict[str, str]:
    """Adoption-count column -> its tier, for the tiers that count adoptions."""
    return {column: tier for tier, column in profile.adoption_tiers.items()}


def quota_text(profile) -> str:
    """The first quota per group as staff read it: “A 组 15、B 组 8、C 组 4 条”."""
    if not profile.quotas:
        return ""
    table = profile.quota_table(profile.quotas[0])
    return "、".join(f"{g} 组 {t.text}" for g, t in table.items()) + " 条"
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
# The columns with a person's name or telephone number (the units' 负责人 and 联系人): shown to
# signed-in accounts only, never on a kiosk screen.
CONTACT_COLUMNS = ("负责人", "联系人", "电话")


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


# A period in an address (?period=) or a saved trial: 2025Q3, 2025, 2025YTD or 20250101-20250331.
_PERIOD_CODE = re.compile(r"^(\d{4})(?:Q([1-4])|(YTD))?$|^(\d{8})-(\d{8})$")


def period_code(period: Period) -> str:
    if period.kind in ("quarter", "year"):
        return period.key
    if period.kind == "ytd":
        return f"{period.start.year}YTD"
    return f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def period_choice(code: str) -> dict | None:
    """What a period code asks the period picker for: kind (季度/年度/年初至今/自定义) and year,
    quarter or start and end; None for anything else."""
    m = _PERIOD_CODE.match(code or "")
    if not m:
        return None
    year, quarter, ytd, start, end = m.groups()
    if start:
        try:
            first, last = (date(int(t[:4]), int(t[4:6]), int(t[6:])) for t in (start, end))
        except ValueError:
            return None
        return {"kind": "自定义", "start": first, "end": last} if first <= last else None
    choice = {"kind": "季度" if quarter else "年初至今" if ytd else "年度", "year": int(year)}
    return choice | ({"quarter": int(quarter)} if quarter else {})


def period_of_code(code: str, today: date) -> Period | None:
    choice = period_choice(code)
    return None if choice is None else make_period(**choice, today=today)


MOVEMENT_SCHEMA = {"unit_id": pl.Int32, "名次变化": pl.Int64, "升降": pl.Utf8}


def rank_movement(engine, now: pl.DataFrame, previous: Period) -> pl.DataFrame:
    """Per unit of `now` (a ranking), how many places it rose against `previous` (positive = up)
    and the same as an arrow text: ↑2, ↓1, 持平, or — when there is nothing to compare with (no
    data in the previous period, a unit new to the ranking, or a unit that changed group)."""
    first, _ = data_span(engine.store)
    if first is None or previous.end < first:
        return now.select(pl.col("unit_id").cast(pl.Int32), pl.lit(None, pl.Int64).alias("名次变化"),
                          pl.lit("—").alias("升降"))
    before = engine.ranking(previous, cumulative=False).select(
        "unit_id", pl.col("组别").alias("_g0"), pl.col("排名").alias("_r0"))
    change = pl.when(pl.col("_g0") == pl.col("组别")).then(pl.col("_r0") - pl.col("排名")).otherwise(None)
    return (now.select("unit_id", "组别", "排名").join(before, on="unit_id", how="left")
            .with_columns(change.cast(pl.Int64).alias("名次变化"))
            .with_columns(pl.when(pl.col("名次变化").is_null()).then(pl.lit("—"))
                          .when(pl.col("名次变化") > 0).then(pl.format("↑{}", pl.col("名次变化")))
                          .when(pl.col("名次变化") < 0).then(pl.format("↓{}", -pl.col("名次变化")))
                          .otherwise(pl.lit("持平")).alias("升降"))
            .select(list(MOVEMENT_SCHEMA)).cast(MOVEMENT_SCHEMA))


def clock_shift(tz: str) -> timedelta:
    """What to add to a stored time to show it in the 时区 setting: the store writes the server's
    clock (naive datetime.now()), which on a server kept in UTC is eight hours behind the office."""
    return datetime.now(ZoneInfo(tz)).utcoffset() - datetime.now().astimezone().utcoffset()


def local_times(frame: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Every naive time column of a frame shown in the 时区 setting."""
    shift = clock_shift(tz)
    cols = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime) and t.time_zone is None]
    if not shift or not cols:
        return frame
    return frame.with_columns(pl.col(c) + shift for c in cols)


def local_time(value: datetime | None, tz: str) -> datetime | None:
    return None if value is None else value + clock_shift(tz)
