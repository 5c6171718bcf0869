"""Synthetic but realistic event stores for the benchmark: `python bench/generate.py --events N --units U`.

The mix follows demo/dengkou.py (its kinds of items, where they are adopted, leaders'
instructions, solicited drafts, research visits, typed-in deductions, units short of their
monthly quota, some in runs of consecutive months), drawn with numpy and assembled with Polars
so that 10M events take minutes, not hours. All events fall in one scoring year (YEAR): the year
ranking then covers every stored event, the case the targets are about. A second rule version,
saved in the database and effective from 1 July, doubles some points, so the engine's version
logic is exercised too.

Stores are cached as bench/results/bench_<events>_<units>.duckdb (gitignored); `--force` rebuilds.
"""
from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demo import dengkou as demo  # noqa: E402
from scoring.profile import default_profile  # noqa: E402
from scoring.profile.match import match_item  # noqa: E402
from scoring.store import Store  # noqa: E402
from scoring.profile.units import QUOTA  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"  # the cache; --results chooses another
YEAR = 2025
SEED = 2025
WHO = "基准数据"
# The demo stores about 0.19 other rows (adoptions, instructions …) per 报送 row, and a county
# unit submits about 12.7 rows a month: rates per unit-month below are scaled by how much busier
# a unit is than that, so the mix of kinds stays the demo's at any size.
DEMO_SUBMISSIONS_PER_UNIT_MONTH = 12.7
OTHER_PER_SUBMISSION = 0.19
# A mid-year rule version saved in the database (as the dashboard's rule editor would).
MIDYEAR_VERSION = f"""version: "{YEAR}-07-01"
effective: {YEAR}-07-01
title: 磴口县政务信息工作考评办法（基准测试修订）
reason: 基准测试：年中调整部分分值
items:
  - code: CITY_ZWYQ_BRIEF
    points: 4
  - code: CITY_WECHAT_BRIEF
    points: 6
  - code: LEAD_CITY
    points: 20
"""
COUNTIES = ["临河区", "五原县", "昆都仑区", "杭锦后旗", "乌拉特前旗", "乌拉特中旗", "乌拉特后旗", "东胜区",
            "康巴什区", "达拉特旗", "准格尔旗", "伊金霍洛旗", "鄂托克旗", "杭锦旗", "乌审旗", "海勃湾区",
            "海南区", "乌达区", "阿拉善左旗", "阿拉善右旗", "额济纳旗", "土默特左旗", "托克托县", "和林格尔县",
            "清水河县", "武川县", "固阳县", "达尔罕茂明安联合旗", "白云鄂博矿区", "石拐区"]
OFFICES = ["发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
           "人力资源和社会保障局", "自然资源局", "生态环境分局", "住房和城乡建设局", "交通运输局", "水利局",
           "农牧局", "商务局", "文体旅游广电局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
           "市场监督管理局", "统计局", "乡村振兴局", "医疗保障局", "林业和草原局", "能源局", "政务服务局",
           "信访局", "机关事务服务中心", "投资促进中心", "供销合作社", "融媒体中心", "税务局", "气象局",
           "供电分公司", "城市管理综合执法局", "民族事务委员会", "党校", "档案馆", "第一中学", "人民医院"]


def db_path(events: int, units: int, results: Path = RESULTS) -> Path:
    return results / f"bench_{events}_{units}.duckdb"


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------
def extra_unit_rows(count: int, rng: np.random.Generator) -> list[tuple[str, str, dt.date]]:
    """More units beyond the county's 54: offices of other counties, in the county's group mix."""
    names = [f"{c}{o}" for c in COUNTIES for o in OFFICES]
    k = 2
    while len(names) < count:  # a province is bigger than our lists: number the offices
        names += [f"{c}第{k}{o}" for c in COUNTIES for o in OFFICES]
        k += 1
    groups = rng.choice(["A", "B", "C"], size=count, p=[31 / 54, 12 / 54, 11 / 54])
    return [(names[i], str(groups[i]), dt.date(YEAR, 1, 1)) for i in range(count)]


def unit_table(store: Store) -> pl.DataFrame:
    book = store.unit_book()
    return pl.DataFrame({"unit_id": [u.id for u in book.units], "unit": [u.name for u in book.units],
                         "group": [book.group_on(u.id, dt.date(YEAR, 1, 1)) for u in book.units]},
                        schema={"unit_id": pl.Int32, "unit": pl.Utf8, "group": pl.Utf8})


