"""Server-side sessions: a refresh or a new tab stays signed in through a random token, of which
only the hash is stored; logout, idle time, a password reset, disabling and a role change end it."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from scoring.accounts import auth, sessions
from scoring.accounts.auth import User
from scoring.store import Store

from auth_fixtures import cheap_hashes, freeze  # noqa: F401
from dashboard_fixtures import dashboard, demo_copy, demo_template  # noqa: F401

CLI = "命令行:测试"


@pytest.fixture
def admin(store) -> User:
    return auth.add_user(store, CLI, "管理员", "管理员的密码123", "管理")


@pytest.fixture
def clerk(store, admin) -> User:
    return auth.add_user(store, admin, "录入员", "password-1", "录入")


def at(monkeypatch, moment: datetime) -> None:
    freeze(monkeypatch, sessions, moment)


def test_a_token_resumes_its_session_and_only_its_hash_is_stored(store, clerk):
    token = sessions.start(store, clerk, client="10.0.0.5")
    assert len(token) >= 40  # 32 random bytes
    assert sessions.resume(store, token) == clerk
    stored = store.rows("SELECT token_hash, name, client FROM sessions")
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), "录入员", "10.0.0.5")]
    assert token not in repr(store.rows("SELECT * FROM sessions"))


@pytest.mark.parametrize("token", [None, "", "x" * 500, "not-a-token", "' OR 1=1 --"])
def test_anything_else_is_no_session(store, clerk, token):
    sessions.start(store, clerk)
    assert sessions.resume(store, token) is None


def test_two_tabs_two_sessions_and_logout_ends_only_its_own(store, clerk):
    first, second = sessions.start(store, clerk), sessions.start(store, clerk)
    assert first != second
    sessions.end(store, first)
    assert sessions.resume(store, first) is None
    assert sessions.resume(store, second) == clerk
    assert store.audit_log()["action"].to_list()[0] == "退出登录"


@pytest.mark.parametrize("change", ["password by admin", "own password", "disable", "role", "unit account's unit"])
def test_credential_changes_end_every_session_of_the_account(store, admin, clerk, change):
    unit_ids = [u.id for u in store.unit_book().units]
    user = clerk
    if change == "unit account's unit":
        user = auth.add_user(store, admin, "单位员", "password-2", "单位", unit_ids[0])
    tokens = [sessions.start(store, user) for _ in range(2)]
    other = sessions.start(store, admin)
    version = store.data_version()
    if change == "password by admin":
        auth.set_password(store, admin, "录入员", "password-new")
    elif change == "own password":
        auth.set_password(store, clerk, "录入员", "password-new", old_password="password-1")
    elif change == "disable":
        auth.set_disabled(store, admin, "录入员", True)
    elif change == "role":
        auth.set_role(store, admin, "录入员", "查看")
    else:
        auth.set_role(store, admin, "单位员", "单位", unit_ids[1])
    assert [sessions.resume(store, t) for t in tokens] == [None, None]
    assert sessions.resume(store, other) == admin  # other accounts keep theirs
    assert store.data_version() != version  # a dashboard's cached check notices at once


def test_a_session_made_before_a_reset_stays_ended_even_if_its_row_came_back(store, admin, clerk):
    """The credential version is what counts: a session row restored from an older copy of the
    database still carries the version from before the reset."""
    token = sessions.start(store, clerk)
    saved = store.rows("SELECT * FROM sessions")
    auth.set_password(store, admin, "录入员", "password-new")
    with store.transaction() as con:
        con.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)", saved)
    assert sessions.resume(store, token) is None


def test_idle_sessions_expire_after_the_setting(monkeypatch, store, clerk):
    start = datetime(2025, 3, 1, 9, 0, 0)
    at(monkeypatch, start)
    token = sessions.start(store, clerk)
    at(monkeypatch, start + timedelta(hours=7, minutes=59))  # still in use: last_seen moves on
    assert sessions.resume(store, token) == clerk
    at(monkeypatch, start + timedelta(hours=15, minutes=58))
    assert sessions.resume(store, token) == clerk
    at(monkeypatch, start + timedelta(hours=24))  # then eight hours unused
    assert sessions.resume(store, token) is None
    assert store.rows("SELECT count(*) FROM sessions")[0][0] == 0
    store.set_setting("session_idle_hours", 1, "管理员")
    at(monkeypatch, start)
    token = sessions.start(store, clerk)
    at(monkeypatch, start + timedelta(minutes=61))
    assert sessions.resume(store, token) is None


def test_checking_a_session_reads_the_session_and_the_settings_and_writes_nothing(monkeypatch, store, clerk):
    """Every page run checks its session: one indexed read of the session and one of the settings
    (the idle limit and the lifetime), and no write while nothing changes. (In a file both reads
    are kept until the file changes: the next test.)"""
    token = sessions.start(store, clerk)
    store.set_setting("session_idle_hours", 2, "管理员")
    reads, writes = [], []
    monkeypatch.setattr(type(store), "rows", lambda self, *a, _rows=type(store).rows: reads.append(a[0]) or _rows(self, *a))
    monkeypatch.setattr(type(store), "transaction", lambda self, _tx=type(store).transaction: writes.append(1) or _tx(self))
    assert sessions.resume(store, token) == clerk
    assert len(reads) == 2 and "FROM sessions" in reads[0] and "FROM settings" in reads[1] and writes == []


# Signs a session out in a process of its own, as another app process or the command line would.
SIGN_OUT_ELSEWHERE = """
import sys
from scoring.accounts import sessions
from scoring.store import Store
sessions.end(Store(sys.argv[1]), sys.argv[2])
"""


@pytest.mark.subprocess
def test_the_check_reads_again_only_after_the_file_changed_in_any_process(monkeypatch, demo_copy):
    """Every page run checks its session; while nobody writes, the answer is kept (no attach,
    no query), and a sign-out in this process or in another one ends the session at the next
    check all the same (scoring/store/base.py `unchanged`)."""
    import subprocess
    import sys

    from dashboard_fixtures import ROOT

    store = Store(demo_copy)
    clerk = auth.add_user(store, CLI, "录入员", "password-1", "录入")
    here, there, other = (sessions.start(store, clerk) for _ in range(3))
    assert [sessions.resume(store, t) for t in (here, there, other)] == [clerk] * 3
    reads = []
    monkeypatch.setattr(Store, "rows", lambda self, *a, _rows=Store.rows: reads.append(a) or _rows(self, *a))
    assert [sessions.resume(store, t) for t in (here, there, other) * 3] == [clerk] * 9
    assert reads == []  # nothing changed: no read
    done = subprocess.run([sys.executable, "-c", SIGN_OUT_ELSEWHERE, str(demo_copy), there], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sessions.resume(store, there) is None and len(reads) == 1  # read again, and ended
    sessions.end(store, other)  # in this process
    assert sessions.resume(store, other) is None
    assert sessions.resume(store, here) == clerk


def test_a_session_ends_after_its_lifetime_however_busy(monkeypatch, store, clerk):
    """A session used every hour was still accepted after 60 days. session_max_days
    (default 7) ends it however busy it is."""
    start = datetime(2025, 3, 1, 9, 0, 0)
    at(monkeypatch, start)
    token = sessions.start(store, clerk)
    moment = start
    while moment < start + timedelta(days=7) - timedelta(hours=1):
        moment += timedelta(hours=6)  # never idle for long
        at(monkeypatch, moment)
        assert sessions.resume(store, token) == clerk, moment
    at(monkeypatch, start + timedelta(days=7, minutes=1))
    assert sessions.resume(store, token) is None
    store.set_setting("session_max_days", 1, "管理员")
    at(monkeypatch, start)
    token = sessions.start(store, clerk)
    at(monkeypatch, start + timedelta(hours=7))
    assert sessions.resume(store, token) == clerk
    at(monkeypatch, start + timedelta(hours=14))
    assert sessions.resume(store, token) == clerk
    at(monkeypatch, start + timedelta(days=1, minutes=1))
    assert sessions.resume(store, token) is None


@pytest.mark.parametrize("stored", ["1e8", "NaN", "Infinity", "-5", "\"8 小时\"", "[8]", "not json"])
def test_a_broken_idle_setting_never_breaks_signing_in(store, admin, clerk, stored):
    """登录有效时长 stored as 1e8 or nan (from an older version, a backup or a
    hand edit) made every sign-in crash, the administrator's included. Settings are bounded
    where they are read: a number is clamped into its range, anything else is the default."""
    with store.transaction() as con:
        con.execute("INSERT OR REPLACE INTO settings VALUES ('session_idle_hours', ?)", [stored])
    user = auth.login(store, "管理员", "管理员的密码123")
    token = sessions.start(store, user)
    assert sessions.resume(store, token) == admin
    idle = sessions.idle_limit(store)
    assert timedelta(minutes=15) <= idle <= timedelta(hours=168)
    assert idle == {"1e8": timedelta(hours=168), "Infinity": timedelta(hours=168),
                    "-5": timedelta(minutes=15)}.get(stored, timedelta(hours=8))


def test_new_sessions_sweep_away_expired_ones(monkeypatch, store, clerk):
    start = datetime(2025, 3, 1, 9, 0, 0)
    at(monkeypatch, start)
    for _ in range(3):
        sessions.start(store, clerk)
    at(monkeypatch, start + timedelta(hours=9))
    sessions.start(store, clerk)
    assert store.rows("SELECT count(*) FROM sessions")[0][0] == 1


def test_only_a_signed_in_user_gets_a_session(store, admin):
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class StandIn:
        name: str = "管理员"
        role: str = "管理"

    for who in (StandIn(), "管理员", None):
        with pytest.raises(PermissionError):
            sessions.start(store, who)


def test_an_older_database_gets_the_new_columns_and_table(tmp_path):
    """A database made before sessions existed opens, keeps its accounts, and gains them."""
    import duckdb

    from scoring.store.base import CONFIG

    db = tmp_path / "old.duckdb"
    Store(db)
    auth.add_user(Store(db), CLI, "管理员", "管理员的密码123", "管理")
    con = duckdb.connect(str(db), config=CONFIG)
    con.execute("DROP TABLE sessions")
    for column in ("guessing", "guessing_since", "cred_version"):
        con.execute(f"ALTER TABLE users DROP COLUMN {column}")
    con.close()
    store = Store(db)
    user = auth.login(store, "管理员", "管理员的密码123")
    assert sessions.resume(store, sessions.start(store, user)) == user


# -- the dashboard (AppTest: no browser, so no cookie; test_browser_sessions.py covers the cookie,
# a reload, a copied link and the logout button) ---------------------------------------------
def test_signing_in_through_the_form_makes_a_session_that_a_reset_ends(dashboard, demo_copy):
    from dashboard_fixtures import ADMIN_NAME, ADMIN_PASSWORD

    store = Store(demo_copy)
    at = dashboard(demo_copy, signed_in=False)
    at.text_input[0].input(ADMIN_NAME)
    at.text_input[1].input(ADMIN_PASSWORD)
    at.button[0].click().run()
    token = at.session_state["session_token"]
    assert sessions.resume(store, token).name == ADMIN_NAME
    assert at.session_state["user"].name == ADMIN_NAME
    assert any(c.value.startswith("当前用户：") for c in at.caption)

    auth.set_password(store, CLI, ADMIN_NAME, ADMIN_PASSWORD)  # a reset elsewhere
    at.run()
    assert any("登录已失效" in w.value for w in at.warning)
    assert "user" not in at.session_state


def test_the_period_is_read_from_and_kept_in_the_address(demo_template, monkeypatch):
    """A copied link (?period=…) opens that period; a change is written back into the address."""
    from streamlit.testing.v1 import AppTest

    from dashboard_fixtures import ADMIN_NAME, ROOT

    monkeypatch.setenv("SCORING_DB", str(demo_template))
    at = AppTest.from_file(str(ROOT / "pages" / "rank.py"), default_timeout=60)
    at.session_state["user"] = User(ADMIN_NAME, "管理", None)
    at.query_params["period"] = "2024Q2"
    at.run()
    assert not at.exception
    assert [s.value for s in at.selectbox if s.label in ("年度", "季度")] == [2024, 2]
    assert any("2024年第二季度" in m.value for m in at.markdown)
    next(s for s in at.selectbox if s.label == "季度").select(3).run()
    assert at.query_params["period"] == "2024Q3"
    next(s for s in at.segmented_control if s.label == "期间").set_value("年初至今").run()
    assert at.query_params["period"] == "2024YTD"

    at = AppTest.from_file(str(ROOT / "pages" / "rank.py"), default_timeout=60)
    at.session_state["user"] = User(ADMIN_NAME, "管理", None)
    at.query_params["period"] = "20250101-20250215"
    at.run()
    assert [d.value.isoformat() for d in at.date_input] == ["2025-01-01", "2025-02-15"]
    for bad in ("2025Q9", "<script>", "20251301-20251302"):  # ignored: the latest quarter instead
        at = AppTest.from_file(str(ROOT / "pages" / "rank.py"), default_timeout=60)
        at.session_state["user"] = User(ADMIN_NAME, "管理", None)
        at.query_params["period"] = bad
        at.run()
        assert not at.exception and at.query_params["period"] != bad


def test_the_group_tab_is_read_from_and_kept_in_the_address(demo_template, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from dashboard_fixtures import ADMIN_NAME, ROOT

    monkeypatch.setenv("SCORING_DB", str(demo_template))
    for wanted, shown in (("B", "B"), ("C", "C"), (None, "A"), ("Z", "A")):
        at = AppTest.from_file(str(ROOT / "pages" / "rank.py"), default_timeout=60)
        at.session_state["user"] = User(ADMIN_NAME, "管理", None)
        if wanted:
            at.query_params["group"] = wanted
        at.run()
        assert not at.exception
        assert at.session_state["rank_group"].startswith(f"{shown} 组")
        assert at.query_params["group"] == shown


def test_a_restore_keeps_todays_sessions_and_brings_back_none(tmp_path):
    """Sessions are not restored from a backup: one ended after the backup stays ended; today's
    stay as valid as the restored accounts allow (a reset after the backup is undone by the
    restore, so the sessions ended by it stay ended too)."""
    from scoring.backup import backup_bytes, restore_from

    db = tmp_path / "r.duckdb"
    store = Store(db)
    admin = auth.add_user(store, CLI, "管理员", "管理员的密码123", "管理")
    clerk = auth.add_user(store, CLI, "录入员", "password-1", "录入")
    ended, admins = sessions.start(store, clerk), sessions.start(store, admin)
    data = backup_bytes(store)
    sessions.end(store, ended)
    today = sessions.start(store, clerk)
    auth.set_password(store, CLI, "录入员", "password-2")  # ends `today`
    again = sessions.start(store, clerk)
    restore_from(db, data, who=CLI)
    store = Store(db)
    assert sessions.resume(store, ended) is None and sessions.resume(store, today) is None
    assert sessions.resume(store, admins) == admin
    # the restored account is at its old credential version: the session made after the reset is
    # from a later one and ends; signing in again works
    assert sessions.resume(store, again) is None
    assert sessions.resume(store, sessions.start(store, auth.login(store, "录入员", "password-1"))) == clerk


# -- the live session in the dashboard: every run, every write and every download reads it ------
def _signed_in(dashboard, demo_copy):
    from dashboard_fixtures import ADMIN_NAME, ADMIN_PASSWORD

    at = dashboard(demo_copy, signed_in=False)
    at.text_input[0].input(ADMIN_NAME)
    at.text_input[1].input(ADMIN_PASSWORD)
    at.button[0].click().run()
    assert any(c.value == f"当前用户：{ADMIN_NAME}（管理）" for c in at.caption)
    return at, at.session_state["session_token"]


@pytest.mark.parametrize("how", ["sign-out in another tab", "idle limit"])
def test_an_ended_session_signs_the_tab_out_at_its_very_next_run(dashboard, demo_copy, how):
    """The old token kept working for 2.3–2.6 s after a sign-out (a 5-second
    cache of the session check). No data version moves on a sign-out or an expiry, so nothing
    but reading the session itself can notice them."""
    at, token = _signed_in(dashboard, demo_copy)
    store = Store(demo_copy)
    at.run()  # a second run within the old cache's lifetime
    assert "user" in at.session_state
    if how == "sign-out in another tab":  # the same browser: the same token
        sessions.end(store, token)
    else:
        key = hashlib.sha256(token.encode()).hexdigest()
        store.touch_session(key, datetime.now() - timedelta(hours=9))
    at.run()
    assert "user" not in at.session_state
    assert any("登录已失效" in w.value for w in at.warning)


STALE_TAB = """
import pytest
import streamlit as st
from pages import _data, _session
from scoring.accounts import auth, sessions
from scoring.backup import backup_bytes
from scoring.reports.csv_export import frame_csv
import polars as pl

