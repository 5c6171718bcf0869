"""The rule constructs a profile combines, each saying a sentence real 办法 have (quoted in each
test), on the small office of profile_kit; every expected number is worked out by hand in the
test from that sentence."""
from __future__ import annotations

import contextlib
import io
from decimal import Decimal

import polars as pl
import pytest

from profile_kit import AS_OF, item, load, of, office, rank, reg, submitted
from scoring.cli import main
from scoring.engine import Engine
from scoring.engine.periods import Period

Q1, Q2, YEAR = Period.quarter(2025, 1), Period.quarter(2025, 2), Period.year(2025)
D = Decimal


def task(**keys) -> dict:
    return {"name": "报送任务", "counts": "SUBMIT", **keys}


def targets(profile, name="报送任务", 科室=6, 乡镇=6):
    for g in profile["groups"]:
        g["quota"][name] = {"科室": 科室, "乡镇": 乡镇}[g["code"]]


def derived(code, name, points, tier="扣分", kind="扣分", text=None):
    return item(code, name, kind, points, tier, derived=True, text=text or name)


# -- exact decimals ------------------------------------------------------------------------------
def test_fractional_points_tie_exactly(tmp_path):
    """Points of 0.1, 0.2 and 0.3: 0.1 + 0.2 = 0.3 = 3 × 0.1, and ten 0.1s = five 0.2s = 1 (binary
    floats ranked them 1, 1, 3 and printed 0.30000000000000004)."""
    def items(lst):
        lst += [item("P1", "一角", "采用", D("0.1"), "录用", level="县"), item("P2", "二角", "采用", D("0.2"), "录用", level="乡"),
                item("P3", "三角", "采用", D("0.3"), "录用", level="村")]
    store = office(tmp_path, items_change=items)
    rows = [reg("2025-01-05", "办公室", "采用", "县", n=1), reg("2025-01-05", "办公室", "采用", "乡", n=1),
            reg("2025-01-05", "综合科", "采用", "村", n=1)]
    rows += [reg("2025-01-06", "法规科", "采用", "县", title=f"法规科{i}") for i in range(3)]
    rows += [reg("2025-02-06", "东镇", "采用", "县", title=f"东镇{i}") for i in range(10)]
    rows += [reg("2025-02-06", "西镇", "采用", "乡", title=f"西镇{i}") for i in range(5)]
    load(store, rows)
    frame = rank(store, Q1)
    assert [of(frame, u) for u in ("办公室", "综合科", "法规科")] == [D("0.3")] * 3
    assert [of(frame, u, "排名") for u in ("办公室", "综合科", "法规科")] == [1, 1, 1]
    assert of(frame, "东镇") == of(frame, "西镇") == 1 and of(frame, "东镇", "排名") == of(frame, "西镇", "排名") == 1
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["rank", "--db", str(store.path), "--year", "2025", "--quarter", "1", "--as-of", "2026-06-30"]) == 0
    lines = {line.split(",")[2]: line.split(",") for line in out.getvalue().splitlines()[1:]}
    assert lines["办公室"][1:5] == ["1", "办公室", "0", "0.3"] and lines["东镇"][4] == "1"


# -- tasks ---------------------------------------------------------------------------------------
def test_a_deduction_per_missing_item(tmp_path):
    """“每季度报送数量不达标的，每少1篇，扣1分”: a quarterly task of 6; 4 sent = 2 missing = −2."""
    def change(p):
        p["policies"]["quota"] = [task(period="quarter", missing="DED_SHORT")]
        targets(p)
        p["policies"]["floor"] = False
    store = office(tmp_path, change, lambda i: i.append(derived("DED_SHORT", "每少报1篇", -1)))
    load(store, submitted("办公室", "2025-01", 4) + submitted("综合科", "2025-02", 6) + submitted("东镇", "2025-03", 9))
    frame = rank(store, Q1)
    assert (of(frame, "办公室"), of(frame, "综合科"), of(frame, "东镇"), of(frame, "法规科")) == (-2, 0, 0, -6)
    why = Engine.open(store, as_of=AS_OF).scored_events(Q1).filter(pl.col("code") == "DED_SHORT")
    assert "第一季度报送任务 4条，少于任务 6条，差 2条" in why.filter(pl.col("单位") == "办公室")["title"][0]


