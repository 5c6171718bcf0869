"""Reading a profile folder into a `Profile`, collecting every problem as `文件 X 键 Y: 说明`.

Each reader takes the raw YAML value and a `Problems` list; it returns what it could make of
the value (a default where it could not), so one pass reports everything that is wrong: unknown
keys (with the nearest known one), wrong types, names that point nowhere, every broken rule item.
"""
from __future__ import annotations

import string
from dataclasses import replace
from pathlib import Path

from scoring.profile import fields as f
from scoring.profile import read_policies as policies
from scoring.profile.model import ADOPTION_MODES, MEASURES, TIE_RULES, Group, Office, Profile, Tier
from scoring.profile.read_units import read_units_file, unit_targets, unranked
from scoring.profile.rules import RuleError
from scoring.profile.yamlio import YamlError, read as read_yaml

PROFILE_FILE = "profile.yaml"
UNITS_FILE = "units.yaml"
TOP_KEYS = ("name", "office", "groups", "tiers", "types", "policies", "measures", "score", "flags", "commendation",
            "report", "matching", "settings", "template")
POLICY_KEYS = ("quota", "late", "merged", "conditions", "floor", "ties", "adoption")
OFFICE_KEYS = {"issuer": "", "short": "", "regulation": "", "masthead": "政务信息工作通报",
               "number_pattern": "〔{year}〕第 {n} 期", "addressee": "", "phone": "", "mailbox": "",
               "register_title": "政务信息工作事件登记表", "area": "全县"}
REQUIRED_OFFICE = ("issuer", "regulation")
GROUP_KEYS = ("code", "label", "quota", "advanced", "improved", "review")
MATCH_COLUMNS = ("类型", "层级", "刊物", "栏目", "批示人")
MAX_NAME = 40   # a profile's name becomes a file name (the downloaded zip): kept short and plain


def read(root: Path) -> tuple[Profile | None, list[str]]:
    problems = f.Problems()
    if not root.is_dir():
        problems.add(str(root), "（文件夹）", "不存在或不是文件夹")
        return None, problems
    try:
        data = read_yaml(root / PROFILE_FILE)
    except YamlError as e:
        problems.add(PROFILE_FILE, f"第 {e.line} 行" if e.line else "（整个文件）", str(e))
        return None, problems
    if not isinstance(data, dict):
        problems.add(PROFILE_FILE, "（整个文件）", "内容应为键值表")
        return None, problems
    file = PROFILE_FILE
    f.check_keys(data, TOP_KEYS, problems, file)
    groups = _groups(data.get("groups"), problems)
    tiers = _tiers(data.get("tiers"), problems)
    types = f.words(data.get("types"), problems, file, "types")
    if not types:
        problems.add(file, "types", "至少列出一种类型（如 报送、采用）")
    if len(set(types)) != len(types):
        problems.add(file, "types", "类型重复")
    raw_policies = f.mapping(data.get("policies"), problems, file, "policies")
    f.check_keys(raw_policies, POLICY_KEYS, problems, file, "policies.")
    commend = f.mapping(data.get("commendation"), problems, file, "commendation")
    f.check_keys(commend, ("disqualify", "errors", "min_items"), problems, file, "commendation.")
    report = f.mapping(data.get("report"), problems, file, "report")
    f.check_keys(report, ("praise_top", "adoption_phrases", "instruction_phrases", "solicited"), problems, file,
                 "report.")
    matching = f.mapping(data.get("matching"), problems, file, "matching")
    f.check_keys(matching, ("aliases", "hints"), problems, file, "matching.")
    template = f.mapping(data.get("template"), problems, file, "template")
    f.check_keys(template, ("notes",), problems, file, "template.")
    profile = Profile(
        name=_name(data.get("name"), root.name, problems),
        root=root.resolve(), office=_office(data.get("office"), problems), groups=groups, tiers=tiers, types=types,
        quotas=policies.quotas(raw_policies.get("quota"), groups, problems),
        late=policies.late(raw_policies.get("late"), problems),
        disqualify=_code_map(commend.get("disqualify"), problems, "commendation.disqualify"),
        error_items=_code_map(commend.get("errors"), problems, "commendation.errors"),
        min_items=f.count(commend.get("min_items"), problems, file, "commendation.min_items"),
        solicited=_code_map(report.get("solicited"), problems, "report.solicited"),
        ties=f.choice(raw_policies.get("ties"), TIE_RULES, problems, file, "policies.ties", "min"),
        adoption=f.choice(raw_policies.get("adoption"), ADOPTION_MODES, problems, file, "policies.adoption", "sum"),
        praise_top=f.count(report.get("praise_top"), problems, file, "report.praise_top", 3),
        merged=policies.merged(raw_policies.get("merged"), problems),
        adoption_phrases=_code_map(report.get("adoption_phrases"), problems, "report.adoption_phrases"),
        instruction_phrases=_code_map(report.get("instruction_phrases"), problems, "report.instruction_phrases"),
        settings=_settings(data.get("settings"), problems),
        template_notes=tuple(f.text(n, problems, file, f"template.notes[{i}]")
                             for i, n in enumerate(f.listing(template.get("notes"), problems, file, "template.notes"))),
        hints=_hints(matching.get("hints"), problems),
        aliases=_aliases(matching.get("aliases"), problems),
        measures=policies.measures(data.get("measures"), problems),
        conditions=policies.conditions(raw_policies.get("conditions"), groups, problems),
        score=policies.score(data.get("score"), raw_policies.get("floor"), problems),
        flags=policies.flags(data.get("flags"), problems),
    )
    tasks = tuple(q.name for q in profile.quotas)
    for g in groups:
        for task in (t for t in g.quota if t not in tasks):
            problems.add(file, f"groups[].quota.{task}", f"任务 {task} 不在 policies.quota 中（{'、'.join(tasks) or '没有任务'}）")
    units, unit_problems = read_units_file(root / UNITS_FILE, profile.group_codes, tasks)
    problems.extend(unit_problems)
    if units is not None:
        profile = replace(profile, unit_list=units, unit_targets=unit_targets(units, tasks), unranked=unranked(units))
    _check_rules(profile, problems)
    return profile, problems


