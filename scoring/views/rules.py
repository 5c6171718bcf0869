"""规则试算: rule versions as tables, the what-if editor and its comparison, a new dated version."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import polars as pl
import yaml

from scoring.engine import Engine, numbers
from scoring.engine.periods import Period
from scoring.profile.points import as_points, points_problem
from scoring.profile.points import DEDUCTION_TYPE
from scoring.profile.rules import MATCH_COLUMNS, RuleError, parse_version


def _accepts_text(item, column: str) -> str:
    allowed = item.accepts.get(column, frozenset({""}))
    if allowed is None:
        return "（不限）"
    values = sorted(v for v in allowed if v)
    text = "、".join(values)
    if "" in allowed and values:
        text += "（或空）"
    return text


def rule_table(engine: Engine, index: int | None = None) -> pl.DataFrame:
    """The items of one rule version (default: the latest) with their match keys and clause."""
    version = engine.book.versions[-1 if index is None else index]
    names = {code: f"“{it.name}”" for code, it in version.items.items()}
    codes = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    rows = [{"代码": it.code, "名称": it.name, "类型": it.type,
             **{c: ("（系统推导）" if it.derived else _accepts_text(it, c)) for c in MATCH_COLUMNS},
             "分值": it.points, "分类": it.tier, "条款": it.clause, "原文": it.text,
             # a note may name another item by its code
             "说明": codes.sub(lambda m: names[m.group(0)], it.note) if it.note else it.note}
            for it in version.items.values()]
    return pl.DataFrame(rows)


def versions_table(engine: Engine) -> pl.DataFrame:
    """Every rule version, oldest first, with its source and what it changed."""
    rows = []
    previous = None
    for v in engine.book.versions:
        changed = []
        if previous is not None:
            changed = [f"{it.name} {previous.items[c].points:g}→{it.points:g}" for c, it in v.items.items()
                       if c in previous.items and previous.items[c].points != it.points]
        rows.append({"版本": v.version, "生效日期": v.effective, "标题": v.title, "说明": v.reason,
                     "来源": "数据库（仪表盘保存）" if v.source.startswith("数据库") else f"规则文件 {v.source}",
                     "调整内容": "；".join(changed) if previous is not None else "首个版本（完整规则）"})
        previous = v
    return pl.DataFrame(rows, schema={"版本": pl.Utf8, "生效日期": pl.Date, "标题": pl.Utf8, "说明": pl.Utf8,
                                      "来源": pl.Utf8, "调整内容": pl.Utf8})


def whatif_base(engine: Engine, overrides=()) -> pl.DataFrame:
    """The editor's table: each item's points in the latest version; 试算分值 starts equal, or at
    the points of a what-if given as (code, points) pairs (a trial reopened)."""
    latest = engine.book.latest()
    trial = dict(overrides)
    return pl.DataFrame([{"名称": it.name, "现行分值": it.points, "试算分值": trial.get(it.code, it.points),
                          "分类": it.tier, "条款": it.clause, "代码": it.code} for it in latest.items.values()])


def overrides_from(edited: pl.DataFrame) -> dict[str, Decimal]:
    """{code: points} for every row whose 试算分值 differs from 现行分值 (blank = unchanged); the
    grid's numbers read back as the decimals they show."""
    out = {}
    for code, now, new in edited.select("代码", "现行分值", "试算分值").iter_rows():
        if new is None or new != new:
            continue
        new, now = as_points(new), as_points(now)
        if new != now:
            out[code] = new
    return out


def item_names(engine: Engine) -> dict[str, str]:
    """{code: name} over every rule version (the latest name wins)."""
    return {code: item.name for v in engine.book.versions for code, item in v.items.items()}


def overrides_code(overrides: dict) -> str:
    """A what-if as the `CODE=POINTS` text parse_overrides reads back (how a trial is stored)."""
    return ", ".join(f"{code}={points:g}" for code, points in sorted(overrides.items()))


def overrides_text(engine: Engine, overrides: dict[str, float]) -> str:
    """A what-if in words: 名称 → 分值, by item name (codes belong in a tooltip)."""
    names = item_names(engine)
    return "；".join(f"{names.get(c, c)} → {v:g}" for c, v in sorted(overrides.items()))


def check_overrides(engine: Engine, overrides: dict[str, float]) -> list[str]:
    """Problems with a what-if (unknown code, wrong sign), as Chinese messages naming the item."""
    names = item_names(engine)
    kinds = {code: it.type for v in engine.book.versions for code, it in v.items.items()}
    problems = []
    for code, points in overrides.items():
        if code not in names:
            problems.append(f"没有代码为“{code}”的计分事项")
        elif kinds[code] == DEDUCTION_TYPE and points > 0:
            problems.append(f"“{names[code]}”是扣分项，试算分值应为负数或 0，现为 {points:g}")
        elif kinds[code] != DEDUCTION_TYPE and points < 0:
            problems.append(f"“{names[code]}”是计分项，试算分值不能为负数，现为 {points:g}")
    return problems


def compare_view(engine: Engine, period: Period, overrides, base=()) -> pl.DataFrame:
    """engine.compare with a readable change marker; overrides (and the what-if compared with,
    default the rules in force) as dicts or (code, points) pairs."""
    return (engine.compare(period, dict(overrides), dict(base))
            .with_columns(pl.when(pl.col("名次变化") > 0).then(pl.format("↑{}", pl.col("名次变化")))
                          .when(pl.col("名次变化") < 0).then(pl.format("↓{}", -pl.col("名次变化")))
                          .otherwise(pl.lit("—")).alias("变化")))


def rule_version_yaml(effective: date, overrides: dict[str, float], reason: str, book,
                      title: str | None = None) -> str:
    """The body of a new dated rule version listing only the changed items; checked by parsing it
    on top of the version before its date (raises RuleError with the problem)."""
    problems = [f"{code}: {p}" for code, points in overrides.items() if (p := points_problem(points))]
    if problems:
        raise RuleError(problems)
    # YAML has no decimal type: a float's shortest text is the decimal's (at most 4 places), and the
    # rule reader takes it back as that decimal
    items = [{"code": c, "points": _yaml_number(numbers.cell(as_points(p)))} for c, p in sorted(overrides.items())]
    body = yaml.safe_dump({"version": effective.isoformat(), "effective": effective,
                           "title": title or book.latest().title, "reason": reason, "items": items},
                          allow_unicode=True, sort_keys=False)
    before = [v for v in book.versions if v.effective < effective]
    parse_version(body, f"数据库:{effective.isoformat()}", before[-1] if before else book.versions[0])
    return body


def _yaml_number(value):
    return value if isinstance(value, int) else float(value)
