"""Settings are typed and bounded (登录有效时长 as `1e8` or `nan` broke every
sign-in, with no command to undo it): checked where they are written, clamped where they are read,
limited in the page's inputs, and settable and resettable from the command line."""
from __future__ import annotations

import pytest

from scoring.cli import main
from scoring.engine import Engine
from scoring.profile import settings
from scoring.store import Store

from auth_fixtures import cheap_hashes  # noqa: F401
from dashboard_fixtures import assert_clean, dashboard, demo_copy, demo_template  # noqa: F401

CLI = "命令行:测试"


@pytest.mark.parametrize("name, value", [
    ("session_idle_hours", 1e8), ("session_idle_hours", float("nan")), ("session_idle_hours", float("inf")),
    ("session_idle_hours", "8"), ("session_idle_hours", True), ("session_idle_hours", 0),
    ("session_max_days", 0.5), ("session_max_days", 365),
    ("quota_improvement_share", 1.5), ("error_disqualifies", "false"), ("advanced_count", {"A": -1}),
    ("advanced_count", {"Z": 3}), ("advanced_count", 5), ("improvement_measure", "fastest"),
    ("timezone", "../../etc/passwd"), ("timezone", "Mars/Base"), ("no_such_setting", 1),
])
def test_a_value_out_of_kind_or_range_is_refused_with_its_range(store, name, value):
    version = store.data_version()
    with pytest.raises(ValueError) as refused:
        store.set_setting(name, value, CLI)
    if name in settings.BY_NAME:
        assert settings.BY_NAME[name].label in str(refused.value)
        assert settings.range_text(name) in str(refused.value)
        assert not any(python in str(refused.value) for python in ("True", "{'", "nan", "inf")), refused.value
    assert store.stored_settings() == {} and store.data_version() == version


def test_values_in_range_are_stored_as_their_kind(store):
    store.set_setting("session_idle_hours", 0.5, CLI)
    store.set_setting("session_max_days", 30.0, CLI)
    store.set_setting("advanced_count", {"A": 4, "B": 2.0}, CLI)
    store.set_setting("timezone", "Asia/Urumqi", CLI)
    conf = settings.merged(store.stored_settings(), store.profile)
    assert conf["session_idle_hours"] == 0.5 and conf["session_max_days"] == 30
    assert isinstance(conf["session_max_days"], int)
    assert conf["advanced_count"] == {"A": 4, "B": 2, "C": 2}  # a group not given keeps its default
    assert conf["timezone"] == "Asia/Urumqi"


def test_stored_values_are_bounded_where_they_are_read(store):
    """What an older version, a restored backup or a hand edit left in the table cannot break a
    page or the engine: numbers are clamped, the wrong kind is the default."""
    raw = {"quota_improvement_share": "7", "error_disqualifies": '"yes"', "advanced_count": '{"A": 1e9, "B": "x"}',
           "improvement_measure": '"fastest"', "session_max_days": "-3", "timezone": '"../../etc/passwd"'}
    with store.transaction() as con:
        con.executemany("INSERT INTO settings VALUES (?, ?)", list(raw.items()))
    conf = Engine.open(store).settings
    assert conf["quota_improvement_share"] == 1.0 and conf["error_disqualifies"] is False
    assert conf["advanced_count"] == {"A": 50, "B": 2, "C": 2}
    assert conf["improvement_measure"] == "rank_gain_yoy" and conf["timezone"] == "Asia/Shanghai"
    assert conf["session_max_days"] == 1


def test_the_command_line_sets_resets_and_lists_every_setting(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    Store(db)
    assert main(["setting", "set", "session_idle_hours", "1e8", "--db", db]) == 2
    assert "0.25 至 168" in capsys.readouterr().err
    assert main(["setting", "set", "session_idle_hours", "nan", "--db", db]) == 2
    assert main(["setting", "set", "登录有效时长（小时）", "2.5", "--db", db]) == 0  # the label works too
    assert main(["setting", "set", "advanced_count", "A=3,C=1", "--db", db]) == 0
    assert main(["setting", "set", "error_disqualifies", "是", "--db", db]) == 0
    assert main(["setting", "set", "improvement_measure", "growth_yoy", "--db", db]) == 0
    assert main(["setting", "set", "no_such", "1", "--db", db]) == 2
    capsys.readouterr()
    store = Store(db)
    assert store.stored_settings() == {"session_idle_hours": 2.5, "advanced_count": {"A": 3, "B": 2, "C": 1},
                                       "error_disqualifies": True, "improvement_measure": "growth_yoy"}
    assert main(["setting", "list", "--db", db]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "键名,设置,当前值,已修改,取值范围" and len(listed) == len(settings.SETTINGS) + 1
    assert "session_idle_hours,登录有效时长（小时）,2.5,是,0.25 至 168 的数" in listed
    assert main(["setting", "reset", "session_idle_hours", "--db", db]) == 0
    assert "session_idle_hours" not in store.stored_settings()
    log = store.audit_log()
    assert log["action"].to_list()[:2] == ["恢复默认设置", "修改设置"] and log["who"][0].startswith("命令行:")


def test_the_page_offers_only_values_in_range(dashboard, demo_copy):
    """管理 → 设置: a number input with the setting's limits (no free text for 登录有效时长)."""
    at = dashboard(demo_copy, "admin")
    assert_clean(at)
    for s in settings.SETTINGS:
        if isinstance(s.default, (int, float)) and not isinstance(s.default, bool):
            box = at.number_input(key=f"set_{s.name}")
            assert (box.min, box.max) == (s.low, s.high), s.name
    assert not [t for t in at.text_input if (t.key or "").startswith("set_")]
    at.number_input(key="set_session_idle_hours").set_value(2.5)
    next(b for b in at.button if b.label == "保存" and "session_idle_hours" in (b.form_id or "")).click().run()
    assert_clean(at)
    assert Store(demo_copy).stored_settings()["session_idle_hours"] == 2.5



def test_an_office_s_own_default_holds_everywhere_until_a_value_is_stored(tmp_path, monkeypatch):
    """A profile's `settings:` give the defaults (配置说明): the engine, the sessions and the
    dashboard's date read the same values. The dashboard's time zone used to ignore the profile."""
    from profile_kit import office

    from pages import _data
    from scoring.accounts import sessions

    store = office(tmp_path, change=lambda p: p.setdefault("settings", {}).update(
        {"timezone": "Asia/Urumqi", "session_idle_hours": 3}))
    monkeypatch.setenv("SCORING_DB", store.path)
    assert store.settings()["timezone"] == Engine.open(store).settings["timezone"] == "Asia/Urumqi"
    assert _data.timezone() == "Asia/Urumqi" and sessions.idle_limit(store).total_seconds() == 3 * 3600
    store.set_setting("timezone", "Asia/Shanghai", CLI)
    assert store.settings()["timezone"] == _data.timezone() == "Asia/Shanghai"
