"""Demo registers for any profile, made from its own items, groups and quotas.

Each unit submits about its quota of each counted item per period (a few units fall short now and
then, so the ladders and base points show), some items are adopted at each place the rules list,
a few instructions and deductions are recorded. Values of the coded columns come from each item's
match keys, so every row matches exactly the item it was made for. One seed gives the same rows.
"""
from __future__ import annotations

import calendar
import datetime as dt
import random
from pathlib import Path

from scoring.profile import Profile, load_profile
from scoring.profile.rules import DEDUCTION_TYPE, MATCH_COLUMNS, Item

TOPICS = ["春耕备耕", "防汛抗旱", "营商环境优化", "乡村振兴", "重点项目建设", "安全生产", "民生实事", "基层治理",
          "招商引资", "生态保护", "数字政府建设", "秋收秋种", "冬季供暖保障", "就业服务"]
ANY = {"层级": "市", "刊物": "政务信息", "栏目": "", "批示人": "领导"}  # a value for a column an item ignores ("*")


def _value(item: Item, column: str) -> str:
    allowed = item.accepts.get(column, frozenset({""}))
    if allowed is None:
        return ANY[column]
    return sorted(allowed, key=lambda v: (v == "", v))[0]


def _row(day: dt.date, unit: str, item: Item, **extra: str) -> dict[str, object]:
    row: dict[str, object] = {"日期": day, "单位": unit, "类型": item.type}
    row.update({c: _value(item, c) for c in MATCH_COLUMNS})
    row.update({k: "" for k in ("信息编号", "期号", "标题", "作者", "备注")})
    row.update(extra)
    return row


def _day(rng: random.Random, year: int, month: int) -> dt.date:
    return dt.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def generate_rows(profile: Profile, seed: int = 2024, years=(2024, 2025)) -> list[dict[str, object]]:
    rng = random.Random(seed)
    book = profile.rulebook()
    units = [(u["name"], u["group"]) for u in profile.units_data()["units"]]
    counted = {q.counts[0]: q for q in profile.quotas if q.counts}
    rows: list[dict[str, object]] = []
    serial = 0
    for year in years:
        version = book.version_for(dt.date(year, 12, 31))
        items = [i for i in version.items.values() if not i.derived]
        typed = [i for i in items if i.code not in counted]
        for unit, group in units:
            keen = rng.uniform(0.6, 1.4)  # some units do more than others
            for month in range(1, 13):
                for code, policy in counted.items():
                    if code not in version.items:
                        continue
                    quota = int(profile.quota_numbers(policy).get(group, 0))
                    if policy.period == "quarter":
                        quota = (quota + 2) // 3 if month % 3 else quota - 2 * ((quota + 2) // 3) + 1
                    short = rng.random() < 0.08
                    n = rng.randint(0, max(0, quota - 1)) if short else quota + max(0, round(rng.gauss(keen, 1)))
                    for _ in range(max(0, n)):
                        serial += 1
                        rows.append(_row(_day(rng, year, month), unit, version.items[code],
                                         标题=f"{unit}{rng.choice(TOPICS)}工作动态{serial}"))
                for item in typed:
                    odds = 0.02 if item.type == DEDUCTION_TYPE else min(0.6, keen * 1.5 / (1 + abs(float(item.points))))
                    if rng.random() < odds:
                        serial += 1
                        rows.append(_row(_day(rng, year, month), unit, item, 信息编号=f"D{year}-{serial:05d}",
                                         标题=f"{unit}扎实推进{rng.choice(TOPICS)}", 作者="信息员"))
    rows.sort(key=lambda r: (r["日期"], r["单位"], r["类型"]))
    return rows


def build_demo(db: str | Path, profile_ref: str | Path, seed: int = 2024, years=(2024, 2025)):
    """A demo database for a profile, every year imported through the real import path."""
    from scoring.engine import rulebook_for
    from scoring.intake.importer import check_rows
    from scoring.intake.reader import HEADERS
    from scoring.store import Store

    profile = load_profile(profile_ref)
    store = Store(db, profile=profile.root)
    book, units = rulebook_for(store), store.unit_book()
    rows = generate_rows(profile, seed, years)
    for year in years:
        numbered = [(i + 2, {h: r.get(h, "") for h in HEADERS})
                    for i, r in enumerate(r for r in rows if r["日期"].year == year)]
        report = check_rows(numbered, f"{year}年演示登记表.xlsx", units, book, store.known_info_ids)
        if not report.ok:
            raise RuntimeError("演示数据未通过校验：" + "；".join(report.messages()[:5]))
        store.store_import(report.file_name, f"demo-{profile.name}-{year}", report.events, "演示数据")
    return store
