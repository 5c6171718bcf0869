"""提醒函 (考评办法三(二)1): one letter a page, for each unit short of its quota in a month
(the first with −30, a sterner one with −50 for a further month in the run) and for each
约稿逾期 recorded in that month. The figures come from engine.quota_status and
engine.scored_events; nothing is recomputed here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl

from scoring.engine.exact import POINTS
from scoring.engine.periods import Period, month_end, next_month
from scoring.reports import docxkit as k
from scoring.profile import Office, default_profile
from scoring.reports.common import cn_date, cn_month, fmt_num


class MonthNotEnded(ValueError):
    """Reminders are for a month that has ended (by the as-of date)."""


@dataclass
class Letter:
    kind: str                  # quota | quota_repeat | late | late_repeat
    unit_id: int
    unit: str
    group: str
    month: date
    points: Decimal
    head: str = ""
    contact: str = ""
    phone: str = ""
    n: int | None = None       # quota letters: submissions in the month
    quota: int | None = None
    run: list[tuple[date, int]] = field(default_factory=list)  # earlier short months of the run
    day: date | None = None    # late letters: the event's date
    title: str = ""
    note: str = ""
    nth: int = 1               # late letters: the how-manieth 约稿逾期 in the year
    group_label: str = ""      # the profile's label of `group`
    repeat_points: Decimal = Decimal(0)  # what a repeat costs (the rule version's repeat item), for the warning
    office: Office = field(default_factory=lambda: default_profile().office)

    @property
    def sterner(self) -> bool:
        return self.kind.endswith("repeat")


@dataclass
class MonthReminders:
    month: date
    as_of: date
    tracked: bool              # the month holds 报送 records, so its quota was checked
    letters: list[Letter]


def check_month_ended(year: int, month: int, as_of: date) -> date:
    if not 1 <= month <= 12:
        raise MonthNotEnded(f"月份应为 1 至 12，现为 {month}")
    first = date(year, month, 1)
    if next_month(first) > as_of:
        raise MonthNotEnded(f"{year}年{month}月尚未结束（截至{cn_date(as_of)}），月底之后才能生成该月提醒函")
    return first


def collect(engine, year: int, month: int) -> MonthReminders:
    """The month's letters (MonthNotEnded if the month has not ended by engine.as_of)."""
    check_month_ended(year, month, engine.as_of)
    with engine.store.session():
        return _collect(engine, year, month)


