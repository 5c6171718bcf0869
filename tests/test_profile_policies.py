"""Each derived rule a profile can switch on (profile.yaml `policies`), on a copy of the shipped
profile with that one switch changed; docs/配置说明.md describes each."""
from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
import yaml

from conftest import AS_OF, load, row, submissions
from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.profile import PROFILES_DIR
from scoring.store import Store


def store_with(tmp_path, change) -> Store:
    root = tmp_path / "office"
    shutil.copytree(PROFILES_DIR / "磴口", root)
    data = yaml.safe_load((root / "profile.yaml").read_text(encoding="utf-8"))
    change(data)
    (root / "profile.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Store(tmp_path / "x.duckdb", profile=root)


def ranking(store, period):
    return Engine.open(store, as_of=AS_OF).ranking(period)


def score(store, unit, period, column="得分"):
    frame = ranking(store, period)
    return frame.filter(frame["单位"] == unit)[column][0]


def brief(day, unit, n=0, level="市", publication="政务要情", column="简讯"):
    return row(day, unit, "采用", level, publication, column, info_id=f"{unit}{day}{n}", title=f"{unit}{day}{n}")


def test_ties_dense_ranks_1_2_2_3(tmp_path):
    store = store_with(tmp_path, lambda d: d["policies"].update(ties="dense"))
    # group A: 财政局 6, 教育局 3 and 发展和改革委员会 3 (tied), every other unit 0
    load(store, [brief("2025-02-03", "财政局", 0), brief("2025-02-03", "财政局", 1),
                 brief("2025-02-04", "教育局"), brief("2025-02-04", "发展和改革委员会")])
    frame = ranking(store, Period.quarter(2025, 1)).filter(pl.col("组别") == "A")
    ranks = dict(frame.select("单位", "排名").iter_rows())
    assert (ranks["财政局"], ranks["教育局"], ranks["发展和改革委员会"]) == (1, 2, 2)
    assert set(frame.filter(pl.col("得分") == 0)["排名"]) == {3}  # 1-2-2-3, not 1-2-2-4


def test_floor_off_keeps_a_negative_score(tmp_path):
    store = store_with(tmp_path, lambda d: d["policies"].update(floor=False))
    load(store, [row("2025-02-03", "财政局", "扣分", column="约稿逾期")])
    assert score(store, "财政局", Period.quarter(2025, 1)) == -30


def test_floor_on_is_the_shipped_reading(tmp_path):
    store = store_with(tmp_path, lambda d: None)
    load(store, [row("2025-02-03", "财政局", "扣分", column="约稿逾期")])
    assert score(store, "财政局", Period.quarter(2025, 1)) == 0


def test_a_run_does_not_cross_the_new_year_when_told(tmp_path):
    """across_years: false — a January short month after a short December is a first one again."""
    def change(d):
        d["policies"]["quota"][0]["across_years"] = False
    store = store_with(tmp_path, change)
    c_unit = "气象局"  # group C: 4 a month
    load(store, submissions(c_unit, "2024-12", 1) + submissions(c_unit, "2025-01", 1)
         + submissions("财政局", "2024-12", 15) + submissions("财政局", "2025-01", 15))
    status = Engine.open(store, as_of=AS_OF).quota_status(date(2025, 1, 31))
    unit = store.unit_book().by_name(c_unit).id
    codes = status.filter(status["unit_id"] == unit).sort("month")["code"].to_list()
    assert codes == ["DED_QUOTA", "DED_QUOTA"]


def test_an_untracked_month_breaks_a_run_when_told(tmp_path):
    """untracked: break — a month with no 报送 at all (not imported) ends the run."""
    def change(d):
        d["policies"]["quota"][0]["untracked"] = "break"
    store = store_with(tmp_path, change)
    load(store, submissions("气象局", "2025-01", 1) + submissions("气象局", "2025-03", 1))
    status = Engine.open(store, as_of=AS_OF).quota_status(date(2025, 3, 31))
    unit = store.unit_book().by_name("气象局").id
    got = status.filter(status["unit_id"] == unit).sort("month").select("code", "status").rows()
    assert got == [("DED_QUOTA", "未达标"), (None, "未统计"), ("DED_QUOTA", "未达标")]


def test_an_untracked_month_is_skipped_by_default(tmp_path):
    store = store_with(tmp_path, lambda d: None)
    load(store, submissions("气象局", "2025-01", 1) + submissions("气象局", "2025-03", 1))
    status = Engine.open(store, as_of=AS_OF).quota_status(date(2025, 3, 31))
    unit = store.unit_book().by_name("气象局").id
    assert status.filter(status["unit_id"] == unit).sort("month")["code"].to_list() == ["DED_QUOTA", "DED_QUOTA_REPEAT"]


def test_zeroing_a_year_after_n_late_drafts(tmp_path):
    def change(d):
        d["policies"]["late"]["zero_after"] = 2
    store = store_with(tmp_path, change)
    load(store, [brief(f"2025-02-0{i}", "财政局", i, column="重要信息") for i in range(1, 9)]
         + [row("2025-03-03", "财政局", "扣分", column="约稿逾期"), row("2025-05-03", "财政局", "扣分", column="约稿逾期")])
    assert score(store, "财政局", Period.quarter(2025, 1)) == 8 * 6 - 30  # a quarter is not zeroed
    assert score(store, "财政局", Period.year(2025)) == 0


def test_one_item_adopted_at_several_places_counts_its_highest_only(tmp_path):
    store = store_with(tmp_path, lambda d: d["policies"].update(adoption="highest"))
    same = dict(info_id="DK1", title="一条信息")
    load(store, [row("2025-02-03", "财政局", "采用", "市", "政务要情", "简讯", **same),          # 3
                 row("2025-02-10", "财政局", "采用", "自治区", "每日要情", "简讯", **same),       # region 简讯
                 row("2025-02-12", "财政局", "采用", "市", "微信公众号", "简讯", **same)])         # lower: nothing
    book = Engine.open(store, as_of=AS_OF).book.latest().items
    region = book["REGION_MRYQ_BRIEF"].points
    assert score(store, "财政局", Period.quarter(2025, 1)) == max(3, region)
    assert score(store, "财政局", Period.quarter(2025, 1), "采用数") == 3  # every adoption is still counted


def test_adoptions_add_up_by_default(tmp_path):
    """三(一)11: 同一信息被多级采用的累计计分."""
    store = store_with(tmp_path, lambda d: None)
    same = dict(info_id="DK1", title="一条信息")
    load(store, [row("2025-02-03", "财政局", "采用", "市", "政务要情", "简讯", **same),
                 row("2025-02-10", "财政局", "采用", "自治区", "每日要情", "简讯", **same)])
    book = Engine.open(store, as_of=AS_OF).book.latest().items
    assert score(store, "财政局", Period.quarter(2025, 1)) == 3 + book["REGION_MRYQ_BRIEF"].points


def test_a_minimum_of_items_before_commendation(tmp_path):
    def change(d):
        d["commendation"]["min_items"] = 20
    store = store_with(tmp_path, change)
    load(store, submissions("财政局", "2025-03", 15) + submissions("教育局", "2025-03", 15)
         + submissions("教育局", "2025-04", 15))
    from scoring.engine import commend

    eligible = commend.eligibility(Engine.open(store, as_of=AS_OF), 2025)
    reasons = dict(eligible.select("单位", "原因").iter_rows())
    assert "全年报送 15 条，少于评先所需的 20 条" in reasons["财政局"]
    assert "少于评先所需" not in reasons["教育局"]


def merged_rows(units, info_id="HG1"):
    return [row("2025-02-10", u, "采用", "市", "政务要情", "合稿", info_id=info_id, title="合稿信息") for u in units]


def test_merged_items_split_evenly_among_the_units(tmp_path):
    store = store_with(tmp_path, lambda d: d["policies"].update(merged={"item": "CITY_ZWYQ_MERGED", "share": "even"}))
    load(store, merged_rows(["财政局", "教育局", "民政局"]))
    each = Engine.open(store, as_of=AS_OF).book.latest().items["CITY_ZWYQ_MERGED"].points / 3
    assert score(store, "财政局", Period.quarter(2025, 1)) == pytest.approx(each)
    assert score(store, "财政局", Period.quarter(2025, 1), "采用数") == 1


def test_merged_items_a_fixed_share_each(tmp_path):
    store = store_with(tmp_path, lambda d: d["policies"].update(merged={"item": "CITY_ZWYQ_MERGED", "share": 0.5}))
    load(store, merged_rows(["财政局", "教育局"]))
    full = Engine.open(store, as_of=AS_OF).book.latest().items["CITY_ZWYQ_MERGED"].points
    assert score(store, "教育局", Period.quarter(2025, 1)) == full * Decimal("0.5")


def test_merged_items_each_score_in_full_by_default(tmp_path):
    """三(一)1 市政府办公室信息调研科合稿信息每采用1条信息计3分 (each participating unit)."""
    store = store_with(tmp_path, lambda d: None)
    load(store, merged_rows(["财政局", "教育局"]))
    assert score(store, "教育局", Period.quarter(2025, 1)) == 3


def test_a_weekly_quota(tmp_path):
    """period: week — each Monday-to-Sunday week is checked; a short week after a short week is a repeat."""
    def change(d):
        d["policies"]["quota"][0]["period"] = "week"
    store = store_with(tmp_path, change)
    week = lambda monday, n, unit="气象局": [row(f"2025-03-{monday + i % 5:02d}", unit, "报送", title=f"{unit}{monday}-{i}")
                                            for i in range(n)]
    # 气象局 (C, 4 a week here): 4 in the week of 3 March, 1 in the weeks of 10 and 17 March, 4 in that of 24 March
    load(store, week(3, 4) + week(10, 1) + week(17, 1) + week(24, 4))
    status = Engine.open(store, as_of=AS_OF).quota_status(date(2025, 3, 31))
    unit = store.unit_book().by_name("气象局").id
    got = status.filter(pl.col("unit_id") == unit).sort("month").select("month", "code").rows()
    assert got == [(date(2025, 3, 3), None), (date(2025, 3, 10), "DED_QUOTA"), (date(2025, 3, 17), "DED_QUOTA_REPEAT"),
                   (date(2025, 3, 24), None)]
