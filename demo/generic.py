"""Demo registers for any profile, made from its own items, groups, tasks and units.

Each unit submits about its target of each counted item per period of the task (its own target where
units.yaml gives one; a weekly task week by week, longer ones spread over their months), and falls
short now and then, so the ladders, shortfalls, base points and ±x outcomes show. Some items are
adopted at each place the rules list, a few instructions and deductions are recorded. Values of the
coded columns are drawn from each item's match keys (so 简讯, 头版头条 and the like appear and their
factors show), and an item whose points the editor chooses gets one of its choices (分值); every row
matches exactly the item it was made for. One seed gives the same rows.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from pathlib import Path

from scoring.intake.reader import PICK
from scoring.profile import Profile, load_profile
from scoring.profile.constructs import PERIOD_MONTHS
from scoring.profile.points import DEDUCTION_TYPE
from scoring.profile.rules import MATCH_COLUMNS, Item

TOPICS = ["春耕备耕", "防汛抗旱", "营商环境优化", "乡村振兴", "重点项目建设", "安全生产", "民生实事", "基层治理",
          "招商引资", "生态保护", "数字政府建设", "秋收秋种", "冬季供暖保障", "就业服务"]
ANY = {"层级": "市", "刊物": "政务信息", "栏目": "", "批示人": "领导"}  # a value for a column an item ignores ("*")


def _value(rng: random.Random, item: Item, column: str) -> str:
    allowed = item.accepts.get(column, frozenset({""}))
    if allowed is None:
        return ANY[column]
    return rng.choice(sorted(allowed))


def _row(rng: random.Random, day: dt.date, unit: str, item: Item, **extra: str) -> dict[str, object]:
    row: dict[str, object] = {"日期": day, "单位": unit, "类型": item.type}
    row.update({c: _value(rng, item, c) for c in MATCH_COLUMNS})
    row.update({k: "" for k in ("信息编号", "期号", "标题", "作者", "备注")})
    if item.choices:
        row[PICK] = str(rng.choice(item.choices))
    row.update(extra)
    return row


def _needs(profile: Profile, unit: str, group: str) -> dict[str, tuple[int, int]]:
    """Counted item -> (items a week, items a month) the unit's tasks ask for; a longer period's target
    is spread over its months (5 a quarter: 2 a month)."""
    needs: dict[str, tuple[int, int]] = {}
    for policy in profile.quotas:
        target = profile.unit_quota_table(policy).get(unit) or profile.quota_table(policy).get(group)
        if target is None or not policy.counts:
            continue  # a task in points is met by the adoptions below
        period, low = policy.period_of(group), math.ceil(target.low)
        week, month = (low, 0) if period == "week" else (0, math.ceil(low / PERIOD_MONTHS[period]))
        for code in policy.counts[:1]:
            had = needs.get(code, (0, 0))
            needs[code] = (max(had[0], week), max(had[1], month))
    return needs


def _windows(year: int, month: int, week: int, per_month: int) -> list[tuple[dt.date, int, int]]:
    """(first day, days, items) to fill in a month: each week beginning in it, or the month itself."""
    first = dt.date(year, month, 1)
    days = calendar.monthrange(year, month)[1]
    if not week:
        return [(first, days, per_month)]
    mondays = [first + dt.timedelta(days=d) for d in range(days) if (first + dt.timedelta(days=d)).weekday() == 0]
    return [(monday, 7, week) for monday in mondays]


def generate_rows(profile: Profile, seed: int = 2024, years=(2024, 2025)) -> list[dict[str, object]]:
    rng = random.Random(seed)
    book = profile.rulebook()
    units = [(u["name"], u["group"]) for u in profile.units_data()["units"]]
    counted = {code for q in profile.quotas for code in q.counts[:1]}
    rows: list[dict[str, object]] = []
    serial = 0
    for year in years:
        version = book.version_for(dt.date(year, 12, 31))
        items = [i for i in version.items.values() if not i.derived]
        typed = [i for i in items if i.code not in counted]
        for unit, group in units:
            keen = rng.uniform(0.6, 1.4)  # some units do more than others
            needs = {c: n for c, n in _needs(profile, unit, group).items() if c in version.items}
            for month in range(1, 13):
                for code, (week, per_month) in needs.items():
                    for first, days, need in _windows(year, month, week, per_month):
                        short = rng.random() < 0.08
                        n = rng.randint(0, max(0, need - 1)) if short else need + max(0, round(rng.gauss(keen, 1)))
                        for _ in range(n):
                            serial += 1
                            day = first + dt.timedelta(days=rng.randrange(days))
                            rows.append(_row(rng, day, unit, version.items[code],
                                             标题=f"{unit}{rng.choice(TOPICS)}工作动态{serial}"))
                for item in typed:
                    odds = 0.02 if item.type == DEDUCTION_TYPE else min(0.6, keen * 1.5 / (1 + abs(float(item.points))))
                    if rng.random() < odds:
                        serial += 1
                        day = dt.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))
                        rows.append(_row(rng, day, unit, item, 信息编号=f"D{year}-{serial:05d}",
                                         标题=f"{unit}扎实推进{rng.choice(TOPICS)}", 作者="信息员"))
    rows.sort(key=lambda r: (r["日期"], r["单位"], r["类型"]))
    return rows


def build_demo(db: str | Path, profile_ref: str | Path, seed: int = 2024, years=(2024, 2025)):
    """A demo database for a profile, every year imported through the real import path."""
    from scoring.engine import rulebook_for
    from scoring.intake.importer import check_rows
    from scoring.intake.reader import READ
    from scoring.store import Store

    profile = load_profile(profile_ref)
    store = Store(db, profile=profile.root)
    book, units = rulebook_for(store), store.unit_book()
    rows = generate_rows(profile, seed, years)
    for year in years:
        numbered = [(i + 2, {h: r.get(h, "") for h in READ})
                    for i, r in enumerate(r for r in rows if r["日期"].year == year)]
        report = check_rows(numbered, f"{year}年演示登记表.xlsx", units, book, store.known_info_ids)
        if not report.ok:
            raise RuntimeError("演示数据未通过校验：" + "；".join(report.messages()[:5]))
        store.store_import(report.file_name, f"demo-{profile.name}-{year}", report.events, "演示数据")
    return store
