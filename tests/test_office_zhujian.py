"""某县住建局: the county 住建局's 《新闻信息宣传考核办法》 (data/profiles/某县住建局/办法原文.txt), each number
computed by hand from the sentence it cites. The profile's readings: the tasks of the missing 附表 are 1 item a
week, 12 局网站 and 6 政务公开 items a year (办公室: 2, 24, 12); each task's 基础分值 is paid once a year, done
or not, and the plus or minus once per period of the task (a week, a year)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from conftest import load, row, unit_row
from scoring.engine.periods import Period
from scoring.store import Store

OFFICE = "某县住建局"


def office(tmp_path) -> Store:
    return Store(tmp_path / "office.duckdb", profile=OFFICE)


def news(day, unit, paper, column="", level="", n=0):
    return row(day, unit, "采用", level, paper, column, info_id=f"{unit}{day}{n}", title=f"{unit}稿件{day}{n}")


def test_front_page_news_counts_double(tmp_path):
    """二(一)5 “在上述新闻媒体头版头条采纳的稿件加倍计分。”"""
    store = office(tmp_path)
    load(store, [news("2025-04-07", "规划股", "大众日报", "头版头条"), news("2025-04-08", "规划股", "日报"),
                 news("2025-04-09", "规划股", "建设报", "头版头条"), news("2025-04-10", "规划股", "其他报刊", level="国家"),
                 news("2025-04-11", "城市建设股", "日报", "头版头条")])
    # 二(一)1 《大众日报》 10 × 2 = 20; 二(一)2 《日报》 7; 二(一)3 《建设报》 5 × 2 = 10;
    # 二(一)4 “参照同级行业报刊计分”: a national paper as 《中国建设报》, 10.  20 + 7 + 10 + 10 = 47.
    assert unit_row(store, "规划股", Period.quarter(2025, 2))["采用"] == Decimal(47)
    assert unit_row(store, "城市建设股", Period.quarter(2025, 2))["采用"] == Decimal(14)  # 7 × 2


def test_academic_journals_count_half_of_the_same_level(tmp_path):
    """二(三) “县级综合性刊物采纳1篇计5分，市级综合性报刊采纳1篇计7分，省级以上综合性报刊采纳1篇计10分；
    各级各类学术刊物上发表的调研文章按相应级别综合性刊物减半计分。”"""
    store = office(tmp_path)
    load(store, [news("2025-05-06", "村镇建设股", "综合性刊物", level="县", n=1),
                 news("2025-05-07", "村镇建设股", "学术刊物", level="县", n=2),
                 news("2025-05-08", "村镇建设股", "学术刊物", level="市", n=3),
                 news("2025-05-09", "村镇建设股", "学术刊物", level="国家", n=4),
                 row("2025-05-12", "村镇建设股", "批示", "", "学术刊物", "", "县长", info_id="村镇建设股2025-05-094", title="x")])
    got = unit_row(store, "村镇建设股", Period.quarter(2025, 2))
    # 5 + 5 × 0.5 + 7 × 0.5 + 10 × 0.5 = 5 + 2.5 + 3.5 + 5 = 16; exact, no binary float.
    assert got["采用"] == Decimal("16")
    assert got["批示"] == Decimal(5)  # 二(二)4 “受到上级领导批示的，每条加5分”


def week_of(monday: date, unit: str, n: int):
    return [row((monday + timedelta(days=i)).isoformat(), unit, "报送", title=f"{unit}{monday}周{i}") for i in range(n)]


def test_each_week_is_plus_or_minus_ten(tmp_path):
    """二(五)3 “各股室每周报送信息基础分值10分，完成任务的加10分，完不成任务的在总分值中扣10分。”"""
    store = office(tmp_path)
    mondays = [date(2025, 3, 3) + timedelta(weeks=k) for k in range(4)]  # 3 March – 30 March: four whole weeks
    rows = []
    for k, monday in enumerate(mondays):
        rows += week_of(monday, "规划股", 0 if k == 2 else 1)  # the third week missed
        rows += week_of(monday, "办公室", 1)  # 办公室's own task is 2 a week: every week missed
        rows += week_of(monday, "人事教育股", 2)
    load(store, rows)
    four_weeks = Period.between(mondays[0], mondays[-1] + timedelta(days=6))
    # 规划股: three weeks done + 3 × 10, one week not − 10 → 20.
    assert unit_row(store, "规划股", four_weeks)["周报送"] == Decimal(20)
    # 办公室 (2 a week): − 4 × 10 = −40; 人事教育股 (1 a week, 2 sent): + 40.
    assert unit_row(store, "办公室", four_weeks)["周报送"] == Decimal(-40)
    assert unit_row(store, "人事教育股", four_weeks)["周报送"] == Decimal(40)


def test_the_two_websites_are_a_years_tasks_and_the_bases_a_years_start(tmp_path):
    """二(五)1 “县住建局网站基础分值5分，完成任务的加5分，完不成任务的在总分值中扣5分。”
    二(五)2 “县住建局政务公开网站基础分值10分，完成任务的加10分，完不成任务的在总分值中扣10分。”"""
    store = office(tmp_path)
    posts = lambda unit, kind, n: [row(f"2025-{1 + i % 12:02d}-15", unit, kind, title=f"{unit}{kind}{i}") for i in range(n)]
    load(store, posts("办公室", "网站", 24) + posts("办公室", "政务公开", 11)
         + posts("规划股", "网站", 12) + posts("规划股", "政务公开", 6) + posts("政策法规股", "网站", 3))
    year = Period.year(2025)
    got = {u: unit_row(store, u, year) for u in ("办公室", "规划股", "政策法规股")}
    # 办公室 (24 and 12): 局网站 done + 5; 政务公开 11 of 12 − 10 → −5.
    # 规划股 (12 and 6): both done + 5 + 10 = 15.  政策法规股: neither − 5 − 10 = −15.
    assert {u: r["网站"] for u, r in got.items()} == {"办公室": Decimal(-5), "规划股": Decimal(15), "政策法规股": Decimal(-15)}
    # the three 基础分值, once in the year: 5 + 10 + 10
    assert {r["基础分值"] for r in got.values()} == {Decimal(25)}
