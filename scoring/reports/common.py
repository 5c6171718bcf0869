"""A period's report data, taken from the engine once: every figure a 通报 or export states.

Nothing here computes a score: totals are sums of `engine.ranking`, deductions come from
`engine.quota_status` and `engine.scored_events`, commendations from `scoring.engine.commend`.
The renderers (docx, pdf, xlsx, csv) only lay these figures out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl

from scoring.engine import commend
from scoring.engine.numbers import cell as num  # noqa: F401 - the renderers import these from here
from scoring.engine.numbers import text as fmt_num  # noqa: F401
from scoring.engine.periods import Period
from scoring.profile import Profile, default_profile

# The office's name, masthead, 办法 title, group labels and the items behind each paragraph are
# the profile's (ReportData.profile); nothing here names an office.
CUMULATIVE_NOTE = "累计得分为当年1月1日至本季度末各项得分之和，合计低于0分的按0分计。"


# --------------------------------------------------------------------------------------------
# Formatting helpers shared by every renderer
# --------------------------------------------------------------------------------------------
def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: date) -> str:
    return f"{day.year}年{day.month}月"


def md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def join_names(names: list[str]) -> str:
    return "、".join(names)


def publication_label(level: str | None, publication: str | None, issue: str | None = None) -> str:
    """市《政务要情》第40期, 自治区《每日要情》, 国务院办公厅 …"""
    publication = publication or ""
    level = level or ""
    if publication == "微信公众号":
        text = "市政府办公室微信公众号"
    elif publication == "舆情":
        text = {"市": "市政府办公室（网络舆情）", "自治区": "自治区政府办公厅（网络舆情）"}.get(level, "网络舆情")
    elif publication == "国务院办公厅":
        text = "国务院办公厅"
    else:
        text = f"{level}《{publication}》" if publication else level
    if issue:
        text += f"第{issue}期"
    return text


# --------------------------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------------------------
@dataclass
class Shortfall:
    """A unit-month below quota that drew a deduction (三(二)1)."""
    unit_id: int
    unit: str
    group: str
    month: date
    n: int
    quota: int
    code: str
    points: Decimal


@dataclass
class Deduction:
    """A deduction event other than the quota ones: 约稿逾期, 重大失误, 严重失真."""
    unit: str
    day: date
    code: str
    item: str
    points: Decimal
    title: str
    note: str


@dataclass
class ReportData:
    period: Period
    as_of: date
    number: str
    issue_date: date
    title: str
    ranking: pl.DataFrame                  # engine.ranking(period)
    groups: list[str]
    totals: dict[str, object]
    praise: dict[str, list[dict]]          # group -> leading rows (排名, 单位, 得分)
    shortfalls: list[Shortfall]
    zero_adoption: dict[str, list[str]]    # group -> units
    zero_submission: list[str]
    other_deductions: list[Deduction]
    adopted: pl.DataFrame                  # one row per adoption
    events: pl.DataFrame                   # engine.scored_events(period)
    breakdown: pl.DataFrame                # per unit, item code and rule version
    versions: list                         # RuleVersion objects used in the period
    version_changes: list[str]             # sentences on rule changes taking effect in the period
    overrides: dict[str, Decimal]
    commend: dict | None = None            # annual: commend.select(...) or the chosen lists
    notes: list[str] = field(default_factory=list)
    profile: Profile = field(default_factory=default_profile)
    settings: dict = field(default_factory=dict)   # the engine's (how rates are rounded where shown)

    @property
    def office(self):
        return self.profile.office

    def group_label(self, group: str | None) -> str:
        return self.profile.group_labels.get(group, group or "")

    @property
    def annual(self) -> bool:
        return self.period.kind == "year"

    @property
    def this(self) -> str:
        """本期 (a quarter) or 本年度 (a year), as the narrative says it."""
        return "本年度" if self.annual else "本期"

    @property
    def score_label(self) -> str:
        return "年度得分" if self.annual else "本期得分"

    def group_frame(self, group: str) -> pl.DataFrame:
        return self.ranking.filter(pl.col("组别") == group)


def issue_year(period: Period) -> int:
    """The 通报 on a period is issued at the start of the next quarter (五)."""
    return date.fromordinal(period.end.toordinal() + 1).year


def number_text(period: Period, number: str | int | None, pattern: str = "〔{year}〕第 {n} 期") -> str:
    """〔2025〕第 3 期 (the profile's pattern); a blank number leaves 〔2025〕第 X 期 to fill in by hand."""
    if number is None or str(number).strip() == "":
        return pattern.format(year=issue_year(period), n="X")
    text = str(number).strip()
    if "〔" in text or "[" in text or "第" in text:
        return text
    return pattern.format(year=issue_year(period), n=text)


def report_title(period: Period, area: str = "全县") -> str:
    if period.kind == "year":
        return f"关于{period.start.year}年度{area}政务信息工作情况的通报"
    return f"关于{period.label}{area}政务信息工作情况的通报"


def versions_used(book, period: Period) -> list:
    return [book.versions[i] for i in book.indexes_between(period.start, period.end)]


def describe_version_changes(book, period: Period) -> list[str]:
    """七 (last paragraph): point changes are announced in the quarter's 通报."""
    out = []
    for i, version in enumerate(book.versions):
        if i == 0 or not period.contains(version.effective):
            continue
        before = book.versions[i - 1]
        changed = [f"{item.name}由{fmt_num(before.items[code].points)}分调整为{fmt_num(item.points)}分"
                   for code, item in version.items.items()
                   if code in before.items and before.items[code].points != item.points]
        reason = f"（{version.reason}）" if version.reason else ""
        text = f"自{cn_date(version.effective)}起，计分标准调整{reason}"
        text += "：" + "；".join(changed) + "。" if changed else "。"
        out.append(text)
    return out


def adopted_items(engine, events: pl.DataFrame, ranking: pl.DataFrame) -> pl.DataFrame:
    """The adopted-item list: every 采用 event of the period, in the official unit order."""
    adopted = events.filter(pl.col("kind") == "采用")
    instructions = (events.filter((pl.col("kind") == "批示") & (pl.col("info_id") != ""))
                    .group_by("info_id").agg(pl.col("leader").unique(maintain_order=True).alias("_leaders")))
    groups = ranking.select("unit_id", "组别", "序号")
    adopted = (adopted.join(groups, on="unit_id", how="left")
               .join(instructions, on="info_id", how="left")
               .with_columns(pl.col("_leaders").list.join("、").fill_null("").alias("批示"))
               .sort(["序号", "day", "id"], nulls_last=True))
    return adopted.select(
        pl.col("组别"), pl.col("单位"), pl.col("title").alias("标题"), pl.col("level").alias("层级"),
        pl.col("publication").alias("刊物"), pl.col("col").alias("栏目"), pl.col("issue").alias("期号"),
        pl.col("day").alias("日期"), pl.col("points").alias("得分"), pl.col("item").alias("计分项"),
        pl.col("code").alias("代码"), pl.col("批示"), pl.col("author").alias("作者"), pl.col("id"))


def breakdown(engine, period: Period, ranking: pl.DataFrame) -> pl.DataFrame:
    """Per unit, item and rule version: count, points each, points (the score's composition)."""
    counts = engine.scored_counts(period)
    units = ranking.select("unit_id", "组别", "单位", "序号")
    tier_order = {t: i for i, t in enumerate(("市级", "自治区级", "国家级", "批示加分", "约稿·线索·调研", "扣分", "报送"))}
    return (counts.join(units, on="unit_id", how="inner")
            .with_columns(pl.col("tier").replace_strict(tier_order, default=99).alias("_tier"))
            .sort(["序号", "_tier", "code", "vidx"])
            .select("组别", "单位", pl.col("tier").alias("类别"), pl.col("item").alias("计分项"),
                    pl.col("code").alias("代码"), pl.col("clause").alias("条款"),
                    pl.col("version").alias("规则版本"), pl.col("n").alias("次数"),
                    pl.col("points_each").alias("每次分值"), pl.col("points").alias("得分")))


def period_totals(ranking: pl.DataFrame, events: pl.DataFrame, profile: Profile) -> dict[str, object]:
    """The narrative's figures: sums of the ranking's columns, and counts of events by kind
    (adoptions per tier, instructions per level and 约稿 outcomes as the profile names them)."""
    def count(expr) -> int:
        return int(events.filter(expr).height)

    totals = {
        "单位数": ranking.height,
        "报送": int(ranking["报送数"].sum()),
        "采用": int(ranking["采用数"].sum()),
        **{column: int(ranking[column].sum()) for column in profile.adoption_tiers.values()},
        "批示": int(ranking["批示数"].sum()),
        "批示分项": [(phrase, count((pl.col("kind") == "批示") & (pl.col("level") == level)))
                 for level, phrase in profile.instruction_phrases.items()],
        "约稿": count(pl.col("kind") == "约稿"),
        "约稿分项": [(phrase, count(pl.col("code") == code)) for phrase, code in profile.solicited.items()],
        "线索": count(pl.col("kind") == "线索"),
        "调研": count(pl.col("kind") == "调研"),
        "批示落实": count(pl.col("kind") == "批示落实"),
        "得分合计": ranking["得分"].sum(),
        "零报送单位": int((ranking["报送数"] == 0).sum()),
        "零采用单位": int((ranking["采用数"] == 0).sum()),
    }
    return totals


def quota_shortfalls(engine, period: Period, ranking: pl.DataFrame) -> list[Shortfall]:
    ladder = engine.quota_status(period.end).filter(
        pl.col("code").is_not_null() & (pl.col("month") >= period.start) & (pl.col("month") <= period.end))
    names = {u.id: u.name for u in engine.units.units}
    groups = dict(ranking.select("unit_id", "组别").iter_rows())
    order = {u.id: u.order for u in engine.units.units}
    out = []
    for r in ladder.sort("month").iter_rows(named=True):
        points = engine.book.version_for(r["month"]).items[r["code"]].points
        out.append(Shortfall(r["unit_id"], names[r["unit_id"]],
                             groups.get(r["unit_id"]) or engine.units.group_on(r["unit_id"], r["month"]) or "",
                             r["month"], int(r["n"]), int(r["quota"]), r["code"], points))
    out.sort(key=lambda s: (s.group, order.get(s.unit_id, 0), s.month))
    return out


def event_deductions(events: pl.DataFrame, profile: Profile) -> list[Deduction]:
    """Typed-in records the 通报 names: late drafts, serious errors, and whatever disqualifies."""
    codes = {*profile.late_codes, *profile.error_items, *profile.disqualify}
    rows = events.filter(pl.col("code").is_in(list(codes))
                         & pl.col("id").is_not_null()).sort(["day", "id"])
    return [Deduction(r["单位"], r["day"], r["code"], r["item"] or "", r["points"] or Decimal(0),
                      r["title"] or "", r["note"] or "") for r in rows.iter_rows(named=True)]


def praise_rows(ranking: pl.DataFrame, top: int = 3) -> dict[str, list[dict]]:
    out = {}
    for group in ranking["组别"].unique(maintain_order=True).to_list():
        rows = ranking.filter((pl.col("组别") == group) & (pl.col("排名") <= top) & (pl.col("得分") > 0))
        out[group] = rows.select("排名", "单位", "得分").to_dicts()
    return out


def assemble(engine, period: Period, number: str | int | None = None, commendation: dict | None = None,
             measure: str | None = None, issue_date: date | None = None) -> ReportData:
    """Everything a report on `period` states, from one engine (one as-of date, one rule book).
    The reads share one connection (the file is held for this operation only)."""
    with engine.store.session():
        return _assemble(engine, period, number, commendation, measure, issue_date)


def _assemble(engine, period: Period, number, commendation, measure, issue_date) -> ReportData:
    ranking = engine.ranking(period)
    events = engine.scored_events(period)
    groups = [g for g in engine.profile.group_codes if g in set(ranking["组别"].to_list())]
    groups += sorted(g for g in set(ranking["组别"].drop_nulls().to_list()) if g not in groups)
    zero_adoption = {g: ranking.filter((pl.col("组别") == g) & (pl.col("采用数") == 0))["单位"].to_list()
                     for g in groups}
    data = ReportData(
        period=period, as_of=engine.as_of, number=number_text(period, number, engine.profile.office.number_pattern),
        issue_date=issue_date or engine.as_of, title=report_title(period, engine.profile.office.area),
        ranking=ranking, groups=groups, totals=period_totals(ranking, events, engine.profile),
        praise=praise_rows(ranking, engine.profile.praise_top),
        shortfalls=quota_shortfalls(engine, period, ranking), zero_adoption=zero_adoption,
        zero_submission=ranking.filter(pl.col("报送数") == 0)["单位"].to_list(),
        other_deductions=event_deductions(events, engine.profile), adopted=adopted_items(engine, events, ranking),
        events=events, breakdown=breakdown(engine, period, ranking),
        versions=versions_used(engine.book, period), version_changes=describe_version_changes(engine.book, period),
        overrides=dict(engine.book.overrides), profile=engine.profile, settings=dict(engine.settings))
    if period.kind == "year":
        data.commend = commendation if commendation is not None else commend.select(engine, period.start.year, measure)
    if engine.as_of <= period.end:
        data.notes.append(f"本期尚未结束，数据截至{cn_date(engine.as_of)}。")
    if data.overrides:
        data.notes.append("本稿为试算结果（临时调整了计分标准），不作为正式通报。")
    return data