def _collect(engine, year: int, month: int) -> MonthReminders:
    first = date(year, month, 1)
    last = month_end(first)
    ladder = engine.quota_status(last)
    units = {u.id: u for u in engine.units.units}
    letters: list[Letter] = []
    profile = engine.profile
    version = engine.book.version_for(first)
    quota_repeat = profile.quotas[0].repeat or profile.quotas[0].first if profile.quotas else ""
    late_repeat = (profile.late.repeat or profile.late.item) if profile.late else ""

    def cost(code: str) -> Decimal:
        return version.items[code].points if code in version.items else Decimal(0)
    ladder_of = profile.first_repeat
    labels = profile.group_labels

    tracked = ladder.filter(pl.col("month") == first).height > 0
    history = ladder.sort("month")
    for r in ladder.filter((pl.col("month") == first) & pl.col("code").is_not_null()).iter_rows(named=True):
        unit = units[r["unit_id"]]
        run = []
        if ladder_of.get(r["code"]) == "repeat":
            # the earlier months of this run: walk back over short (or waived) months to its start
            earlier = history.filter((pl.col("unit_id") == unit.id) & (pl.col("month") < first)).sort(
                "month", descending=True)
            for e in earlier.iter_rows(named=True):
                if e["status"] == "豁免":
                    continue
                if e["code"] is None:
                    break
                run.append((e["month"], int(e["n"])))
                if ladder_of.get(e["code"]) == "first":
                    break
            run.reverse()
        group = engine.units.group_on(unit.id, first) or ""
        letters.append(Letter(
            kind="quota_repeat" if ladder_of.get(r["code"]) == "repeat" else "quota", unit_id=unit.id, unit=unit.name,
            group=group, group_label=labels.get(group, group), office=profile.office, month=first,
            points=engine.book.version_for(first).items[r["code"]].points, repeat_points=cost(quota_repeat),
            head=unit.head, contact=unit.contact, phone=unit.phone, n=int(r["n"]), quota=int(r["quota"]), run=run))

    events = engine.scored_events(Period.month(year, month))
    late_codes = list(profile.late_codes)
    late = events.filter(pl.col("code").is_in(late_codes) & pl.col("id").is_not_null()).sort(["day", "id"])
    if late.height:
        year_late = engine.scored_events(Period(date(year, 1, 1), last, "range", ""),
                                         unit_ids=late["unit_id"].unique().to_list())
        year_late = year_late.filter(pl.col("code").is_in(late_codes)).sort(["day", "id"])
    for r in late.iter_rows(named=True):
        unit = units[r["unit_id"]]
        earlier = year_late.filter((pl.col("unit_id") == unit.id) & (pl.col("day") <= r["day"]))
        nth = earlier.filter((pl.col("day") < r["day"]) | (pl.col("id") <= r["id"])).height
        group = engine.units.group_on(unit.id, first) or ""
        letters.append(Letter(
            kind="late_repeat" if ladder_of.get(r["code"]) == "repeat" else "late", unit_id=unit.id,
            unit=unit.name, group=group, group_label=labels.get(group, group), office=profile.office, month=first,
            repeat_points=cost(late_repeat),
            points=r["points"] or Decimal(0), head=unit.head, contact=unit.contact, phone=unit.phone,
            day=r["day"], title=r["title"] or "", note=r["note"] or "", nth=nth))

    order = {u.id: u.order for u in engine.units.units}
    letters.sort(key=lambda x: (0 if x.kind.startswith("quota") else 1, order.get(x.unit_id, 0), x.day or first))
    return MonthReminders(first, engine.as_of, tracked, letters)


# --------------------------------------------------------------------------------------------
# The letters' words
# --------------------------------------------------------------------------------------------
def letter_title(letter: Letter) -> str:
    return {"quota": "政务信息报送提醒函", "quota_repeat": "政务信息报送督促函",
            "late": "约稿逾期提醒函", "late_repeat": "约稿逾期督促函"}[letter.kind]


