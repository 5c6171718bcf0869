"""试算方案: a what-if saved with a name reopens — from the list or a shared link — with the same
period, numbers and rank changes; it can be compared with another; 查看 and 录入 accounts run
and save them but never adopt a rule version; switching pages keeps an unsaved trial (the sidebar
says so) and opening another one asks first. (The browser's beforeunload prompt and the
1366×768 layout: test_browser_review.py.)"""
from __future__ import annotations

import polars as pl
import pytest

from conftest import load, ranking, row
from dashboard_fixtures import assert_clean, dashboard, demo_copy, demo_template  # noqa: F401
from scoring.accounts import auth
from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.store import Store
from scoring.views import admin as admin_views
from scoring.views import rules as rules_views

Q3 = Period.quarter(2025, 3)
TRIAL = "CITY_ZWYQ_BRIEF=12, REGION_MRYQ_FRONT=60"


def test_a_trial_is_stored_as_text_and_deleted_by_its_author_or_an_admin(store):
    with pytest.raises(ValueError, match="命名"):
        store.add_trial("  ", TRIAL, "2025Q3", "张三")
    with pytest.raises(ValueError, match="尚未修改"):
        store.add_trial("空方案", "", "2025Q3", "张三")
    first = store.add_trial("简讯 12 分", TRIAL, "2025Q3", "张三")
    second = store.add_trial("另一个", "CITY_ZWYQ_BRIEF=1", "2025", "李四")
    assert store.trials().select("id", "name", "overrides", "period").rows() == [
        (second, "另一个", "CITY_ZWYQ_BRIEF=1", "2025"), (first, "简讯 12 分", TRIAL, "2025Q3")]
    with pytest.raises(PermissionError, match="张三"):
        store.delete_trial(first, "李四")
    store.delete_trial(first, "张三")
    store.delete_trial(second, "管理员", any_author=True)
    assert store.trials().height == 0
    log = admin_views.audit_table(Engine.open(store), 4)
    assert log["操作"].to_list() == ["删除试算方案", "删除试算方案", "保存试算方案", "保存试算方案"]
    words = log["内容"][-1]  # item names and the period's label, no codes
    assert "CITY" not in words and "2025年第三季度" in words and "→ 12" in words


def test_a_trial_compared_with_another(store):
    load(store, [row("2025-07-05", "教育局", "采用", "市", "政务要情", "简讯"),
                 row("2025-07-05", "财政局", "采用", "自治区", "每日要情", "盟市前沿")])
    engine = Engine.open(store)
    a, b = {"CITY_ZWYQ_BRIEF": 40.0}, {"REGION_MRYQ_FRONT": 50.0}
    cmp = rules_views.compare_view(engine, Q3, tuple(a.items()), tuple(b.items()))
    under_a, under_b = ranking(store, Q3, overrides=a), ranking(store, Q3, overrides=b)
    for unit in ("教育局", "财政局"):
        got = cmp.filter(pl.col("单位") == unit).row(0, named=True)
        assert got["试算排名"] == under_a.filter(pl.col("单位") == unit)["排名"][0]
        assert got["排名"] == under_b.filter(pl.col("单位") == unit)["排名"][0]
        assert got["得分变化"] == got["试算得分"] - got["得分"]
    assert cmp.filter(pl.col("单位") == "教育局")["变化"][0] == "↑1"


# -- the page ---------------------------------------------------------------------------------
def comparison(at) -> list[pl.DataFrame]:
    """The what-if's tables, one per group, as drawn."""
    return [pl.from_pandas(d.value) for d in at.dataframe if "试算排名" in d.value.columns]


def open_rules(dashboard, db, role="录入", trial: int | None = None):
    from streamlit.testing.v1 import AppTest  # noqa: F401  (the fixture builds it)

    at = dashboard(db, role=role)
    if trial is not None:
        at.query_params["trial"] = str(trial)
    at.switch_page("pages/rules.py").run()
    assert_clean(at)
    return at


def pick_q3(at) -> None:
    next(s for s in at.selectbox if s.label == "季度").set_value(3).run()


