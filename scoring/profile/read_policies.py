"""Reading profile.yaml's rule constructs: tasks (`policies.quota`), `late`, `merged`, conditions,
`measures`, `score` and `flags`; targets (a number or a range) for groups and units.

Every reader records problems as `文件 X 键 Y: 说明` and returns what it could make of the value.
Names an expression may use are checked once every construct is read (`check_expressions`).
"""
from __future__ import annotations

from decimal import Decimal

from scoring.profile import fields as f
from scoring.profile.constructs import (CHARGES, PERIODS, UNTRACKED, YEAR_MODES, Condition, Flag, LatePolicy, Measure,
                                        MergedPolicy, QuotaPolicy, Score, Target)
from scoring.profile.formula import FormulaError, parse

FILE = "profile.yaml"
QUOTA_KEYS = ("name", "counts", "measure", "period", "first", "repeat", "missing", "base", "base_cap", "missed",
              "above", "charge", "across_years", "untracked", "refuse")
CONDITION_KEYS = ("item", "when", "period", "undefined")
MEASURE_KINDS = ("count", "points", "ratio")
SELECTOR_KEYS = ("types", "items", "tiers")
BUILT_IN_MEASURES = ("报送数", "采用数", "批示数")   # counts of rows of items of type 报送 / 采用 / 批示
FLAG_NAMES = ("得分", "原始得分")                    # what a flag may also compare


def target(value, problems: f.Problems, file: str, key: str) -> Target | None:
    """A task's target: a number (at least that many), or a range [low, high] ("1–2篇")."""
    if isinstance(value, list) and len(value) == 2:
        low, high = (f.number(v, problems, file, key, None, Decimal(0)) for v in value)
        if low is None or high is None:
            return None
        if high < low:
            problems.add(file, key, f"范围 [{low}, {high}] 的上限小于下限")
            return None
        return Target(low, high)
    low = f.number(value, problems, file, key, None, Decimal(0))
    return Target(low) if low is not None else None


def _period(value, problems: f.Problems, key: str, groups: tuple[str, ...], default: str) -> tuple[str, dict]:
    """A period word, or {组别: 期间} per group (groups not named take `default`)."""
    if isinstance(value, dict):
        out = {}
        for group, word in value.items():
            if group not in groups:
                problems.add(FILE, f"{key}.{group}", f"组别 {group} 不在 groups 中（{'、'.join(groups)}）")
            out[str(group)] = f.choice(word, PERIODS, problems, FILE, f"{key}.{group}", default)
        first = next(iter(out.values()), default)
        return (first if set(groups) <= set(out) else default), out
    return f.choice(value, PERIODS, problems, FILE, key, default), {}


def quotas(raw, groups: tuple, problems: f.Problems) -> tuple[QuotaPolicy, ...]:
    codes = tuple(g.code for g in groups)
    out = []
    for i, q in enumerate(f.listing(raw, problems, FILE, "policies.quota", "列表（每项一种报送任务）")):
        key = f"policies.quota[{i}]"
        if not isinstance(q, dict):
            problems.add(FILE, key, "应写成 {name: 任务名, counts: 计分项代码, …}")
            continue
        f.check_keys(q, QUOTA_KEYS, problems, FILE, f"{key}.")
        name = f.text(q.get("name"), problems, FILE, f"{key}.name", required=True)
        counts = f.words(q.get("counts"), problems, FILE, f"{key}.counts")
        measure = f.text(q.get("measure"), problems, FILE, f"{key}.measure")
        if bool(counts) == bool(measure):
            problems.add(FILE, key, "须写 counts（计数的计分项代码）或 measure（指标名称）中的一个")
        refuse = f.mapping(q.get("refuse"), problems, FILE, f"{key}.refuse", "{列名: 值}")
        if len(refuse) > 1:
            problems.add(FILE, f"{key}.refuse", "只写一列：{列名: 值}")
        period, periods = _period(q.get("period"), problems, f"{key}.period", codes, "month")
        items = {k: f.text(q.get(k), problems, FILE, f"{key}.{k}") for k in ("first", "repeat", "missing", "base",
                                                                               "missed", "above")}
        policy = QuotaPolicy(
            name=name, counts=counts, measure=measure, period=period, periods=periods, **items,
            base_cap=f.number(q.get("base_cap"), problems, FILE, f"{key}.base_cap", None, Decimal(0)),
            charge=f.choice(q.get("charge"), CHARGES, problems, FILE, f"{key}.charge", "period"),
            across_years=f.flag(q.get("across_years"), problems, FILE, f"{key}.across_years", True),
            untracked=f.choice(q.get("untracked"), UNTRACKED, problems, FILE, f"{key}.untracked", "skip"),
            refuse_column=str(next(iter(refuse), "")), refuse_value=str(next(iter(refuse.values()), "")))
        if policy.repeat and not policy.first:
            problems.add(FILE, f"{key}.repeat", "写了 repeat 就须写 first（首次未完成的扣分项）")
        if "week" in policy.all_periods and policy.measure:
            problems.add(FILE, f"{key}.period", "按周考核的任务只能用 counts 计数")
        missing = [g.code for g in groups if name not in g.quota]
        if missing:
            problems.add(FILE, f"groups[].quota.{name}", f"组别 {'、'.join(missing)} 未写任务“{name}”的数量"
                         "（每个组别都须写；不考核的组别写 0）")
        out.append(policy)
    names = [q.name for q in out]
    for name in {n for n in names if names.count(n) > 1}:
        problems.add(FILE, "policies.quota", f"任务名 {name} 重复")
    return tuple(out)


