"""核对与更正: a unit's records of a quarter to check, and the requests (更正申请) in words."""
from __future__ import annotations

import json
from datetime import date

import polars as pl

from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.store.reviews import ADD, CONFIRM, CORRECT, WITHDRAW
from scoring.views import unit as unit_views
from scoring.views.admin import changes_text, fields_text, names
from scoring.views.common import data_span
from scoring.views.upload import event_values

REQUEST_SCHEMA = {"编号": pl.Int64, "单位": pl.Utf8, "期间": pl.Utf8, "申请": pl.Utf8, "记录": pl.Utf8,
                  "申请内容": pl.Utf8, "理由": pl.Utf8, "提交人": pl.Utf8, "提交时间": pl.Datetime("us"),
                  "状态": pl.Utf8, "处理意见": pl.Utf8, "处理结果": pl.Utf8, "处理人": pl.Utf8,
                  "处理时间": pl.Datetime("us"), "unit_id": pl.Int64, "事件编号": pl.Int64}


def quarters(store, today: date) -> list[Period]:
    """The quarters with data, newest first (those a unit checks before their 通报)."""
    first, last = data_span(store)
    if first is None:
        return [Period.quarter(today.year, (today.month + 2) // 3)]
    found, q = [], Period.quarter(last.year, (last.month + 2) // 3)
    while q.end >= first:
        found.append(q)
        q = q.previous()
    return found


def first_unpublished(store, periods: list[Period]) -> int:
    """Index (in `periods`, newest first) of the quarter a unit is asked to check now: the one after
    the latest published quarter, or the newest when none is published."""
    issued = set(store.publications()["period_key"].to_list())
    for i, p in enumerate(periods):
        if p.key in issued:
            return max(i - 1, 0)
    return 0


def records(engine: Engine, period: Period, unit_id: int) -> pl.DataFrame:
    """The unit's records of the period as 单位详情 lists them (system-computed rows have no
    事件编号), each with the state of the latest request about it."""
    events = unit_views.unit_detail(engine, period, unit_id)["events"]
    asked = (engine.store.reviews(unit_id=unit_id).filter(pl.col("live_id").is_not_null())
             .sort("id").group_by("live_id").agg(pl.col("kind").last(), pl.col("status").last())
             .select(pl.col("live_id").alias("事件编号"), pl.format("{}申请{}", "kind", "status").alias("申请")))
    return (events.join(asked, on="事件编号", how="left").with_columns(pl.col("申请").fill_null(""))
            .select("事件编号", "日期", "类型", "事项", "分值", "标题", "来源", "申请", "代码"))


def _record(event: dict | None, units: dict, items: dict) -> str:
    if event is None:
        return "（记录已不在库中）"
    return f"{event['day']:%Y-%m-%d} {units.get(event['unit_id'], '')} {items.get(event['code'], event['kind'])}：{event['title']}"


def _asked(r: dict, units: dict, items: dict) -> str:
    wanted = json.loads(r["wanted"] or "{}")
    if r["kind"] == CORRECT:
        return changes_text(json.loads(r["was"] or "{}"), wanted, units, items)
    if r["kind"] == ADD:
        return fields_text({k: v for k, v in wanted.items() if v != ""}, units, items)
    return "不计入该记录" if r["kind"] == WITHDRAW else "本期记录无误"


def outcome_text(r: dict, units: dict, items: dict) -> str:
    """What accepting a request did, for the unit to read."""
    done = json.loads(r["outcome"] or "{}")
    if "新值" in done:
        return f"事件 {done['事件']} 已更正：" + changes_text(done.get("原值") or {}, done["新值"], units, items)
    if done.get("撤回"):
        return f"事件 {done['事件']} 已撤回，不再计分"
    if "导入批次" in done:
        return "已补录" if done.get("新增") else "库中已有相同记录，未重复计入"
    return ""


def requests_table(engine: Engine, unit_id: int | None = None, start: date | None = None, end: date | None = None,
                   status: str | None = None) -> pl.DataFrame:
    """Requests (confirmations included), newest first, in words: the record each is about as it
    is now, what was asked, the answer and what accepting did."""
    units, items = names(engine)
    rows = []
    with engine.store.session():
        found = engine.store.reviews(unit_id, start, end, status)
        for r in found.iter_rows(named=True):
            event = engine.store.event_by_id(r["live_id"]) if r["live_id"] is not None else None
            rows.append({
                "编号": r["id"], "单位": units.get(r["unit_id"], "—"),
                "期间": _label(r["period_start"], r["period_end"]), "申请": r["kind"],
                "记录": "" if r["kind"] in (ADD, CONFIRM) else _record(event, units, items),
                "申请内容": _asked(r, units, items), "理由": r["reason"], "提交人": r["made_by"],
                "提交时间": r["made_at"], "状态": r["status"], "处理意见": r["answer"] or "",
                "处理结果": outcome_text(r, units, items), "处理人": r["decided_by"] or "",
                "处理时间": r["decided_at"], "unit_id": r["unit_id"], "事件编号": r["live_id"]})
    return pl.DataFrame(rows, schema=REQUEST_SCHEMA)


def _label(start: date, end: date) -> str:
    q = Period.quarter(start.year, (start.month + 2) // 3)
    return q.label if (q.start, q.end) == (start, end) else Period.between(start, end).label


def open_count(store) -> int:
    return store.open_review_count()


def confirmed_units(engine: Engine, period: Period) -> list[str]:
    """Units that confirmed their records of the period, in official order."""
    ids = set(engine.store.reviews(start=period.start, end=period.end).filter(pl.col("kind") == CONFIRM)["unit_id"])
    return [u.name for u in engine.units.units if u.id in ids]


def request_values(r: dict, event: dict | None, units) -> dict | None:
    """A request's record as the register's headers, with what the unit asked laid over the
    record as it is now (store.event_by_id): the correction form starts there. None when the
    record is no longer live."""
    wanted = json.loads(r["wanted"] or "{}")
    if r["kind"] != ADD:
        if event is None:
            return None
        wanted = {**event, **wanted}
    if isinstance(wanted["day"], str):
        wanted["day"] = date.fromisoformat(wanted["day"])
    return event_values(wanted, units)
