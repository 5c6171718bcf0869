"""Frames for the dashboard pages: pure functions over an Engine / Store, no streamlit.

Each function returns Polars frames (or dicts of them) with Chinese column names, ready to be
drawn. Pages call these and draw the result; the scoring itself stays in engine.py, the SQL in
store/. Everything here is picklable so the dashboard can cache it by the store's data version.
"""
from __future__ import annotations

import re
from datetime import date

import polars as pl
import yaml

from .engine import Engine
from .periods import Period, month_end
from .rules import MATCH_COLUMNS, RuleBook, RuleError, check_sign, parse_version
from .units import GROUPS, UnitBook

TIER_COLUMNS = ["市级", "自治区级", "国家级", "批示加分", "约稿·线索·调研", "扣分"]
ADOPTION_COLUMNS = {"市级采用": "市级", "自治区级采用": "自治区级", "国家级采用": "国家级"}
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
EVENT_HEADERS = ("日期", "单位", "类型", "层级", "刊物", "栏目", "批示人", "信息编号", "期号", "标题", "作者", "备注")
# storage field -> contract header (the reverse of validate.FIELD_OF + to_storage)
STORAGE_TO_HEADER = {"kind": "类型", "level": "层级", "publication": "刊物", "col": "栏目", "leader": "批示人",
                     "info_id": "信息编号", "issue": "期号", "title": "标题", "author": "作者", "note": "备注"}


# --------------------------------------------------------------------------------------------
# Periods the data covers
# --------------------------------------------------------------------------------------------
def data_span(store) -> tuple[date | None, date | None]:
    """First and last day with a live event (None, None on an empty store)."""
    first, last = store.event_span()
    return first, last


def data_years(store, today: date) -> list[int]:
    """Years a user can pick: every year with data (newest first), or this year when empty."""
    first, last = data_span(store)
    if first is None:
        return [today.year]
    return list(range(last.year, first.year - 1, -1))


def latest_quarter(store, today: date) -> tuple[int, int]:
    """(year, quarter) of the last event, or of today on an empty store."""
    _, last = data_span(store)
    day = last or today
    return day.year, (day.month + 2) // 3


def data_months(store, today: date) -> list[date]:
    """First days of every month from the first to the last event, newest first."""
    first, last = data_span(store)
    if first is None:
        return [today.replace(day=1)]
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = _next_month(day)
    return months[::-1]


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def make_period(kind: str, year: int, quarter: int = 1, start: date | None = None,
                end: date | None = None, today: date | None = None) -> Period:
    """The period a page's picker describes: 季度 / 年度 / 年初至今 / 自定义."""
    if kind == "季度":
        return Period.quarter(year, quarter)
    if kind == "年度":
        return Period.year(year)
    if kind == "年初至今":
        today = today or date.today()
        end = min(today, date(year, 12, 31)) if today.year >= year else date(year, 12, 31)
        return Period.ytd(year, end)
    if start is None or end is None:
        raise ValueError("请选择开始和结束日期")
    return Period.between(start, end)


# --------------------------------------------------------------------------------------------
# 总览 (home)
# --------------------------------------------------------------------------------------------
def contacts(units: UnitBook) -> pl.DataFrame:
    return pl.DataFrame(
        [{"unit_id": u.id, "负责人": u.head or "", "联系人": u.contact or "", "电话": u.phone or ""} for u in units.units],
        schema={"unit_id": pl.Int32, "负责人": pl.Utf8, "联系人": pl.Utf8, "电话": pl.Utf8})


