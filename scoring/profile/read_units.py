"""Reading units.yaml: the units in official order, their groups and aliases, and per unit an own
target for a task (`quota`) or `ranked: false` (listed, scored, but not ranked)."""
from __future__ import annotations

from pathlib import Path

from scoring.profile import fields as f
from scoring.profile.model import as_date
from scoring.profile.names import name_problem
from scoring.profile.read_policies import target
from scoring.profile.yamlio import YamlError, read

UNIT_KEYS = ("name", "group", "aliases", "quota", "ranked")


def units_problems(data, file: str, groups: tuple[str, ...], tasks: tuple[str, ...] = ()) -> list[str]:
    problems = f.Problems()
    if not isinstance(data, dict):
        problems.add(file, "（整个文件）", "内容应为键值表（since、units）")
        return problems
    f.check_keys(data, ("since", "units"), problems, file)
    if as_date(data.get("since")) is None:
        problems.add(file, "since", f"应为日期（如 2024-01-01），现为 {f.shown(data.get('since'))}")
    units = data.get("units")
    if not isinstance(units, list) or not units:
        problems.add(file, "units", "至少列出一个单位")
        return problems
    seen: set[str] = set()
    for i, u in enumerate(units):
        key = f"units[{i}]"
        if not isinstance(u, dict) or not isinstance(u.get("name"), str) or not u.get("name"):
            problems.add(file, key, "每个单位须写 name 和 group")
            continue
        f.check_keys(u, UNIT_KEYS, problems, file, f"{key}.")
        if u.get("group") not in groups:
            problems.add(file, f"{key}.group", f"{u['name']} 的组别 {f.shown(u.get('group'))} 不在 profile.yaml 的 "
                         f"groups 中（{'、'.join(groups)}）")
        aliases = u.get("aliases") or []
        if not isinstance(aliases, list):
            problems.add(file, f"{key}.aliases", "应为列表")
            aliases = []
        for n in [u["name"], *aliases]:
            n = str(n)
            if n in seen:
                problems.add(file, key, f"名称或简称“{n}”重复")
            problem = name_problem(n)
            if problem:
                problems.add(file, key, problem)
            seen.add(n)
        for task, value in f.mapping(u.get("quota"), problems, file, f"{key}.quota", "{任务名: 数量}").items():
            if task not in tasks:
                problems.add(file, f"{key}.quota.{task}", f"任务 {task} 不在 profile.yaml 的 policies.quota 中"
                             f"（{'、'.join(tasks) or '没有任务'}）")
            target(value, problems, file, f"{key}.quota.{task}")
        f.flag(u.get("ranked"), problems, file, f"{key}.ranked", True)
    return problems


def read_units_file(path: Path, groups: tuple[str, ...], tasks: tuple[str, ...] = ()) -> tuple[dict | None, list[str]]:
    """A units.yaml as a plain dict, and its problems."""
    problems = f.Problems()
    try:
        data = read(path)
    except YamlError as e:
        problems.add(path.name, f"第 {e.line} 行" if e.line else "（整个文件）", str(e))
        return None, problems
    problems.extend(units_problems(data, path.name, groups, tasks))
    return data, problems


def unit_targets(data: dict, tasks: tuple[str, ...]) -> dict[str, dict]:
    """unit name -> {task: Target} for units with their own targets (data already checked)."""
    out = {}
    for u in data.get("units") or []:
        found = {t: target(v, f.Problems(), "", "") for t, v in (u.get("quota") or {}).items() if t in tasks}
        if found:
            out[u["name"]] = {t: v for t, v in found.items() if v is not None}
    return out


def unranked(data: dict) -> frozenset[str]:
    return frozenset(u["name"] for u in data.get("units") or [] if u.get("ranked") is False)
