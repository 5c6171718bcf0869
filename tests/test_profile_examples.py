"""The three example profiles shipped beside the default one, each tested from its own rule text
(the `text` of its rules file and the comments of its profile.yaml)."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from conftest import AS_OF, load, row
from scoring.engine import commend
from scoring.engine import Engine
from scoring.intake.importer import check_rows
from scoring.engine.periods import Period
from scoring.intake.reader import HEADERS
from scoring.engine import rulebook_for
from scoring.store import Store


EXAMPLES = ["示例-只计采用", "示例-四组", "示例-基础分"]
OFFICES = ["钟楼审批局", "某县住建局", "上虞经信局", "上虞劳保局"]  # real offices' 办法, tests/test_office_*.py


def open_store(tmp_path, name: str) -> Store:
    return Store(tmp_path / f"{name}.duckdb", profile=name)


def board(store, period) -> pl.DataFrame:
    return Engine.open(store, as_of=AS_OF).ranking(period)


def got(store, unit, period, column="得分"):
    frame = board(store, period)
    return frame.filter(pl.col("单位") == unit)[column][0]


def reported(day, unit, n, column=""):
    return [row(day[:8] + f"{1 + i:02d}", unit, "报送", column=column, title=f"{unit}{day}{column}{i}") for i in range(n)]


# ---- 示例-只计采用 ---------------------------------------------------------------------------
def adopted(day, unit, level, publication, n=0):
    return row(day, unit, "采用", level, publication, info_id=f"{unit}{day}{n}", title=f"{unit}{day}{n}")


def test_adoptions_only_five_in_own_publication_ten_at_city_level(tmp_path):
    """二(一) 被本县《政务信息》采用的，每条计5分；二(二) 被市级刊物采用的，每条计10分."""
    store = open_store(tmp_path, "示例-只计采用")
    load(store, [adopted("2025-03-03", "城关镇", "县", "政务信息", 0), adopted("2025-03-04", "城关镇", "县", "政务信息", 1),
                 adopted("2025-03-05", "城关镇", "市", "某市政务信息", 2), adopted("2025-03-06", "教育局", "市", "市情专报")])
    frame = board(store, Period.quarter(2025, 1))
    assert frame["组别"].unique().to_list() == ["全县"]  # one group, ranked by total
    scores = dict(frame.select("单位", "得分").iter_rows())
    assert scores["城关镇"] == 2 * 5 + 10 and scores["教育局"] == 10 and scores["东河乡"] == 0
    assert frame.select("单位", "排名").rows()[:2] == [("城关镇", 1), ("教育局", 2)]
    assert dict(frame.select("单位", "本县采用").iter_rows())["城关镇"] == 2


def test_adoptions_only_has_no_submission_rows(tmp_path):
    store = open_store(tmp_path, "示例-只计采用")
    rows = [(2, {h: r.get(h, "") for h in HEADERS}) for r in [row("2025-03-03", "城关镇", "报送", title="x")]]
    report = check_rows(rows, "x.csv", store.unit_book(), rulebook_for(store))
    assert not report.ok and "类型" in "；".join(report.messages())


# ---- 示例-四组 ---------------------------------------------------------------------------------
def test_four_groups_with_fractional_points(tmp_path):
    """第三条 县《政务信息》每条1.5分，市级刊物每条3.5分，领导批示每次加2.5分."""
    store = open_store(tmp_path, "示例-四组")
    load(store, reported("2025-02-01", "城南镇", 6)
         + [adopted("2025-02-03", "城南镇", "县", "政务信息", 0), adopted("2025-02-04", "城南镇", "县", "政务信息", 1),
            adopted("2025-02-05", "城南镇", "市", "市政务信息", 2),
            row("2025-02-06", "城南镇", "批示", "市", "市政务信息", leader="市长", info_id="城南镇2025-02-052")])
    assert got(store, "城南镇", Period.quarter(2025, 1)) == 1.5 * 2 + 3.5 + 2.5
    assert board(store, Period.quarter(2025, 1))["组别"].unique(maintain_order=True).to_list() == ["乡镇", "一类", "二类", "三类"]


def test_four_groups_monthly_quota_ladder_restarts_each_year(tmp_path):
    """第五条 当月未完成报送任务的扣0.5分；连续未完成的，每月扣1.5分 (across_years: false)."""
    store = open_store(tmp_path, "示例-四组")
    load(store, reported("2024-11-01", "档案馆", 2) + reported("2024-12-01", "档案馆", 1)
         + reported("2025-01-01", "档案馆", 1) + reported("2025-02-01", "档案馆", 1))
    status = Engine.open(store, as_of=AS_OF).quota_status(date(2025, 2, 28))
    unit = store.unit_book().by_name("档案馆").id
    codes = status.filter(pl.col("unit_id") == unit).sort("month")["code"].to_list()
    assert codes == [None, "XB_SHORT", "XB_SHORT", "XB_SHORT_AGAIN"]
    assert got(store, "档案馆", Period.year(2025), "原始得分") == -0.5 - 1.5


def test_four_groups_report_names_the_top_three_of_each_group_and_all_tied(tmp_path):
    from scoring.reports.common import assemble

    store = open_store(tmp_path, "示例-四组")
    towns = ["城南镇", "城北镇", "河口镇", "山前镇"]
    load(store, [adopted("2025-02-03", "城南镇", "市", "市政务信息", 0), adopted("2025-02-04", "城南镇", "市", "市政务信息", 1)]
         + [adopted("2025-02-05", t, "县", "政务信息") for t in towns[1:]])  # 城北镇, 河口镇, 山前镇 tie at 1.5
    data = assemble(Engine.open(store, as_of=AS_OF), Period.quarter(2025, 1))
    assert [r["单位"] for r in data.praise["乡镇"]] == towns  # 1, 2, 2, 2: the tied third is listed too
    assert data.office.issuer == "示例乙县人民政府办公室"


def test_four_groups_false_information_disqualifies(tmp_path):
    """第五条(二) 报送虚假信息的，每次扣5分，取消年度评先资格."""
    store = open_store(tmp_path, "示例-四组")
    load(store, [row("2025-04-02", "财政局", "扣分", column="虚假信息")])
    assert got(store, "财政局", Period.quarter(2025, 2), "原始得分") == -5
    eligible = commend.eligibility(Engine.open(store, as_of=AS_OF), 2025)
    assert "报送虚假信息" in eligible.filter(pl.col("单位") == "财政局")["原因"][0]


# ---- 示例-基础分 -------------------------------------------------------------------------------
def test_base_points_for_each_met_month_capped_per_year(tmp_path):
    """第四条 当月完成短信息报送任务的，得基础分10分，全年最多100分."""
    store = open_store(tmp_path, "示例-基础分")
    rows = [r for m in range(1, 13) for r in reported(f"2025-{m:02d}-01", "市统计局", 4)]
    rows += reported("2025-01-01", "东城区", 8) + reported("2025-02-01", "东城区", 7)  # met, then one short
    load(store, rows)
    assert got(store, "市统计局", Period.quarter(2025, 1), "基础分") == 30
    assert got(store, "市统计局", Period.year(2025), "基础分") == 100  # 12 months met, capped at 100
    assert got(store, "市统计局", Period.quarter(2025, 4), "基础分") == 10  # the cap is reached in October
    assert got(store, "东城区", Period.quarter(2025, 1), "基础分") == 10  # short months earn nothing, cost nothing


def test_quarterly_long_item_quota_ladder(tmp_path):
    """第五条 当季度未完成长信息任务的扣5分，连续未完成的每季度扣10分."""
    store = open_store(tmp_path, "示例-基础分")
    rows = reported("2025-02-01", "市财政局", 4)  # short items only: the long quota of 1 a quarter is missed
    rows += reported("2025-05-01", "市财政局", 4) + reported("2025-08-01", "市财政局", 4, column="长信息")
    rows += reported("2025-02-01", "东城区", 3, column="长信息")  # some long item each quarter: tracked
    rows += reported("2025-05-01", "东城区", 3, column="长信息") + reported("2025-08-01", "东城区", 3, column="长信息")
    load(store, rows)
    assert got(store, "市财政局", Period.quarter(2025, 1), "扣分") == -5
    assert got(store, "市财政局", Period.quarter(2025, 2), "扣分") == -10
    assert got(store, "市财政局", Period.quarter(2025, 3), "扣分") == 0  # met: the run ends
    assert got(store, "市财政局", Period.quarter(2025, 1), "报送数") == 4  # 报送数 counts the first quota's item


@pytest.mark.parametrize("name", EXAMPLES + OFFICES)
def test_example_profiles_pass_the_check(name):
    from scoring.profile import check_profile

    assert check_profile(name) == []


@pytest.mark.parametrize("name", EXAMPLES)  # the offices' demo data: the demo command's test below
def test_example_profiles_have_demo_data_that_imports_and_ranks(tmp_path, name):
    from demo.generic import build_demo

    store = build_demo(tmp_path / "demo.duckdb", name)
    units = store.unit_book()
    for year in (2024, 2025):
        frame = board(store, Period.year(year))
        assert frame.height == len(units) and frame["得分"].max() > 0
    assert (board(store, Period.year(2025))["得分"] != board(store, Period.year(2024))["得分"]).any()


@pytest.mark.parametrize("name", EXAMPLES + OFFICES)
def test_example_profiles_reports_name_their_own_office(tmp_path, name):
    """Every document of another office: its issuer and 办法, its groups' labels, no 磴口 words."""
    import io
    import zipfile

    from demo.generic import build_demo
    from scoring.profile import load_profile
    from scoring.reports import render, render_annual_assessment, render_reminders

    store = build_demo(tmp_path / "demo.duckdb", name)
    engine = Engine.open(store, as_of=AS_OF)
    office = load_profile(name).office
    docs = {ext: render(engine, Period.quarter(2025, 2), ext) for ext in (".docx", ".xlsx", ".csv")}
    docs["annual.docx"] = render(engine, Period.year(2025), ".docx")
    docs["reminders.docx"] = render_reminders(engine, 2025, 3)
    docs["assessment.xlsx"] = render_annual_assessment(engine, 2025)
    for kind, data in docs.items():
        if kind.endswith((".docx", ".xlsx")):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                text = "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml"))
        else:
            text = data.decode("utf-8-sig")
        assert "磴口" not in text and "DED_QUOTA" not in text, kind
        if kind in (".docx", "annual.docx"):
            assert office.issuer in text and office.regulation in text, kind