def home_summary(engine: Engine, month: date) -> dict:
    """The month at a glance: quota status (催报 list), 零报送 units, adoptions by tier for the
    quarter so far, each group's top units, and key numbers."""
    month = month.replace(day=1)
    month_period = Period.month(month.year, month.month)
    quarter = (month.month + 2) // 3
    qtd = Period.between(date(month.year, 3 * quarter - 2, 1), month_end(month))
    qtd = Period(qtd.start, qtd.end, "range", f"{month.year}年第{'一二三四'[quarter - 1]}季度（截至{month.month}月底）")
    quota = (engine.submissions_vs_quota(month_period)
             .join(contacts(engine.units), on="unit_id", how="left")
             .with_columns((pl.col("任务数") - pl.col("报送数")).clip(lower_bound=0).alias("差额")))
    behind = (quota.filter((pl.col("报送数") < pl.col("任务数")) & (pl.col("状态") != "豁免"))
              .sort(["组别", "差额"], descending=[False, True])
              .select("组别", "单位", "报送数", "任务数", "差额", "联系人", "电话", "负责人", "状态", "unit_id"))
    zero = quota.filter(pl.col("报送数") == 0).select("组别", "单位", "任务数", "状态", "联系人", "电话", "unit_id")
    group_quota = (quota.group_by("组别").agg(
        pl.len().alias("单位数"),
        (pl.col("报送数") >= pl.col("任务数")).sum().alias("达标单位"),
        ((pl.col("报送数") < pl.col("任务数")) & (pl.col("状态") != "豁免")).sum().alias("未达标单位"),
        pl.col("报送数").sum().alias("报送数")).sort("组别"))
    ranking = engine.ranking(qtd, cumulative=False)
    adoptions = (ranking.group_by("组别").agg([pl.col(c).sum() for c in ADOPTION_COLUMNS])
                 .unpivot(index="组别", on=list(ADOPTION_COLUMNS), variable_name="层级", value_name="采用数")
                 .with_columns(pl.col("层级").replace(ADOPTION_COLUMNS))
                 .sort(["组别", "层级"]))
    top = ranking.filter(pl.col("排名") <= 3).select("组别", "排名", "单位", "得分", "报送数", "采用数", "unit_id")
    month_rank = engine.ranking(month_period, cumulative=False)
    metrics = {
        "报送数": int(month_rank["报送数"].sum()),
        "采用数": int(month_rank["采用数"].sum()),
        "批示数": int(month_rank["批示数"].sum()),
        "未达标单位": behind.height,
        "零报送单位": zero.height,
        "单位数": month_rank.height,
    }
    return {"month": month_period, "qtd": qtd, "behind": behind, "zero": zero, "group_quota": group_quota,
            "adoptions": adoptions, "top": top, "metrics": metrics,
            "month_ended": _next_month(month) <= engine.as_of}


def imports_table(store, limit: int | None = None) -> pl.DataFrame:
    """Import history, newest first, with a readable state."""
    frame = store.imports()
    if limit:
        frame = frame.head(limit)
    return frame.select(
        pl.col("id").alias("批次"), pl.col("file_name").alias("文件"), pl.col("imported_at").alias("导入时间"),
        pl.col("user_name").alias("导入人"), pl.col("rows_total").alias("行数"), pl.col("rows_new").alias("新增"),
        pl.col("rows_known").alias("已有"),
        pl.when(pl.col("undone_at").is_null()).then(pl.lit("有效"))
        .otherwise(pl.format("已撤销（{}，{}）", pl.col("undone_by"), pl.col("undone_at").dt.strftime("%Y-%m-%d %H:%M")))
        .alias("状态"),
        pl.col("undo_reason").fill_null("").alias("撤销原因"))


# --------------------------------------------------------------------------------------------
# 排名 (rankings)
# --------------------------------------------------------------------------------------------
def ranking_view(engine: Engine, period: Period, official_order: bool = False) -> pl.DataFrame:
    """The ranking with a 并列 marker, 采用率 in percent, sorted by rank or the official order."""
    frame = engine.ranking(period)
    ties = frame.group_by("组别", "排名").agg(pl.len().alias("_n"))
    frame = (frame.join(ties, on=["组别", "排名"], how="left")
             .with_columns(pl.when(pl.col("_n") > 1).then(pl.lit("并列")).otherwise(pl.lit("")).alias("并列"),
                           (pl.col("采用率") * 100).alias("采用率"))
             .drop("_n"))
    order = ["组别", "序号"] if official_order else ["组别", "排名", "序号"]
    return frame.sort(order)


