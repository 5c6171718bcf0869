"""Realistic demo events for the 政务信息考评 register (reader.HEADERS).

The demo has to make every report worth looking at, so besides plain volume it plants the cases
the rules care about: units short of their quota (one run of consecutive months, so the −30/−50
ladder shows; one 零报送 month; a run across the new year), units that improve markedly from one
year to the next (进步较大), leader instructions, solicited drafts, research visits, and the
disqualifying records of 六 (约稿逾期 twice in a year, 严重失真). Everything is drawn from one
`random.Random(seed)`, so a seed always gives the same rows.
"""
from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field

import polars as pl

from scoring.intake.register_xlsx import COLUMNS, COLUMN_WIDTHS, rows_to_frame, write_sheet, write_xlsx  # noqa: F401

# How far above its quota a unit of the first, second, third … group submits on average: the
# groups with the largest quotas (listed first) are the busiest.
EXTRA_BY_POSITION = (2.2, 1.6, 1.2)

# Issues per year of each publication: 期号 follows the date, so one issue number means one day.
ISSUES_PER_YEAR = {
    "政务要情": 160, "决策参考": 24, "专报信息": 60, "微信公众号": 300, "舆情": 48,
    "每日要情": 250, "每日要情特刊": 30, "国务院办公厅": 220,
}

# What an item is about decides where it can be adopted: a problem report cannot be a 简讯.
KINDS = {"news": 80, "problem": 12, "warning": 3, "opinion": 5}
CITY_PLACES = {  # kind -> [((刊物, 栏目), weight)]
    "news": [(("政务要情", "重要信息"), 12), (("政务要情", "部门工作"), 20),
             (("政务要情", "旗县区动态"), 20), (("政务要情", "简讯"), 26), (("决策参考", ""), 4),
             (("专报信息", "非问题"), 5), (("微信公众号", "政务要情"), 7), (("微信公众号", "简讯"), 6)],
    "problem": [(("专报信息", "问题"), 70), (("政务要情", "重要信息"), 30)],
    "warning": [(("专报信息", "前瞻预警"), 100)],
    "opinion": [(("舆情", ""), 100)],
}
REGION_PLACES = {
    "news": [(("每日要情", "盟市前沿"), 45), (("每日要情", "简讯"), 35), (("每日要情特刊", ""), 8),
             (("专报信息", "非问题"), 12)],
    "problem": [(("每日要情", "问题聚焦"), 60), (("专报信息", "问题"), 40)],
    "warning": [(("专报信息", "非问题"), 100)],
    "opinion": [(("舆情", ""), 100)],
}
# Publications on which a leader's instruction earns points (the rule book's 批示 items), with the
# chance that an adopted item there gets one: weightier publications draw more attention.
INSTRUCTION_ODDS = {
    ("市", "政务要情"): 0.03, ("市", "决策参考"): 0.12, ("市", "专报信息"): 0.12,
    ("自治区", "每日要情"): 0.06, ("自治区", "每日要情特刊"): 0.25, ("自治区", "专报信息"): 0.25,
}
LEADERS = {  # level -> [(批示人, the post named in 备注)]
    "市": [("市领导", "市长"), ("市领导", "常务副市长"), ("市领导", "分管副市长"),
          ("市政府办公室领导", "市政府秘书长"), ("市政府办公室领导", "市政府办公室主任")],
    "自治区": [("自治区领导", "自治区主席"), ("自治区领导", "自治区副主席"),
              ("自治区政府办公厅领导", "自治区政府秘书长"), ("自治区政府办公厅领导", "自治区政府办公厅主任")],
    "国家": [("国务院领导", "国务院领导同志"), ("国务院办公厅领导", "国务院办公厅领导同志")],
}