# --------------------------------------------------------------------------------------------
# Calendar helpers (vectorised)
# --------------------------------------------------------------------------------------------
YEAR_START = np.datetime64(f"{YEAR}-01-01")
YEAR_END = np.datetime64(f"{YEAR}-12-31")
DAYS_IN_YEAR = 366 if calendar.isleap(YEAR) else 365


def workdays_of_month(month: int) -> np.ndarray:
    first = np.datetime64(f"{YEAR}-{month:02d}-01")
    days = first + np.arange(calendar.monthrange(YEAR, month)[1])
    return days[np.is_busday(days)]


def later(rng: np.random.Generator, days: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """A working day lo..hi days after each day, kept within the year (demo._later)."""
    out = np.minimum(days + rng.integers(lo, hi + 1, size=len(days)), YEAR_END)
    out = np.busday_offset(out, 0, roll="forward")
    return np.where(out > YEAR_END, np.busday_offset(YEAR_END, 0, roll="backward"), out)


def issue_numbers(days: np.ndarray, publications: np.ndarray) -> np.ndarray:
    """期号 follows the date (demo._issue)."""
    per_year = np.vectorize(lambda p: demo.ISSUES_PER_YEAR.get(p, 0))(publications) if len(days) else np.array([])
    yday = (days - YEAR_START).astype(int)
    return (1 + yday * per_year // DAYS_IN_YEAR).astype(str)


def weighted(rng: np.random.Generator, places: list[tuple[object, int]], size: int) -> list:
    w = np.array([p[1] for p in places], dtype=float)
    idx = rng.choice(len(places), size=size, p=w / w.sum())
    return [places[i][0] for i in idx]


# --------------------------------------------------------------------------------------------
# The events
# --------------------------------------------------------------------------------------------
def monthly_counts(rng: np.random.Generator, quota: np.ndarray, submissions: int) -> np.ndarray:
    """报送 rows per unit (rows) and month (columns): at or above quota, except planted shortfalls
    (runs of 2–4 months for 3% of units, single months for 2% of unit-months, a few zero months)."""
    n_units = len(quota)
    base = np.repeat(quota[:, None], 12, axis=1).astype(np.int64)
    short = rng.random((n_units, 12)) < 0.02
    for u in np.flatnonzero(rng.random(n_units) < 0.03):
        start = rng.integers(0, 10)
        short[u, start:start + rng.integers(2, 5)] = True
    zero = short & (rng.random((n_units, 12)) < 0.1)
    shortfall = np.where(zero, 0, np.maximum(1, (quota[:, None] * rng.uniform(0.3, 0.95, (n_units, 12))).astype(int)))
    counts = np.where(short, np.minimum(shortfall, base - 1), base)
    room = submissions - counts.sum()
    if room < 0:  # more units than these events can keep at quota: everyone falls short alike
        return np.floor(counts * submissions / counts.sum()).astype(np.int64)
    volume = rng.uniform(0.3, 1.0, n_units)[:, None] * rng.gamma(4.0, 0.25, (n_units, 12))
    volume[:, [5, 11]] *= 1.15  # June and December are busier (demo: +1)
    volume[short] = 0.0
    return counts + rng.multinomial(room, (volume / volume.sum()).ravel()).reshape(n_units, 12)


def generate_events(units: pl.DataFrame, n_events: int, seed: int = SEED) -> pl.DataFrame:
    """About n_events rows (trimmed or topped up with 报送 to exactly n_events) in register terms:
    日期 as day, and the register's columns under their storage names."""
    rng = np.random.default_rng(seed)
    n_units = units.height
    unit_ids = units["unit_id"].to_numpy()
    unit_names = units["unit"].to_numpy().astype(object)
    quota = np.array([QUOTA[g] for g in units["group"]])
    skill = rng.uniform(0.55, 1.25, n_units)
    submissions = int(round(n_events / (1 + OTHER_PER_SUBMISSION)))
    counts = monthly_counts(rng, quota, submissions)
    busy = counts.sum() / (12 * n_units) / DEMO_SUBMISSIONS_PER_UNIT_MONTH  # how much busier than the county

    # ---- 报送 -------------------------------------------------------------------------------
    flat = counts.ravel()
    sub_unit = np.repeat(np.repeat(np.arange(n_units), 12), flat)
    sub_month = np.repeat(np.tile(np.arange(1, 13), n_units), flat)
    sub_day = np.empty(len(sub_unit), dtype="datetime64[D]")
    for month in range(1, 13):
        where = np.flatnonzero(sub_month == month)
        workdays = workdays_of_month(month)
        sub_day[where] = workdays[rng.integers(0, len(workdays), len(where))]
    kinds = list(demo.KINDS)
    kind_w = np.array([demo.KINDS[k] for k in kinds], dtype=float)
    sub_kind = rng.choice(len(kinds), size=len(sub_unit), p=kind_w / kind_w.sum())
    phrases = {k: [p.replace("{unit}", "").format(topic=t) for p in demo.TITLE_PATTERNS[k]
                   for t in demo.GENERAL_TOPICS + sum(demo.SEASONAL_TOPICS.values(), [])] for k in kinds}
    phrase_of = np.empty(len(sub_unit), dtype=object)
    for i, k in enumerate(kinds):
        where = np.flatnonzero(sub_kind == i)
        phrase_of[where] = np.array(phrases[k], dtype=object)[rng.integers(0, len(phrases[k]), len(where))]
    surnames, given = list(demo.SURNAMES), list(demo.GIVEN)
    people = np.array([s + g for s in surnames for g in given], dtype=object)
    # Each unit has a few regular writers; the first writes most (demo._authors).
    writer = (unit_ids[sub_unit].astype(np.int64) * 7919 + rng.choice(4, len(sub_unit), p=[0.5, 0.2, 0.2, 0.1])) % len(people)
    co = (writer + 1 + rng.integers(0, 3, len(sub_unit))) % len(people)
    authors = np.where(rng.random(len(sub_unit)) < 0.3, people[writer] + "、" + people[co], people[writer])
    subs = pl.DataFrame({
        "day": sub_day, "uidx": sub_unit.astype(np.int32), "phrase": phrase_of.astype(str),
        "title": (unit_names[sub_unit] + phrase_of).astype(str), "author": authors.astype(str),
    }).with_columns(pl.col("day").cast(pl.Date))

    # ---- 采用: the city and the region take up some submissions (demo._adopt) ---------------
    adoptions = []
    p_city = np.minimum(0.14 * skill[sub_unit], 1.0)
    city = rng.random(len(sub_unit)) < p_city
    region = rng.random(len(sub_unit)) < np.where(city, 0.08, 0.004) * skill[sub_unit]
    for level, places, chosen, lo, hi in (("市", demo.CITY_PLACES, city, 1, 10),
                                         ("自治区", demo.REGION_PLACES, region, 3, 20)):
        rows = np.flatnonzero(chosen)
        pub = np.empty(len(rows), dtype=object)
        col = np.empty(len(rows), dtype=object)
        for k in kinds:
            where = np.flatnonzero(sub_kind[rows] == kinds.index(k))
            picked = weighted(rng, places[k], len(where))
            pub[where] = [p for p, _ in picked]
            col[where] = [c for _, c in picked]
        adoptions.append(pl.DataFrame({"sub": rows, "day": later(rng, sub_day[rows], lo, hi),
                                       "level": level, "publication": pub.astype(str), "col": col.astype(str)}))
        if level == "市":  # some 政务要情 items are pushed on the WeChat account too
            wechat = np.flatnonzero((pub == "政务要情") & (rng.random(len(rows)) < 0.1))
            adoptions.append(pl.DataFrame({
                "sub": rows[wechat], "day": later(rng, sub_day[rows[wechat]], 2, 12), "level": "市",
                "publication": "微信公众号",
                "col": np.where(col[wechat] == "简讯", "简讯", "政务要情").astype(str)}))
    region_rows = adoptions[-1]
    to_state = rng.random(region_rows.height) < 0.01
    to_state[rng.integers(0, region_rows.height)] = True  # 国务院办公厅 takes up at least one a year
    state = region_rows.filter(pl.Series(to_state))
    adoptions.append(state.with_columns(
        pl.Series(later(rng, state["day"].to_numpy().astype("datetime64[D]"), 7, 30)).cast(pl.Date).alias("day"),
        pl.lit("国家").alias("level"), pl.lit("国务院办公厅").alias("publication"), pl.lit("").alias("col")))
    adopted = (pl.concat([a.with_columns(pl.col("day").cast(pl.Date), pl.col("sub").cast(pl.Int64)) for a in adoptions])
               .join(subs.with_row_index("sub").select(pl.col("sub").cast(pl.Int64), "uidx", "title", "author", "phrase"),
                     on="sub"))
    # 信息编号: one number per item (its first adoption), DK<year>-<seq>.
    first = adopted.group_by("sub").agg(pl.col("day").min().alias("first")).sort("first", "sub")
    first = first.with_columns(pl.format("DK{}-{}", pl.lit(YEAR),
                                         (pl.int_range(1, pl.len() + 1)).cast(pl.Utf8).str.zfill(6)).alias("info_id"))
    adopted = adopted.join(first.select("sub", "info_id"), on="sub")
    adopted = adopted.with_columns(
        pl.Series(issue_numbers(adopted["day"].to_numpy().astype("datetime64[D]"),
                                adopted["publication"].to_numpy())).alias("issue"))
    adoption_rows = adopted.select("day", "uidx", pl.lit("采用").alias("kind"), "level", "publication", "col",
                                   pl.lit("").alias("leader"), "info_id", "issue", "title", "author",
                                   pl.lit("").alias("note"))

    # ---- 批示 on some adopted items, and 批示落实 feedback (demo._instruction_rows) -----------
    odds = {**{k: v for k, v in demo.INSTRUCTION_ODDS.items()}, ("国家", "国务院办公厅"): 0.5}
    p = np.array([odds.get((lv, pb), 0.0) for lv, pb in zip(adopted["level"], adopted["publication"])])
    inst = adopted.filter(pl.Series((rng.random(adopted.height) < p) & (adopted["col"].to_numpy() != "合稿")))
    two = rng.random(inst.height) < 0.2
    inst = pl.concat([inst, inst.filter(pl.Series(two))])
    leaders = [demo.LEADERS[lv][rng.integers(0, len(demo.LEADERS[lv]))] for lv in inst["level"]]
    inst = inst.with_columns(
        pl.Series([w for w, _ in leaders]).alias("leader"),
        pl.Series([f"{post}批示" for _, post in leaders]).alias("note"),
        pl.Series(later(rng, inst["day"].to_numpy().astype("datetime64[D]"), 1, 15)).cast(pl.Date).alias("day"))
    instruction_rows = inst.select("day", "uidx", pl.lit("批示").alias("kind"), "level", "publication",
                                   pl.lit("").alias("col"), "leader", "info_id", pl.lit("").alias("issue"),
                                   "title", pl.lit("").alias("author"), "note")
    fb = inst.unique("info_id").filter(pl.Series(rng.random(inst["info_id"].n_unique()) < 0.4))
    feedback_rows = fb.select(
        pl.Series(later(rng, fb["day"].to_numpy().astype("datetime64[D]"), 5, 25)).cast(pl.Date).alias("day"),
        "uidx", pl.lit("批示落实").alias("kind"), pl.lit("").alias("level"), pl.lit("").alias("publication"),
        pl.lit("").alias("col"), pl.lit("").alias("leader"), "info_id", pl.lit("").alias("issue"),
        pl.format("关于落实领导批示要求{}的情况反馈", pl.col("phrase")).alias("title"), "author",
        pl.lit("").alias("note"))

    # ---- rows per unit-month at the demo's rates, scaled: 约稿, 线索, 调研, 合稿, 扣分 -------
    def unit_months(rate: float, at_least: int = 0) -> tuple[np.ndarray, np.ndarray]:
        n = max(at_least, rng.poisson(rate * busy * n_units * 12))
        uidx = rng.integers(0, n_units, n)
        month = rng.integers(1, 13, n)
        day = np.array([np.datetime64(f"{YEAR}-{m:02d}-01") for m in range(1, 13)])[month - 1] + rng.integers(7, 27, n)
        return uidx.astype(np.int32), np.busday_offset(day, 0, roll="backward")

    def simple(uidx, day, kind, level="", col="", leader="", title="", note="", author="") -> pl.DataFrame:
        n = len(uidx)
        as_col = lambda v: v if isinstance(v, (np.ndarray, list)) else [v] * n  # noqa: E731
        return pl.DataFrame({"day": day, "uidx": uidx, "kind": as_col(kind), "level": as_col(level),
                             "publication": as_col(""), "col": as_col(col), "leader": as_col(leader),
                             "info_id": as_col(""), "issue": as_col(""), "title": as_col(title),
                             "author": as_col(author), "note": as_col(note)},
                            schema_overrides={"uidx": pl.Int32}).with_columns(pl.col("day").cast(pl.Date))

    topics = np.array(demo.GENERAL_TOPICS, dtype=object)
    parts = [subs.select("day", "uidx", pl.lit("报送").alias("kind"), pl.lit("").alias("level"),
                         pl.lit("").alias("publication"), pl.lit("").alias("col"), pl.lit("").alias("leader"),
                         pl.lit("").alias("info_id"), pl.lit("").alias("issue"), "title", "author",
                         pl.lit("").alias("note")),
             adoption_rows, instruction_rows, feedback_rows]
    u, d = unit_months(0.065)  # 约稿: city 50, region 12, dropped 38 (demo._solicited_rows)
    outcome = weighted(rng, [(("市", "选用"), 50), (("自治区", "选用"), 12), (("", "弃稿"), 38)], len(u))
    parts.append(simple(u, d, "约稿", np.array([o[0] for o in outcome], dtype=object).astype(str),
                        np.array([o[1] for o in outcome], dtype=object).astype(str),
                        title=(unit_names[u] + "关于" + topics[rng.integers(0, len(topics), len(u))] + "的约稿信息").astype(str)))
    u, d = unit_months(0.028)  # 线索
    parts.append(simple(u, d, "线索", "市", title=(np.array(["关于"] * len(u), dtype=object)
                                                   + topics[rng.integers(0, len(topics), len(u))] + "的信息线索").astype(str)))
    u, d = unit_months(0.01)  # 调研: 承办, and a report on most visits
    level = np.where(rng.random(len(u)) < 0.8, "市", "自治区")
    parts.append(simple(u, d, "调研", level, "承办", title="配合上级开展专项调研", note="信息调研"))
    follow = rng.random(len(u)) < 0.7
    parts.append(simple(u[follow], later(rng, d[follow], 3, 15), "调研", level[follow], "调研信息",
                        title=(unit_names[u[follow]] + "落实领导调研要求").astype(str)))
    u, d = unit_months(0.055)  # 合稿: a merged item, one row per participating unit
    parts.append(simple(u, d, "采用", "市", "合稿", title="我县多部门协同推进重点工作").with_columns(
        pl.lit("政务要情").alias("publication"),
        pl.format("DKH{}-{}", pl.lit(YEAR), pl.int_range(pl.len()).cast(pl.Utf8).str.zfill(6)).alias("info_id")))
    u, d = unit_months(0.0023, at_least=2)  # 约稿逾期 (some units twice: −30, then −50)
    twice = rng.random(len(u)) < 0.3
    twice[0] = True
    parts.append(simple(np.concatenate([u, u[twice]]), np.concatenate([d, later(rng, d[twice], 20, 90)]),
                        "扣分", col="约稿逾期", note="未按时限报送约稿信息"))
    u, d = unit_months(0.0015, at_least=1)  # 重大失误
    parts.append(simple(u, d, "扣分", col="重大失误", leader="市领导", note="信息数据出现较大失误，被市领导批示指出"))
    u, d = unit_months(0.0008, at_least=1)  # 严重失真
    parts.append(simple(u, d, "扣分", col="严重失真", note="报送信息内容与实际情况严重不符"))

    events = pl.concat([p.select("day", pl.col("uidx").cast(pl.Int32), "kind", "level", "publication", "col",
                                 "leader", "info_id", "issue", "title", "author", "note") for p in parts])
    # Exactly n_events: drop or repeat some 报送 rows (a real register has duplicates too).
    diff = events.height - n_events
    if diff > 0:
        is_sub = (events["kind"] == "报送").to_numpy()
        drop = rng.choice(np.flatnonzero(is_sub), size=diff, replace=False)
        keep = np.ones(events.height, dtype=bool)
        keep[drop] = False
        events = events.filter(pl.Series(keep))
    elif diff < 0:
        events = pl.concat([events, events.filter(pl.col("kind") == "报送").sample(-diff, with_replacement=True, seed=seed)])
    return (events.with_columns(pl.Series("unit_id", unit_ids.astype(np.int32)[events["uidx"].to_numpy()]))
            .drop("uidx").sort("day", "unit_id", "kind"))


def with_codes_and_identity(events: pl.DataFrame) -> pl.DataFrame:
    """code by the real rule matching (per distinct row shape); identity as validate.identity."""
    book = default_profile().rulebook()
    shapes = events.select("kind", "level", "publication", "col", "leader").unique()
    codes = []
    for kind, level, pub, col, leader in shapes.iter_rows():
        code, errors = match_item(book.latest(), {"类型": kind, "层级": level, "刊物": pub, "栏目": col, "批示人": leader})
        if errors:
            raise AssertionError(f"generated row shape does not match a rule: {kind, level, pub, col, leader}: {errors}")
        codes.append(code)
    events = events.join(shapes.with_columns(pl.Series("code", codes)),
                         on=["kind", "level", "publication", "col", "leader"], how="left", maintain_order="left")
    joined = events.select(pl.concat_str(
        pl.col("day").cast(pl.Utf8), pl.col("unit_id").cast(pl.Utf8), "kind", "level", "publication", "col",
        "leader", "info_id", "issue", "title", "author", "note", separator="\x1f")).to_series()
    identity = [hashlib.blake2b(s.encode(), digest_size=12).hexdigest() for s in joined]
    return events.with_columns(pl.Series("identity", identity), pl.int_range(2, pl.len() + 2, dtype=pl.Int32).alias("src_row"))


def build(events: int, units: int, path: Path | None = None, quiet: bool = False) -> Path:
    """Build the store under a temporary name and rename it when complete, so that a benchmark
    started meanwhile (or after a crash) never finds half a store."""
    final = path or db_path(events, units)
    path = final.with_name(f"{final.name}.{os.getpid()}.part")
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    store = Store(path)
    rng = np.random.default_rng(SEED)
    have = len(store.unit_book())
    if units > have:
        store.bulk_add_units(extra_unit_rows(units - have, rng), WHO)
    elif units < have:
        raise SystemExit(f"至少 {have} 个单位（默认名单）")
    store.save_rule_version(dt.date(YEAR, 7, 1), MIDYEAR_VERSION, "基准测试：年中规则版本", WHO)
    table = unit_table(store)
    frame = with_codes_and_identity(generate_events(table, events))
    say(f"generated {frame.height:,} events for {table.height:,} units in {time.perf_counter() - t0:.1f} s")
    # One register file per month, as offices send them.
    frame = frame.with_columns(pl.col("day").dt.month().alias("_m"))
    for (month,), part in frame.partition_by("_m", as_dict=True, maintain_order=True).items():
        store.bulk_load_events(part.drop("_m").with_columns(
            pl.int_range(2, pl.len() + 2, dtype=pl.Int32).alias("src_row")), f"{YEAR}年{month}月信息登记表.xlsx", WHO)
    # A few everyday corrections: withdrawn rows and a waived month.
    ids = store.frame("SELECT id FROM events ORDER BY id LIMIT 3 OFFSET 100")["id"].to_list()
    for event_id in ids[:2]:
        store.set_withdrawn(event_id, True, WHO, "重复报送")
    store.add_waiver(table["unit_id"][-1], dt.date(YEAR, 8, 1), "单位搬迁，经同意当月免报", WHO)
    del store  # every operation closed its connection: the file is complete (no .wal left)
    if Path(f"{path}.wal").exists():
        raise RuntimeError(f"{path}.wal left behind")
    os.replace(path, final)
    say(f"stored in {final} in {time.perf_counter() - t0:.1f} s")
    return final


def import_xlsx_path(rows: int = 100_000, results: Path = RESULTS) -> Path:
    return results / f"import_{rows}.xlsx"


def build_import_xlsx(rows: int = 100_000, path: Path | None = None) -> Path:
    """A register of `rows` demo rows for the county's 54 units (what a real import sees: dates,
    names as staff write them, every kind of row). The demo's two years are repeated four years
    apart (leap days stay valid) until there are enough rows."""
    final = path or import_xlsx_path(rows)
    final.parent.mkdir(parents=True, exist_ok=True)
    path = final.with_name(f"{final.name}.{os.getpid()}.part")
    base = demo.generate_rows(seed=SEED)
    out: list[dict] = []
    shift = 0
    while len(out) < rows:
        out += [{**r, "日期": r["日期"].replace(year=r["日期"].year + shift)} for r in base]
        shift += 4
    demo.write_xlsx(out[:rows], path)
    os.replace(path, final)
    return final


def ensure(events: int, units: int, results: Path = RESULTS) -> Path:
    """The cached store for this size, built first if missing."""
    path = db_path(events, units, results)
    if not path.exists():
        build(events, units, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=54)
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    parser.add_argument("--import-xlsx", type=int, metavar="ROWS",
                        help="instead: write the import benchmark's register with ROWS rows")
    parser.add_argument("--results", type=Path, default=RESULTS, help="cache folder (default bench/results)")
    args = parser.parse_args(argv)
    if args.import_xlsx:
        path = import_xlsx_path(args.import_xlsx, args.results)
        if args.force or not path.exists():
            build_import_xlsx(args.import_xlsx, path)
    else:
        path = db_path(args.events, args.units, args.results)
        if args.force or not path.exists():
            build(args.events, args.units, path)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