def tier_points(ranking: pl.DataFrame) -> pl.DataFrame:
    """Long frame (单位, 分类, 得分) for the stacked bar of points by tier (deductions negative)."""
    return (ranking.select("unit_id", "单位", "组别", *TIER_COLUMNS)
            .unpivot(index=["unit_id", "单位", "组别"], on=TIER_COLUMNS, variable_name="分类", value_name="分值"))


def rank_by_quarter(engine: Engine, year: int) -> pl.DataFrame:
    """Score and rank of every unit in each quarter of the year that has begun and holds data."""
    _, last = data_span(engine.store)
    frames = []
    for q in range(1, 5):
        period = Period.quarter(year, q)
        if last is None or period.start > last or period.start > engine.as_of:
            continue
        frames.append(engine.ranking(period, cumulative=False)
                      .select("组别", "单位", "unit_id", "序号", "得分", "排名")
                      .with_columns(pl.lit(q).alias("季度号"), pl.lit(QUARTER_NAMES[q]).alias("季度")))
    if not frames:
        return pl.DataFrame(schema={"组别": pl.Utf8, "单位": pl.Utf8, "unit_id": pl.Int32, "序号": pl.Int64,
                                    "得分": pl.Float64, "排名": pl.Int64, "季度号": pl.Int32, "季度": pl.Utf8})
    return pl.concat(frames).sort(["季度号", "组别", "排名", "序号"])


# --------------------------------------------------------------------------------------------
# 单位详情 (unit detail)
# --------------------------------------------------------------------------------------------
def _split_authors(frame: pl.DataFrame) -> pl.DataFrame:
    return (frame.filter(pl.col("author").is_not_null() & (pl.col("author") != ""))
            .with_columns(pl.col("author").str.split("、").alias("作者"))
            .explode("作者").filter(pl.col("作者") != ""))


