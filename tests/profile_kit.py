"""A small office's profile written in a test: the base below (two groups, a handful of items), changed
per test to say one sentence of a real 办法, then a store made for it, rows loaded and ranked."""
from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from conftest import load
from scoring.engine import Engine
from scoring.store import Store

AS_OF = date(2026, 6, 30)

PROFILE = {
    "name": "测试局",
    "office": {"issuer": "测试县人民政府办公室", "regulation": "《测试县政务信息工作考核办法》"},
    "groups": [{"code": "科室", "quota": {}}, {"code": "乡镇", "quota": {}}],
    "tiers": [{"name": "报送", "column": False}, "基础分", "录用", "批示", "扣分"],
    "types": ["报送", "采用", "批示", "约稿", "扣分"],
    "policies": {},
}
UNITS = [("办公室", "科室"), ("综合科", "科室"), ("法规科", "科室"), ("东镇", "乡镇"), ("西镇", "乡镇")]


def item(code, name, kind, points, tier, **keys):
    out = {"code": code, "name": name, "type": kind, "points": points, "tier": tier, "clause": keys.pop("clause", "第一条"),
           "text": keys.pop("text", name)}
    out.update(keys)
    return out


ITEMS = [
    item("SUBMIT", "报送信息", "报送", 0, "报送"),
    item("ADOPT_DISTRICT", "区级录用", "采用", 10, "录用", level="区", column="*"),
    item("ADOPT_CITY", "市级录用", "采用", 15, "录用", level="市", column="*"),
    item("INSTRUCT", "领导批示", "批示", 10, "批示", level="区", leader=["主要领导", "分管领导"], column="*"),
    item("SOLICITED_OWN", "约稿被本级选用", "约稿", 2, "录用", column="选用"),
    item("ERROR", "信息出现错误", "扣分", -2, "扣分", column="错误"),
]


def office(tmp_path: Path, change=None, items_change=None, units=UNITS, unit_extra=None, factors=None) -> Store:
    """A store for the base profile after `change(profile)` and `items_change(items)`; `unit_extra`
    adds keys to units by name (quota, ranked)."""
    profile, items = copy.deepcopy(PROFILE), copy.deepcopy(ITEMS)
    if change:
        change(profile)
    if items_change:
        items_change(items)
    root = tmp_path / "office"
    (root / "rules").mkdir(parents=True)
    (root / "profile.yaml").write_text(yaml.safe_dump(_plain(profile), allow_unicode=True), encoding="utf-8")
    listed = [{"name": n, "group": g, **(unit_extra or {}).get(n, {})} for n, g in units]
    (root / "units.yaml").write_text(yaml.safe_dump({"since": date(2024, 1, 1), "units": _plain(listed)},
                                                    allow_unicode=True), encoding="utf-8")
    version = {"effective": date(2024, 1, 1), "title": "测试", "items": _plain(items)}
    if factors:
        version["factors"] = _plain(factors)
    (root / "rules" / "2024-01-01.yaml").write_text(yaml.safe_dump(version, allow_unicode=True), encoding="utf-8")
    return Store(tmp_path / "office.duckdb", profile=root)


def _plain(value):
    """Decimals as YAML numbers (the profile reader takes them back as the same decimals)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def rank(store: Store, period, as_of: date = AS_OF):
    return Engine.open(store, as_of=as_of).ranking(period)


def of(frame, unit: str, column: str = "得分"):
    return frame.filter(frame["单位"] == unit)[column][0]


def reg(day, unit, kind, level="", column="", leader="", info="", points="", **extra) -> dict:
    """A register row; distinct titles keep rows apart."""
    title = extra.pop("title", f"{unit}{day}{kind}{level}{column}{info}{extra.get('n', '')}")
    return {"日期": day, "单位": unit, "类型": kind, "层级": level, "栏目": column, "批示人": leader,
            "信息编号": info, "标题": title, "分值": points}


def submitted(unit: str, month: str, n: int) -> list[dict]:
    return [reg(f"{month}-{1 + i % 28:02d}", unit, "报送", title=f"{unit}{month}报送{i}") for i in range(n)]


__all__ = ["AS_OF", "office", "rank", "of", "reg", "submitted", "load", "item"]
