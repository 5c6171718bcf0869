"""Which attachments a 通报 carries, and the two listed ones: each unit's points item by item,
and the adopted items.

Both lists are paragraphs (a unit's line, then one entry a line), not tables: that is how an
office writes such a list, and it lays out about five times faster in the PDF than a five-column
table (a year of adoptions went from ~10 s to ~1.5 s).
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .blocks import Block, Para
from .common import ReportData, fmt_num, md, publication_label

# which adopted items are listed: every one, those at the region's level and above, or none
ADOPTED_CHOICES = {"all": "全部采用信息", "region": "只列自治区级及以上采用的信息", "none": "不附采用信息"}
ABOVE_CITY = ("自治区", "国家")
CN_NUM = "一二三四五六七八九十"


@dataclass(frozen=True)
class Attachments:
    """What follows the body of a 通报. The score table is on unless asked otherwise, so a report
    lists every unit with its score by default."""
    scores: bool = True       # 各单位得分排名表
    breakdown: bool = False   # 各单位得分明细 (points item by item)
    adopted: str = "all"      # a key of ADOPTED_CHOICES

    def __post_init__(self):
        if self.adopted not in ADOPTED_CHOICES:
            raise ValueError(f"采用信息附件只能选：{'、'.join(ADOPTED_CHOICES.values())}")

    @classmethod
    def default(cls, period) -> "Attachments":
        """A quarter lists every adopted item; a year (over a thousand items) those above the city."""
        return cls(adopted="region" if period.kind == "year" else "all")

    def describe(self) -> str:
        parts = (["得分排名表"] if self.scores else []) + (["各单位得分明细"] if self.breakdown else [])
        if self.adopted != "none":
            parts.append("采用信息（全部）" if self.adopted == "all" else "采用信息（自治区级及以上）")
        return "、".join(parts) or "无附件"


def adopted_title(what: str, which: str) -> str:
    return f"{what}各单位信息采用情况" if which == "all" else f"{what}各单位信息被自治区级及以上采用情况"


def _adopted_frame(d: ReportData, which: str) -> pl.DataFrame:
    return d.adopted if which == "all" else d.adopted.filter(pl.col("层级").is_in(ABOVE_CITY))


def adopted_summary(d: ReportData, which: str) -> str:
    t = d.totals
    if which == "all":
        return f"共{t['采用']}条（次），其中国家级{t['国家级采用']}条，自治区级{t['自治区级采用']}条，市级{t['市级采用']}条。"
    n = t["国家级采用"] + t["自治区级采用"]
    text = f"共{n}条（次），其中国家级{t['国家级采用']}条，自治区级{t['自治区级采用']}条。"
    if t["市级采用"]:
        text += f"另有{t['市级采用']}条被市级采用，不逐条列出。"
    return text


def adopted_blocks(d: ReportData, which: str) -> list[Block]:
    """Grouped by unit (official order): the unit's line, then its items numbered through the list."""
    frame = _adopted_frame(d, which)
    if frame.height == 0:
        return [Para(f"{d.this}无信息被采用。" if which == "all" else f"{d.this}无信息被自治区级及以上采用。", "note")]
    per_unit = (frame.group_by("单位", maintain_order=True)
                .agg(pl.len().alias("n"), pl.col("得分").sum().alias("pts"), pl.col("组别").first()))
    summary = {r["单位"]: r for r in per_unit.iter_rows(named=True)}
    out: list[Block] = []
    current = None
    for i, r in enumerate(frame.iter_rows(named=True), start=1):
        if r["单位"] != current:
            current = r["单位"]
            s = summary[current]
            out.append(Para(f"{current}（{d.group_label(s['组别'] or '')}）："
                            f"{s['n']}条，计{fmt_num(s['pts'])}分", "list_head"))
        title = r["标题"] or "（无标题）"
        if r["批示"]:
            title += f"（获{r['批示']}批示）"
        where = publication_label(r["层级"], r["刊物"], r["期号"]) + (f"·{r['栏目']}" if r["栏目"] else "")
        out.append(Para(f"{i}.{title}（{where}，{md(r['日期'])}，{fmt_num(r['得分'])}分）", "list_item"))
    return out


# how an item's count is said, by the breakdown's 类别
COUNT_WORD = {"市级": "条", "自治区级": "条", "国家级": "条"}
TIER_SENTENCE = {"市级": "被市级采用", "自治区级": "被自治区级采用", "国家级": "被国家级采用"}


def _points(value: float) -> str:
    return f"扣{fmt_num(-value)}分" if value < 0 else f"计{fmt_num(value)}分"


def unit_breakdown_text(rows: pl.DataFrame) -> str:
    """One unit's points in words: 报送信息N条。被市级采用：《政务要情》简讯7条，计21分；…。"""
    submitted = rows.filter(pl.col("类别") == "报送")["次数"].sum()
    parts = [f"报送信息{submitted}条。"]
    scored = (rows.filter(pl.col("类别") != "报送")
              .group_by("类别", "计分项", maintain_order=True)
              .agg(pl.col("次数").sum(), pl.col("得分").sum()))
    for (tier,), items in scored.group_by("类别", maintain_order=True):
        word = COUNT_WORD.get(tier, "次")
        listed = "；".join(f"{r['计分项']}{r['次数']}{word}，{_points(r['得分'])}" for r in items.iter_rows(named=True))
        parts.append(f"{TIER_SENTENCE.get(tier, tier)}：{listed}。")
    if len(parts) == 1:
        parts.append("无计分事项。")
    return "".join(parts)


def breakdown_blocks(d: ReportData) -> list[Block]:
    """Per group, each unit in the official order: its rank and score, then its points item by item."""
    out: list[Block] = []
    by_unit = {name: rows for (name,), rows in d.breakdown.group_by("单位", maintain_order=True)}
    empty = d.breakdown.clear()
    for gi, group in enumerate(d.groups):
        out.append(Para(f"（{CN_NUM[gi]}）{d.group_label(group)}单位", "caption"))
        for i, r in enumerate(d.group_frame(group).sort("序号").iter_rows(named=True), start=1):
            out.append(Para(f"{i}.{r['单位']}（第{r['排名']}名，{d.score_label}{fmt_num(r['得分'])}分）", "list_head"))
            out.append(Para(unit_breakdown_text(by_unit.get(r["单位"], empty)), "list_text"))
    return out
