"""The 通报 as a sequence of blocks (paragraphs, tables, page breaks), written once.

The .docx and the PDF renderers walk the same blocks, so both say exactly the same thing.
Layout follows the usual county office style (GB/T 9704): a masthead, a 小标宋 title, 仿宋
body with 黑体 first-level and 楷体 second-level headings, the signature and date, then the
attachments chosen for this report (attachments.py): the score tables on landscape pages, the
annual 表彰名单, the per-unit breakdown and the adopted items as lists on portrait pages.
"""
from __future__ import annotations

from decimal import Decimal

import polars as pl

from scoring.reports.attachments import Attachments, adopted_blocks, adopted_summary, adopted_title, breakdown_blocks
from scoring.reports.blocks import Block, Masthead, PageBreak, Para
from scoring.engine import numbers
from scoring.engine.score import describe
from scoring.reports.common import CUMULATIVE_NOTE, ReportData, Shortfall, cn_date, fmt_num, join_names, md
from scoring.reports.tables import frame_table, ranking_table

CN_NUM = "一二三四五六七八九十"


# --------------------------------------------------------------------------------------------
# Narrative
# --------------------------------------------------------------------------------------------
def pct(part: int, whole: int, settings: dict | None = None) -> str:
    return numbers.percent(Decimal(part) / Decimal(whole), settings) if whole else "—"


def overview(d: ReportData) -> list[str]:
    t = d.totals
    when = f"{d.period.start.year}年" if d.annual else d.period.label
    # 采用率 as the engine defines it (采用条数 ÷ 报送条数); not stated when adoptions outnumber
    # the registered submissions (an item adopted at several levels counts at each)
    rate = f"，采用率{pct(t['采用'], t['报送'], d.settings)}" if 0 < t["采用"] <= t["报送"] else ""
    levels = "，".join(f"{d.profile.adoption_phrase(tier)}{t[column]}条"
                       for tier, column in reversed(d.profile.adoption_tiers.items()))
    first = (f"{when}，{d.office.area}{t['单位数']}个考评单位共报送政务信息{t['报送']}条，被各级政务信息刊物采用"
             f"{t['采用']}条（次）{rate}。" + (f"其中，{levels}。" if levels else ""))
    parts = []
    if t["批示"]:
        by = [f"{name}{n}次" for name, n in t["批示分项"] if n]
        parts.append(f"获各级领导同志批示{t['批示']}次（{join_names(by)}）" if by else f"获各级领导同志批示{t['批示']}次")
    else:
        parts.append(f"{d.this}未获领导同志批示")
    if t["约稿"]:
        sub = [f"{name}{n}篇" for name, n in t["约稿分项"] if n]
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
        mean = numbers.rounded(Decimal(frame["得分"].sum() or 0) / frame.height, 1) if frame.height else 0
        count = f"本组共{frame.height}个单位，平均得分{fmt_num(mean)}分。"
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
            f"{'、'.join(f'{q.text}条' for q in table.values())}。" + d.this
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
    if not d.profile.quotas:  # no task: no paragraph on tasks, the later ones renumbered
        texts = [(f"（{CN_NUM[i]}）{lead[3:]}", body) for i, (lead, body) in enumerate(t for t in texts if "报送任务" not in t[0])]
    if d.annual:
        texts.append((f"（{CN_NUM[len(texts)]}）强化结果运用。", "本通报的年度得分和排名情况纳入年终考核指标（《办法》五）；"
                                           "排名靠后的单位要由主要负责人书面检查并说明情况。"))
    return [Para(body, lead=lead) for lead, body in texts]


# --------------------------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------------------------
def commend_blocks(d: ReportData) -> list[Block]:
    c = d.commend or {}
    blocks: list[Block] = []
    # 进步较大: the two figures its measure compares, named by their periods, and how it was
    # judged right under its heading (not the annual rank beside a gain measured over quarters)
    basis = c.get("measure_basis") or {}
    improved = c.get("进步较大单位")
    if improved is not None and basis:
        improved = improved.rename({k: v for k, v in basis.items() if k in improved.columns and k != v})
    sections = [
        ("一、信息工作先进单位", c.get("先进单位"), ["组别", "单位", "排名", "得分"], [6, 24, 6, 8], None),
        ("二、信息工作进步较大单位", improved, ["组别", "单位", *basis.values()], [6, 22, *[12] * len(basis)],
         f"按“{c['measure_label']}”评定。{c.get('note') or ''}" if c.get("measure_label") else None),
        ("三、信息工作先进个人", c.get("先进个人"), ["先进个人", "单位", "条数", "得分"], [10, 24, 10, 8], None),
        ("四、优秀信息", c.get("优秀信息"), ["标题", "单位", "作者", "得分"], [34, 16, 10, 6], None),
    ]
    for heading, frame, columns, widths, how in sections:
        blocks.append(Para(heading, "caption"))
        if how:
            blocks.append(Para(how, "note"))
        if frame is None or frame.height == 0:
            blocks.append(Para("（无）", "note"))
            continue
        if "条数" in columns and "条数" in frame.columns:
            frame = frame.rename({"条数": "计分信息条数"})
            columns = [("计分信息条数" if x == "条数" else x) for x in columns]
        blocks.append(frame_table(d, frame, columns, widths))
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
        return [Para("年度表彰名单另行通报。")]
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


