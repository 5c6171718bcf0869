"""The register's spreadsheet layout: the 12 columns (reader.HEADERS), their widths, and writing rows
to a sheet (the import template, the example file and generated demo registers share it)."""
from __future__ import annotations

import datetime as dt

import polars as pl
import xlsxwriter

from scoring.intake.reader import HEADERS

COLUMNS = HEADERS  # the reader defines them; the sheet writes them in the same order


def rows_to_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    schema = {c: (pl.Date if c == "日期" else pl.Utf8) for c in COLUMNS}
    return pl.DataFrame({c: [r[c] for r in rows] for c in COLUMNS}, schema=schema)


COLUMN_WIDTHS = {"日期": 12, "单位": 22, "类型": 9, "层级": 8, "刊物": 13, "栏目": 11, "批示人": 18,
                 "信息编号": 13, "期号": 7, "标题": 48, "作者": 14, "备注": 30}


def write_sheet(workbook: xlsxwriter.Workbook, sheet, rows: list[dict[str, object]],
                title_row: str | None = None) -> int:
    """Title (optional), headers and rows on `sheet`; returns the 0-based index of the header row.

    Every value is written as text except 日期, a real date cell, so nothing is ever a formula
    and 期号 / 信息编号 keep their leading zeros.
    """
    title_fmt = workbook.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head_fmt = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
    header = 0
    if title_row:
        sheet.merge_range(0, 0, 0, len(COLUMNS) - 1, title_row, title_fmt)
        sheet.set_row(0, 30)
        header = 1
    for col, name in enumerate(COLUMNS):
        sheet.write_string(header, col, name, head_fmt)
        sheet.set_column(col, col, COLUMN_WIDTHS[name], date_fmt if name == "日期" else None)
    for i, row in enumerate(rows, start=header + 1):
        for col, name in enumerate(COLUMNS):
            value = row.get(name, "")
            if isinstance(value, dt.date):
                sheet.write_datetime(i, col, dt.datetime.combine(value, dt.time()), date_fmt)
            elif value not in ("", None):
                sheet.write_string(i, col, str(value))
    sheet.freeze_panes(header + 1, 0)
    return header


def write_xlsx(rows: list[dict[str, object]], path, title_row: str | None = None) -> None:
    """Write rows to an .xlsx under the register's headers (and a merged title row above them if given)."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("事件登记")
    header = write_sheet(workbook, sheet, rows, title_row)
    sheet.autofilter(header, 0, header + len(rows), len(COLUMNS) - 1)
    workbook.close()
