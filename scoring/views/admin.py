"""管理: units, settings and the audit log as tables."""
from __future__ import annotations

from datetime import date

import polars as pl

from ..engine import Engine
from ..settings import SETTINGS


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


def settings_table(engine: Engine) -> pl.DataFrame:
    stored = engine.store.stored_settings()

    def show(v):
        if isinstance(v, dict):
            return "，".join(f"{k} 组 {x}" for k, x in v.items())
        if isinstance(v, bool):
            return "是" if v else "否"
        return str(v)

    return pl.DataFrame([{"设置": s.label, "当前值": show(stored.get(s.name, s.default)), "默认值": show(s.default),
                          "已修改": s.name in stored and stored[s.name] != s.default, "说明": s.help}
                         for s in SETTINGS])


def audit_table(store, limit: int | None = 500) -> pl.DataFrame:
    return store.audit_log(limit).select(
        pl.col("id").alias("编号"), pl.col("made_at").alias("时间"), pl.col("who").alias("操作人"),
        pl.col("action").alias("操作"), pl.col("target").alias("对象"), pl.col("detail").alias("内容"),
        pl.col("reason").alias("原因"))
