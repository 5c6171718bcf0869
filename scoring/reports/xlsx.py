"""Excel exports: the period workbook (rankings, breakdown, scored events, rule versions) and
the 年终考核 sheet.

No cell can become a formula: the workbook is opened with strings_to_formulas and
strings_to_urls off, and every text cell is written with write_string.
"""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import polars as pl
import xlsxwriter

from scoring.engine import numbers
from scoring.engine.exact import POINTS
from scoring.engine.periods import Period
from scoring.engine.score import describe
from scoring.reports.common import CUMULATIVE_NOTE, ReportData, cn_date, num, publication_label

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                    "in_memory": True}


class Sheets:
    """A small wrapper: header formats, typed cell writing, widths, frozen header."""

    def __init__(self, title: str, author: str = "", rate_places: int = numbers.RATE_DECIMALS):
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, WORKBOOK_OPTIONS)
        self.wb.set_properties({"title": title, "author": author, "comments": "政务信息考评系统导出"})
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
        self.head = self.wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                        "align": "center", "text_wrap": True})
        self.text = self.wb.add_format({**base})
        self.wrap = self.wb.add_format({**base, "text_wrap": True})
        self.number = self.wb.add_format({**base, "num_format": "0.####"})  # points have at most 4 places
        self.integer = self.wb.add_format({**base, "num_format": "0"})
        self.percent = self.wb.add_format({**base, "num_format": "0" + ("." + "0" * rate_places if rate_places else "") + "%"})
        self.day = self.wb.add_format({**base, "num_format": "yyyy-mm-dd", "align": "left"})
        self.stamp = self.wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm", "align": "left"})
        self.title_fmt = self.wb.add_format({**base, "bold": True, "font_size": 14})

    def cell(self, ws, r: int, c: int, value, fmt=None) -> None:
        if value is None:
            ws.write_blank(r, c, None, fmt or self.text)
        elif isinstance(value, bool):
            ws.write_string(r, c, "是" if value else "否", fmt or self.text)
        elif isinstance(value, (int, float, Decimal)):
            if num(value) is None:
                ws.write_blank(r, c, None, fmt or self.text)
            else:
                ws.write_number(r, c, float(num(value)), fmt or (self.integer if isinstance(num(value), int) else self.number))
        elif isinstance(value, datetime):
            ws.write_datetime(r, c, value, fmt or self.stamp)
        elif isinstance(value, date):
            ws.write_datetime(r, c, datetime(value.year, value.month, value.day), fmt or self.day)
        else:
            ws.write_string(r, c, str(value), fmt or self.text)

    def table(self, name: str, frame: pl.DataFrame, widths: dict[str, float] | None = None,
              formats: dict[str, object] | None = None, wrap: tuple[str, ...] = ()):
        """One sheet: header row (frozen, filterable), one row per frame row."""
        ws = self.wb.add_worksheet(name)
        widths, formats = widths or {}, formats or {}
        columns = frame.columns
        writers = []
        for c, col in enumerate(columns):
            ws.write_string(0, c, col, self.head)
            ws.set_column(c, c, widths.get(col, max(8, min(40, 2.2 * len(col) + 2))),
                          self.wrap if col in wrap else None)
            writers.append(self._writer(ws, frame.schema[col], formats.get(col) or (self.wrap if col in wrap else None)))
        for r, row in enumerate(frame.iter_rows(), start=1):
            for c, value in enumerate(row):
                if value is not None:
                    writers[c](r, c, value)
        ws.freeze_panes(1, 0)
        if frame.height:
            ws.autofilter(0, 0, frame.height, max(0, frame.width - 1))
        ws.set_row(0, 30)
        return ws

    def _writer(self, ws, dtype, fmt):
        """A cell writer for one column's type: text always as a string, never a formula."""
        if dtype == pl.Utf8:
            text_fmt = fmt or self.text
            return lambda r, c, v: ws.write_string(r, c, v, text_fmt)
        if dtype.is_integer():
            int_fmt = fmt or self.integer
            return lambda r, c, v: ws.write_number(r, c, v, int_fmt)
        if dtype.is_float() or dtype.is_decimal():
            def write_number(r, c, v):
                v = num(v)
                if v is not None:  # Excel keeps binary numbers: the exact decimal's nearest, 0.3 shows 0.3
                    ws.write_number(r, c, float(v), fmt or (self.integer if isinstance(v, int) else self.number))
            return write_number
        return lambda r, c, v: self.cell(ws, r, c, v, fmt)

    def close(self) -> bytes:
        self.wb.close()
        return self.buf.getvalue()


