"""Publishing freezes a period: the issued ranks and scores are stored as a snapshot (JSON), and
later data that would change them is shown as a difference against the latest snapshot.

The dashboard's ranking page calls `published_changes(store, engine, period)`; the 导出 page
shows `published_snapshot(store, period.key)` — the figures as issued.
"""
from __future__ import annotations

import json
from decimal import Decimal
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from scoring.engine.exact import POINTS
from scoring.engine.periods import Period
from scoring.reports.common import number_text

SNAPSHOT_COLUMNS = ["组别", "排名", "单位", "unit_id", "序号", "报送数", "采用数", "得分", "累计得分"]
SNAPSHOT_SCHEMA = {"组别": pl.Utf8, "排名": pl.Int64, "单位": pl.Utf8, "unit_id": pl.Int32, "序号": pl.Int64,
                   "报送数": pl.Int64, "采用数": pl.Int64, "得分": POINTS, "累计得分": POINTS}
CHANGE_SCHEMA = {"组别": pl.Utf8, "单位": pl.Utf8, "通报排名": pl.Int64, "现排名": pl.Int64, "名次变化": pl.Int64,
                 "通报得分": POINTS, "现得分": POINTS, "得分变化": POINTS,
                 "通报累计得分": POINTS, "现累计得分": POINTS, "说明": pl.Utf8}


@dataclass
class Publication:
    id: int
    period_key: str
    label: str
    number: str | None
    issued_at: datetime
    issued_by: str
    as_of: date | None
    rule_versions: list[str]
    frame: pl.DataFrame          # the issued ranking: SNAPSHOT_COLUMNS

    def describe(self) -> str:
        number = f"（{self.number}）" if self.number else ""
        return f"{self.label}通报{number}已于{self.issued_at:%Y-%m-%d %H:%M}由{self.issued_by}发布"


def snapshot_frame(engine, period: Period) -> pl.DataFrame:
    return engine.ranking(period).select(SNAPSHOT_COLUMNS).cast(SNAPSHOT_SCHEMA)


def publish(store, engine, period: Period, who: str, number: str | int | None = None) -> int:
    """Store the period's ranks and scores as issued; returns the publication id."""
    if not who or not str(who).strip():
        raise ValueError("发布通报须注明发布人")
    frame = snapshot_frame(engine, period)
    snapshot = {
        "schema": 1,
        "period": period.key, "label": period.label, "kind": period.kind,
        "start": period.start.isoformat(), "end": period.end.isoformat(),
        "as_of": engine.as_of.isoformat(),
        "rule_versions": [engine.book.versions[i].version
                          for i in engine.book.indexes_between(period.start, period.end)],
        "overrides": dict(engine.book.overrides),
        "rows": frame.to_dicts(),
    }
    if snapshot["overrides"]:
        raise ValueError("试算结果不能发布：请用正式计分标准发布通报")
    text = json.dumps(snapshot, ensure_ascii=False, default=str)
    shown = number_text(period, number) if number not in (None, "") else None
    return store.add_publication(period.key, period.label, shown, str(who).strip(), text)


def _publication(row: dict | None) -> Publication | None:
    if row is None:
        return None
    data = json.loads(row["snapshot"])
    # scores are stored as decimal text ("323.5000"); snapshots issued before exact decimals hold floats
    rows = [{**r, **{k: None if r.get(k) is None else Decimal(str(r[k])) for k in ("得分", "累计得分")}}
            for r in data.get("rows", [])]
    frame = pl.DataFrame(rows, schema=SNAPSHOT_SCHEMA, orient="row") if rows else pl.DataFrame(schema=SNAPSHOT_SCHEMA)
    as_of = date.fromisoformat(data["as_of"]) if data.get("as_of") else None
    return Publication(row["id"], row["period_key"], row["label"], row["number"], row["issued_at"],
                       row["issued_by"], as_of, data.get("rule_versions", []), frame)


def published_snapshot(store, period_key: str) -> Publication | None:
    """The latest publication of a period (the figures as issued), or None."""
    return _publication(store.latest_publication(period_key))


def publications(store, period_key: str | None = None) -> pl.DataFrame:
    """Every publication (newest first): id, 期间, 名称, 期号, 发布时间, 发布人."""
    return store.publications(period_key).rename({"period_key": "期间", "label": "名称", "number": "期号",
                                                  "issued_at": "发布时间", "issued_by": "发布人", "id": "编号"})


def compare_frames(issued: pl.DataFrame, now: pl.DataFrame) -> pl.DataFrame:
    """Who moved and by how much: one row per unit whose group, rank or scores differ."""
    a = issued.select("unit_id", pl.col("组别").alias("_g0"), pl.col("单位").alias("_u0"),
                      pl.col("排名").alias("通报排名"), pl.col("得分").alias("通报得分"),
                      pl.col("累计得分").alias("通报累计得分"), pl.col("序号").alias("_o0"))
    b = now.select("unit_id", pl.col("组别").alias("_g1"), pl.col("单位").alias("_u1"),
                   pl.col("排名").alias("现排名"), pl.col("得分").alias("现得分"),
                   pl.col("累计得分").alias("现累计得分"), pl.col("序号").alias("_o1"))
    joined = a.join(b, on="unit_id", how="full", coalesce=True)
    note = (pl.when(pl.col("_g0").is_null()).then(pl.lit("通报后新增的单位"))
            .when(pl.col("_g1").is_null()).then(pl.lit("已不在本期排名中"))
            .when(pl.col("_g0") != pl.col("_g1")).then(pl.format("组别由{}类调整为{}类", "_g0", "_g1"))
            .otherwise(pl.lit("")))
    changed = (pl.col("_g0").is_null() | pl.col("_g1").is_null() | (pl.col("_g0") != pl.col("_g1"))
               | (pl.col("通报排名") != pl.col("现排名")) | ((pl.col("通报得分") - pl.col("现得分")).abs() > 1e-9)
               | ((pl.col("通报累计得分") - pl.col("现累计得分")).abs() > 1e-9))
    out = (joined.filter(changed)
           .with_columns(pl.coalesce("_g1", "_g0").alias("组别"), pl.coalesce("_u1", "_u0").alias("单位"),
                         (pl.col("通报排名") - pl.col("现排名")).alias("名次变化"),
                         (pl.col("现得分") - pl.col("通报得分")).alias("得分变化"),
                         note.alias("说明"), pl.coalesce("_o1", "_o0").alias("_o"))
           .sort(["组别", "现排名", "_o"], nulls_last=True))
    return out.select(list(CHANGE_SCHEMA)).cast(CHANGE_SCHEMA)


def published_changes(store, engine, period: Period) -> pl.DataFrame | None:
    """Differences between the latest published snapshot of `period` and what the data says now.

    None when the period was never published, or nothing changed. Otherwise one row per unit
    that moved: 组别 单位 通报排名 现排名 名次变化 (positive = moved up) 通报得分 现得分 得分变化
    通报累计得分 现累计得分 说明.
    """
    pub = published_snapshot(store, period.key)
    if pub is None:
        return None
    diff = compare_frames(pub.frame, snapshot_frame(engine, period))
    return diff if diff.height else None


def issued_table(pub: Publication) -> pl.DataFrame:
    """The figures as issued, for display and download (组别 排名 单位 报送数 采用数 得分 累计得分)."""
    return pub.frame.sort(["组别", "排名", "序号"]).select("组别", "排名", "单位", "报送数", "采用数", "得分", "累计得分")


def issued_csv(pub: Publication) -> bytes:
    from scoring.reports.csv_export import frame_csv

    return frame_csv(issued_table(pub))