def test_a_task_that_pays_when_done_and_costs_when_not(tmp_path):
    """“按时完成报送任务的加5分，未完成的扣5分”: ±5 per month."""
    def change(p):
        p["policies"]["quota"] = [task(base="TASK_DONE", missed="TASK_MISSED")]
        targets(p, 科室=2, 乡镇=3)
        p["policies"]["floor"] = False
    store = office(tmp_path, change, lambda i: i.extend([derived("TASK_DONE", "完成月度任务", 5, "基础分", "报送"),
                                                         derived("TASK_MISSED", "未完成月度任务", -5)]))
    load(store, submitted("办公室", "2025-01", 2) + submitted("办公室", "2025-02", 1) + submitted("办公室", "2025-03", 2)
         + submitted("东镇", "2025-01", 3))
    frame = rank(store, Q1)
    # 办公室: Jan met +5, Feb missed −5, Mar met +5 = 5; 东镇: Jan +5, Feb −5, Mar −5 = −5
    assert (of(frame, "办公室"), of(frame, "东镇")) == (5, -5)


def test_a_range_target_and_items_above_it(tmp_path):
    """“每月报送信息1—2篇，超出部分每篇加0.5分”: a range [1, 2] is met at 1; above counts past 2."""
    def change(p):
        p["policies"]["quota"] = [task(missed="TASK_MISSED", above="EXTRA")]
        for g in p["groups"]:
            g["quota"]["报送任务"] = [1, 2]
        p["policies"]["floor"] = False
    store = office(tmp_path, change, lambda i: i.extend([derived("TASK_MISSED", "未完成", -1),
                                                         derived("EXTRA", "超出部分", D("0.5"), "录用", "报送")]))
    load(store, submitted("办公室", "2025-01", 1) + submitted("办公室", "2025-02", 5) + submitted("办公室", "2025-03", 2)
         + submitted("综合科", "2025-01", 1))
    frame = rank(store, Q1)
    # 办公室: Jan 1 (met), Feb 5 (3 above: +1.5), Mar 2 = 1.5; 综合科: Jan met, Feb and Mar missed = −2
    assert (of(frame, "办公室"), of(frame, "综合科")) == (D("1.5"), -2)


def test_per_group_task_periods(tmp_path):
    """Different periods per group: 科室 every two months (双月), 乡镇 quarterly, each of 4 items."""
    def change(p):
        p["policies"]["quota"] = [task(period={"科室": "two_months", "乡镇": "quarter"}, missed="TASK_MISSED")]
        targets(p, 科室=4, 乡镇=4)
        p["policies"]["floor"] = False
    store = office(tmp_path, change, lambda i: i.append(derived("TASK_MISSED", "未完成", -1)))
    load(store, submitted("办公室", "2025-01", 2) + submitted("办公室", "2025-02", 2)   # Jan–Feb: 4, met
         + submitted("办公室", "2025-03", 3)                                          # Mar–Apr: 3, missed
         + submitted("东镇", "2025-02", 3) + submitted("西镇", "2025-03", 4))
    q1 = rank(store, Q1)
    # Mar–Apr is not inside Q1: only Jan–Feb counts for 办公室 (met), 东镇 3 of 4 (missed)
    assert (of(q1, "办公室"), of(q1, "东镇"), of(q1, "西镇")) == (0, -1, 0)
    half = rank(store, Period.between(Q1.start, Q2.end))
    assert of(half, "办公室") == -1  # Mar–Apr 3 of 4: missed; May–Jun holds no record at all: not checked