# --------------------------------------------------------------------------------------------
# The period workbook
# --------------------------------------------------------------------------------------------
def ranking_columns(data: ReportData) -> list[tuple[str, str]]:
    """(ranking column, sheet heading): counts, then points per score tier as the profile lists them."""
    adoptions = data.profile.adoption_tiers
    return [("排名", "排名"), ("单位", "单位"), ("组别", "组别"), ("报送数", "报送数"), ("采用数", "采用数"),
            *[(c, c) for c in adoptions.values()], ("批示数", "批示数"),
            *[(t, f"{t}得分" if t in adoptions else t) for t in data.profile.score_tiers],
            ("原始得分", "合计（未保底）"), ("得分", "本期得分"), ("累计得分", "累计得分"), ("采用率", "采用率")]


def ranking_sheet_frame(data: ReportData, group: str) -> pl.DataFrame:
    frame = data.group_frame(group)
    cols = [(src, dst) for src, dst in ranking_columns(data) if not (data.annual and src == "累计得分")]
    frame = frame.with_columns(pl.col("采用率").round(numbers.rate_places(data.settings) + 2))  # as shown
    return frame.select([pl.col(src).alias(dst if not (data.annual and src == "得分") else "年度得分")
                         for src, dst in cols])


EVENT_COLUMNS = [("day", "日期"), ("单位", "单位"), ("kind", "类型"), ("level", "层级"), ("publication", "刊物"),
                 ("col", "栏目"), ("leader", "批示人"), ("info_id", "信息编号"), ("issue", "期号"), ("title", "标题"),
                 ("author", "作者"), ("note", "备注"), ("item", "计分项"), ("code", "代码"), ("points", "分值"),
                 ("clause", "条款"), ("version", "规则版本"), ("file_name", "来源文件"), ("src_row", "来源行号"),
                 ("id", "事件编号")]


def events_frame(data: ReportData) -> pl.DataFrame:
    ev = data.events
    return ev.select([pl.col(src).alias(dst) for src, dst in EVENT_COLUMNS if src in ev.columns])


def adopted_frame(data: ReportData) -> pl.DataFrame:
    a = data.adopted
    return pl.DataFrame({
        "序号": list(range(1, a.height + 1)),
        "组别": a["组别"].to_list(),
        "单位": a["单位"].to_list(),
        "标题": a["标题"].to_list(),
        "采用刊物": [publication_label(lv, pub, iss) for lv, pub, iss in a.select("层级", "刊物", "期号").iter_rows()],
        "栏目": a["栏目"].to_list(),
        "日期": a["日期"].to_list(),
        "得分": a["得分"].to_list(),
        "领导批示": a["批示"].to_list(),
        "作者": a["作者"].to_list(),
        "代码": a["代码"].to_list(),
    }, schema={"序号": pl.Int64, "组别": pl.Utf8, "单位": pl.Utf8, "标题": pl.Utf8, "采用刊物": pl.Utf8,
               "栏目": pl.Utf8, "日期": pl.Date, "得分": POINTS, "领导批示": pl.Utf8, "作者": pl.Utf8,
               "代码": pl.Utf8})


def versions_frame(data: ReportData) -> pl.DataFrame:
    rows = []
    for v in data.versions:
        for item in v.items.values():
            rows.append({"规则版本": v.version, "生效日期": v.effective, "版本说明": v.reason or v.title,
                         "代码": item.code, "计分项": item.name, "类型": item.type, "类别": item.tier,
                         "分值": data.overrides.get(item.code, item.points), "条款": item.clause,
                         "原文": item.text})
    return pl.DataFrame(rows, schema={"规则版本": pl.Utf8, "生效日期": pl.Date, "版本说明": pl.Utf8, "代码": pl.Utf8,
                                      "计分项": pl.Utf8, "类型": pl.Utf8, "类别": pl.Utf8, "分值": POINTS,
                                      "条款": pl.Utf8, "原文": pl.Utf8})