def test_a_saved_trial_reopens_with_the_same_numbers_and_rank_changes(dashboard, demo_copy):
    at = open_rules(dashboard, demo_copy, role="查看")
    pick_q3(at)
    at.text_input(key="whatif_text").input(TRIAL).run()
    assert_clean(at)
    before = comparison(at)
    assert len(before) == 3 and any((t["试算排名"] != t["排名"]).any() for t in before)
    # a viewer saves the trial; adopting it as a rule version stays with 管理
    assert not [b for b in at.button if b.label == "保存新版本"]
    assert any("只有管理员可以把试算采用为新的规则版本" in c.value for c in at.caption)
    next(t for t in at.text_input if t.label == "保存为试算方案").input("简讯 12 分、前沿 60 分")
    next(b for b in at.button if b.label == "保存方案").click().run()
    assert_clean(at)
    saved = Store(demo_copy).trials().row(0, named=True)
    assert (saved["name"], saved["made_by"], saved["period"]) == ("简讯 12 分、前沿 60 分", "测试查看", "2025Q3")
    assert at.query_params["trial"] == str(saved["id"])
    assert Store(demo_copy).saved_rule_sources() == []

    # the shared link, in another session that starts on the default period
    again = open_rules(dashboard, demo_copy, role="录入", trial=saved["id"])
    assert next(s for s in again.selectbox if s.label == "季度").value == 3
    assert next(s for s in again.selectbox if s.key == "trial_pick").value == saved["id"]
    after = comparison(again)
    assert len(after) == len(before) and all(a.equals(b) for a, b in zip(after, before))
    assert not [t for t in again.text_input if t.label == "保存为试算方案"]  # nothing unsaved


def test_switching_pages_keeps_an_unsaved_trial(dashboard, demo_copy):
    at = open_rules(dashboard, demo_copy)
    at.text_input(key="whatif_text").input("CITY_ZWYQ_BRIEF=12").run()
    shown = comparison(at)
    at.switch_page("pages/rank.py").run()  # (the sidebar's note: test_browser_review.py, AppTest runs only the page)
    assert_clean(at)
    at.switch_page("pages/rules.py").run()
    assert_clean(at)
    assert at.text_input(key="whatif_text").value == ""  # the points are in the editor now
    edited = pl.from_pandas(next(d for d in at.dataframe if "试算分值" in d.value.columns).value)
    assert edited.filter(pl.col("代码") == "CITY_ZWYQ_BRIEF")["试算分值"][0] == 12
    back = comparison(at)
    assert len(back) == len(shown) and all(a.equals(b) for a, b in zip(back, shown))


def test_opening_another_trial_over_unsaved_points_asks_first(dashboard, demo_copy):
    trial = Store(demo_copy).add_trial("前沿 60 分", "REGION_MRYQ_FRONT=60", "2025Q4", "测试管理员")
    at = open_rules(dashboard, demo_copy)
    at.text_input(key="whatif_text").input("CITY_ZWYQ_BRIEF=12").run()
    next(s for s in at.selectbox if s.key == "trial_pick").set_value(trial).run()
    assert_clean(at)
    assert any("尚未保存" in w.value for w in at.warning)
    assert next(s for s in at.selectbox if s.key == "trial_pick").value == 0  # not opened yet
    next(b for b in at.button if b.label == "保留当前试算").click().run()
    assert at.text_input(key="whatif_text").value == "CITY_ZWYQ_BRIEF=12"
    next(s for s in at.selectbox if s.key == "trial_pick").set_value(trial).run()
    next(b for b in at.button if b.label == "放弃当前试算，打开所选方案").click().run()
    assert_clean(at)
    opened = next(s for s in at.selectbox if s.key == "trial_pick")
    assert opened.value == trial and opened.format_func(trial) == "方案：前沿 60 分（测试管理员）"


def test_a_kiosk_visitor_runs_a_trial_but_saves_nothing(dashboard, demo_copy):
    auth.set_kiosk(Store(demo_copy), "测试", True)
    at = dashboard(demo_copy, signed_in=False)
    at.switch_page("pages/rules.py").run()
    at.text_input(key="whatif_text").input("CITY_ZWYQ_BRIEF=12").run()
    assert_clean(at)
    assert comparison(at)
    assert not [t for t in at.text_input if t.label == "保存为试算方案"]
    assert not [b for b in at.button if b.label == "保存新版本"]
