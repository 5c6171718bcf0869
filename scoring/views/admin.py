"""管理: units, settings and the audit log as tables."""
from __future__ import annotations

import json
import re
from datetime import date

import polars as pl
import yaml

from scoring.engine.commend import MEASURES
from scoring.engine import Engine
from scoring.profile.overrides import parse_overrides
from scoring.profile.settings import BY_NAME
from scoring.views.common import period_of_code
from scoring.views.upload import STORAGE_TO_HEADER

_FIELD_NAMES = {**STORAGE_TO_HEADER, "day": "日期", "unit_id": "单位", "code": "事项", "单位编号": "单位",
                "代码": "事项", "值": "取值", "weight": "计分倍数", "pick": "所选分值"}


def setting_help(name: str) -> str:
    """A setting's help as a user reads it: the measures by their names, and without the asides
    written for the command line (keys, --as-of)."""
    if name == "improvement_measure":
        return "进步较大的衡量方法，可选：" + "；".join(MEASURES.values()) + "。"
    return re.sub(r"（[^（）]*[A-Za-z_-]{2,}[^（）]*）", "", BY_NAME[name].help)


# The time zones an office in China would pick, by the names people use for them; the stored
# value stays the IANA name that the clock needs.
TIMEZONES = {"Asia/Shanghai": "北京时间", "Asia/Urumqi": "乌鲁木齐时间", "Asia/Hong_Kong": "香港时间",
             "Asia/Macau": "澳门时间", "Asia/Taipei": "台北时间"}


