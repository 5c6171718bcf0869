"""CSV exports: UTF-8 with a BOM (so Chinese Excel opens them), no cell that Excel would run.

A cell starting with = + - @, a tab or a carriage return is prefixed with ' (OWASP's advice
against CSV injection); numbers are written as numbers, so negative points stay numeric.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import polars as pl

from scoring.reports.common import ReportData, num
from scoring.reports.xlsx import adopted_frame, events_frame, ranking_sheet_frame

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value) -> str | int | float:
    """A cell value for CSV: numbers as they are, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        found = num(value)
        return "" if found is None else found
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def frame_csv(frame: pl.DataFrame) -> bytes:
    buf = io.StringIO()
    buf.write(BOM)
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in frame.columns])
    for row in frame.iter_rows():
        writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def ranking_frame(data: ReportData) -> pl.DataFrame:
    """Every unit, all groups: the ranking sheets stacked (组别 first, as `rank` prints)."""
    parts = [ranking_sheet_frame(data, g) for g in data.groups]
    frame = pl.concat(parts) if parts else pl.DataFrame()
    first = ["组别", "排名", "单位", "报送数", data.score_label]
    return frame.select(first + [c for c in frame.columns if c not in first])


def build_csv(data: ReportData) -> bytes:
    """The report as CSV: the ranking of every unit for the period."""
    return frame_csv(ranking_frame(data))


def build_events_csv(data: ReportData) -> bytes:
    return frame_csv(events_frame(data))


def build_adopted_csv(data: ReportData) -> bytes:
    return frame_csv(adopted_frame(data))
