"""The 通报's tables as blocks: each group's ranking (排名, 单位, 报送数, a column or two per score
tier, 得分, 累计得分) and the tables of a frame (表彰名单, 优秀信息), cells written as the text says
numbers (fmt_num, percentages for ratios, group labels).
"""
from __future__ import annotations

from decimal import Decimal

import polars as pl

from scoring.engine import numbers
from scoring.reports.blocks import HeaderCell, Table
from scoring.reports.common import ReportData, fmt_num


def rank_widths(d: ReportData) -> list[float]:
    """排名, 单位, 报送数, then per score tier (采用 and 得分 for a tier that counts adoptions), 得分, 累计."""
    adoptions = d.profile.adoption_tiers
    tiers = [w for t in d.profile.score_tiers for w in ([4.5, 4.5] if t in adoptions else [7 if len(t) > 4 else 5])]
    return [4, 23, 5, *tiers, 6, 6]  # long unit names on one line


def ranking_header(d: ReportData) -> list[list[HeaderCell]]:
    last = [HeaderCell(d.score_label, rowspan=2)]
    if not d.annual:
        last.append(HeaderCell("累计得分", rowspan=2))
    adoptions = d.profile.adoption_tiers
    top = [HeaderCell("排名", rowspan=2), HeaderCell("单位", rowspan=2), HeaderCell("报送数", rowspan=2),
           *[HeaderCell(t, colspan=2) if t in adoptions else HeaderCell(t, rowspan=2) for t in d.profile.score_tiers],
           *last]
    second = [HeaderCell("采用"), HeaderCell("得分")] * len(adoptions)
    return [top, second]


def ranking_rows(d: ReportData, group: str) -> list[list[str]]:
    rows = []
    adoptions = d.profile.adoption_tiers
    for r in d.group_frame(group).iter_rows(named=True):
        tiers = [x for t in d.profile.score_tiers
                 for x in ([str(r[adoptions[t]]), fmt_num(r[t])] if t in adoptions else [fmt_num(r[t])])]
        row = [str(r["排名"]), r["单位"], str(r["报送数"]), *tiers, fmt_num(r["得分"])]
        if not d.annual:
            row.append(fmt_num(r["累计得分"]))
        rows.append(row)
    return rows


def ranking_table(d: ReportData, group: str) -> Table:
    widths = rank_widths(d) if not d.annual else rank_widths(d)[:-1]
    align = ["center", "left"] + ["center"] * (len(widths) - 2)
    return Table(ranking_header(d), ranking_rows(d, group), widths, align, kind="ranking")


def _cell(d: ReportData, column: str, value) -> str:
    if value is None:
        return ""
    if column == "增长率":  # a ratio (得分增长 ÷ 上期得分), said as a percentage
        return numbers.percent(value, d.settings)
    if column == "组别":
        return d.group_label(value)
    return fmt_num(value) if isinstance(value, (float, Decimal)) else str(value)


def frame_table(d: ReportData, frame: pl.DataFrame, columns: list[str], widths: list[float],
                 numbered: bool = True) -> Table:
    cols = [c for c in columns if c in frame.columns]
    header = ([HeaderCell("序号")] if numbered else []) + [HeaderCell(c) for c in cols]
    rows = []
    for i, r in enumerate(frame.iter_rows(named=True), start=1):
        cells = [_cell(d, c, r[c]) for c in cols]
        rows.append(([str(i)] if numbered else []) + cells)
    w = ([4] if numbered else []) + [widths[columns.index(c)] for c in cols]
    align = (["center"] if numbered else []) + ["left" if c == "标题" else "center" for c in cols]
    return Table([header], rows, w, align, kind="commend")
