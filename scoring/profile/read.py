"""Reading a profile folder into a `Profile`, collecting every problem as `文件 X 键 Y: 说明`.

Each reader takes the raw YAML value and a `Problems` list; it returns what it could make of
the value (a default where it could not), so one pass reports everything that is wrong.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from scoring.profile.rules import RuleError
from scoring.profile.names import name_problem

from scoring.profile.model import (ADOPTION_MODES, MEASURES, QUOTA_PERIODS, TIE_RULES, UNTRACKED, Group, LatePolicy, MergedPolicy,
                      Office, Profile, QuotaPolicy, Tier, as_date)

PROFILE_FILE = "profile.yaml"
UNITS_FILE = "units.yaml"
OFFICE_KEYS = {"issuer": "", "short": "", "regulation": "", "masthead": "政务信息工作通报",
               "number_pattern": "〔{year}〕第 {n} 期", "addressee": "", "phone": "", "mailbox": "",
               "register_title": "政务信息工作事件登记表", "area": "全县"}
REQUIRED_OFFICE = ("issuer", "regulation")


class Problems(list):
    def add(self, file: str, key: str, text: str) -> None:
        self.append(f"文件 {file} 键 {key}: {text}")


def _text(value, problems: Problems, file: str, key: str, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        problems.add(file, key, f"应为文字，现为 {value!r}")
        return default
    return str(value)


def _count(value, problems: Problems, file: str, key: str, default: int = 0) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.add(file, key, f"应为不小于 0 的整数，现为 {value!r}")
        return default
    return value


def _choice(value, options: tuple, problems: Problems, file: str, key: str, default):
    if value is None:
        return default
    if value not in options:
        problems.add(file, key, f"取值 {value!r} 无效，可选：{'、'.join(map(str, options))}")
        return default
    return value


def _flag(value, problems: Problems, file: str, key: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        problems.add(file, key, f"应为 true 或 false，现为 {value!r}")
        return default
    return value


def _load_yaml(path: Path, problems: Problems):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.add(path.name, "（整个文件）", "文件不存在")
    except UnicodeDecodeError:
        problems.add(path.name, "（整个文件）", "不是 UTF-8 编码的文字文件")
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else "（整个文件）"
        problems.add(path.name, where, f"不是有效的 YAML（{getattr(e, 'problem', None) or e}）")
    except ValueError as e:  # a date such as 2024-02-30
        problems.add(path.name, "（整个文件）", f"含有无效的日期（{e}）")
    return None


# --------------------------------------------------------------------------------------------
def read(root: Path) -> tuple[Profile | None, list[str]]:
    problems = Problems()
    if not root.is_dir():
        problems.add(str(root), "（文件夹）", "不存在或不是文件夹")
        return None, problems
    data = _load_yaml(root / PROFILE_FILE, problems)
    if data is None:
        return None, problems
    if not isinstance(data, dict):
        problems.add(PROFILE_FILE, "（整个文件）", "内容应为键值表")
        return None, problems
    f = PROFILE_FILE
    known = {"name", "office", "groups", "tiers", "types", "policies", "commendation", "report", "matching",
             "settings", "template"}
    for key in data:
        if key not in known:
            problems.add(f, str(key), f"未知的键（可用：{'、'.join(sorted(known))}）")
    office = _office(data.get("office"), problems)
    groups = _groups(data.get("groups"), problems)
    tiers = _tiers(data.get("tiers"), problems)
    types = tuple(_text(t, problems, f, "types") for t in (data.get("types") or []))
    if not types:
        problems.add(f, "types", "至少列出一种类型（如 报送、采用）")
    policies = data.get("policies") or {}
    if not isinstance(policies, dict):
        problems.add(f, "policies", "应为键值表")
        policies = {}
    quotas = _quotas(policies.get("quota"), groups, problems)
    late = _late(policies.get("late"), problems)
    commend = data.get("commendation") or {}
    report = data.get("report") or {}
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        problems.add(f, "settings", "应为键值表")
        settings = {}
    measure = settings.get("improvement_measure")
    if measure is not None and measure not in MEASURES:
        problems.add(f, "settings.improvement_measure", f"取值 {measure!r} 无效，可选：{'、'.join(MEASURES)}")
    aliases = {}
    raw_aliases = (data.get("matching") or {}).get("aliases") or {}
    if not isinstance(raw_aliases, dict) or not all(isinstance(v, dict) for v in raw_aliases.values()):
        problems.add(f, "matching.aliases", "应写成 {列名: {常见写法: 规范值}}")
    else:
        for column, pairs in raw_aliases.items():
            if column not in ("类型", "层级", "刊物", "栏目", "批示人"):
                problems.add(f, f"matching.aliases.{column}", "只能是 类型、层级、刊物、栏目、批示人 之一")
            aliases[str(column)] = {str(k): str(v) for k, v in pairs.items()}
    hints = {}
    for i, h in enumerate(((data.get("matching") or {}).get("hints") or [])):
        if not isinstance(h, dict) or not all(isinstance(h.get(k), str) for k in ("类型", "列", "说明")):
            problems.add(f, f"matching.hints[{i}]", "应写成 {类型: …, 列: …, 说明: …}")
            continue
        hints[(h["类型"], h["列"])] = h["说明"]
    profile = Profile(
        name=_text(data.get("name"), problems, f, "name", root.name),
        root=root.resolve(), office=office, groups=groups, tiers=tiers, types=types, quotas=quotas, late=late,
        disqualify=_code_map(commend.get("disqualify"), problems, "commendation.disqualify"),
        error_items=_code_map(commend.get("errors"), problems, "commendation.errors"),
        min_items=_count(commend.get("min_items"), problems, f, "commendation.min_items"),
        solicited=_code_map(report.get("solicited"), problems, "report.solicited"),
        floor=_flag(policies.get("floor"), problems, f, "policies.floor", True),
        ties=_choice(policies.get("ties"), TIE_RULES, problems, f, "policies.ties", "min"),
        adoption=_choice(policies.get("adoption"), ADOPTION_MODES, problems, f, "policies.adoption", "sum"),
        praise_top=_count(report.get("praise_top"), problems, f, "report.praise_top", 3),
        merged=_merged(policies.get("merged"), problems),
        adoption_phrases=_code_map(report.get("adoption_phrases"), problems, "report.adoption_phrases"),
        instruction_phrases=_code_map(report.get("instruction_phrases"), problems, "report.instruction_phrases"),
        settings=dict(settings),
        template_notes=tuple(_text(n, problems, f, "template.notes") for n in
                             ((data.get("template") or {}).get("notes") or [])),
        hints=hints,
        aliases=aliases,
    )
    if len(set(types)) != len(types):
        problems.add(f, "types", "类型重复")
    units, unit_problems = read_units_file(root / UNITS_FILE, profile.group_codes)
    problems.extend(unit_problems)
    if units is not None:
        profile = replace(profile, unit_list=units)
    _check_rules(profile, problems)
    return profile, problems


def _office(raw, problems: Problems) -> Office:
    f = PROFILE_FILE
    if not isinstance(raw, dict):
        problems.add(f, "office", "缺少单位信息（issuer、regulation 等）")
        raw = {}
    for key in raw:
        if key not in OFFICE_KEYS:
            problems.add(f, f"office.{key}", f"未知的键（可用：{'、'.join(OFFICE_KEYS)}）")
    for key in REQUIRED_OFFICE:
        if not raw.get(key):
            problems.add(f, f"office.{key}", "必须填写")
    values = {k: _text(raw.get(k), problems, f, f"office.{k}", d) for k, d in OFFICE_KEYS.items()}
    pattern = values["number_pattern"]
    try:
        pattern.format(year=2025, n=1)
    except (KeyError, IndexError, ValueError):
        problems.add(f, "office.number_pattern", f"“{pattern}”只能使用 {{year}} 和 {{n}} 两个占位符")
    if "{n}" not in pattern:
        problems.add(f, "office.number_pattern", f"“{pattern}”须含 {{n}}（期数）")
    return Office(**values)


def _groups(raw, problems: Problems) -> tuple[Group, ...]:
    f = PROFILE_FILE
    if not isinstance(raw, list) or not raw:
        problems.add(f, "groups", "至少列出一个组别")
        return ()
    out, seen = [], set()
    for i, g in enumerate(raw):
        key = f"groups[{i}]"
        if not isinstance(g, dict) or not isinstance(g.get("code"), str) or not g.get("code"):
            problems.add(f, key, "每个组别须写 code（如 A）")
            continue
        if g["code"] in seen:
            problems.add(f, f"{key}.code", f"组别 {g['code']} 重复")
        seen.add(g["code"])
        quota = g.get("quota") or {}
        if not isinstance(quota, dict):
            problems.add(f, f"{key}.quota", "应写成 {任务名: 条数}")
            quota = {}
        out.append(Group(g["code"], _text(g.get("label"), problems, f, f"{key}.label", g["code"]),
                         {str(k): _count(v, problems, f, f"{key}.quota.{k}") for k, v in quota.items()},
                         *(_count(g.get(k), problems, f, f"{key}.{k}") for k in ("advanced", "improved", "review"))))
    return tuple(out)


def _tiers(raw, problems: Problems) -> tuple[Tier, ...]:
    f = PROFILE_FILE
    if not isinstance(raw, list) or not raw:
        problems.add(f, "tiers", "至少列出一个得分分类")
        return ()
    out = []
    for i, t in enumerate(raw):
        if isinstance(t, str):
            out.append(Tier(t))
        elif isinstance(t, dict) and isinstance(t.get("name"), str):
            out.append(Tier(t["name"], _flag(t.get("column"), problems, f, f"tiers[{i}].column", True),
                            _text(t.get("adoptions"), problems, f, f"tiers[{i}].adoptions")))
        else:
            problems.add(f, f"tiers[{i}]", "应为分类名称，或 {name: …, column: …, adoptions: …}")
    names = [t.name for t in out]
    for name in {n for n in names if names.count(n) > 1}:
        problems.add(f, "tiers", f"分类 {name} 重复")
    return tuple(out)


def _quotas(raw, groups: tuple[Group, ...], problems: Problems) -> tuple[QuotaPolicy, ...]:
    f = PROFILE_FILE
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add(f, "policies.quota", "应为列表（每项一种报送任务）")
        return ()
    out = []
    for i, q in enumerate(raw):
        key = f"policies.quota[{i}]"
        if not isinstance(q, dict) or not q.get("name") or not q.get("counts"):
            problems.add(f, key, "须写 name（任务名）和 counts（计数的计分项代码）")
            continue
        refuse = q.get("refuse") or {}
        if not isinstance(refuse, dict) or len(refuse) > 1:
            problems.add(f, f"{key}.refuse", "应写成 {列名: 值}，只写一列")
            refuse = {}
        cap = q.get("base_cap")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, (int, float)) or cap < 0):
            problems.add(f, f"{key}.base_cap", f"应为不小于 0 的数，现为 {cap!r}")
            cap = None
        policy = QuotaPolicy(
            name=str(q["name"]), counts=str(q["counts"]),
            period=_choice(q.get("period"), QUOTA_PERIODS, problems, f, f"{key}.period", "month"),
            first=_text(q.get("first"), problems, f, f"{key}.first"),
            repeat=_text(q.get("repeat"), problems, f, f"{key}.repeat"),
            across_years=_flag(q.get("across_years"), problems, f, f"{key}.across_years", True),
            untracked=_choice(q.get("untracked"), UNTRACKED, problems, f, f"{key}.untracked", "skip"),
            refuse_column=next(iter(refuse), ""), refuse_value=str(next(iter(refuse.values()), "")),
            base=_text(q.get("base"), problems, f, f"{key}.base"), base_cap=cap,
            above=_text(q.get("above"), problems, f, f"{key}.above"))
        if policy.repeat and not policy.first:
            problems.add(f, f"{key}.repeat", "写了 repeat 就须写 first（首次未完成的扣分项）")
        missing = [g.code for g in groups if policy.name not in g.quota]
        if missing:
            problems.add(f, f"groups[].quota.{policy.name}", f"组别 {'、'.join(missing)} 未写该任务的条数")
        out.append(policy)
    return tuple(out)


def _late(raw, problems: Problems) -> LatePolicy | None:
    f = PROFILE_FILE
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("item"):
        problems.add(f, "policies.late", "须写 item（约稿逾期的扣分项代码）")
        return None
    return LatePolicy(str(raw["item"]), _text(raw.get("repeat"), problems, f, "policies.late.repeat"),
                      _count(raw.get("zero_after"), problems, f, "policies.late.zero_after"))


def _merged(raw, problems: Problems) -> MergedPolicy | None:
    f = PROFILE_FILE
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("item"):
        problems.add(f, "policies.merged", "须写 item（合稿的计分项代码）")
        return None
    share = raw.get("share", "full")
    if share not in ("full", "even") and (isinstance(share, bool) or not isinstance(share, (int, float))
                                          or not 0 < share <= 1):
        problems.add(f, "policies.merged.share", f"应为 full、even 或 0 到 1 之间的比例，现为 {share!r}")
        share = "full"
    return MergedPolicy(str(raw["item"]), share)


def _code_map(raw, problems: Problems, key: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(PROFILE_FILE, key, "应写成 {计分项代码: 说明}")
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def _check_rules(profile: Profile, problems: Problems) -> None:
    """The rule versions parse with the profile's vocabulary, and every code it names exists."""
    files = profile.rule_files() if (profile.root / "rules").is_dir() else []
    if not files:
        problems.add("rules/", "（文件夹）", "没有任何规则版本文件（rules/日期.yaml）")
        return
    try:
        book = profile.rulebook()
    except RuleError as e:
        source, _, text = str(e).partition(": ")
        where, _, what = text.partition(": ") if text.startswith("items[") else ("（整个文件）", "", text)
        problems.add(f"rules/{source}" if text else "rules/", where if what else "（整个文件）", what or text or str(e))
        return
    except (TypeError, AttributeError, KeyError) as e:  # a rule file of an unexpected shape
        problems.add("rules/", "items", f"规则文件的结构不正确（{e}）：items 应为列表，每项为键值表")
        return
    codes = set(book.versions[0].items)
    named = [("policies.quota[].counts", q.counts) for q in profile.quotas]
    named += [(f"policies.quota[].{k}", getattr(q, k)) for q in profile.quotas
              for k in ("first", "repeat", "base", "above") if getattr(q, k)]
    if profile.late:
        named += [("policies.late.item", profile.late.item)]
        named += [("policies.late.repeat", profile.late.repeat)] if profile.late.repeat else []
    named += [("commendation.disqualify", c) for c in profile.disqualify]
    named += [("commendation.errors", c) for c in profile.error_items]
    named += [("report.solicited", c) for c in profile.solicited.values()]
    named += [("policies.merged.item", profile.merged.item)] if profile.merged else []
    for key, code in named:
        if code not in codes:
            problems.add(PROFILE_FILE, key, f"计分项 {code} 不在第一个规则版本中")
    for tier in profile.tiers:
        if tier.adoptions and tier.adoptions in profile.score_tiers:
            problems.add(PROFILE_FILE, "tiers", f"adoptions 列名 {tier.adoptions} 与得分分类同名")