def _name(value, default: str, problems: f.Problems) -> str:
    name = f.text(value, problems, PROFILE_FILE, "name", default)
    if len(name) > MAX_NAME or any(ch in '/\\:*?"<>|' or ord(ch) < 32 for ch in name) or name.strip(". ") != name:
        problems.add(PROFILE_FILE, "name", f"“{name[:MAX_NAME]}”不能用作名称：不超过 {MAX_NAME} 字，"
                     "不含 / \\ : * ? \" < > | 等符号，不以点或空格开头结尾")
        return default
    return name


def _office(raw, problems: f.Problems) -> Office:
    file = PROFILE_FILE
    if not isinstance(raw, dict):
        problems.add(file, "office", "缺少单位信息（issuer、regulation 等）")
        raw = {}
    f.check_keys(raw, OFFICE_KEYS, problems, file, "office.")
    values = {k: f.text(raw.get(k), problems, file, f"office.{k}", d, required=k in REQUIRED_OFFICE)
              for k, d in OFFICE_KEYS.items()}
    pattern = values["number_pattern"]
    fields = _placeholders(pattern)
    if fields is None or not set(fields) <= {"year", "n"} or len(pattern) > 60:
        problems.add(file, "office.number_pattern", f"“{pattern[:60]}”只能使用 {{year}} 和 {{n}} 两个占位符"
                     "（不加格式说明），不超过 60 字")
        values["number_pattern"] = OFFICE_KEYS["number_pattern"]
    elif "n" not in fields:
        problems.add(file, "office.number_pattern", f"“{pattern}”须含 {{n}}（期数）")
    return Office(**values)