def unit_detail(engine: Engine, period: Period, unit_id: int) -> dict:
    """Why this unit has this score: summary, every event (waived months included), monthly
    quota, authors. Score and rank by quarter: rank_by_quarter()."""
    unit = engine.units.get(unit_id)
    ranking = engine.ranking(period)
    row = ranking.filter(pl.col("unit_id") == unit_id)
    summary = row.row(0, named=True) if row.height else None
    group_size = ranking.filter(pl.col("组别") == summary["组别"]).height if summary else 0
    scored = engine.scored_events(period, [unit_id])
    quota = engine.submissions_vs_quota(period).filter(pl.col("unit_id") == unit_id)
    waivers = engine.store.waivers().filter(pl.col("unit_id") == unit_id)
    waived = (quota.filter(pl.col("状态") == "豁免")
              .join(waivers.select(pl.col("month").alias("月份"), "reason", "who"), on="月份", how="left"))
    events = (scored.with_columns(
        pl.col("id").alias("事件编号"), pl.col("day").alias("日期"), pl.col("kind").alias("类型"),
        pl.col("item").alias("事项"), pl.col("code").alias("代码"), pl.col("title").fill_null("").alias("标题"),
        pl.col("points").alias("分值"), pl.col("clause").alias("条款"), pl.col("version").alias("规则版本"),
        pl.when(pl.col("file_name").is_not_null())
        .then(pl.format("{} 第{}行", pl.col("file_name"), pl.col("src_row")))
        .otherwise(pl.lit("系统按月计算")).alias("来源"),
        pl.col("author").fill_null("").alias("作者"), pl.col("note").fill_null("").alias("备注"))
        .select("日期", "类型", "事项", "分值", "标题", "条款", "规则版本", "来源", "作者", "备注", "代码", "事件编号"))
    if waived.height:
        extra = waived.select(
            pl.col("月份").alias("日期"), pl.lit("豁免").alias("类型"), pl.lit("报送任务扣分（已豁免）").alias("事项"),
            pl.format("{}月报送 {} 条（任务数 {} 条），已豁免：{}（{}）", pl.col("月份").dt.month(), pl.col("报送数"),
                      pl.col("任务数"), pl.col("reason").fill_null(""), pl.col("who").fill_null("")).alias("标题"),
            pl.lit(0.0).alias("分值"), pl.lit("三(二)1").alias("条款"), pl.lit("").alias("规则版本"),
            pl.lit("豁免记录").alias("来源"), pl.lit("").alias("作者"), pl.lit("").alias("备注"),
            pl.lit("WAIVED").alias("代码"), pl.lit(None, pl.Int64).alias("事件编号")).select(events.columns)
        events = pl.concat([events, extra], how="vertical_relaxed")
    events = events.sort(["日期", "事件编号"], nulls_last=True)
    by_item = (events.filter(pl.col("代码") != "WAIVED")
               .group_by("类型", "事项", "代码", "条款").agg(pl.len().alias("条数"), pl.col("分值").sum().alias("合计"))
               .sort("合计", descending=True))
    authors = _split_authors(scored.filter(pl.col("id").is_not_null()))
    authors = (authors.group_by("作者").agg(
        (pl.col("kind") == "报送").sum().alias("报送数"),
        (pl.col("kind") == "采用").sum().alias("采用数"),
        pl.col("points").filter(pl.col("points") > 0).sum().alias("得分"))
        .sort(["得分", "采用数", "作者"], descending=[True, True, False]))
    months = quota.select("月份", "报送数", "任务数", "状态", "扣分代码")
    return {"unit": {"id": unit.id, "name": unit.name, "head": unit.head, "contact": unit.contact,
                     "phone": unit.phone},
            "summary": summary, "group_size": group_size, "events": events, "by_item": by_item,
            "months": months, "authors": authors,
            "waivers": waivers.select(pl.col("month").alias("月份"), pl.col("reason").alias("原因"),
                                      pl.col("who").alias("操作人"), pl.col("made_at").alias("时间"))}


def waivable_months(engine: Engine, unit_id: int, until: date) -> list[date]:
    """Ended months in which the unit was short of its quota (with or without a deduction)."""
    ladder = engine.quota_status(until)
    return (ladder.filter((pl.col("unit_id") == unit_id) & pl.col("code").is_not_null())
            .sort("month", descending=True)["month"].to_list())


# --------------------------------------------------------------------------------------------
# 数据导入 (upload, corrections)
# --------------------------------------------------------------------------------------------
_SUGGEST = re.compile(r"[，,]\s*(是否为：.*|可选：.*)$")


def error_frame(report) -> pl.DataFrame:
    """行, 列, 信息, 建议 for a checked file (建议 split off the message where it offers one)."""
    rows = []
    for e in report.errors:
        message, hint = e.message, ""
        m = _SUGGEST.search(message)
        if m:
            message, hint = message[:m.start()], m.group(1)
        rows.append({"行": e.row, "列": e.column, "信息": message, "建议": hint})
    return pl.DataFrame(rows, schema={"行": pl.Int64, "列": pl.Utf8, "信息": pl.Utf8, "建议": pl.Utf8})


def warning_frame(report) -> pl.DataFrame:
    return pl.DataFrame([{"行": w.row, "列": w.column, "提示": w.message} for w in report.warnings],
                        schema={"行": pl.Int64, "列": pl.Utf8, "提示": pl.Utf8})


