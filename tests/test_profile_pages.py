"""The dashboard on other offices' databases: every page renders with the profile's groups, tiers
and items (four groups with fractional points; adoptions only with no quota; base points; and the real
offices' 办法: a formula over tiers with a flag, multipliers, ±x tasks by the week, per-unit tasks with
unranked units, a year of quarters)."""
from __future__ import annotations

import pytest

from dashboard_fixtures import ADMIN_NAME, ADMIN_PASSWORD, assert_clean, dashboard, demo_template, page_files  # noqa: F401
from scoring.accounts import auth


def office_db(tmp_path_factory, name):
    from demo.generic import build_demo

    db = tmp_path_factory.mktemp("office") / "office.duckdb"
    store = build_demo(db, name)
    auth.add_user(store, "测试", ADMIN_NAME, ADMIN_PASSWORD, "管理")
    return db


@pytest.fixture(scope="module", params=["示例-四组", "示例-只计采用", "示例-基础分",
                                        "钟楼审批局", "某县住建局", "上虞经信局", "上虞劳保局"])
def example_db(tmp_path_factory, request):
    return office_db(tmp_path_factory, request.param)


@pytest.fixture(scope="module")
def four_groups_db(tmp_path_factory):
    return office_db(tmp_path_factory, "示例-四组")


@pytest.mark.parametrize("page", page_files())
def test_every_page_renders_on_another_profile(dashboard, example_db, page):
    at = dashboard(example_db, page)
    assert_clean(at)
    words = [e.value for kind in (at.caption, at.markdown, at.info, at.warning) for e in kind]
    assert not [w for w in words if "三(二)1" in w]  # the default office's clause, which these profiles lack


def test_the_ranking_page_has_a_tab_per_group_of_the_profile(dashboard, four_groups_db):
    at = dashboard(four_groups_db, "rank")
    labels = [t.label for t in at.tabs]
    assert [lab for lab in labels if lab.split(" ")[0] in ("乡镇", "一类", "二类", "三类")]
    assert not [lab for lab in labels if lab.startswith(("A ", "B ", "C "))]


def test_every_group_of_a_four_group_office_is_shown(dashboard, four_groups_db):
    """总览's 各组前三名 and the 评先评优 group boxes list every group, not the first three."""
    groups = ["乡镇", "一类", "二类", "三类"]
    home = dashboard(four_groups_db, "home")
    assert_clean(home)
    headed = [m.value for m in home.markdown]
    assert all(f"**{g} 组**" in headed for g in groups), headed
    commend = dashboard(four_groups_db, "commend")
    assert_clean(commend)
    boxes = [m.value for m in commend.markdown if m.value.startswith("#### ")]
    assert boxes == [f"#### {g} 组" for g in groups]


def test_the_eligibility_note_says_this_office_s_own_cases(dashboard, four_groups_db, demo_template):
    """评先资格 says what bars a unit under the office's own 办法 (its commendation items), not
    磴口's 约稿逾期 and 严重失真 (engine.commend.eligibility_rule)."""
    from dashboard_fixtures import open_tab

    notes = {}
    for name, db in (("四组", four_groups_db), ("磴口", demo_template)):
        at = dashboard(db, "commend")
        open_tab(at, "commend_tab", "评先资格")
        assert_clean(at)
        notes[name] = " ".join(c.value for c in at.caption)
    assert "报送虚假信息" in notes["四组"] and "约稿逾期" not in notes["四组"]
    assert "约稿逾期" in notes["磴口"] and "信息报送出现严重失真" in notes["磴口"] and "报送虚假信息" not in notes["磴口"]