def timezone_text(zone: str) -> str:
    """北京时间（东八区）; a zone without a Chinese name by its offset alone (东五区半时 …)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        minutes = int(datetime.now(ZoneInfo(zone)).utcoffset().total_seconds() // 60)
    except (ValueError, KeyError, OSError):
        return "（无效的时区）"
    hours, rest = divmod(abs(minutes), 60)
    numerals = "零一二三四五六七八九十"
    count = numerals[hours] if hours <= 10 else "十" + numerals[hours - 10]
    offset = "零时区" if minutes == 0 else f"{'东' if minutes > 0 else '西'}{count}区" + (f"又{rest}分" if rest else "")
    return f"{TIMEZONES[zone]}（{offset}）" if zone in TIMEZONES else offset


def setting_value_text(name: str, value) -> str:
    if name == "timezone":
        return timezone_text(str(value))
    if isinstance(value, dict):
        return "，".join(f"{k} 组 {x}" for k, x in value.items())
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "improvement_measure":
        return MEASURES.get(value, str(value))
    if isinstance(value, float):
        return f"{value:g}"
    return "—" if value is None else str(value)


def units_table(engine: Engine, day: date) -> pl.DataFrame:
    """Every unit in official order: group on `day`, dates, aliases and contacts."""
    units = engine.units
    aliases: dict[int, list[str]] = {}
    for alias, unit_id in units.aliases.items():
        aliases.setdefault(unit_id, []).append(alias)
    rows = []
    for i, u in enumerate(units.units, start=1):
        history = "；".join(f"{d.isoformat()} 起 {g} 组" for d, g in units.memberships.get(u.id, []))
        rows.append({"序号": i, "单位": u.name, "组别": units.group_on(u.id, day) or "—",
                     "状态": "在册" if u.active_on(day) else ("已停用" if u.active_to and u.active_to < day else "未启用"),
                     "启用日期": u.active_from, "停用日期": u.active_to, "简称": "、".join(sorted(aliases.get(u.id, []))),
                     "分组历史": history, "负责人": u.head or "", "联系人": u.contact or "", "电话": u.phone or "",
                     "unit_id": u.id})
    return pl.DataFrame(rows, schema={"序号": pl.Int64, "单位": pl.Utf8, "组别": pl.Utf8, "状态": pl.Utf8,
                                      "启用日期": pl.Date, "停用日期": pl.Date, "简称": pl.Utf8, "分组历史": pl.Utf8,
                                      "负责人": pl.Utf8, "联系人": pl.Utf8, "电话": pl.Utf8, "unit_id": pl.Int32})


def names(engine: Engine) -> tuple[dict, dict]:
    """{unit id: name} and {item code: name} for words instead of ids and codes."""
    units = {u.id: u.name for u in engine.units.units}
    items = {code: item.name for v in engine.book.versions for code, item in v.items.items()}
    return units, items


def _value(key: str, value, units: dict, items: dict) -> str:
    if value is None or value == "":
        return "—"
    if key in ("单位编号", "unit_id") and value in units:
        return units[value]
    if key in ("代码", "code"):
        return items.get(value, "其他事项")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "，".join(f"{k} 组 {v}" for k, v in value.items())
    if isinstance(value, str) and value in MEASURES:
        return MEASURES[value]
    return str(value)


def audit_text(action: str, detail: str | None, units: dict, items: dict) -> str:
    """An audit row's stored detail (JSON, a rule version's YAML or a sentence) as Chinese text."""
    if not detail:
        return ""
    if action == "保存规则版本":
        try:
            body = yaml.safe_load(detail)
            changed = [f"{items.get(i['code'], '其他事项')} 改为 {i['points']} 分" for i in body.get("items", [])]
            return f"{body.get('effective')} 起施行：" + "；".join(changed)
        except (yaml.YAMLError, AttributeError, KeyError, TypeError):
            return "新的规则版本"
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return _value("", data, units, items)
    if action in ("保存试算方案", "删除试算方案"):
        data = _trial_words(data, items)
    if "原值" in data and "新值" in data:
        return changes_text(data["原值"] or {}, data["新值"] or {}, units, items)
    return fields_text(data, units, items)


def _trial_words(data: dict, items: dict) -> dict:
    """A trial's audit detail with item names for codes and the period's label for its code."""
    try:
        changes = "，".join(f"{items.get(c, '其他事项')} → {v:g}" for c, v in sorted(parse_overrides(data["调整"]).items()))
    except (KeyError, TypeError, ValueError):
        changes = "—"
    period = period_of_code(str(data.get("期间", "")), date.today())
    return {**data, "调整": changes, "期间": period.label if period else "—"}


def changes_text(old: dict, new: dict, units: dict, items: dict) -> str:
    """Changed event fields (storage names) as “层级：市 → 自治区；…”."""
    return "；".join(f"{_FIELD_NAMES.get(k, k)}：{_value(k, old.get(k), units, items)} → {_value(k, v, units, items)}"
                    for k, v in new.items())


def fields_text(data: dict, units: dict, items: dict) -> str:
    """Named values (event fields or audit details) as “日期：2025-10-01；单位：…”."""
    return "；".join(f"{_FIELD_NAMES.get(k, k)}：{_value(k, v, units, items)}" for k, v in data.items())


def _target_text(action: str, target: str | None, units: dict) -> str:
    m = re.fullmatch(r"单位 (\d+)", target or "")
    if m and int(m.group(1)) in units:
        return units[int(m.group(1))]
    if action == "修改设置" and target in BY_NAME:
        return BY_NAME[target].label
    if target == "kiosk":
        return "免登录只读模式"
    return target or ""


def audit_table(engine: Engine, limit: int | None = 500) -> pl.DataFrame:
    """The audit log, newest first, in words: unit and item names, setting titles, no JSON."""
    units, items = names(engine)
    log = engine.store.audit_log(limit)
    rows = [{"编号": r["id"], "时间": r["made_at"], "操作人": r["who"], "操作": r["action"],
             "对象": _target_text(r["action"], r["target"], units),
             "内容": audit_text(r["action"], r["detail"], units, items), "原因": r["reason"] or ""}
            for r in log.iter_rows(named=True)]
    return pl.DataFrame(rows, schema={"编号": pl.Int64, "时间": pl.Datetime("us"), "操作人": pl.Utf8, "操作": pl.Utf8,
                                      "对象": pl.Utf8, "内容": pl.Utf8, "原因": pl.Utf8})


def waivers_table(engine: Engine) -> pl.DataFrame:
    """Waivers in force (豁免), newest month first, for revoking one."""
    units, _ = names(engine)
    frame = engine.store.waivers()
    rows = [{"单位": units.get(r["unit_id"], "—"), "月份": r["month"], "原因": r["reason"], "豁免人": r["who"],
             "豁免时间": r["made_at"], "unit_id": r["unit_id"]} for r in frame.iter_rows(named=True)]
    return pl.DataFrame(rows, schema={"单位": pl.Utf8, "月份": pl.Date, "原因": pl.Utf8, "豁免人": pl.Utf8,
                                      "豁免时间": pl.Datetime("us"), "unit_id": pl.Int64}).sort("月份", descending=True)


def profile_table(engine: Engine) -> pl.DataFrame:
    """The office profile this database scores by, as (项目, 内容) rows."""
    p = engine.profile
    groups = "；".join(f"{g.label}" + (f"（每期任务 {'、'.join(f'{k} {v.text}' for k, v in g.quota.items())}）" if g.quota else "")
                      for g in p.groups)
    versions = "、".join(f"{v.effective.isoformat()} 起施行（{'看板保存' if v.source.startswith('数据库') else '单位配置中的规则文件'}）"
                         for v in engine.book.versions)
    return pl.DataFrame({"项目": ["单位配置", "落款单位", "考评办法", "组别", "得分分类", "规则版本"],
                         "内容": [p.name, p.office.issuer, p.office.regulation, groups, "、".join(p.score_tiers), versions]})


def profile_zip(engine: Engine) -> bytes:
    """The profile folder as a zip, with the rule versions saved in the dashboard as rule files
    (a saved version replaces a file of the same date): unpacked, it reproduces this rule set."""
    import io
    import zipfile

    from scoring.profile.rules import effective_dates

    p = engine.profile
    saved = effective_dates(engine.store.saved_rule_sources())
    saved_days = {eff for eff, _, _ in saved}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(p.root.rglob("*.yaml")):
            rel = path.relative_to(p.root)
            if rel.parts[0] == "rules" and any(eff in saved_days for eff, _, _ in effective_dates(
                    [(path.name, path.read_text(encoding="utf-8"))])):
                continue
            z.write(path, f"{p.name}/{rel.as_posix()}")
        for eff, _, text in saved:
            z.writestr(f"{p.name}/rules/{eff.isoformat()}-看板保存.yaml", text)
    return buf.getvalue()