# ---- title vocabulary -------------------------------------------------------------------------
SEASONAL_TOPICS = {
    1: ["冬春季森林草原防灭火", "节日市场保供稳价", "冬季供暖保障"],
    2: ["春节期间安全生产", "节日市场保供稳价", "冬春季森林草原防灭火"],
    3: ["春耕备耕", "春季造林绿化", "春灌水利调度"],
    4: ["春耕备耕", "春季造林绿化", "春季沙尘天气应对"],
    5: ["春播生产", "春季造林绿化", "高标准农田建设"],
    6: ["防汛抗旱", "夏季安全生产", "农作物田间管理"],
    7: ["防汛抗旱", "黄河安全度汛", "夏季文旅消费"],
    8: ["防汛抗旱", "夏季文旅消费", "秋粮生产"],
    9: ["秋收秋种", "粮食收储", "秋季造林"],
    10: ["秋收秋种", "秋季造林", "秋冬季大气污染防治"],
    11: ["冬季供暖保障", "秋冬季大气污染防治", "年度目标任务冲刺"],
    12: ["年度目标任务冲刺", "冬季供暖保障", "根治欠薪冬季专项行动"],
}
GENERAL_TOPICS = [
    "黄河流域生态保护和高质量发展", "防沙治沙和乌兰布和沙漠综合治理", "营商环境优化", "乡村振兴",
    "重点项目建设", "招商引资", "民生实事", "铸牢中华民族共同体意识", "基层治理", "数字政府建设",
]
UNIT_TOPICS = {  # a keyword in the unit's name -> its own line of work
    "镇": ["人居环境整治", "特色种养业", "村集体经济发展"], "苏木": ["草原生态保护", "特色种养业"],
    "农场": ["现代农业示范", "农场公司改革"], "发展和改革": ["固定资产投资", "重大项目谋划"],
    "教育": ["义务教育优质均衡", "校园安全"], "工业和信息化": ["工业经济运行", "新能源产业"],
    "财政": ["财政资金直达", "政府债务风险防范"], "人力资源": ["稳就业", "根治欠薪"],
    "自然资源": ["耕地保护", "国土空间规划"], "住房": ["老旧小区改造", "城市更新"],
    "生态环境": ["大气污染防治", "入河排污口整治"], "水利": ["引黄灌溉节水改造", "河湖长制"],
    "农牧": ["设施农业", "肉羊产业"], "文体旅游": ["文旅融合", "纳林湖景区提升"],
    "应急": ["安全生产治本攻坚", "应急救援能力建设"], "市场": ["食品安全", "经营主体培育"],
    "防沙治沙": ["“三北”工程攻坚战", "光伏治沙"], "统计": ["经济普查", "统计数据质量"],
    "乡村振兴": ["防止返贫监测", "庭院经济"], "政务服务": ["“高效办成一件事”", "一网通办"],
    "交通": ["农村公路建设", "道路运输安全"], "卫生": ["紧密型县域医共体", "基层医疗服务"],
    "商务": ["促消费", "外贸稳增长"], "投资促进": ["招商引资", "项目落地"],
    "民族": ["民族团结进步创建"], "公安": ["平安建设", "电信网络诈骗防范"],
    "民政": ["养老服务", "社会救助"], "司法": ["法治政府建设", "人民调解"],
    "退役军人": ["双拥共建", "退役军人就业"], "审计": ["审计整改", "经济责任审计"],
    "医疗保障": ["医保基金监管", "医保便民服务"], "党校": ["干部教育培训"],
    "公共资源": ["公共资源交易监管"], "供销": ["农资保供"], "保护区": ["湿地保护", "野生动植物保护"],
    "信访": ["信访积案化解", "矛盾纠纷排查"], "机关事务": ["节约型机关建设"],
    "工业园": ["园区项目建设", "园区循环化改造"], "林业": ["沙漠林业科研", "梭梭肉苁蓉产业"],
    "水利枢纽": ["黄河三盛公枢纽调度"], "税务": ["税费优惠政策落实", "便民办税"],
    "气象": ["气象防灾减灾"], "供电": ["电网建设", "迎峰度夏保供电"],
    "城镇发展": ["城市基础设施建设"], "文化旅游投资": ["文旅项目运营"],
    "能源": ["新能源项目建设"], "电子商务": ["农村电商", "直播带货助农"],
}
TITLE_PATTERNS = {
    "news": ["{unit}多措并举推进{topic}", "{unit}扎实做好{topic}工作", "{unit}{topic}工作取得新成效",
             "{unit}以{topic}为抓手推动高质量发展", "{unit}“三个强化”助力{topic}",
             "{unit}聚焦{topic}持续发力", "{unit}开展{topic}专项行动", "{unit}全力抓好{topic}",
             "{unit}“四个聚焦”推动{topic}落地见效", "{unit}创新举措助推{topic}",
             "{unit}强化担当推进{topic}提质增效", "{unit}{topic}跑出“加速度”", "{unit}精准施策做实{topic}"],
    "problem": ["{unit}反映{topic}中存在的问题及建议", "关于{topic}面临的困难和对策建议",
                "{topic}推进中需关注的几个问题"],
    "warning": ["{topic}需关注的风险隐患及应对建议", "关于{topic}可能出现风险的预警"],
    "opinion": ["群众关注{topic}相关问题的社情民意", "关于{topic}网络舆情的分析研判"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红飞鹏辉建国文斌波宁婷雪琳晨阳海燕峰鑫慧佳欣瑞浩然志宏丹颖"


@dataclass
class Profile:
    """How a unit works in one year: how far above its quota it submits, how good its items are."""
    volume: float  # mean submissions above quota per month
    skill: float  # multiplier on the chance that an item is adopted


@dataclass
class Plan:
    """The cases planted in the data, so tests and demos can point at them."""
    short_run: tuple[str, list[tuple[int, int]]] = ("", [])  # unit, consecutive short months
    new_year_run: tuple[str, list[tuple[int, int]]] = ("", [])  # a run crossing into January
    zero_month: tuple[str, tuple[int, int]] = ("", (0, 0))  # 零报送
    scattered_short: list[tuple[str, tuple[int, int]]] = field(default_factory=list)
    improvers: list[str] = field(default_factory=list)
    stars: list[str] = field(default_factory=list)
    late_twice: str = ""  # 约稿逾期 twice in the first year
    distortion: str = ""  # 严重失真


@dataclass
class Item:
    """One piece of information and everything that happened to it after submission."""
    unit: str
    kind: str
    topic: str
    title: str
    authors: str
    adoptions: list[tuple[dt.date, str, str, str]] = field(default_factory=list)  # date, 层级, 刊物, 栏目
    number: str = ""
    state_instruction: bool = False  # a State Council instruction: rare, planted once


# ---- units ----------------------------------------------------------------------------------

def load_units(profile=None) -> list[tuple[str, str]]:
    """(name, group) of every unit in the official order of the profile's units.yaml."""
    from scoring.profile import default_profile

    data = (profile or default_profile()).units_data()
    return [(u["name"], u["group"]) for u in data["units"]]


def quota_table(profile=None) -> dict[str, int]:
    """Items per month each group must submit (the profile's first quota policy)."""
    from scoring.profile import default_profile

    profile = profile or default_profile()
    return profile.quota_numbers(profile.quotas[0]) if profile.quotas else {g: 0 for g in profile.group_codes}


def _extra(groups: list[str]) -> dict[str, float]:
    return {g: EXTRA_BY_POSITION[min(i, len(EXTRA_BY_POSITION) - 1)] for i, g in enumerate(groups)}


def _profiles(rng: random.Random, units: list[tuple[str, str]], years: tuple[int, ...],
              plan: Plan) -> dict[tuple[str, int], Profile]:
    """A steady character per unit, with a year-on-year drift; improvers jump in later years."""
    extra = _extra(list(dict.fromkeys(g for _, g in units)))
    out: dict[tuple[str, int], Profile] = {}
    for name, group in units:
        volume = rng.uniform(0.3, 1.0) * extra[group]
        skill = rng.uniform(0.55, 1.25)
        if name in plan.stars:
            volume, skill = extra[group] * 1.3, rng.uniform(1.7, 2.1)
        for i, year in enumerate(years):
            if name in plan.improvers:
                # Weak at first, then among the best: the 进步较大 case.
                v, s = (volume * 0.3, 0.4) if i == 0 else (extra[group] * 1.2, rng.uniform(1.5, 1.9))
            else:
                v, s = volume, skill * rng.uniform(0.9, 1.1)
            out[name, year] = Profile(v, s)
    return out


def _make_plan(rng: random.Random, units: list[tuple[str, str]], years: tuple[int, ...]) -> Plan:
    by_group = {g: [n for n, gg in units if gg == g] for g in dict.fromkeys(g for _, g in units)}
    first, last = years[0], years[-1]
    # two improvers in the first (largest) group, one in each other
    improvers = [n for i, g in enumerate(by_group) for n in _draw(rng, by_group[g], 2 if i == 0 else 1)]
    stars = [n for g in by_group for n in _draw(rng, [u for u in by_group[g] if u not in improvers], 2)]
    ordinary = [n for n, _ in units if n not in improvers and n not in stars] or [n for n, _ in units]
    run_unit, cross_unit, zero_unit, late_unit, distortion_unit = _draw(rng, ordinary, 5, exact=True)
    start = rng.randint(3, 7)
    plan = Plan(
        short_run=(run_unit, [(first, m) for m in range(start, start + 3)]),
        new_year_run=(cross_unit, [(first, 12), (first + 1, 1)]) if len(years) > 1 else ("", []),
        zero_month=(zero_unit, (last, rng.randint(5, 9))),
        improvers=improvers, stars=stars, late_twice=late_unit, distortion=distortion_unit,
    )
    # A few stray short months, mostly among the improvers' weak first year.
    for name in improvers[:3]:
        plan.scattered_short.append((name, (first, rng.randint(1, 11))))
    planted = {run_unit, cross_unit, zero_unit}
    for name in _draw(rng, [n for n in ordinary if n not in planted], 3):
        plan.scattered_short.append((name, (rng.choice(years), rng.randint(1, 12))))
    return plan


def demo_plan(seed: int = 2024, years=(2024, 2025), units: list[tuple[str, str]] | None = None) -> Plan:
    """The planted cases of `generate_rows` for the same arguments."""
    units = units if units is not None else load_units()
    return _make_plan(random.Random(seed), units, tuple(sorted(years)))


# ---- small helpers ----------------------------------------------------------------------------

def _draw(rng: random.Random, pool: list[str], k: int, exact: bool = False) -> list[str]:
    """k distinct names when the pool allows; with `exact`, repeat names rather than return fewer."""
    if len(pool) >= k or not exact:
        return rng.sample(pool, min(k, len(pool)))
    return [rng.choice(pool) for _ in range(k)]


def _some(rng: random.Random, units: list[tuple[str, str]], lo: int, hi: int) -> list[tuple[str, str]]:
    """Between lo and hi distinct units (fewer when the list is short)."""
    return rng.sample(units, min(len(units), rng.randint(lo, hi)))


def _weighted(rng: random.Random, choices):
    items = list(choices.items()) if isinstance(choices, dict) else list(choices)
    return rng.choices([c for c, _ in items], weights=[w for _, w in items])[0]


def _workday(day: dt.date, end: dt.date) -> dt.date:
    """Offices publish on working days: move a weekend date to Monday (or back to Friday at the end)."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    while day > end or day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _later(rng: random.Random, day: dt.date, lo: int, hi: int, end: dt.date) -> dt.date:
    return _workday(min(day + dt.timedelta(days=rng.randint(lo, hi)), end), end)


def _issue(pub: str, day: dt.date) -> str:
    days = 366 if calendar.isleap(day.year) else 365
    return str(1 + (day.timetuple().tm_yday - 1) * ISSUES_PER_YEAR[pub] // days)


def _topic(rng: random.Random, unit: str, month: int) -> str:
    own = [t for key, ts in UNIT_TOPICS.items() if key in unit for t in ts]
    pool = [(SEASONAL_TOPICS[month], 3), (GENERAL_TOPICS, 3), (own, 4 if own else 0)]
    return rng.choice(_weighted(rng, [(tuple(p), w) for p, w in pool if p]))


def _title(rng: random.Random, kind: str, unit: str, topic: str) -> str:
    return rng.choice(TITLE_PATTERNS[kind]).format(unit=unit, topic=topic)


def _author_pools(rng: random.Random, units: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Each unit has a few regular writers, so the top author (先进个人) is meaningful."""
    seen: set[str] = set()
    pools: dict[str, list[str]] = {}
    for name, _ in units:
        pool = []
        while len(pool) < rng.randint(2, 4):
            person = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            if person not in seen:
                seen.add(person)
                pool.append(person)
        pools[name] = pool
    return pools


def _authors(rng: random.Random, pool: list[str]) -> str:
    # The first writer is the unit's main one: weight it so one name leads.
    lead = rng.choices(pool, weights=[3] + [1] * (len(pool) - 1))[0]
    if len(pool) > 1 and rng.random() < 0.3:
        return "、".join([lead, rng.choice([p for p in pool if p != lead])])
    return lead


def _row(day: dt.date, unit: str, kind: str, **fields: str) -> dict[str, object]:
    row: dict[str, object] = {c: "" for c in COLUMNS}
    row.update({"日期": day, "单位": unit, "类型": kind})
    for key, value in fields.items():
        row[key] = value
    return row


# ---- the generators of each kind of row -------------------------------------------------------

def _monthly_count(rng: random.Random, unit: str, quota: int, year: int, month: int,
                   profile: Profile, plan: Plan) -> int:
    if plan.zero_month == (unit, (year, month)):
        return 0
    planted = ((plan.short_run[0] == unit and (year, month) in plan.short_run[1])
               or (plan.new_year_run[0] == unit and (year, month) in plan.new_year_run[1])
               or (unit, (year, month)) in plan.scattered_short)
    if planted:
        return rng.randint(max(1, quota // 3), quota - 1)
    # Most units hand in the quota and a little more; busy months (year end) a bit more.
    bump = 1 if month in (6, 12) else 0
    return quota + max(0, round(rng.gauss(profile.volume, 1.0))) + bump


def _submissions(rng, units, years, profiles, plan, pools, end, quotas) -> tuple[list[dict], list[tuple[dt.date, Item]]]:
    rows, items = [], []
    for year in years:
        for month in range(1, 13):
            days_in = calendar.monthrange(year, month)[1]
            for unit, group in units:
                used: set[str] = set()  # a unit does not send the same title twice in a month
                for _ in range(_monthly_count(rng, unit, quotas[group], year, month, profiles[unit, year], plan)):
                    day = _workday(dt.date(year, month, rng.randint(1, days_in)), end)
                    if day.month != month:  # pushed out of the month: keep it in (quota counts by month)
                        day = _workday(dt.date(year, month, 1), end)
                    for _attempt in range(10):
                        kind = _weighted(rng, KINDS)
                        topic = _topic(rng, unit, month)
                        title = _title(rng, kind, unit, topic)
                        if title not in used:
                            break
                    used.add(title)
                    item = Item(unit, kind, topic, title, _authors(rng, pools[unit]))
                    rows.append(_row(day, unit, "报送", 标题=item.title, 作者=item.authors))
                    items.append((day, item))
    return rows, items


def _adopt(rng: random.Random, submitted: list[tuple[dt.date, Item]],
           profiles: dict[tuple[str, int], Profile], end: dt.date) -> list[Item]:
    """Decide which submissions the city and the region take up (三(一)11: both may)."""
    adopted = []
    for day, item in submitted:
        skill = profiles[item.unit, day.year].skill
        city = rng.random() < 0.14 * skill
        if city:
            pub, col = _weighted(rng, CITY_PLACES[item.kind])
            item.adoptions.append((_later(rng, day, 1, 10, end), "市", pub, col))
            if pub == "政务要情" and rng.random() < 0.1:  # also pushed on the WeChat account
                wcol = "简讯" if col == "简讯" else "政务要情"
                item.adoptions.append((_later(rng, day, 2, 12, end), "市", "微信公众号", wcol))
        if rng.random() < (0.08 if city else 0.004) * skill:
            pub, col = _weighted(rng, REGION_PLACES[item.kind])
            item.adoptions.append((_later(rng, day, 3, 20, end), "自治区", pub, col))
        if item.adoptions:
            adopted.append(item)
    return adopted


def _state_adoptions(rng: random.Random, adopted: list[Item], years, plan: Plan, end: dt.date) -> None:
    """国务院办公厅 takes up one or two of the county's region-adopted items a year."""
    for year in years:
        pool = [it for it in adopted if any(a[1] == "自治区" and a[0].year == year for a in it.adoptions)]
        pool.sort(key=lambda it: it.unit not in plan.stars)  # the best units' items first
        for i, item in enumerate(rng.sample(pool[:20], min(rng.randint(1, 2), len(pool[:20])))):
            region_day = max(a[0] for a in item.adoptions if a[1] == "自治区")
            item.adoptions.append((_later(rng, region_day, 7, 30, end), "国家", "国务院办公厅", ""))
            item.state_instruction = year == years[-1] and i == 0


def _merged_items(rng: random.Random, units, years, pools, end) -> list[Item]:
    """市政府办公室信息调研科合稿: several units' material in one item; each unit gets its own row."""
    items = []
    for year in years:
        for month in range(1, 13):
            for _ in range(rng.randint(0, 2)):
                topic = rng.choice(SEASONAL_TOPICS[month] + GENERAL_TOPICS)
                day = _workday(dt.date(year, month, rng.randint(5, 25)), end)
                title = f"我县{rng.choice(['多部门协同', '上下联动', '统筹推进'])}{topic}工作"
                for unit, _ in _some(rng, units, 2, 4):
                    item = Item(unit, "news", topic, title, _authors(rng, pools[unit]))
                    item.adoptions.append((day, "市", "政务要情", "合稿"))
                    items.append(item)
    return items


def _number_items(items: list[Item]) -> None:
    """信息编号 DK<year>-<seq> in order of first adoption; a 合稿 shares one number across units."""
    seq: dict[int, int] = {}
    shared: dict[tuple[dt.date, str], str] = {}
    for item in sorted(items, key=lambda it: (min(a[0] for a in it.adoptions), it.title)):
        first = min(a[0] for a in item.adoptions)
        key = (first, item.title)
        if item.adoptions[0][3] == "合稿" and key in shared:
            item.number = shared[key]
            continue
        seq[first.year] = seq.get(first.year, 0) + 1
        item.number = f"DK{first.year}-{seq[first.year]:04d}"
        shared[key] = item.number


def _adoption_rows(items: list[Item]) -> list[dict]:
    return [_row(day, it.unit, "采用", 层级=level, 刊物=pub, 栏目=col, 信息编号=it.number,
                 期号=_issue(pub, day), 标题=it.title, 作者=it.authors)
            for it in items for day, level, pub, col in it.adoptions]


def _instruction_rows(rng: random.Random, items: list[Item], end: dt.date) -> list[dict]:
    """批示 on some adopted items (one row per leader), and the unit's 批示落实 feedback on some."""
    rows = []
    for it in items:
        for day, level, pub, col in it.adoptions:
            odds = float(it.state_instruction) if level == "国家" else INSTRUCTION_ODDS.get((level, pub), 0)
            if col == "合稿" or rng.random() >= odds:
                continue
            leaders = rng.sample(LEADERS[level], 2 if rng.random() < 0.2 else 1)
            last = day
            for who, post in leaders:
                when = _later(rng, day, 1, 15, end)
                last = max(last, when)
                rows.append(_row(when, it.unit, "批示", 层级=level, 刊物=pub, 批示人=who,
                                 信息编号=it.number, 标题=it.title, 备注=f"{post}批示"))
            if rng.random() < 0.4 and last < end:
                rows.append(_row(_later(rng, last, 5, 25, end), it.unit, "批示落实", 信息编号=it.number,
                                 标题=f"关于落实领导批示要求推进{it.topic}的情况反馈", 作者=it.authors))
    return rows


def _solicited_rows(rng, units, years, pools, end) -> list[dict]:
    """约稿: the office asks a few units each month; the draft is chosen by the city, the region, or dropped."""
    rows = []
    outcomes = [(("市", "选用"), 50), (("自治区", "选用"), 12), (("", "弃稿"), 38)]
    for year in years:
        for month in range(1, 13):
            topic = rng.choice(SEASONAL_TOPICS[month] + GENERAL_TOPICS)
            for unit, _ in _some(rng, units, 2, 5):
                level, col = _weighted(rng, outcomes)
                day = _workday(dt.date(year, month, rng.randint(8, 28)), end)
                rows.append(_row(day, unit, "约稿", 层级=level, 栏目=col,
                                 标题=f"{unit}关于{topic}的约稿信息", 作者=_authors(rng, pools[unit])))
    return rows


def _lead_and_research_rows(rng, units, years, pools, end) -> tuple[list[dict], list[Item]]:
    """线索, 调研 承办, and 调研信息 (a bonus on top of the item's own 采用 row, so both are made)."""
    rows, items = [], []
    for year in years:
        for month in range(1, 13):
            for unit, _ in _some(rng, units, 0, 3):
                day = _workday(dt.date(year, month, rng.randint(1, 28)), end)
                rows.append(_row(day, unit, "线索", 层级="市", 标题=f"关于{_topic(rng, unit, month)}的信息线索",
                                 作者=_authors(rng, pools[unit])))
        visits = [("市", 4), ("自治区", 1)]
        for level, count in visits:
            for _ in range(count + rng.randint(0, 1)):
                unit, _g = rng.choice(units)
                month = rng.randint(3, 11)
                day = _workday(dt.date(year, month, rng.randint(1, 28)), end)
                topic = _topic(rng, unit, month)
                who = "市政府办公室" if level == "市" else "自治区政府办公厅"
                rows.append(_row(day, unit, "调研", 层级=level, 栏目="承办",
                                 标题=f"配合{who}开展{topic}专项调研", 备注=f"{who}信息调研"))
                if rng.random() < 0.7:  # the unit reports on the visit and the report is adopted
                    after = _later(rng, day, 3, 15, end)
                    title = f"{unit}落实领导调研要求推进{topic}"
                    authors = _authors(rng, pools[unit])
                    rows.append(_row(after, unit, "调研", 层级=level, 栏目="调研信息", 标题=title, 作者=authors))
                    item = Item(unit, "news", topic, title, authors)
                    place = ("政务要情", "重要信息") if level == "市" else ("每日要情", "盟市前沿")
                    item.adoptions.append((after, level, *place))
                    items.append(item)
    return rows, items


def _deduction_rows(rng, units, years, plan: Plan, end) -> list[dict]:
    """扣分 rows that are typed in (never 未完成报送任务: quota deductions are derived)."""
    rows = []
    first, last = years[0], years[-1]
    for month in (rng.randint(2, 5), rng.randint(8, 11)):  # twice in one year: −30 then −50
        rows.append(_row(_workday(dt.date(first, month, rng.randint(1, 28)), end), plan.late_twice,
                         "扣分", 栏目="约稿逾期", 备注="未按时限报送县政府办公室约稿信息"))
    others = [n for n, _ in units if n != plan.late_twice]
    rows.append(_row(_workday(dt.date(last, rng.randint(3, 10), rng.randint(1, 28)), end),
                     rng.choice(others), "扣分", 栏目="约稿逾期", 备注="未按时限报送市政府办公室约稿信息"))
    for year in years:
        unit = rng.choice(others)
        rows.append(_row(_workday(dt.date(year, rng.randint(2, 11), rng.randint(1, 28)), end), unit,
                         "扣分", 栏目="重大失误", 批示人="市领导", 备注="信息数据出现较大失误，被市领导批示指出"))
    rows.append(_row(_workday(dt.date(last, rng.randint(4, 10), rng.randint(1, 28)), end), plan.distortion,
                     "扣分", 栏目="严重失真", 备注="报送信息内容与实际情况严重不符"))
    return rows


# ---- public API -------------------------------------------------------------------------------

def generate_rows(seed: int = 2024, years=(2024, 2025),
                  units: list[tuple[str, str]] | None = None, profile=None) -> list[dict[str, object]]:
    """Event rows in the register's 12 columns, for every unit over the given years, sorted by date."""
    years = tuple(sorted(years))
    units = list(units) if units is not None else load_units(profile)
    end = dt.date(years[-1], 12, 31)
    rng = random.Random(seed)
    plan = _make_plan(rng, units, years)
    profiles = _profiles(rng, units, years, plan)
    pools = _author_pools(rng, units)

    rows, submitted = _submissions(rng, units, years, profiles, plan, pools, end, quota_table(profile))
    adopted = _adopt(rng, submitted, profiles, end)
    _state_adoptions(rng, adopted, years, plan, end)
    research_rows, research_items = _lead_and_research_rows(rng, units, years, pools, end)
    items = adopted + _merged_items(rng, units, years, pools, end) + research_items
    _number_items(items)

    rows += _adoption_rows(items)
    rows += _instruction_rows(rng, items, end)
    rows += _solicited_rows(rng, units, years, pools, end)
    rows += research_rows
    rows += _deduction_rows(rng, units, years, plan, end)
    _end_on(rows, end)
    order = {name: i for i, (name, _) in enumerate(units)}
    kinds = {k: i for i, k in enumerate(("报送", "采用", "批示", "批示落实", "约稿", "线索", "调研", "扣分"))}
    rows.sort(key=lambda r: (r["日期"], order[r["单位"]], kinds[r["类型"]], r["信息编号"]))
    return rows


def _end_on(rows: list[dict], end: dt.date) -> None:
    """The register runs to the last day of the last year (a working day or not), as a full year's would."""
    if max(r["日期"] for r in rows) < end:
        last = max((r for r in rows if r["类型"] == "报送"), key=lambda r: r["日期"])
        last["日期"] = end  # still in December, so the month's quota count is unchanged


def generate_frame(seed: int = 2024, years=(2024, 2025),
                   units: list[tuple[str, str]] | None = None) -> pl.DataFrame:
    """`generate_rows` as a polars DataFrame: 日期 as Date, every other column Utf8."""
    return rows_to_frame(generate_rows(seed, years, units))