def test_an_annual_task_per_unit_counts_in_the_year_only(tmp_path):
    """“完成报送任务的记30分”, each unit with its own annual task (units.yaml quota)."""
    def change(p):
        p["policies"]["quota"] = [task(period="year", base="TASK_DONE")]
        targets(p, 科室=10, 乡镇=10)
    store = office(tmp_path, change, lambda i: i.append(derived("TASK_DONE", "完成年度报送任务", 30, "基础分", "报送")),
                   unit_extra={"办公室": {"quota": {"报送任务": 3}}, "东镇": {"quota": {"报送任务": 20}}})
    load(store, submitted("办公室", "2025-01", 3) + submitted("综合科", "2025-05", 5) + submitted("东镇", "2025-07", 12))
    year = rank(store, YEAR)
    assert (of(year, "办公室"), of(year, "综合科"), of(year, "东镇")) == (30, 0, 0)  # 3 of 3; 5 of 10; 12 of 20
    assert of(rank(store, Q1), "办公室") == 0  # a year's task is not a quarter's


def test_a_task_in_points_with_twice_the_shortfall_deducted(tmp_path):
    """“机关科室每季度信息得分应达到10分，未达到的按差额的2倍扣分”: a task on a points measure."""
    def change(p):
        p["measures"] = {"信息得分": {"points": {"tiers": ["录用", "批示"]}}}
        p["policies"]["quota"] = [{"name": "得分任务", "measure": "信息得分", "period": "quarter", "missing": "DED_POINTS"}]
        targets(p, "得分任务", 10, 0)
        p["policies"]["floor"] = False
    store = office(tmp_path, change, lambda i: i.append(derived("DED_POINTS", "得分差额", -2)))
    load(store, [reg("2025-01-10", "办公室", "采用", "区", info="A1"), reg("2025-02-10", "综合科", "采用", "区", info="B1"),
                 reg("2025-02-11", "综合科", "采用", "市", info="B2"), reg("2025-03-01", "东镇", "报送")])
    frame = rank(store, Q1)
    # 办公室 10 of 10: 10; 综合科 25: 25; 法规科 0 of 10: 10 short × −2 = −20; 乡镇 need 0
    assert (of(frame, "办公室"), of(frame, "综合科"), of(frame, "法规科"), of(frame, "东镇")) == (10, 25, -20, 0)


def test_a_yearly_charge_comes_off_the_year_not_the_quarter(tmp_path):
    """“每年40分，未达到的按差额的2倍从年度总分中扣除”: charge: year."""
    def change(p):
        p["measures"] = {"信息得分": {"points": {"tiers": ["录用"]}}}
        p["policies"]["quota"] = [{"name": "年度得分任务", "measure": "信息得分", "period": "year", "missing": "DED_POINTS",
                                   "charge": "year"}]
        targets(p, "年度得分任务", 40, 40)
        p["policies"]["floor"] = False
    store = office(tmp_path, change, lambda i: i.append(derived("DED_POINTS", "得分差额", -2)))
    load(store, [reg("2025-01-10", "办公室", "采用", "区", info="A1"), reg("2025-05-10", "办公室", "采用", "市", info="A2")])
    assert of(rank(store, Q1), "办公室") == 10
    assert of(rank(store, YEAR), "办公室") == 25 - 2 * 15  # 25 of 40: −30


def test_a_task_counting_several_items_and_a_solicited_draft_used_here(tmp_path):
    """“本级选用的约稿视同录用”: a task counting 报送 and 约稿选用 rows, and a measure of adoptions that
    takes the 约稿 in."""
    def change(p):
        p["policies"]["quota"] = [{"name": "报送任务", "counts": ["SUBMIT", "SOLICITED_OWN"], "period": "month",
                                   "missed": "TASK_MISSED"}]
        targets(p, 科室=2, 乡镇=2)
        p["measures"] = {"录用篇数": {"count": {"types": ["采用"], "items": ["SOLICITED_OWN"]}}}
        p["flags"] = [{"name": "有录用", "when": "录用篇数 >= 1"}]
        p["policies"]["floor"] = False
    store = office(tmp_path, change, lambda i: i.append(derived("TASK_MISSED", "未完成", -1)))
    load(store, submitted("办公室", "2025-01", 1) + [reg("2025-01-20", "办公室", "约稿", column="选用")]
         + submitted("办公室", "2025-02", 2) + submitted("办公室", "2025-03", 2))
    frame = rank(store, Q1)
    assert of(frame, "办公室") == 2 and of(frame, "办公室", "有录用") == "是"  # 约稿 +2, January met with it