def letter_body(letter: Letter) -> list[str]:
    """The paragraphs between the addressee and the contact block."""
    month = cn_month(letter.month)
    deduct = fmt_num(-letter.points)
    group = letter.group_label or letter.group
    regulation = letter.office.regulation
    nxt = next_month(letter.month)
    again = fmt_num(-letter.repeat_points)
    if letter.kind == "quota":
        return [
            f"根据{regulation}（以下简称《办法》）第四条规定，你单位为{group}考评单位，每月报送政务信息不少于"
            f"{letter.quota}条。经统计，{month}你单位共报送政务信息{letter.n}条，未完成当月报送任务"
            f"（差{letter.quota - letter.n}条）。",
            f"依据《办法》第三条第（二）项第1款，扣除你单位{month}政务信息考评得分{deduct}分，并下发本提醒函。"
            "根据《办法》第六条，本年度因未按要求完成信息报送任务被通报的单位，将取消年度评先资格。",
            f"请你单位高度重视政务信息工作，认真分析原因，明确专人负责，自{cn_month(nxt)}起按月足额报送。"
            f"如{cn_month(nxt)}仍未完成报送任务，将视为经提醒后仍无较大改变，按《办法》再扣{again}分。",
        ]
    if letter.kind == "quota_repeat":
        earlier = "、".join(f"{cn_month(m) if i == 0 else f'{m.month}月'}（报送{n}条）"
                           for i, (m, n) in enumerate(letter.run))
        months = len(letter.run) + 1
        before = f"你单位{earlier}均未完成报送任务，县政府办公室已下发提醒函。" if letter.run else \
            "你单位此前已因未完成报送任务被提醒。"
        return [
            f"根据{regulation}（以下简称《办法》）第四条规定，你单位为{group}考评单位，每月报送政务信息不少于"
            f"{letter.quota}条。{before}经统计，{month}你单位共报送政务信息{letter.n}条，仍未完成报送任务"
            f"（差{letter.quota - letter.n}条），已连续{months}个月未完成。",
            f"你单位经提醒后仍无较大改变。依据《办法》第三条第（二）项第1款，扣除你单位{month}政务信息考评得分"
            f"{deduct}分；根据《办法》第六条，取消你单位本年度政务信息工作评先资格。",
            "请你单位主要负责同志亲自过问，于收到本函后5个工作日内将未完成报送任务的原因及整改措施书面报送县政府办公室，"
            f"自{cn_month(nxt)}起确保足额报送。如仍未改变，每月将继续按《办法》扣{again}分，并在季度通报中予以通报。",
        ]
    what = f"《{letter.title}》" if letter.title else ""
    note = f"（{letter.note.rstrip('。')}）" if letter.note else ""
    if letter.kind == "late":
        return [
            f"{cn_date(letter.day)}，你单位未按时限要求完成约稿{what}任务{note}。",
            f"依据{regulation}（以下简称《办法》）第三条第（二）项第1款，扣除你单位政务信息考评得分{deduct}分，"
            "并下发本提醒函。根据《办法》第六条，未按时限要求报送市政府及县政府办公室约稿信息的单位，取消年度评先资格。",
            "请你单位认真对待约稿任务，指定专人跟踪办理，今后严格按约稿时限报送。"
            f"本年度如再次逾期，将视为经提醒后仍无较大改变，每次扣{again}分。",
        ]
    return [
        f"{cn_date(letter.day)}，你单位未按时限要求完成约稿{what}任务{note}，为本年度第{letter.nth}次约稿逾期。",
        f"你单位经提醒后仍无较大改变。依据{regulation}（以下简称《办法》）第三条第（二）项第1款，扣除你单位"
        f"政务信息考评得分{deduct}分；根据《办法》第六条，取消你单位本年度政务信息工作评先资格。",
        "请你单位主要负责同志亲自过问，于收到本函后5个工作日内将约稿逾期原因及整改措施书面报送县政府办公室，"
        "确保今后约稿任务按时保质完成。",
    ]


def contact_line(letter: Letter) -> str:
    head = letter.head or "（未登记）"
    contact = letter.contact or "（未登记）"
    phone = letter.phone or "（未登记）"
    line = f"你单位信息工作负责人：{head}；联系人：{contact}；联系电话：{phone}。"
    if not (letter.head and letter.contact and letter.phone):
        line += "请于收到本函后3个工作日内向县政府办公室信息室报备信息工作负责人和联系人。"
    return line


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------
def _letter(doc, letter: Letter, number: str, issue_date: date, new_page: bool) -> None:
    title = k.paragraph(doc, letter_title(letter), k.TITLE_FONT, 22, "center", line=36, before=24, after=6)
    title.paragraph_format.page_break_before = new_page
    k.paragraph(doc, number, k.FANG, 16, "center", after=18)
    k.paragraph(doc, f"{letter.unit}：", k.FANG, 16, "justify")
    for text in letter_body(letter):
        k.paragraph(doc, text, k.FANG, 16, "justify", indent_chars=2)
    k.paragraph(doc, contact_line(letter), k.FANG, 16, "justify", indent_chars=2)
    office = letter.office
    k.paragraph(doc, f"{office.short}信息室联系电话：{office.phone}；报送邮箱：{office.mailbox}。",
                k.FANG, 16, "justify", indent_chars=2)
    k.paragraph(doc, office.issuer, k.FANG, 16, "right", right_chars=2, before=2 * k.LINE)
    k.paragraph(doc, cn_date(issue_date), k.FANG, 16, "right", right_chars=2)