def events_preview(report, book: RuleBook | None = None) -> pl.DataFrame:
    """The checked events of an upload as a table (with the item each row scores as)."""
    names = {}
    if book is not None:
        for v in book.versions:
            names.update({c: i.name for c, i in v.items.items()})
    rows = [{"行": e.get("src_row"), "日期": e["day"], "单位": e["unit"], "类型": e["type"], "层级": e["level"],
             "刊物": e["publication"], "栏目": e["column"], "批示人": e["leader"], "标题": e["title"],
             "作者": e["author"], "事项": names.get(e["code"], e["code"])} for e in report.events]
    schema = {"行": pl.Int64, "日期": pl.Date, "单位": pl.Utf8, "类型": pl.Utf8, "层级": pl.Utf8, "刊物": pl.Utf8,
              "栏目": pl.Utf8, "批示人": pl.Utf8, "标题": pl.Utf8, "作者": pl.Utf8, "事项": pl.Utf8}
    return pl.DataFrame(rows, schema=schema)


def preview_counts(report) -> pl.DataFrame:
    """Rows per 类型 of a checked file."""
    types = [e["type"] for e in report.events]
    return (pl.DataFrame({"类型": types}, schema={"类型": pl.Utf8}).group_by("类型").agg(pl.len().alias("行数"))
            .sort("行数", descending=True))


def event_list(engine: Engine, period: Period, unit_id: int | None = None,
               include_withdrawn: bool = True) -> pl.DataFrame:
    """Stored events for picking one to correct or withdraw."""
    frame = engine.store.event_rows(period.start, period.end, [unit_id] if unit_id is not None else None,
                                    include_withdrawn=include_withdrawn)
    names = pl.DataFrame({"unit_id": [u.id for u in engine.units.units], "单位": [u.name for u in engine.units.units]},
                         schema={"unit_id": pl.Int32, "单位": pl.Utf8})
    return (frame.join(names, on="unit_id", how="left")
            .select(pl.col("id").alias("事件编号"), pl.col("day").alias("日期"), "单位", pl.col("kind").alias("类型"),
                    pl.col("level").alias("层级"), pl.col("publication").alias("刊物"), pl.col("col").alias("栏目"),
                    pl.col("leader").alias("批示人"), pl.col("title").alias("标题"), pl.col("author").alias("作者"),
                    pl.when(pl.col("withdrawn")).then(pl.lit("已撤回")).otherwise(pl.lit("有效")).alias("状态"),
                    pl.format("{} 第{}行", pl.col("file_name"), pl.col("src_row")).alias("来源"))
            .sort(["日期", "事件编号"], descending=[True, True]))


def event_values(event: dict, units: UnitBook) -> dict[str, object]:
    """A stored event (store.event_by_id) as the contract's headers, for an edit form."""
    values: dict[str, object] = {"日期": event["day"], "单位": units.get(event["unit_id"]).name}
    for field, header in STORAGE_TO_HEADER.items():
        values[header] = event.get(field) or ""
    return values


def blank_values() -> dict[str, object]:
    return {h: "" for h in EVENT_HEADERS}


# --------------------------------------------------------------------------------------------
# 规则试算 (rules and what-if)
# --------------------------------------------------------------------------------------------
def _accepts_text(item, column: str) -> str:
    allowed = item.accepts.get(column, frozenset({""}))
    if allowed is None:
        return "（不限）"
    values = sorted(v for v in allowed if v)
    text = "、".join(values)
    if "" in allowed and values:
        text += "（或空）"
    return text


def rule_table(book: RuleBook, index: int | None = None) -> pl.DataFrame:
    """The items of one rule version (default: the latest) with their match keys and clause."""
    version = book.versions[-1 if index is None else index]
    rows = [{"代码": it.code, "名称": it.name, "类型": it.type,
             **{c: ("（系统推导）" if it.derived else _accepts_text(it, c)) for c in MATCH_COLUMNS},
             "分值": float(it.points), "分类": it.tier, "条款": it.clause, "原文": it.text, "说明": it.note}
            for it in version.items.values()]
    return pl.DataFrame(rows)


def version_in_force(book: RuleBook, day: date) -> int:
    return book.index_for(day)