def _about_sheet(s: Sheets, data: ReportData) -> None:
    ws = s.wb.add_worksheet("说明")
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 90, s.wrap)
    t = data.totals
    lines = [
        ("报表", data.title.removeprefix("关于").removesuffix("的通报") + "考评数据"),
        ("考评期间", f"{cn_date(data.period.start)}至{cn_date(data.period.end)}"),
        ("数据截至", cn_date(data.as_of) + "（月份以该日判断是否结束，结束且有报送记录的月份才考核报送任务）"),
        ("计分依据", data.office.regulation + "；" + "、".join(f"{v.version}版（{cn_date(v.effective)}起施行）" for v in data.versions)),
        ("单位数", t["单位数"]),
        ("报送", t["报送"]),
        ("采用", t["采用"]),
        *[(f"其中{tier}", t[column]) for tier, column in reversed(data.profile.adoption_tiers.items())],
        ("领导批示", t["批示"]),
        ("约稿", t["约稿"]),
        ("得分说明", f"本期{describe(data.profile)}；同分名次并列。"),
    ]
    if not data.annual:
        lines.append(("累计得分", CUMULATIVE_NOTE))
    if data.overrides:
        lines.append(("试算", "本表为试算结果：" + "，".join(f"{k}={v:g}" for k, v in data.overrides.items())))
    for note in data.notes:
        lines.append(("注意", note))
    lines.append(("工作表", "A类排名/B类排名/C类排名：各组每个单位一行；得分明细：各单位按计分项、规则版本汇总；"
                          "计分事件：本期每条计分记录（含系统按月计算的报送任务扣分）；采用信息：本期采用清单；"
                          "规则版本：本期使用的计分标准。"))
    ws.write_string(0, 0, data.title, s.title_fmt)
    for r, (k, v) in enumerate(lines, start=2):
        ws.write_string(r, 0, k, s.head)
        s.cell(ws, r, 1, v, s.wrap if isinstance(v, str) else None)


def build_xlsx(data: ReportData) -> bytes:
    s = Sheets(data.title, data.office.issuer, numbers.rate_places(data.settings))
    rank_widths = {"单位": 34, "排名": 6, "组别": 6, "采用率": 8}
    for group in data.groups:
        s.table(f"{data.group_label(group)}排名", ranking_sheet_frame(data, group), rank_widths,
                {"采用率": s.percent})
    s.table("得分明细", data.breakdown, {"单位": 34, "计分项": 36, "代码": 26, "条款": 10, "规则版本": 12, "类别": 14})
    s.table("计分事件", events_frame(data), {"日期": 12, "单位": 30, "标题": 50, "备注": 30, "计分项": 34,
                                             "代码": 26, "来源文件": 24, "信息编号": 14, "作者": 14})
    s.table("采用信息", adopted_frame(data), {"单位": 30, "标题": 56, "采用刊物": 28, "日期": 12, "领导批示": 20,
                                             "代码": 24, "序号": 6, "组别": 6})
    s.table("规则版本", versions_frame(data), {"计分项": 36, "代码": 26, "原文": 80, "版本说明": 30, "生效日期": 12},
            wrap=("原文",))
    _about_sheet(s, data)
    return s.close()


# --------------------------------------------------------------------------------------------
# 年终考核 (五): one row per unit — the year's score, rank and group
# --------------------------------------------------------------------------------------------
def annual_assessment_frame(engine, year: int) -> pl.DataFrame:
    period = Period.year(year)
    ranking = engine.ranking(period, cumulative=False)
    sizes = ranking.group_by("组别").agg(pl.len().alias("组内单位数"))
    return (ranking.join(sizes, on="组别", how="left").sort("序号").drop("序号")
            .with_row_index("序号", offset=1)
            .select(pl.col("序号").cast(pl.Int64), "单位", "组别", pl.col("得分").alias("年度得分"),
                    pl.col("排名").alias("组内排名"), pl.col("组内单位数").cast(pl.Int64), "报送数", "采用数",
                    *[pl.col("扣分")] * ("扣分" in ranking.columns)))  # a profile without deductions has no 扣分


def build_annual_assessment_xlsx(engine, year: int) -> bytes:
    frame = annual_assessment_frame(engine, year)
    s = Sheets(f"{year}年度政务信息工作年终考核得分", engine.profile.office.issuer)
    s.table("年终考核", frame, {"单位": 36, "序号": 6, "组别": 6, "年度得分": 10, "组内排名": 10, "组内单位数": 10})
    ws = s.wb.add_worksheet("说明")
    ws.set_column(0, 0, 100, s.wrap)
    for r, line in enumerate([
            f"{year}年度政务信息工作得分，按考评办法五纳入年终考核指标。",
            f"年度{describe(engine.profile)}；组内排名按年度得分，同分并列。",
            f"数据截至{cn_date(engine.as_of)}；计分依据{engine.profile.office.regulation}。"]):
        ws.write_string(r, 0, line, s.wrap)
    return s.close()