def summary_lines(result: MonthReminders) -> list[str]:
    month = cn_month(result.month)
    if not result.letters:
        if result.tracked:
            return [f"{month}，各考评单位均完成了当月政务信息报送任务（或已按规定豁免），且无约稿逾期记录，"
                    "本月无需下发提醒函。"]
        return [f"{month}尚无报送记录导入系统，未对该月报送任务完成情况进行考核；该月亦无约稿逾期记录。"
                "本月无需下发提醒函。如该月登记表尚未导入，请导入后重新生成。"]
    quota = [x for x in result.letters if x.kind.startswith("quota")]
    late = [x for x in result.letters if x.kind.startswith("late")]
    parts = []
    if quota:
        parts.append(f"未完成报送任务{len(quota)}个单位（其中首次{sum(1 for x in quota if not x.sterner)}个、"
                     f"经提醒后仍未完成{sum(1 for x in quota if x.sterner)}个）")
    if late:
        parts.append(f"约稿逾期{len(late)}次")
    return [f"{month}共需下发提醒函{len(result.letters)}份：{'；'.join(parts)}。各函依次附后，一函一页。"]


def build_reminders_docx(engine, year: int, month: int, number: str | None = None,
                         issue_date: date | None = None, result: MonthReminders | None = None) -> bytes:
    """All letters of a month in one document, one letter a page. A month with no letter gives a
    one-page note saying so; a month not yet ended raises MonthNotEnded."""
    result = result or collect(engine, year, month)
    issue_date = issue_date or engine.as_of
    office = engine.profile.office
    doc = k.new_document(office.issuer)
    if not result.letters:
        k.paragraph(doc, f"{cn_month(result.month)}政务信息提醒函", k.TITLE_FONT, 22, "center", line=36, before=24, after=18)
        for line in summary_lines(result):
            k.paragraph(doc, line, k.FANG, 16, "justify", indent_chars=2)
        k.paragraph(doc, office.issuer, k.FANG, 16, "right", right_chars=2, before=2 * k.LINE)
        k.paragraph(doc, cn_date(issue_date), k.FANG, 16, "right", right_chars=2)
        return k.to_bytes(doc)
    for i, letter in enumerate(result.letters):
        _letter(doc, letter, number or f"〔{issue_date.year}〕第 X 号", issue_date, new_page=i > 0)
    return k.to_bytes(doc)


KIND_NAMES = {"quota": "未完成报送任务（首次）", "quota_repeat": "经提醒后仍未完成",
              "late": "约稿逾期（首次）", "late_repeat": "约稿再次逾期"}


def preview_frame(result: MonthReminders) -> pl.DataFrame:
    """The month's letters as a table (for the 导出 page): one row a letter."""
    rows = [{"单位": x.unit, "组别": x.group, "类型": f"{KIND_NAMES[x.kind]}（扣{fmt_num(-x.points)}分）",
             "报送数": x.n, "任务数": x.quota, "扣分": x.points,
             "日期": x.day, "联系人": x.contact or "", "电话": x.phone or ""} for x in result.letters]
    return pl.DataFrame(rows, schema={"单位": pl.Utf8, "组别": pl.Utf8, "类型": pl.Utf8, "报送数": pl.Int64,
                                      "任务数": pl.Int64, "扣分": POINTS, "日期": pl.Date, "联系人": pl.Utf8,
                                      "电话": pl.Utf8})


def ended_months(start: date, end: date, as_of: date) -> list[date]:
    """First days of the months in [start, end] that have ended by as_of (newest first)."""
    out, day = [], start.replace(day=1)
    while day <= end:
        if next_month(day) <= as_of:
            out.append(day)
        day = next_month(day)
    return out[::-1]