def versions_table(book: RuleBook, store=None) -> pl.DataFrame:
    """Every rule version, oldest first, with its source and what it changed."""
    rows = []
    previous = None
    for v in book.versions:
        changed = []
        if previous is not None:
            changed = [f"{c} {previous.items[c].points:g}→{it.points:g}" for c, it in v.items.items()
                       if c in previous.items and previous.items[c].points != it.points]
        rows.append({"版本": v.version, "生效日期": v.effective, "标题": v.title, "说明": v.reason,
                     "来源": "数据库（仪表盘保存）" if v.source.startswith("数据库") else f"规则文件 {v.source}",
                     "调整内容": "；".join(changed) if previous is not None else "首个版本（完整规则）"})
        previous = v
    return pl.DataFrame(rows, schema={"版本": pl.Utf8, "生效日期": pl.Date, "标题": pl.Utf8, "说明": pl.Utf8,
                                      "来源": pl.Utf8, "调整内容": pl.Utf8})


def whatif_base(book: RuleBook) -> pl.DataFrame:
    """The editor's table: each item's points in the latest version; 试算分值 starts equal."""
    latest = book.latest()
    return pl.DataFrame([{"名称": it.name, "现行分值": float(it.points), "试算分值": float(it.points),
                          "分类": it.tier, "条款": it.clause, "代码": it.code} for it in latest.items.values()])


def overrides_from(edited: pl.DataFrame) -> dict[str, float]:
    """{code: points} for every row whose 试算分值 differs from 现行分值 (blank = unchanged)."""
    out = {}
    for code, now, new in edited.select("代码", "现行分值", "试算分值").iter_rows():
        if new is None or new != new:
            continue
        if float(new) != float(now):
            out[code] = float(new)
    return out


def parse_overrides_text(text: str) -> dict[str, float]:
    """`CITY_ZWYQ_BRIEF=4, DED_QUOTA=-10` (the CLI's --set syntax) -> dict; ValueError in Chinese."""
    out = {}
    for part in re.split(r"[,，;；\s]+", text or ""):
        if not part:
            continue
        code, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"应写成 代码=分值，如 CITY_ZWYQ_BRIEF=4，现为“{part}”")
        try:
            out[code.strip().upper()] = float(value)
        except ValueError:
            raise ValueError(f"{code}: 分值“{value}”不是数字") from None
    return out


def check_overrides(overrides: dict[str, float]) -> list[str]:
    """Problems with a what-if (unknown code, wrong sign), as Chinese messages."""
    from .rules import CODES

    problems = []
    for code, points in overrides.items():
        if code not in CODES:
            problems.append(f"未知代码 {code}")
            continue
        try:
            check_sign(code, points, code)
        except RuleError as e:
            problems.append(str(e))
    return problems


def compare_view(engine: Engine, period: Period, overrides) -> pl.DataFrame:
    """engine.compare with a readable change marker; overrides as a dict or (code, points) pairs."""
    return (engine.compare(period, dict(overrides))
            .with_columns(pl.when(pl.col("名次变化") > 0).then(pl.format("↑{}", pl.col("名次变化")))
                          .when(pl.col("名次变化") < 0).then(pl.format("↓{}", -pl.col("名次变化")))
                          .otherwise(pl.lit("—")).alias("变化")))


def rule_version_yaml(effective: date, overrides: dict[str, float], reason: str, book: RuleBook,
                      title: str | None = None) -> str:
    """The body of a new dated rule version listing only the changed items; checked by parsing it
    on top of the version before its date (raises RuleError with the problem)."""
    items = [{"code": c, "points": (int(p) if float(p).is_integer() else float(p))} for c, p in sorted(overrides.items())]
    body = yaml.safe_dump({"version": effective.isoformat(), "effective": effective,
                           "title": title or book.latest().title, "reason": reason, "items": items},
                          allow_unicode=True, sort_keys=False)
    before = [v for v in book.versions if v.effective < effective]
    parse_version(body, f"数据库:{effective.isoformat()}", before[-1] if before else book.versions[0])
    return body


