"""Which attachments a 通报 carries, and the two listed ones: each unit's points item by item,
and the adopted items.

Both lists are paragraphs (a unit's line, then one entry a line), not tables: that is how an
office writes such a list, and it lays out about five times faster in the PDF than a five-column
table (a year of adoptions went from ~10 s to ~1.5 s).
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from scoring.reports.blocks import Block, Para
from scoring.reports.common import ReportData, fmt_num, md, publication_label

# which adopted items are listed: every one, those of the adoption tiers above the lowest (e.g.
# 自治区级 and 国家级, not 市级), or none
ADOPTED_KEYS = ("all", "higher", "none")
CN_NUM = "一二三四五六七八九十"


def adopted_choices(profile) -> dict[str, str]:
    """The choices as the 导出 page and the CLI's help show them, in the profile's words."""
    tiers = list(profile.adoption_tiers)
    higher = f"只列{tiers[1]}及以上采用的信息" if len(tiers) > 1 else "只列较高层级采用的信息"
    return {"all": "全部采用信息", "higher": higher, "none": "不附采用信息"}


@dataclass(frozen=True)
class Attachments:
    """What follows the body of a 通报. The score table is on unless asked otherwise, so a report
    lists every unit with its score by default."""
    scores: bool = True       # 各单位得分排名表
    breakdown: bool = False   # 各单位得分明细 (points item by item)
    adopted: str = "all"      # one of ADOPTED_KEYS

    def __post_init__(self):
        if self.adopted not in ADOPTED_KEYS:
            raise ValueError(f"采用信息附件只能选：{'、'.join(ADOPTED_KEYS)}")

    @classmethod
    def default(cls, period) -> "Attachments":
        """A quarter lists every adopted item; a year (over a thousand) those above the lowest tier."""
        return cls(adopted="higher" if period.kind == "year" else "all")

    def describe(self, profile) -> str:
        parts = (["得分排名表"] if self.scores else []) + (["各单位得分明细"] if self.breakdown else [])
        tiers = list(profile.adoption_tiers)
        if self.adopted == "all" or (self.adopted == "higher" and len(tiers) < 2):
            parts.append("全部采用信息")
        elif self.adopted == "higher":
            parts.append(f"{tiers[1]}及以上的采用信息")
        return "、".join(parts) or "无附件"


def _tiers(d: ReportData) -> list[str]:
    return list(d.profile.adoption_tiers)


def _which(d: ReportData, which: str) -> str:
    """With a single adoption tier there is nothing above the lowest: “higher” lists them all."""
    return "all" if which == "higher" and len(_tiers(d)) < 2 else which


def adopted_title(d: ReportData, what: str, which: str) -> str:
    tiers = _tiers(d)
    if _which(d, which) == "all":
        return f"{what}各单位信息采用情况"
    return f"{what}各单位信息被{tiers[1]}及以上采用情况"


def _adopted_frame(d: ReportData, which: str) -> pl.DataFrame:
    if _which(d, which) == "all":
        return d.adopted
    higher = _tiers(d)[1:]
    ids = d.events.filter((pl.col("kind") == "采用") & pl.col("tier").is_in(higher))["id"]
    return d.adopted.filter(pl.col("id").is_in(ids.implode()))


def adopted_summary(d: ReportData, which: str) -> str:
    t, tiers, which = d.totals, _tiers(d), _which(d, which)
    listed_tiers = tiers if which == "all" else tiers[1:]
    counts = [(tier, t[d.profile.adoption_tiers[tier]]) for tier in reversed(listed_tiers)]
    listed = sum(n for _, n in counts)
    text = f"共{listed}条（次）" + ("，其中" + "，".join(f"{tier}{n}条" for tier, n in counts if n) if listed else "") + "。"
    if which != "all" and tiers and t[d.profile.adoption_tiers[tiers[0]]]:
        text += f"{tiers[0]}采用的{t[d.profile.adoption_tiers[tiers[0]]]}条不逐条列出。"
    return text


def adopted_blocks(d: ReportData, which: str) -> list[Block]:
    """Grouped by unit (official order): the unit's line, then its items numbered through the list."""
    which = _which(d, which)
    frame = _adopted_frame(d, which)
    if frame.height == 0:
        tiers = _tiers(d)
        higher = f"{tiers[1]}及以上" if len(tiers) > 1 else "较高层级"
        return [Para(f"{d.this}无信息被采用。" if which == "all" else f"{d.this}无信息被{higher}采用。", "note")]
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


def _points(value: float) -> str:
    return f"扣{fmt_num(-value)}分" if value < 0 else f"计{fmt_num(value)}分"


def unit_breakdown_text(rows: pl.DataFrame, submitted: int, profile) -> str:
    """One unit's points in words, by score tier: 报送信息N条。被市政府办公室采用：《政务要情》简讯7条，
    计21分；…。批示加分：…。"""
    parts = [f"报送信息{submitted}条。"]
    scored = (rows.filter(pl.col("类别").is_in(profile.score_tiers))
              .group_by("类别", "计分项", maintain_order=True)
              .agg(pl.col("次数").sum(), pl.col("得分").sum()))
    for (tier,), items in scored.group_by("类别", maintain_order=True):
        adoption = tier in profile.adoption_tiers
        word = "条" if adoption else "次"
        listed = "；".join(f"{r['计分项']}{r['次数']}{word}，{_points(r['得分'])}" for r in items.iter_rows(named=True))
        parts.append(f"{profile.adoption_phrase(tier) if adoption else tier}：{listed}。")
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
            out.append(Para(unit_breakdown_text(by_unit.get(r["单位"], empty), r["报送数"], d.profile), "list_text"))
    return out
