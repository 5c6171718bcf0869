"""A year before the 办法 (units.yaml `since` on the profile says from when the list applies):
its register imports, is scored by the earliest rule version, and gives year-on-year a baseline."""
from __future__ import annotations

from datetime import date

from conftest import AS_OF, load, row, submissions, unit_row
from scoring.engine import commend
from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.store import Store


def test_a_2023_register_imports_ranks_and_gives_2024_a_baseline(tmp_path):
    store = Store(tmp_path / "x.duckdb")
    # 2023: 财政局 (A) has one 简讯 in 《政务要情》 (三(一)1: 3 分) and meets its 15 a month in March.
    load(store, submissions("财政局", "2023-03", 15)
         + [row("2023-03-10", "财政局", "采用", "市", "政务要情", "简讯", info_id="X1", title="简讯一")], "2023年.xlsx")
    # 2024: six adoptions at 6 分 (重要信息) for 财政局, none for 教育局.
    load(store, submissions("财政局", "2024-03", 15)
         + [row(f"2024-03-{10 + i}", "财政局", "采用", "市", "政务要情", "重要信息", info_id=f"Y{i}", title=f"重要{i}")
            for i in range(6)], "2024年.xlsx")
    first = Engine.open(store, as_of=AS_OF).book.versions[0]
    assert first.effective == date(2024, 2, 23)  # 2023 is scored by this earliest version
    got = unit_row(store, "财政局", Period.year(2023))
    assert got["得分"] == 3 and got["报送数"] == 15 and got["市级采用"] == 1

    growth = commend.improvement(Engine.open(store, as_of=AS_OF), 2024, "growth_yoy")
    assert growth["有上期数据"].all()
    fin = growth.filter(growth["单位"] == "财政局").row(0, named=True)
    assert (fin["上期得分"], fin["本期得分"], fin["得分增长"]) == (3, 36, 33)


def test_without_a_prior_year_there_is_no_baseline(tmp_path):
    store = Store(tmp_path / "x.duckdb")
    load(store, submissions("财政局", "2024-03", 15))
    growth = commend.improvement(Engine.open(store, as_of=AS_OF), 2024, "growth_yoy")
    assert not growth["有上期数据"].any() and growth["上期得分"].null_count() == growth.height