def _placeholders(pattern: str) -> list[str] | None:
    """The placeholders of a 期号 pattern, None when one has a conversion or format spec (such as
    {year:>600000000}, which once made a report run out of memory) or the pattern is malformed."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        return None
    found = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            return None
        found.append(name)
    return found


def _groups(raw, problems: f.Problems) -> tuple[Group, ...]:
    file = PROFILE_FILE
    raw = f.listing(raw, problems, file, "groups")
    if not raw:
        problems.add(file, "groups", "至少列出一个组别")
        return ()
    out, seen = [], set()
    for i, g in enumerate(raw):
        key = f"groups[{i}]"
        code = f.text(g.get("code"), problems, file, f"{key}.code") if isinstance(g, dict) else ""
        if not code:
            problems.add(file, key, "每个组别须写 code（如 A）")
            continue
        f.check_keys(g, GROUP_KEYS, problems, file, f"{key}.")
        if code in seen:
            problems.add(file, f"{key}.code", f"组别 {code} 重复")
        seen.add(code)
        quota = f.mapping(g.get("quota"), problems, file, f"{key}.quota", "{任务名: 数量}")
        targets = {str(k): policies.target(v, problems, file, f"{key}.quota.{k}") for k, v in quota.items()}
        out.append(Group(code, f.text(g.get("label"), problems, file, f"{key}.label", code),
                         {k: v for k, v in targets.items() if v is not None},
                         *(f.count(g.get(k), problems, file, f"{key}.{k}") for k in ("advanced", "improved", "review"))))
    return tuple(out)


def _tiers(raw, problems: f.Problems) -> tuple[Tier, ...]:
    file = PROFILE_FILE
    raw = f.listing(raw, problems, file, "tiers")
    if not raw:
        problems.add(file, "tiers", "至少列出一个得分分类")
        return ()
    out = []
    for i, t in enumerate(raw):
        if isinstance(t, str):
            out.append(Tier(t))
        elif isinstance(t, dict) and isinstance(t.get("name"), str):
            f.check_keys(t, ("name", "column", "adoptions"), problems, file, f"tiers[{i}].")
            out.append(Tier(t["name"], f.flag(t.get("column"), problems, file, f"tiers[{i}].column", True),
                            f.text(t.get("adoptions"), problems, file, f"tiers[{i}].adoptions")))
        else:
            problems.add(file, f"tiers[{i}]", "应为分类名称，或 {name: …, column: …, adoptions: …}")
    names = [t.name for t in out]
    for name in {n for n in names if names.count(n) > 1}:
        problems.add(file, "tiers", f"分类 {name} 重复")
    return tuple(out)


def _settings(raw, problems: f.Problems) -> dict:
    from scoring.profile.settings import BY_NAME  # settings reads its defaults through the loaded profile

    raw = f.mapping(raw, problems, PROFILE_FILE, "settings")
    f.check_keys(raw, BY_NAME, problems, PROFILE_FILE, "settings.")
    measure = raw.get("improvement_measure")
    if measure is not None:
        f.choice(measure, MEASURES, problems, PROFILE_FILE, "settings.improvement_measure", None)
    return {k: v for k, v in raw.items() if k in BY_NAME}


def _aliases(raw, problems: f.Problems) -> dict:
    out = {}
    for column, pairs in f.mapping(raw, problems, PROFILE_FILE, "matching.aliases", "{列名: {常见写法: 规范值}}").items():
        if column not in MATCH_COLUMNS:
            problems.add(PROFILE_FILE, f"matching.aliases.{column}", f"只能是 {'、'.join(MATCH_COLUMNS)} 之一")
        pairs = f.mapping(pairs, problems, PROFILE_FILE, f"matching.aliases.{column}", "{常见写法: 规范值}")
        out[str(column)] = {str(k): str(v) for k, v in pairs.items()}
    return out


def _hints(raw, problems: f.Problems) -> dict:
    out = {}
    for i, h in enumerate(f.listing(raw, problems, PROFILE_FILE, "matching.hints")):
        if not isinstance(h, dict) or not all(isinstance(h.get(k), str) for k in ("类型", "列", "说明")):
            problems.add(PROFILE_FILE, f"matching.hints[{i}]", "应写成 {类型: …, 列: …, 说明: …}")
            continue
        out[(h["类型"], h["列"])] = h["说明"]
    return out


def _code_map(raw, problems: f.Problems, key: str) -> dict[str, str]:
    raw = f.mapping(raw, problems, PROFILE_FILE, key, "{计分项代码: 说明}")
    return {str(k): f.text(v, problems, PROFILE_FILE, f"{key}.{k}") for k, v in raw.items()}


def _check_rules(profile: Profile, problems: f.Problems) -> None:
    """The rule versions parse with the profile's vocabulary, and every code it names exists."""
    files = profile.rule_files() if (profile.root / "rules").is_dir() else []
    if not files:
        problems.add("rules/", "（文件夹）", "没有任何规则版本文件（rules/日期.yaml）")
        return
    try:
        book = profile.rulebook()
    except RuleError as e:
        problems.extend(e.problems)
        return
    codes = set(book.versions[0].items)
    named = [(f"policies.quota[{i}].counts", c) for i, q in enumerate(profile.quotas) for c in q.counts]
    named += [(f"policies.quota[{i}].{k}", getattr(q, k)) for i, q in enumerate(profile.quotas)
              for k in ("first", "repeat", "missing", "base", "missed", "above") if getattr(q, k)]
    named += [(f"policies.conditions[{i}].item", c.item) for i, c in enumerate(profile.conditions) if c.item]
    if profile.late:
        named += [("policies.late.item", profile.late.item)]
        named += [("policies.late.repeat", profile.late.repeat)] if profile.late.repeat else []
    named += [("commendation.disqualify", c) for c in profile.disqualify]
    named += [("commendation.errors", c) for c in profile.error_items]
    named += [("report.solicited", c) for c in profile.solicited.values()]
    named += [("policies.merged.item", profile.merged.item)] if profile.merged else []
    for key, code in named:
        if code not in codes:
            guess = f.nearest(code, codes)
            problems.add(PROFILE_FILE, key, f"计分项 {code} 不在第一个规则版本中" + (f"（是否应为 {guess}？）" if guess else ""))
    for tier in profile.tiers:
        if tier.adoptions and tier.adoptions in profile.score_tiers:
            problems.add(PROFILE_FILE, "tiers", f"adoptions 列名 {tier.adoptions} 与得分分类同名")
    policies.check_expressions(profile, profile.types, codes, problems)
