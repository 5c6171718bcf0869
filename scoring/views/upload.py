"""数据导入: the checked file as tables, import history, stored events for correction."""
from __future__ import annotations

import re

import polars as pl

from scoring.engine.exact import POINTS

from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.profile.rules import MATCH_COLUMNS
from scoring.profile.units import UnitBook

EVENT_HEADERS = ("日期", "单位", "类型", "层级", "刊物", "栏目", "批示人", "信息编号", "期号", "标题", "作者", "备注")
# storage field -> register header (the reverse of validate.FIELD_OF + to_storage)
STORAGE_TO_HEADER = {"kind": "类型", "level": "层级", "publication": "刊物", "col": "栏目", "leader": "批示人",
                     "info_id": "信息编号", "issue": "期号", "title": "标题", "author": "作者", "note": "备注"}


_SUGGEST = re.compile(r"[，,]\s*(是否为：.*|可选：.*)$")


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
        .otherwise(pl.format("已撤销（{}）", pl.col("undone_by"))).alias("状态"),
        pl.col("undone_at").alias("撤销时间"), pl.col("undo_reason").alias("撤销原因"))


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


def events_preview(report, book) -> pl.DataFrame:
    """The checked events of an upload as a table: the item each row scores as and its points
    (under the rule version in force on the row's date), before the register's own columns."""
    rows = []
    for e in report.events:
        item = book.version_for(e["day"]).items.get(e["code"])
        rows.append({"行": e.get("src_row"), "日期": e["day"], "单位": e["unit"],
                     "事项": item.name if item else "—", "分值": item.points if item else None,
                     "类型": e["type"], "层级": e["level"], "刊物": e["publication"], "栏目": e["column"],
                     "批示人": e["leader"], "标题": e["title"], "作者": e["author"]})
    schema = {"行": pl.Int64, "日期": pl.Date, "单位": pl.Utf8, "事项": pl.Utf8, "分值": POINTS, "类型": pl.Utf8,
              "层级": pl.Utf8, "刊物": pl.Utf8, "栏目": pl.Utf8, "批示人": pl.Utf8, "标题": pl.Utf8, "作者": pl.Utf8}
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
    """A stored event (store.event_by_id) as the register's headers, for an edit form."""
    values: dict[str, object] = {"日期": event["day"], "单位": units.get(event["unit_id"]).name}
    for field, header in STORAGE_TO_HEADER.items():
        values[header] = event.get(field) or ""
    return values


def blank_values() -> dict[str, object]:
    return {h: "" for h in EVENT_HEADERS}


def field_options(engine: Engine) -> dict[str, list[str]]:
    """Values each matching column can take in the latest rule version (for entry forms)."""
    book = engine.book
    out: dict[str, list[str]] = {"类型": list(engine.profile.types)}
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


def rank_changes(engine: Engine, report) -> pl.DataFrame:
    """Units whose group rank would move in a quarter the checked file touches, if it were imported:
    the file is imported into a throw-away snapshot of the store and both are ranked."""
    import tempfile
    from pathlib import Path

    from scoring.backup import backup_to
    from scoring.store import Store

    quarters = sorted({(e["day"].year, (e["day"].month + 2) // 3) for e in report.events})
    periods = [Period.quarter(y, q) for y, q in quarters]
    with tempfile.TemporaryDirectory(prefix="scoring-preview-") as tmp:
        trial_store = Store(backup_to(engine.store, Path(tmp) / "preview.duckdb"))
        trial_store.store_import(report.file_name, "preview", report.events, "预览")
        trial = Engine.open(trial_store, as_of=engine.as_of)
        after = pl.concat([trial.ranking(p).select("单位", "组别", "排名", "得分").with_columns(pl.lit(p.label).alias("期间"))
                           for p in periods])
    before = pl.concat([engine.ranking(p).select("单位", "组别", "排名", "得分").with_columns(pl.lit(p.label).alias("期间"))
                        for p in periods])
    moved = (before.join(after, on=["期间", "组别", "单位"], suffix="_导入后")
             .filter(pl.col("排名") != pl.col("排名_导入后"))
             .with_columns((pl.col("排名") - pl.col("排名_导入后")).alias("名次变化")))
    return moved.select("期间", "组别", "单位", pl.col("排名").alias("现排名"), pl.col("排名_导入后").alias("导入后排名"),
                        pl.when(pl.col("名次变化") > 0).then(pl.format("↑{}", pl.col("名次变化")))
                        .otherwise(pl.format("↓{}", -pl.col("名次变化"))).alias("变化"),
                        pl.col("得分").alias("现得分"), pl.col("得分_导入后").alias("导入后得分"))