# --------------------------------------------------------------------------------------------
# 管理 (administration)
# --------------------------------------------------------------------------------------------
def units_table(units: UnitBook, day: date) -> pl.DataFrame:
    """Every unit in official order: group on `day`, dates, aliases and contacts."""
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


def settings_table(stored: dict) -> pl.DataFrame:
    from .settings import SETTINGS

    def show(v):
        if isinstance(v, dict):
            return "，".join(f"{k} 组 {x}" for k, x in v.items())
        if isinstance(v, bool):
            return "是" if v else "否"
        return str(v)

    return pl.DataFrame([{"名称": s.name, "当前值": show(stored.get(s.name, s.default)), "默认值": show(s.default),
                          "已修改": s.name in stored and stored[s.name] != s.default, "说明": s.help}
                         for s in SETTINGS])


def audit_table(store, limit: int | None = 500) -> pl.DataFrame:
    return store.audit_log(limit).select(
        pl.col("id").alias("编号"), pl.col("made_at").alias("时间"), pl.col("who").alias("操作人"),
        pl.col("action").alias("操作"), pl.col("target").alias("对象"), pl.col("detail").alias("内容"),
        pl.col("reason").alias("原因"))


def group_names() -> tuple[str, ...]:
    return GROUPS


def field_options(book: RuleBook) -> dict[str, list[str]]:
    """Values each matching column can take in the latest rule version (for entry forms)."""
    from .rules import TYPES

    out: dict[str, list[str]] = {"类型": list(TYPES)}
    for column in MATCH_COLUMNS:
        values: set[str] = set()
        for item in book.latest().items.values():
            allowed = item.accepts.get(column)
            if allowed:
                values |= {v for v in allowed if v}
        order = {"层级": ["市", "自治区", "国家"],
                 "批示人": ["市领导", "市政府办公室领导", "自治区领导", "自治区政府办公厅领导", "国务院领导", "国务院办公厅领导"]}
        known = order.get(column, [])
        out[column] = [v for v in known if v in values] + sorted(values - set(known))
    return out


def entry_options(engine: Engine) -> dict[str, list[str]]:
    return field_options(engine.book)


def whatif_table(engine: Engine) -> pl.DataFrame:
    return whatif_base(engine.book)


def rules_of(engine: Engine, index: int | None = None) -> pl.DataFrame:
    return rule_table(engine.book, index)


def versions_of(engine: Engine) -> pl.DataFrame:
    return versions_table(engine.book)


def units_table_of(engine: Engine, day: date) -> pl.DataFrame:
    return units_table(engine.units, day)


def settings_of(engine: Engine) -> pl.DataFrame:
    return settings_table(engine.store.stored_settings())


# --------------------------------------------------------------------------------------------
# 评先评优 (commendation): scoring/commend.py does the choosing; these only shape for display
# --------------------------------------------------------------------------------------------
def commend_select(engine: Engine, year: int, measure: str | None = None) -> dict:
    from . import commend

    return commend.select(engine, year, measure)


def commend_improvement(engine: Engine, year: int, measure: str) -> pl.DataFrame:
    from . import commend

    return commend.improvement(engine, year, measure).with_columns(pl.col("增长率") * 100)


# --------------------------------------------------------------------------------------------
# Published 通报 (scoring/reports/publish.py, when present)
# --------------------------------------------------------------------------------------------
def published(engine: Engine, period_key: str):
    """The latest publication of a period (figures as issued), or None (also without reports)."""
    try:
        from .reports import publish
    except ImportError:
        return None
    return publish.published_snapshot(engine.store, period_key)


def published_table(engine: Engine, period_key: str) -> pl.DataFrame | None:
    pub = published(engine, period_key)
    if pub is None:
        return None
    from .reports import publish

    return publish.issued_table(pub)


def published_changes(engine: Engine, period: Period) -> pl.DataFrame | None:
    """What differs now from the latest publication of the period (None: nothing, or unpublished)."""
    try:
        from .reports import publish
    except ImportError:
        return None
    return publish.published_changes(engine.store, engine, period)