# -- conditions and the score ----------------------------------------------------------------------
def low_rate_office(tmp_path, undefined: bool):
    def change(p):
        p["measures"] = {"录用篇数": {"count": {"types": ["采用"]}, "distinct": True},
                         "报送篇数": {"count": {"types": ["报送"]}},
                         "录用率": {"ratio": ["录用篇数", "报送篇数"]}}
        p["policies"]["conditions"] = [{"item": "DED_LOW_RATE", "when": "录用率 < 0.3", "period": "quarter",
                                        "undefined": undefined}]
        p["policies"]["floor"] = False
    return office(tmp_path, change, lambda i: i.append(derived("DED_LOW_RATE", "录用率低于30%", -1)))


def test_a_rate_below_a_threshold_costs_a_point(tmp_path):
    """“每季度稿件录用率低于30%的，扣1分”: distinct adopted items ÷ items sent."""
    store = low_rate_office(tmp_path, undefined=False)
    rows = submitted("办公室", "2025-01", 10) + submitted("综合科", "2025-01", 10) + submitted("法规科", "2025-01", 3)
    # 办公室: 3 distinct items adopted (one of them twice) of 10 = 30 %: not below
    rows += [reg("2025-02-01", "办公室", "采用", "区", info=f"X{i}") for i in range(3)]
    rows += [reg("2025-02-02", "办公室", "采用", "市", info="X0")]
    # 综合科: 2 of 10 = 20 %: −1 (and +20 for its adoptions)
    rows += [reg("2025-02-01", "综合科", "采用", "区", info=f"Y{i}") for i in range(2)]
    load(store, rows)
    frame = rank(store, Q1)
    assert of(frame, "办公室") == 3 * 10 + 15 and of(frame, "综合科") == 20 - 1 and of(frame, "法规科") == -1
    assert of(frame, "东镇") == 0  # nothing sent: the rate cannot be computed, and undefined: false
    why = Engine.open(store, as_of=AS_OF).scored_events(Q1).filter(pl.col("code") == "DED_LOW_RATE")
    assert "录用率 < 0.3" in why.filter(pl.col("单位") == "综合科")["title"][0]
    assert "录用率 20" in why.filter(pl.col("单位") == "综合科")["title"][0]


def test_the_profile_decides_a_rate_over_nothing_sent(tmp_path):
    """The same sentence read the other way: no item sent counts as below 30 % (undefined: true)."""
    store = low_rate_office(tmp_path, undefined=True)
    load(store, submitted("办公室", "2025-01", 1))
    assert of(rank(store, Q1), "东镇") == -1


def base_office(tmp_path, year_mode="whole"):
    def change(p):
        p["policies"]["conditions"] = [{"item": "BASE", "period": "quarter"}]
        p["score"] = {"formula": "max(基础分 + 扣分, 0) + 录用 + 批示", "year": year_mode}
        p["flags"] = [{"name": "不达标", "when": "得分 < 基础分"}]
    return office(tmp_path, change, lambda i: i.append(derived("BASE", "基础得分", 6, "基础分", "报送")))


def test_a_base_score_that_deductions_cannot_take_bonuses_below(tmp_path):
    """“各科室基础得分为6分，扣完为止，加分无上限；季度综合得分低于6分的，视为不达标”."""
    store = base_office(tmp_path)
    load(store, [reg("2025-01-05", "办公室", "扣分", column="错误", n=i, title=f"错{i}") for i in range(4)]  # −8
         + [reg("2025-01-06", "办公室", "采用", "区", info="A")]                                         # +10
         + [reg("2025-02-05", "综合科", "扣分", column="错误")])                                          # −2
    frame = rank(store, Q1)
    # 办公室: max(6 − 8, 0) + 10 = 10 (the deduction ate the base, not the bonus); 综合科: 6 − 2 = 4
    assert (of(frame, "办公室"), of(frame, "综合科"), of(frame, "法规科")) == (10, 4, 6)
    assert (of(frame, "办公室", "不达标"), of(frame, "综合科", "不达标"), of(frame, "法规科", "不达标")) == ("", "是", "")