def late(raw, problems: f.Problems) -> LatePolicy | None:
    if raw is None:
        return None
    raw = f.mapping(raw, problems, FILE, "policies.late")
    f.check_keys(raw, ("item", "repeat", "zero_after"), problems, FILE, "policies.late.")
    item = f.text(raw.get("item"), problems, FILE, "policies.late.item", required=True)
    return LatePolicy(item, f.text(raw.get("repeat"), problems, FILE, "policies.late.repeat"),
                      f.count(raw.get("zero_after"), problems, FILE, "policies.late.zero_after")) if item else None


def merged(raw, problems: f.Problems) -> MergedPolicy | None:
    if raw is None:
        return None
    raw = f.mapping(raw, problems, FILE, "policies.merged")
    f.check_keys(raw, ("item", "share"), problems, FILE, "policies.merged.")
    item = f.text(raw.get("item"), problems, FILE, "policies.merged.item", required=True)
    share = raw.get("share", "full")
    if share not in ("full", "even"):
        share = f.number(share, problems, FILE, "policies.merged.share", None, Decimal("0.0001"), Decimal(1))
    return MergedPolicy(item, share if share is not None else "full") if item else None


def conditions(raw, groups: tuple, problems: f.Problems) -> tuple[Condition, ...]:
    codes = tuple(g.code for g in groups)
    out = []
    for i, c in enumerate(f.listing(raw, problems, FILE, "policies.conditions")):
        key = f"policies.conditions[{i}]"
        if not isinstance(c, dict):
            problems.add(FILE, key, "应写成 {item: 计分项代码, when: 条件, period: 期间}")
            continue
        f.check_keys(c, CONDITION_KEYS, problems, FILE, f"{key}.")
        period, periods = _period(c.get("period"), problems, f"{key}.period", codes, "quarter")
        if "week" in (period, *periods.values()):
            problems.add(FILE, f"{key}.period", "条件按月、双月、季度、半年或年考核，不能按周")
        out.append(Condition(f.text(c.get("item"), problems, FILE, f"{key}.item", required=True),
                             f.text(c.get("when"), problems, FILE, f"{key}.when"), period, periods,
                             f.flag(c.get("undefined"), problems, FILE, f"{key}.undefined", False)))
    return tuple(out)


def _selector(raw, problems: f.Problems, key: str) -> dict:
    raw = f.mapping(raw, problems, FILE, key, "{types: [...], items: [...], tiers: [...]}")
    f.check_keys(raw, SELECTOR_KEYS, problems, FILE, f"{key}.")
    out = {k: f.words(raw.get(k), problems, FILE, f"{key}.{k}") for k in SELECTOR_KEYS}
    if not any(out.values()):
        problems.add(FILE, key, "须写 types、items 或 tiers 中至少一项")
    return out


