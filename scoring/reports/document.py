"""The 通报 as a sequence of blocks (paragraphs, tables, page breaks), written once.

The .docx and the PDF renderers walk the same blocks, so both say exactly the same thing.
Layout follows the usual county office style (GB/T 9704): a masthead, a 小标宋 title, 仿宋
body with 黑体 first-level and 楷体 second-level headings, the signature and date, then the
attachments (per-unit score tables and the adopted-item list) on landscape pages.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from .common import (CUMULATIVE_NOTE, ReportData, Shortfall, cn_date, fmt_num, join_names, md, publication_label)

CN_NUM = "一二三四五六七八九十"


# --------------------------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------------------------
@dataclass
class Masthead:
    name: str
    number: str
    issuer: str
    date: str


@dataclass
class Para:
    text: str
    style: str = "body"  # title subtitle addressee body h1 lead signature attach_label attach_title caption note
    lead: str = ""       # an inline 楷体 heading before the text (（一）…。)


@dataclass
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class SpanRow:
    """A full-width row inside a table (e.g. a unit's name above its items)."""
    text: str


@dataclass
class Table:
    header: list[list[HeaderCell]]
    rows: list[list[str] | SpanRow]
    widths: list[float]               # relative column widths
    align: list[str] = field(default_factory=list)  # per column: left / center / right
    kind: str = "table"               # css class / role


@dataclass
class PageBreak:
    landscape: bool | None = None     # None: same orientation; True/False: new section


Block = Masthead | Para | Table | PageBreak


# --------------------------------------------------------------------------------------------
# Narrative
# --------------------------------------------------------------------------------------------
def pct(part: float, whole: float) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def overview(d: ReportData) -> list[str]:
    t = d.totals
    when = f"{d.period.start.year}年" if d.annual else d.period.label
    # 采用率 as the engine defines it (采用条数 ÷ 报送条数); not stated when adoptions outnumber
    # the registered submissions (an item adopted at several levels counts at each)
    rate = f"，采用率{pct(t['采用'], t['报送'])}" if 0 < t["采用"] <= t["报送"] else ""
    first = (f"{when}，全县{t['单位数']}个考评单位共报送政务信息{t['报送']}条，被各级政务信息刊物采用"
             f"{t['采用']}条（次）{rate}。其中，被国务院办公厅采用{t['国家级采用']}条，"
             f"被自治区政府办公厅采用{t['自治区级采用']}条，被市政府办公室采用{t['市级采用']}条。")
    parts = []
    if t["批示"]:
        by = [f"{name}{t[key]}次" for name, key in (("国务院领导同志签批", "批示_国家"),
                                                   ("自治区领导同志签批", "批示_自治区"),
                                                   ("市领导同志批示", "批示_市")) if t[key]]
        parts.append(f"获各级领导同志批示{t['批示']}次（{join_names(by)}）" if by else f"获各级领导同志批示{t['批示']}次")
    else:
        parts.append(f"{d.this}未获领导同志批示")
    if t["约稿"]:
        sub = [f"{name}{t[key]}篇" for name, key in (("被市政府办公室选用", "约稿_市选用"),
                                                    ("被自治区政府办公厅采用", "约稿_自治区采用"),
                                                    ("按弃稿处理", "约稿_弃稿")) if t[key]]
        parts.append(f"完成约稿{t['约稿']}篇（{join_names(sub)}）")
    else:
        parts.append("完成约稿0篇")
    extra = [f"{name}{t[key]}{unit}" for name, key, unit in (("主动提供信息线索被采用", "线索", "条"),
                                                             ("承办调研及调研信息", "调研", "次"),
                                                             ("反馈批示落实情况", "批示落实", "次")) if t[key]]
    second = "；".join(parts + extra) + "。"
    return [first + second]


def praise_paragraphs(d: ReportData) -> list[Para]:
    out = []
    for i, group in enumerate(d.groups):
        frame = d.group_frame(group)
        lead = f"（{CN_NUM[i]}）{d.group_label(group)}单位。"
        leaders = d.praise.get(group, [])
        count = f"本组共{frame.height}个单位，平均得分{fmt_num(round(float(frame['得分'].mean() or 0), 1))}分。"
        if not leaders:
            out.append(Para(count + f"{d.this}本组各单位均未得分。", lead=lead))
            continue
        names = join_names([f"{r['单位']}（{fmt_num(r['得分'])}分）" for r in leaders])
        place = "前三名" if len(leaders) == 3 and [r["排名"] for r in leaders] == [1, 2, 3] else "本组前列"
        best = frame.sort(["采用数", "序号"], descending=[True, False]).row(0, named=True)
        text = (f"{count}{names}位列{place}，信息报送及时、质量较高，予以通报表扬。"
                f"其中，{best['单位']}被各级采用信息{best['采用数']}条，居本组首位。")
        out.append(Para(text, lead=lead))
    return out


def _shortfall_text(s: Shortfall) -> str:
    return f"{s.unit}（{s.month.month}月报送{s.n}条，任务数{s.quota}条，扣{fmt_num(-s.points)}分）"


def shortfall_paragraph(d: ReportData) -> str:
    if not d.shortfalls:
        return f"{d.this}各单位均完成了月度信息报送任务（《办法》第四条）。"
    by_unit: dict[str, list[Shortfall]] = {}
    for s in d.shortfalls:
        by_unit.setdefault(s.unit, []).append(s)
    items = []
    for unit, rows in by_unit.items():
        months = "、".join(f"{s.month.month}月（报送{s.n}条/任务{s.quota}条）" for s in rows)
        total = sum(-s.points for s in rows)
        ladder = d.profile.first_repeat
        repeat = "，经提醒后仍未改变" if any(ladder.get(s.code) == "repeat" for s in rows) else ""
        items.append(f"{unit}{months}未完成报送任务{repeat}，共扣{fmt_num(total)}分")
    table = d.profile.quota_table(d.profile.quotas[0]) if d.profile.quotas else {}
    return (f"按照《办法》第四条规定，{'、'.join(d.group_label(g) for g in table)}单位每月分别报送信息不少于"
            f"{'、'.join(f'{q}条' for q in table.values())}。" + d.this
            + "；".join(items) + "。以上单位已按《办法》三（二）1扣分并下发提醒函。")


def adoption_paragraph(d: ReportData) -> str:
    named = [f"{d.group_label(g)}：{join_names(units)}" for g, units in d.zero_adoption.items() if units]
    if not named:
        return f"{d.this}各单位均有信息被采用。"
    n = sum(len(u) for u in d.zero_adoption.values())
    text = f"{d.this}有{n}个单位无信息被各级采用（{'；'.join(named)}）。"
    if d.zero_submission:
        text += f"其中，{join_names(d.zero_submission)}{d.this}未报送信息。"
    text += "上述单位要认真查找原因，切实提高信息报送质量。"
    return text


def deduction_paragraph(d: ReportData) -> str | None:
    if not d.other_deductions:
        return None
    items = []
    for x in d.other_deductions:
        what = d.profile.disqualify.get(x.code, x.item) if not x.points else x.item
        if x.code in d.profile.late_codes:
            again = d.profile.first_repeat.get(x.code) == "repeat"
            what = "未按时完成约稿任务" + ("（年内再次逾期）" if again else "")
        points = f"，扣{fmt_num(-x.points)}分" if x.points else "，取消年度评先资格"
        items.append(f"{x.unit}{md(x.day)}{what}{points}")
    return d.this + "；".join(items) + "。"


def requirements(d: ReportData) -> list[Para]:
    texts = [
        ("（一）提高思想认识。", "各单位要充分认识政务信息工作在服务领导决策、推动工作落实中的重要作用，"
                            "主要负责同志要亲自安排部署，明确分管领导和专职信息员，确保信息工作有人抓、有人管。"),
        ("（二）聚焦重点提质量。", "紧扣县委、县政府中心工作和重点任务，多报送反映新情况、新问题、新建议的深度信息，"
                             "注重前瞻性、预警性信息和社情民意、网络舆情类信息的报送，提高信息被上级采用的比例。"),
        ("（三）严格落实报送任务。", "各单位要严格按照《办法》第四条规定的月度报送任务足额报送，"
                               "按时限完成约稿任务。对未完成报送任务的，县政府办公室将按照《办法》扣分并下发提醒函；"
                               "经提醒后仍无较大改变的，将取消年度评先资格。"),
        ("（四）加强队伍建设。", "各单位要保持信息员队伍相对稳定，加强业务学习和交流，"
                             "确保信息报送渠道畅通、报送内容真实准确。"),
    ]
    if d.annual:
        texts.append(("（五）强化结果运用。", "本通报的年度得分和排名情况纳入年终考核指标（《办法》五）；"
                                           "排名靠后的单位要由主要负责人书面检查并说明情况。"))
    return [Para(body, lead=lead) for lead, body in texts]


# --------------------------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------------------------
RANK_WIDTHS = [4, 16, 5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 5, 7, 5, 6, 6]


def ranking_header(d: ReportData) -> list[list[HeaderCell]]:
    last = [HeaderCell(d.score_label, rowspan=2)]
    if not d.annual:
        last.append(HeaderCell("累计得分", rowspan=2))
    top = [HeaderCell("排名", rowspan=2), HeaderCell("单位", rowspan=2), HeaderCell("报送数", rowspan=2),
           HeaderCell("市级", colspan=2), HeaderCell("自治区级", colspan=2), HeaderCell("国家级", colspan=2),
           HeaderCell("批示加分", rowspan=2), HeaderCell("约稿·线索·调研", rowspan=2), HeaderCell("扣分", rowspan=2),
           *last]
    second = [HeaderCell("采用"), HeaderCell("得分")] * 3
    return [top, second]


def ranking_rows(d: ReportData, group: str) -> list[list[str]]:
    rows = []
    for r in d.group_frame(group).iter_rows(named=True):
        row = [str(r["排名"]), r["单位"], str(r["报送数"]),
               str(r["市级采用"]), fmt_num(r["市级"]), str(r["自治区级采用"]), fmt_num(r["自治区级"]),
               str(r["国家级采用"]), fmt_num(r["国家级"]), fmt_num(r["批示加分"]), fmt_num(r["约稿·线索·调研"]),
               fmt_num(r["扣分"]), fmt_num(r["得分"])]
        if not d.annual:
            row.append(fmt_num(r["累计得分"]))
        rows.append(row)
    return rows


def ranking_table(d: ReportData, group: str) -> Table:
    widths = RANK_WIDTHS if not d.annual else RANK_WIDTHS[:-1]
    align = ["center", "left"] + ["center"] * (len(widths) - 2)
    return Table(ranking_header(d), ranking_rows(d, group), widths, align, kind="ranking")


ADOPTED_HEADERS = ["序号", "信息标题", "采用刊物及栏目", "日期", "得分"]
ADOPTED_WIDTHS = [4, 42, 26, 7, 5]


def adopted_rows(d: ReportData) -> list[list[str] | SpanRow]:
    """Grouped by unit (official order): a unit line, then its items numbered through the list."""
    rows: list[list[str] | SpanRow] = []
    per_unit = (d.adopted.group_by("单位", maintain_order=True)
                .agg(pl.len().alias("n"), pl.col("得分").sum().alias("pts"), pl.col("组别").first()))
    summary = {r["单位"]: r for r in per_unit.iter_rows(named=True)}
    current, i = None, 0
    for r in d.adopted.iter_rows(named=True):
        if r["单位"] != current:
            current = r["单位"]
            s = summary[current]
            rows.append(SpanRow(f"{current}（{d.group_label(s['组别'])}）："
                                f"采用{s['n']}条，计{fmt_num(s['pts'])}分"))
        i += 1
        title = r["标题"] or "（无标题）"
        if r["批示"]:
            title += f"（获{r['批示']}批示）"
        where = publication_label(r["层级"], r["刊物"], r["期号"]) + (f"·{r['栏目']}" if r["栏目"] else "")
        rows.append([str(i), title, where, md(r["日期"]), fmt_num(r["得分"])])
    return rows


def adopted_table(d: ReportData) -> Table:
    return Table([[HeaderCell(h) for h in ADOPTED_HEADERS]], adopted_rows(d), ADOPTED_WIDTHS,
                 ["center", "left", "left", "center", "center"], kind="adopted")


def _frame_table(d: ReportData, frame: pl.DataFrame, columns: list[str], widths: list[float],
                 numbered: bool = True) -> Table:
    cols = [c for c in columns if c in frame.columns]
    header = ([HeaderCell("序号")] if numbered else []) + [HeaderCell(c) for c in cols]
    rows = []
    for i, r in enumerate(frame.iter_rows(named=True), start=1):
        cells = [fmt_num(r[c]) if isinstance(r[c], float) else ("" if r[c] is None else str(r[c])) for c in cols]
        cells = [d.group_label(v) if c == "组别" else v for c, v in zip(cols, cells)]
        rows.append(([str(i)] if numbered else []) + cells)
    w = ([4] if numbered else []) + [widths[columns.index(c)] for c in cols]
    align = (["center"] if numbered else []) + ["left" if c == "标题" else "center" for c in cols]
    return Table([header], rows, w, align, kind="commend")


def commend_blocks(d: ReportData) -> list[Block]:
    c = d.commend or {}
    blocks: list[Block] = []
    sections = [
        ("一、信息工作先进单位", c.get("先进单位"), ["组别", "单位", "排名", "得分"], [6, 24, 6, 8]),
        ("二、信息工作进步较大单位", c.get("进步较大单位"),
         ["组别", "单位", "排名", "得分", "名次提升", "得分增长", "增长率"], [6, 24, 6, 8, 8, 8, 8]),
        ("三、信息工作先进个人", c.get("先进个人"), ["先进个人", "单位", "条数", "得分"], [10, 24, 10, 8]),
        ("四、优秀信息", c.get("优秀信息"), ["标题", "单位", "作者", "得分"], [34, 16, 10, 6]),
    ]
    for heading, frame, columns, widths in sections:
        blocks.append(Para(heading, "caption"))
        if frame is None or frame.height == 0:
            blocks.append(Para("（无）", "note"))
            continue
        if "条数" in columns and "条数" in frame.columns:
            frame = frame.rename({"条数": "计分信息条数"})
            columns = [("计分信息条数" if x == "条数" else x) for x in columns]
        blocks.append(_frame_table(d, frame, columns, widths))
    if c.get("measure_label"):
        blocks.append(Para(f"注：进步较大单位按“{c['measure_label']}”评定。{c.get('note') or ''}", "note"))
    return blocks


# --------------------------------------------------------------------------------------------
# The whole document
# --------------------------------------------------------------------------------------------
def _names(frame: pl.DataFrame | None, column: str = "单位") -> list[str]:
    if frame is None or column not in frame.columns:
        return []
    return [str(x) for x in frame[column].to_list()]


def annual_commend_paragraphs(d: ReportData, attachment_no: int | None) -> list[Para]:
    if d.commend is None:
        return [Para(d.commend_note or "年度表彰名单另行通报。")]
    c = d.commend
    adv, imp = _names(c.get("先进单位")), _names(c.get("进步较大单位"))
    people = _names(c.get("先进个人"), "先进个人")
    items = c.get("优秀信息")
    n_items = 0 if items is None else items.height
    where = f"（名单见附件{attachment_no}）" if attachment_no else ""
    def some(names: list[str], unit: str) -> str:
        return f"{join_names(names)}等{len(names)}{unit}" if len(names) > 1 else join_names(names)

    parts = []
    if adv:
        parts.append(f"评选出{some(adv, '个单位')}为{d.period.start.year}年度全县政务信息工作先进单位")
    if imp:
        parts.append(f"{some(imp, '个单位')}为进步较大单位")
    if people:
        parts.append(f"{some(people, '名同志')}为先进个人")
    if n_items:
        first = f"《{items['标题'][0]}》"
        parts.append(f"{first}等{n_items}篇信息为优秀信息" if n_items > 1 else f"{first}为优秀信息")
    if parts:
        if not adv:
            parts[0] = "评选出" + parts[0]
        text = "根据各单位全年得分和排名情况，经综合考评，" + "，".join(parts) + f"，予以通报表扬{where}。"
    else:
        text = "根据各单位全年得分和排名情况，本年度未评出政务信息工作先进单位、进步较大单位等表彰对象。"
    text += ("按照《办法》第六条，本年度因未按要求完成信息报送任务被通报、经提醒后仍无较大改变、"
             "未按时限报送约稿信息或信息报送出现严重失真的单位，不参加年度评选。")
    out = [Para(text)]
    if c.get("note"):
        out.append(Para(str(c["note"])))
    return out


def review_paragraph(d: ReportData) -> str | None:
    if not d.annual or d.commend is None:
        return None
    frame = d.commend.get("书面检查")
    if frame is None or frame.height == 0:
        return None
    names = []
    for g in d.groups:
        sub = frame.filter(pl.col("组别") == g) if "组别" in frame.columns else frame
        if sub.height:
            names.append(f"{d.group_label(g)}的{join_names(_names(sub))}")
    return (f"{'，'.join(names)}年度得分在本组排名靠后，按照《办法》第六条，"
            "由单位主要负责人书面检查并说明情况，于通报印发后10个工作日内报县政府办公室。")


def build_blocks(d: ReportData) -> list[Block]:
    office = d.office
    blocks: list[Block] = [Masthead(office.masthead, d.number, office.issuer, cn_date(d.issue_date)),
                           Para(d.title, "title")]
    for note in d.notes:
        blocks.append(Para(f"（{note}）", "subtitle"))
    blocks.append(Para(office.addressee, "addressee"))
    what = f"{d.period.start.year}年度" if d.annual else d.period.label
    blocks.append(Para(f"为进一步做好{office.area}政务信息工作，根据{office.regulation}（以下简称《办法》），"
                       f"现将{what}{office.area}政务信息报送、采用及考评得分情况通报如下："))

    attachments = [f"{what}各单位政务信息工作得分排名表"]
    commend_no = None
    if d.annual and d.commend is not None:
        attachments.append(f"{what}政务信息工作表彰名单")
        commend_no = len(attachments)
    attachments.append(f"{what}各单位信息采用情况")

    h = iter(CN_NUM)
    blocks.append(Para(f"{next(h)}、总体情况", "h1"))
    blocks += [Para(t) for t in overview(d)]
    for change in d.version_changes:
        blocks.append(Para(change + f"{d.this}得分已按调整后的标准计算（《办法》七）。"))
    if d.annual:
        blocks.append(Para(f"{next(h)}、通报表扬", "h1"))
        blocks += annual_commend_paragraphs(d, commend_no)
        blocks.append(Para(f"{next(h)}、各组排名情况", "h1"))
    else:
        blocks.append(Para(f"{next(h)}、各组排名及表扬情况", "h1"))
    blocks += praise_paragraphs(d)
    blocks.append(Para("各单位得分及排名详见附件1。" + CUMULATIVE_NOTE.replace("本期末", "本季度末")
                       if not d.annual else "各单位年度得分及排名详见附件1。"))

    blocks.append(Para(f"{next(h)}、存在的问题", "h1"))
    blocks.append(Para("部分单位对政务信息工作重视不够，报送数量不足、质量不高，反映新情况、新问题和"
                       "提出对策建议的深度信息偏少。具体情况如下：", "body"))
    sub = iter(CN_NUM)
    blocks.append(Para(shortfall_paragraph(d), lead=f"（{next(sub)}）报送任务完成情况。"))
    blocks.append(Para(adoption_paragraph(d), lead=f"（{next(sub)}）信息采用情况。"))
    other = deduction_paragraph(d)
    if other:
        blocks.append(Para(other, lead=f"（{next(sub)}）其他扣分情况。"))
    review = review_paragraph(d)
    if review:
        blocks.append(Para(review, lead=f"（{next(sub)}）书面检查。"))

    blocks.append(Para(f"{next(h)}、下一步工作要求", "h1"))
    blocks += requirements(d)

    listing = [f"{i}.{name}" for i, name in enumerate(attachments, start=1)]
    blocks.append(Para("附件：" + listing[0], "attach_list"))
    for line in listing[1:]:
        blocks.append(Para(line, "attach_list_more"))
    blocks.append(Para(office.issuer, "signature"))
    blocks.append(Para(cn_date(d.issue_date), "signature"))

    # 附件1: the score tables, one per group
    blocks.append(PageBreak(landscape=True))
    blocks.append(Para("附件1", "attach_label"))
    blocks.append(Para(attachments[0], "attach_title"))
    for group in d.groups:
        frame = d.group_frame(group)
        blocks.append(Para(f"{d.group_label(group)}单位（{frame.height}个，按{d.score_label}排名）", "caption"))
        blocks.append(ranking_table(d, group))
    notes = ["1.得分为各项得分之和，扣分后合计低于0分的按0分计（《办法》三（二）3）；得分相同的单位名次并列，按单位名单顺序排列。"]
    if not d.annual:
        notes.append("2." + CUMULATIVE_NOTE)
    versions = "、".join(f"{v.version}版（{cn_date(v.effective)}起施行）" for v in d.versions)
    notes.append(f"{len(notes) + 1}.计分标准：{d.office.regulation}{versions}。")
    blocks.append(Para("注：" + notes[0], "note"))
    blocks += [Para(n, "note_more") for n in notes[1:]]

    n = 2
    if commend_no:
        blocks.append(PageBreak(landscape=False))
        blocks.append(Para(f"附件{n}", "attach_label"))
        blocks.append(Para(attachments[n - 1], "attach_title"))
        blocks += commend_blocks(d)
        n += 1
    blocks.append(PageBreak(landscape=True))
    blocks.append(Para(f"附件{n}", "attach_label"))
    blocks.append(Para(attachments[n - 1], "attach_title"))
    t = d.totals
    blocks.append(Para(f"共{t['采用']}条（次）：国家级{t['国家级采用']}条，自治区级{t['自治区级采用']}条，"
                       f"市级{t['市级采用']}条。", "caption"))
    if d.adopted.height:
        blocks.append(adopted_table(d))
    else:
        blocks.append(Para(f"{d.this}无信息被采用。", "note"))
    return blocks