def test_the_year_as_the_sum_of_its_quarters_each_floored(tmp_path):
    """“年度得分为四个季度得分之和”: Q1 6 − 10 floors at 0, Q2 6 + 10 = 16, Q3 and Q4 6 each: 28;
    scored whole, the year would be 24 − 10 + 10 = 24."""
    rows = [reg("2025-01-05", "办公室", "扣分", column="错误", title=f"错{i}") for i in range(5)]
    rows += [reg("2025-04-06", "办公室", "采用", "区", info="A")]
    quarters, whole = base_office(tmp_path / "q", "quarters"), base_office(tmp_path / "w")
    load(quarters, rows)
    load(whole, rows)
    assert of(rank(quarters, YEAR), "办公室") == 28 and of(rank(whole, YEAR), "办公室") == 24
    assert of(rank(quarters, Q2), "办公室", "累计得分") == 16  # Q1 0 + Q2 16


# -- the register: multipliers and chosen points ---------------------------------------------------
def test_multipliers_taken_from_the_register(tmp_path):
    """“头版头条的按2倍计分；简讯按该级分值的一半计分；非主要领导批示的减半计分”."""
    def items(lst):
        for it in lst:
            if it["code"] in ("ADOPT_DISTRICT", "ADOPT_CITY"):
                it["column"] = ["", "头版头条", "简讯"]
    factors = [{"name": "头版头条", "when": {"栏目": "头版头条"}, "times": 2, "clause": "第五条", "text": "头版头条的按2倍计分"},
               {"name": "简讯", "when": {"栏目": "简讯"}, "times": D("0.5"), "clause": "第五条", "text": "简讯按一半计分"},
               {"name": "分管领导批示", "when": {"批示人": "分管领导"}, "times": D("0.5"), "items": ["INSTRUCT"],
                "clause": "第六条", "text": "非主要领导批示的减半计分"}]
    store = office(tmp_path, items_change=items, factors=factors)
    load(store, [reg("2025-01-05", "办公室", "采用", "市", "头版头条", info="A"),   # 15 × 2 = 30
                 reg("2025-01-06", "办公室", "采用", "区", "简讯", info="B"),       # 10 × 0.5 = 5
                 reg("2025-01-07", "办公室", "批示", "区", leader="分管领导", info="A"),  # 10 × 0.5 = 5
                 reg("2025-01-08", "综合科", "批示", "区", leader="主要领导", info="C")])  # 10
    frame = rank(store, Q1)
    assert (of(frame, "办公室"), of(frame, "综合科")) == (40, 10)
    events = Engine.open(store, as_of=AS_OF).scored_events(Q1).filter(pl.col("单位") == "办公室")
    assert sorted(events["points"].to_list()) == [5, 5, 30]


def test_the_editor_chooses_the_points_within_the_allowed_values(tmp_path):
    """“工作信息每条计2分或5分（视情）”: the register's 分值 column gives 2 or 5; anything else is refused."""
    store = office(tmp_path, items_change=lambda i: i.append(
        item("WORK_INFO", "工作信息", "采用", None, "录用", level="县", choices=[2, 5])))
    load(store, [reg("2025-01-05", "办公室", "采用", "县", info="A", points="5"),
                 reg("2025-01-06", "办公室", "采用", "县", info="B", points="2"),
                 reg("2025-01-06", "综合科", "采用", "县", info="C", points="5")])
    frame = rank(store, Q1)
    assert (of(frame, "办公室"), of(frame, "综合科")) == (7, 5)
    with pytest.raises(AssertionError, match="列 分值: 工作信息的分值“3”无效，可选：2、5"):
        load(store, [reg("2025-01-07", "法规科", "采用", "县", info="D", points="3")])
    with pytest.raises(AssertionError, match="须在分值栏填写分值"):
        load(store, [reg("2025-01-07", "法规科", "采用", "县", info="E")])