def measures(raw, problems: f.Problems) -> tuple[Measure, ...]:
    out = []
    for name, spec in f.mapping(raw, problems, FILE, "measures", "{指标名: {count|points|ratio: …}}").items():
        key = f"measures.{name}"
        spec = f.mapping(spec, problems, FILE, key)
        f.check_keys(spec, (*MEASURE_KINDS, "distinct"), problems, FILE, f"{key}.")
        kinds = [k for k in MEASURE_KINDS if k in spec]
        if len(kinds) != 1:
            problems.add(FILE, key, "须写 count、points、ratio 中的一个")
            continue
        kind = kinds[0]
        distinct = f.flag(spec.get("distinct"), problems, FILE, f"{key}.distinct", False)
        if distinct and kind != "count":
            problems.add(FILE, f"{key}.distinct", "只有 count 可以按信息编号去重")
        if kind == "ratio":
            parts = f.words(spec["ratio"], problems, FILE, f"{key}.ratio")
            if len(parts) != 2:
                problems.add(FILE, f"{key}.ratio", "应写成 [分子指标, 分母指标]")
                continue
            out.append(Measure(str(name), kind, parts=parts))
        else:
            out.append(Measure(str(name), kind, distinct=distinct, **_selector(spec[kind], problems, f"{key}.{kind}")))
    return tuple(out)


def score(raw, legacy_floor, problems: f.Problems) -> Score:
    raw = f.mapping(raw, problems, FILE, "score")
    f.check_keys(raw, ("formula", "floor", "year"), problems, FILE, "score.")
    floor = f.flag(legacy_floor, problems, FILE, "policies.floor", True)
    return Score(formula=f.text(raw.get("formula"), problems, FILE, "score.formula"),
                 floor=f.flag(raw.get("floor"), problems, FILE, "score.floor", floor),
                 year=f.choice(raw.get("year"), YEAR_MODES, problems, FILE, "score.year", "whole"))


def flags(raw, problems: f.Problems) -> tuple[Flag, ...]:
    out = []
    for i, entry in enumerate(f.listing(raw, problems, FILE, "flags")):
        key = f"flags[{i}]"
        entry = f.mapping(entry, problems, FILE, key, "{name: 名称, when: 条件}")
        f.check_keys(entry, ("name", "when"), problems, FILE, f"{key}.")
        out.append(Flag(f.text(entry.get("name"), problems, FILE, f"{key}.name", required=True),
                        f.text(entry.get("when"), problems, FILE, f"{key}.when", required=True)))
    return tuple(out)


def check_expressions(profile, types: tuple[str, ...], codes: set[str], problems: f.Problems) -> None:
    """Every measure, condition, formula and flag names only what exists."""
    tiers = {t.name for t in profile.tiers}
    names = tiers | {m.name for m in profile.measures} | set(BUILT_IN_MEASURES)
    for m in profile.measures:
        key = f"measures.{m.name}"
        if m.name in tiers:
            problems.add(FILE, key, f"指标名 {m.name} 与得分分类同名")
        for kind in (t for t in m.types if t not in types):
            problems.add(FILE, f"{key}.types", f"类型 {kind} 不在 types 中（{'、'.join(types)}）")
        for code in (c for c in m.items if c not in codes):
            problems.add(FILE, f"{key}.items", f"计分项 {code} 不在第一个规则版本中")
        for tier in (t for t in m.tiers if t not in tiers):
            problems.add(FILE, f"{key}.tiers", f"得分分类 {tier} 不在 tiers 中")
        for part in (p for p in m.parts if p not in names):
            problems.add(FILE, f"{key}.ratio", f"{part} 不是指标名称")
        if m.name in m.parts:
            problems.add(FILE, f"{key}.ratio", "指标不能由自己算出")
    for i, q in enumerate(profile.quotas):
        if q.measure and q.measure not in names:
            problems.add(FILE, f"policies.quota[{i}].measure", f"{q.measure} 不是指标或得分分类的名称")
    checks = [(f"policies.conditions[{i}].when", c.when, names, True) for i, c in enumerate(profile.conditions) if c.when]
    checks += [("score.formula", profile.score.formula, tiers, False)] if profile.score.formula else []
    checks += [(f"flags[{i}].when", x.when, names | set(FLAG_NAMES), True) for i, x in enumerate(profile.flags) if x.when]
    for key, text, allowed, condition in checks:
        try:
            parse(text, allowed, condition)
        except FormulaError as e:
            problems.add(FILE, key, f"“{text}”：{e}")