def versions_note(d: ReportData) -> str:
    """计分标准 in words: the regulation in force at the period's start, then each adjustment."""
    parts = []
    for i, v in enumerate(d.versions):
        if i == 0:
            parts.append(f"{d.office.regulation}（{cn_date(v.effective)}起施行）")
        else:
            parts.append(f"{cn_date(v.effective)}起按调整后的计分标准计分")
    return "计分标准：" + "；".join(parts) + "。"


def build_blocks(d: ReportData, attach: Attachments | None = None) -> list[Block]:
    attach = attach or Attachments.default(d.period)
    office = d.office
    blocks: list[Block] = [Masthead(office.masthead, d.number, office.issuer, cn_date(d.issue_date)),
                           Para(d.title, "title")]
    for note in d.notes:
        blocks.append(Para(f"（{note}）", "subtitle"))
    blocks.append(Para(office.addressee, "addressee"))
    what = f"{d.period.start.year}年度" if d.annual else d.period.label
    blocks.append(Para(f"为进一步做好{office.area}政务信息工作，根据{office.regulation}（以下简称《办法》），"
                       f"现将{what}{office.area}政务信息报送、采用及考评得分情况通报如下："))

    # the attachments in order: (key, title); their numbers follow from the list
    attachments: list[tuple[str, str]] = []
    if attach.scores:
        attachments.append(("scores", f"{what}各单位政务信息工作得分排名表"))
    if d.annual and d.commend is not None:
        attachments.append(("commend", f"{what}政务信息工作表彰名单"))
    if attach.breakdown:
        attachments.append(("breakdown", f"{what}各单位得分明细"))
    if attach.adopted != "none":
        attachments.append(("adopted", adopted_title(d, what, attach.adopted)))
    number = {key: i for i, (key, _) in enumerate(attachments, start=1)}

    h = iter(CN_NUM)
    blocks.append(Para(f"{next(h)}、总体情况", "h1"))
    blocks += [Para(t) for t in overview(d)]
    for change in d.version_changes:
        blocks.append(Para(change + f"{d.this}得分已按调整后的标准计算（《办法》七）。"))
    if d.annual:
        blocks.append(Para(f"{next(h)}、通报表扬", "h1"))
        blocks += annual_commend_paragraphs(d, number.get("commend"))
        blocks.append(Para(f"{next(h)}、各组排名情况", "h1"))
    else:
        blocks.append(Para(f"{next(h)}、各组排名及表扬情况", "h1"))
    blocks += praise_paragraphs(d)
    if "scores" in number:
        where = f"各单位{'年度' if d.annual else ''}得分及排名详见附件{number['scores']}。"
        blocks.append(Para(where if d.annual else where + CUMULATIVE_NOTE))

    blocks.append(Para(f"{next(h)}、存在的问题", "h1"))
    blocks.append(Para("部分单位对政务信息工作重视不够，报送数量不足、质量不高，反映新情况、新问题和"
                       "提出对策建议的深度信息偏少。具体情况如下：", "body"))
    sub = iter(CN_NUM)
    if d.profile.quotas:  # an office without a task says nothing about tasks
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

    listing = [f"{i}.{title}" for i, (_, title) in enumerate(attachments, start=1)]
    if listing:
        blocks.append(Para("附件：" + listing[0], "attach_list"))
        blocks += [Para(line, "attach_list_more") for line in listing[1:]]
    blocks.append(Para(office.issuer, "signature"))
    blocks.append(Para(cn_date(d.issue_date), "signature"))

    for n, (key, title) in enumerate(attachments, start=1):
        blocks.append(PageBreak(landscape=key == "scores"))
        blocks.append(Para(f"附件{n}", "attach_label"))
        blocks.append(Para(title, "attach_title"))
        if key == "scores":
            blocks += score_blocks(d)
        elif key == "commend":
            blocks += commend_blocks(d)
        elif key == "breakdown":
            blocks += breakdown_blocks(d)
        else:
            blocks.append(Para(adopted_summary(d, attach.adopted), "list_text"))
            blocks += adopted_blocks(d, attach.adopted)
    return blocks


def score_blocks(d: ReportData) -> list[Block]:
    """附件: the score tables, one per group, and the notes on how to read them."""
    blocks: list[Block] = []
    for group in d.groups:
        frame = d.group_frame(group)
        blocks.append(Para(f"{d.group_label(group)}单位（{frame.height}个，按{d.score_label}排名）", "caption"))
        blocks.append(ranking_table(d, group))
    notes = [f"1.{describe(d.profile)}；得分相同的单位名次并列，按单位名单顺序排列。"]
    if not d.annual:
        notes.append("2." + CUMULATIVE_NOTE)
    notes.append(f"{len(notes) + 1}.{versions_note(d)}")
    blocks.append(Para("注：" + notes[0], "note"))
    blocks += [Para(n, "note_more") for n in notes[1:]]
    return blocks