def units_problems(data, file: str, groups: tuple[str, ...]) -> list[str]:
    problems = Problems()
    if not isinstance(data, dict):
        problems.add(file, "（整个文件）", "内容应为键值表（since、units）")
        return problems
    if as_date(data.get("since")) is None:
        problems.add(file, "since", f"应为日期（如 2024-01-01），现为 {data.get('since')!r}")
    units = data.get("units")
    if not isinstance(units, list) or not units:
        problems.add(file, "units", "至少列出一个单位")
        return problems
    seen: set[str] = set()
    for i, u in enumerate(units):
        if not isinstance(u, dict) or not isinstance(u.get("name"), str) or not u.get("name"):
            problems.add(file, f"units[{i}]", "每个单位须写 name 和 group")
            continue
        if u.get("group") not in groups:
            problems.add(file, f"units[{i}].group", f"{u['name']} 的组别 {u.get('group')!r} 不在 profile.yaml 的 groups 中"
                         f"（{'、'.join(groups)}）")
        aliases = u.get("aliases") or []
        if not isinstance(aliases, list):
            problems.add(file, f"units[{i}].aliases", "应为列表")
            aliases = []
        for n in [u["name"], *aliases]:
            if name_problem(n):
                problems.add(file, f"units[{i}]", f"{n!r}: {name_problem(n)}")
            if n in seen:
                problems.add(file, f"units[{i}]", f"名称或简称“{n}”重复")
            seen.add(n)
    return problems


def read_units_file(path: Path, groups: tuple[str, ...]) -> tuple[dict | None, list[str]]:
    """A units.yaml as a plain dict, and its problems."""
    problems = Problems()
    if not path.exists():
        problems.add(path.name, "（整个文件）", "文件不存在")
        return None, problems
    data = _load_yaml(path, problems)
    if data is None:
        return None, problems
    problems.extend(units_problems(data, path.name, groups))
    return data, problems