# -- units and 报送数 -------------------------------------------------------------------------------
def test_a_unit_on_the_list_that_is_not_ranked(tmp_path):
    """`ranked: false`: the unit's records are scored but it takes no rank and no one's rank moves."""
    store = office(tmp_path, unit_extra={"办公室": {"ranked": False}})
    load(store, [reg("2025-01-05", "办公室", "采用", "市", info="A"), reg("2025-01-05", "综合科", "采用", "区", info="B")])
    frame = rank(store, Q1).filter(pl.col("组别") == "科室")
    assert of(frame, "办公室") == 15 and of(frame, "办公室", "排名") is None
    assert of(frame, "综合科", "排名") == 1 and frame["单位"].to_list()[-1] == "办公室"


def test_submissions_count_the_rows_of_every_submission_item_without_a_task(tmp_path):
    """报送数 is the number of 报送 rows, whether or not a task is configured."""
    store = office(tmp_path, items_change=lambda i: i.append(item("LONG", "长信息", "报送", 0, "报送", column="长信息")))
    load(store, submitted("办公室", "2025-01", 3) + [reg("2025-01-09", "办公室", "报送", column="长信息")])
    assert of(rank(store, Q1), "办公室", "报送数") == 4


def test_an_office_without_a_task_says_nothing_about_tasks_in_its_tongbao(tmp_path):
    """A 通报 speaks of tasks only where the 办法 sets one (it once said every unit had completed a
    task that did not exist)."""
    from docx import Document

    from scoring.reports import render

    store = office(tmp_path)
    load(store, submitted("办公室", "2025-01", 2) + [reg("2025-01-05", "综合科", "采用", "区", info="A")])
    text = "\n".join(p.text for p in Document(io.BytesIO(render(Engine.open(store, as_of=AS_OF), Q1, ".docx"))).paragraphs)
    assert "测试县人民政府办公室" in text and "报送任务" not in text and "（三）加强队伍建设" in text


def test_a_correction_that_changes_a_rows_weight_is_kept_and_reapplied(tmp_path):
    """Correcting a 头版头条 row (×2) to an ordinary one changes its weight too: the correction is
    stored (the weight as decimal text), applied, re-applied after an undo and redo, and passes the
    restore's check of stored corrections."""
    from scoring.backup import backup_bytes, check_store_file
    from scoring.engine import rulebook_for
    from scoring.intake.reader import HEADERS
    from scoring.intake.validate import validate_row

    def items(lst):
        for it in lst:
            if it["code"] in ("ADOPT_DISTRICT", "ADOPT_CITY"):
                it["column"] = ["", "头版头条"]
    store = office(tmp_path, items_change=items,
                   factors=[{"name": "头版头条", "when": {"栏目": "头版头条"}, "times": 2, "clause": "第五条", "text": "按2倍计分"}])
    load(store, [reg("2025-01-05", "办公室", "采用", "市", "头版头条", info="A")])  # 15 × 2
    assert of(rank(store, Q1), "办公室") == 30
    plain = reg("2025-01-05", "办公室", "采用", "市", "", info="A")
    event, problems = validate_row({h: plain.get(h, "") for h in HEADERS}, store.unit_book(), rulebook_for(store))
    assert not problems and event["weight"] == 1
    change = store.correct_event(store.scalar("SELECT id FROM events"), event, "录入员", "并非头版头条")
    assert change["新值"]["weight"] == "1" and Decimal(change["原值"]["weight"]) == 2
    assert of(rank(store, Q1), "办公室") == 15
    store.undo_import(1, "录入员", "试验")
    store.redo_import(1, "录入员", "试验")
    assert of(rank(store, Q1), "办公室") == 15
    backup = tmp_path / "bk.duckdb"
    backup.write_bytes(backup_bytes(store))
    check_store_file(backup)