@pytest.mark.parametrize("name", OFFICES)
def test_the_demo_command_makes_an_offices_database(tmp_path, name):
    """`python -m scoring demo --profile data/profiles/<name>`: the office's demo database, ranked."""
    from scoring.cli import main
    from scoring.profile import PROFILES_DIR

    db = tmp_path / "office.duckdb"
    assert main(["demo", "--profile", str(PROFILES_DIR / name), "--db", str(db)]) == 0
    store = Store(db)
    frame = board(store, Period.year(2025))
    assert frame.height == len(store.unit_book()) and frame["得分"].max() > 0


def test_demo_rows_follow_each_units_own_task_and_vary_the_weighted_columns():
    """The demo of an office shows its constructs: 办公室's own task (2 a week, not its group's 1) is
    mostly met week by week, and news appear both on and off the front page (the ×2 factor shows)."""
    from demo.generic import generate_rows
    from scoring.profile import load_profile

    rows = [r for r in generate_rows(load_profile("某县住建局")) if r["日期"].year == 2025]
    office_weeks = {}
    for r in rows:
        if r["单位"] == "办公室" and r["类型"] == "报送":
            week = r["日期"].isocalendar()[1]
            office_weeks[week] = office_weeks.get(week, 0) + 1
    assert sum(n >= 2 for n in office_weeks.values()) >= 40  # of 52 weeks; a few fall short on purpose
    front = {r["栏目"] for r in rows if r["类型"] == "采用" and r["刊物"] in ("大众日报", "中国建设报", "日报", "建设报")}
    assert front == {"", "头版头条"}


def test_demo_rows_carry_the_editors_choice_of_points(tmp_path):
    """An item with `choices` gets one of them in the register's 分值 column, and the demo imports."""
    from demo.generic import build_demo
    from profile_kit import item, office

    office(tmp_path, items_change=lambda i: i.append(  # the profile kit writes its folder at tmp_path/office
        item("WORK_INFO", "工作信息", "采用", None, "录用", level="县", choices=[2, 5])))
    demo = build_demo(tmp_path / "demo.duckdb", tmp_path / "office")
    points = Engine.open(demo, as_of=AS_OF).scored_events(Period.year(2025)).filter(pl.col("code") == "WORK_INFO")["points"]
    assert set(points.to_list()) == {2, 5}