store = _data.store()
admin = auth.login(store, {name!r}, {password!r})
st.session_state["session_token"] = sessions.start(store, admin)
# what the 管理 → 备份 tab and a table's CSV button hand to Streamlit when the page is drawn
backup = _session.download("backup", backup_bytes, store, audit_as="who")
table = _session.download("view", frame_csv, pl.DataFrame({{"单位": ["教育局"]}}))
st.session_state["fresh"] = len(backup()) > 0 and len(table()) > 0
{ended}
for button in (backup, table):  # clicked later, in the stale tab
    with pytest.raises(PermissionError):
        button()
"""
ENDINGS = {
    "sign-out elsewhere": "sessions.end(store, st.session_state['session_token'])",
    "password reset": "auth.set_password(store, '命令行:测试', admin.name, 'another-password-1')",
    "account disabled": ("auth.add_user(store, '命令行:测试', '第二管理员', 'second-admin-1', '管理')\n"
                         "auth.set_disabled(store, '命令行:测试', admin.name, True)"),
    "idle limit": ("import hashlib, datetime\n"
                   "store.touch_session(hashlib.sha256(st.session_state['session_token'].encode()).hexdigest(),"
                   " datetime.datetime.now() - datetime.timedelta(hours=9))"),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_stale_tab_downloads_nothing(demo_copy, monkeypatch, ending):
    """A 管理 tab left open kept its 下载数据库备份 button working after a sign-out
    in another tab, a password reset or the idle limit, and the download was audited as normal.
    A download's data is made when it is clicked (outside the script run) and checks the live
    session then; the same wrapper serves every download."""
    from streamlit.testing.v1 import AppTest

    from dashboard_fixtures import ADMIN_NAME, ADMIN_PASSWORD

    monkeypatch.setenv("SCORING_DB", str(demo_copy))
    script = STALE_TAB.format(name=ADMIN_NAME, password=ADMIN_PASSWORD, ended=ENDINGS[ending])
    app = AppTest.from_string(script, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["fresh"]
    log = Store(demo_copy).audit_log()
    assert log.filter(log["action"] == "备份数据库").height == 1  # the one made while the session lived


def test_every_download_of_data_goes_through_the_one_wrapper():
    """A download button whose data is computed when the page is drawn (bytes), or by a callable
    of its own, would serve a stale tab: each one hands Streamlit `_session.download(...)`. Only
    the blank template and the filled example, files that ship with the program, are bytes."""
    import ast

    from dashboard_fixtures import ROOT

    found = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "download_button":
                data = next(k.value for k in node.keywords if k.arg == "data")
                wrapped = (isinstance(data, ast.Call) and getattr(data.func, "attr", "") == "download"
                           and getattr(data.func.value, "id", "") == "_session")
                shipped = ast.unparse(data) in ("TEMPLATE.read_bytes()", "EXAMPLE.read_bytes()")
                found.append((path.name, node.lineno, wrapped or shipped))
    assert len(found) >= 10 and all(ok for *_, ok in found), [f for f in found if not f[2]]
