"""Accounts and roles: argon2 hashes, lock-out (under parallel attempts: test_login_race.py), audit
of every login, role checks in every write function, pages per role, the
kiosk switch, and the `user` commands."""
from __future__ import annotations

import getpass
from datetime import datetime, timedelta

import pytest

from scoring.accounts import auth
from scoring.accounts.auth import AuthError, User
from scoring.cli import cli_user, main
from scoring.store import Store

from auth_fixtures import cheap_hashes, freeze  # noqa: F401
from dashboard_fixtures import demo_template  # noqa: F401

CLI = "命令行:测试"


@pytest.fixture
def admin(store) -> User:
    return auth.add_user(store, CLI, "管理员", "管理员的密码123", "管理")


def audit_actions(store) -> list[tuple[str, str, str]]:
    log = store.audit_log()
    return list(zip(log["who"], log["action"], log["detail"]))[::-1]


def at(monkeypatch, moment: datetime) -> None:
    freeze(monkeypatch, auth, moment)


# -- hashes and login ---------------------------------------------------------------------------
def test_default_hasher_is_argon2id_and_never_stores_the_password(monkeypatch, store):
    monkeypatch.undo()  # the real parameters
    auth.add_user(store, CLI, "甲", "一个足够长的密码", "查看")
    stored = store.user_record("甲")["password_hash"]
    assert stored.startswith("$argon2id$") and "一个足够长的密码" not in stored
    assert auth.login(store, "甲", "一个足够长的密码") == User("甲", "查看", None)


def test_long_chinese_password_works(store):
    password = "政务信息考评" * 20  # 360 bytes in UTF-8: bcrypt would reject it (72-byte limit)
    auth.add_user(store, CLI, "乙", password, "录入")
    assert auth.login(store, "乙", password).role == "录入"
    with pytest.raises(AuthError):
        auth.login(store, "乙", password[:-1])


def test_first_run_tells_how_to_create_the_admin(store):
    with pytest.raises(AuthError, match="python -m scoring user add"):
        auth.login(store, "admin", "admin")
    assert audit_actions(store) == [("admin", "登录失败", "系统尚无任何账号")]


def test_every_login_is_audited(store, admin):
    assert auth.login(store, "管理员", "管理员的密码123") == admin
    with pytest.raises(AuthError, match="用户名或密码错误"):
        auth.login(store, "管理员", "错的密码错的密码")
    with pytest.raises(AuthError, match="用户名或密码错误"):  # same words: names don't leak
        auth.login(store, "没有这个人", "随便什么密码")
    assert audit_actions(store)[1:] == [
        ("管理员", "登录成功", "角色 管理"),
        ("管理员", "登录失败", "密码错误（连续第 1 次）"),
        ("没有这个人", "登录失败", "账号不存在"),
    ]


def test_lock_out_after_five_failures_for_fifteen_minutes(monkeypatch, store, admin):
    start = datetime(2025, 3, 1, 9, 0, 0)
    at(monkeypatch, start)
    for i in range(4):
        with pytest.raises(AuthError, match="用户名或密码错误"):
            auth.login(store, "管理员", f"wrong-{i}-xxxx")
    with pytest.raises(AuthError, match="锁定至 09:15"):
        auth.login(store, "管理员", "wrong-4-xxxx")
    # Locked: even the right password is refused, and the refusal is audited.
    at(monkeypatch, start + timedelta(minutes=14))
    with pytest.raises(AuthError, match="已锁定"):
        auth.login(store, "管理员", "管理员的密码123")
    assert audit_actions(store)[-1][1:] == ("登录失败", "账号锁定中")
    assert auth.list_users(store)["连续失败次数"].to_list() == [5]
    # After 15 minutes the right password works again and the count starts afresh.
    at(monkeypatch, start + timedelta(minutes=15, seconds=1))
    assert auth.login(store, "管理员", "管理员的密码123") == admin
    assert store.user_record("管理员")["failed"] == 0


def test_a_failure_after_an_expired_lock_counts_from_one(monkeypatch, store, admin):
    start = datetime(2025, 3, 1, 9, 0, 0)
    at(monkeypatch, start)
    for i in range(5):
        with pytest.raises(AuthError):
            auth.login(store, "管理员", f"wrong-{i}-xxxx")
    at(monkeypatch, start + timedelta(minutes=20))
    with pytest.raises(AuthError, match="用户名或密码错误"):
        auth.login(store, "管理员", "still-wrong")
    assert store.user_record("管理员")["failed"] == 1


def test_admin_reset_lifts_the_lock(monkeypatch, store, admin):
    for i in range(5):
        with pytest.raises(AuthError):
            auth.login(store, "管理员", f"wrong-{i}-xxxx")
    auth.set_password(store, CLI, "管理员", "新的密码新的密码")
    assert auth.login(store, "管理员", "新的密码新的密码") == admin


def test_disabled_account_cannot_log_in_or_act(store, admin):
    clerk = auth.add_user(store, admin, "录入员", "password-1", "录入")
    second = auth.add_user(store, admin, "副管理员", "password-2", "管理")
    auth.set_disabled(store, admin, "录入员", True)
    with pytest.raises(AuthError, match="已停用"):
        auth.login(store, "录入员", "password-1")
    assert auth.refresh(store, clerk) is None
    auth.set_disabled(store, admin, "副管理员", True)
    with pytest.raises(PermissionError, match="已停用"):  # an old session of a disabled admin
        auth.add_user(store, second, "丙", "password-3", "查看")
    auth.set_disabled(store, admin, "录入员", False)
    assert auth.login(store, "录入员", "password-1") == clerk


def test_the_last_admin_stays(store, admin):
    with pytest.raises(AuthError, match="至少须保留一个可用的管理账号"):
        auth.set_disabled(store, admin, "管理员", True)
    with pytest.raises(AuthError, match="至少须保留一个可用的管理账号"):
        auth.set_role(store, admin, "管理员", "查看")
    auth.add_user(store, admin, "接任者", "password-9", "管理")
    auth.set_role(store, admin, "管理员", "查看")
    assert store.user_record("管理员")["role"] == "查看"


# -- account rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, password, role, unit_id, words", [
    ("丁", "short", "查看", None, "至少 8 位"),
    ("丁", " " * 10, "查看", None, "不能全是空格"),
    ("丁", "password-1", "游客", None, "角色应为"),
    ("丁", "password-1", "单位", None, "须指定所属单位"),
    ("丁", "password-1", "单位", 9999, "没有编号为 9999 的单位"),
    ("", "password-1", "查看", None, "不能为空"),
    ("丁\n", "password-1", "查看", None, None),  # trimmed: accepted
    ("a\x00b", "password-1", "查看", None, "控制字符"),
])
def test_account_rules(store, admin, name, password, role, unit_id, words):
    if words is None:
        assert auth.add_user(store, admin, name, password, role, unit_id).name == name.strip()
        return
    with pytest.raises(AuthError, match=words):
        auth.add_user(store, admin, name, password, role, unit_id)


def test_duplicate_name_is_refused(store, admin):
    with pytest.raises(ValueError, match="已存在"):
        auth.add_user(store, admin, "管理员", "password-1", "查看")


def test_unit_account_keeps_its_unit(store, admin):
    unit = store.unit_book().resolve("教育局")
    user = auth.add_user(store, admin, "教育局信息员", "password-1", "单位", unit.id)
    assert auth.login(store, "教育局信息员", "password-1") == User("教育局信息员", "单位", unit.id)
    assert auth.unit_scope(user) == unit.id and auth.unit_scope(admin) is None
    auth.set_role(store, admin, "教育局信息员", "查看")
    assert store.user_record("教育局信息员")["unit_id"] is None


def test_list_users_shows_no_hashes(store, admin):
    auth.add_user(store, admin, "甲", "password-1", "查看")
    frame = auth.list_users(store)
    assert frame.columns[:2] == ["用户名", "角色"] and set(frame["用户名"]) == {"管理员", "甲"}
    assert not any("hash" in c.lower() or "密码" in c for c in frame.columns)
    assert not any("$argon2" in str(v) for row in frame.iter_rows() for v in row)


def test_own_password_change_needs_the_old_one(store, admin):
    viewer = auth.add_user(store, admin, "甲", "password-1", "查看")
    with pytest.raises(AuthError, match="原密码不正确"):
        auth.set_password(store, viewer, "甲", "password-2", old_password="nope")
    auth.set_password(store, viewer, "甲", "password-2", old_password="password-1")
    assert auth.login(store, "甲", "password-2") == viewer
    with pytest.raises(PermissionError):  # nobody else's
        auth.set_password(store, viewer, "管理员", "password-3", old_password="管理员的密码123")


def test_changes_are_audited_with_the_actor(store, admin):
    auth.add_user(store, admin, "甲", "password-1", "查看")
    auth.set_role(store, admin, "甲", "录入")
    auth.set_password(store, admin, "甲", "password-2")
    auth.set_disabled(store, admin, "甲", True)
    auth.set_kiosk(store, admin, True)
    log = [(who, action) for who, action, _ in audit_actions(store)]
    assert log == [(CLI, "新增账号"), ("管理员", "新增账号"), ("管理员", "修改角色"), ("管理员", "修改密码"),
                   ("管理员", "停用账号"), ("管理员", "开启免登录只读模式")]
    assert not any("password-" in detail for _, _, detail in audit_actions(store))


# -- roles --------------------------------------------------------------------------------------
def test_pages_per_role():
    assert auth.pages_for("查看") == {"home", "rank", "unit", "commend", "export", "rules"}
    assert auth.pages_for("录入") == {"home", "rank", "unit", "commend", "export", "upload", "review", "rules"}
    assert auth.pages_for("管理") == {"home", "rank", "unit", "commend", "upload", "review", "rules", "admin", "export"}
    assert auth.pages_for("单位") == {"home", "rank", "unit", "review"}
    assert auth.pages_for("黑客") == set()


ALLOWED = {
    "查看": {"view", "export", "trial", "contacts"},
    "录入": {"view", "export", "import", "correct", "undo", "waive", "publish", "trial", "contacts"},
    "管理": set(auth.ACTIONS) - {"request"},  # a unit asks; the office corrects directly
    "单位": {"view", "request", "contacts"},
}


@pytest.mark.parametrize("role", auth.ROLES)
def test_actions_per_role(role):
    user = User("某人", role, 1 if role == "单位" else None)
    for action in auth.ACTIONS:
        assert auth.can(user, action) == (action in ALLOWED[role]), (role, action)
        if action in ALLOWED[role]:
            auth.require(user, action)
        else:
            with pytest.raises(PermissionError, match="无权"):
                auth.require(user, action)


def test_no_user_no_rights():
    assert not auth.can(None, "view")
    with pytest.raises(PermissionError, match="请先登录"):
        auth.require(None, "import")
    with pytest.raises(ValueError):
        auth.can(User("x", "管理"), "fly")


@pytest.mark.parametrize("role", ["查看", "录入", "单位"])
def test_only_admins_manage_accounts_and_settings(store, admin, role):
    user = auth.add_user(store, admin, "某人", "password-1", role, 1 if role == "单位" else None)
    for call in (lambda: auth.add_user(store, user, "新人", "password-2", "管理"),
                 lambda: auth.set_role(store, user, "某人", "管理"),
                 lambda: auth.set_disabled(store, user, "管理员", True),
                 lambda: auth.set_password(store, user, "管理员", "password-3"),
                 lambda: auth.set_kiosk(store, user, True)):
        with pytest.raises(PermissionError, match="无权"):
            call()
    assert store.user_record("某人")["role"] == role and not auth.kiosk_enabled(store)


def test_only_logged_in_users_or_trusted_callers_may_act(store, admin):
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class StandIn:  # what a page might hold when nobody is logged in
        name: str = "管理员"
        role: str = "管理"

    for actor in ("", "  ", "命令行:", StandIn(), None):
        with pytest.raises(PermissionError):
            auth.add_user(store, actor, "新人", "password-2", "管理")
        with pytest.raises(PermissionError):
            auth.set_kiosk(store, actor, True)
    assert store.user_count() == 1 and not auth.kiosk_enabled(store)


def test_kiosk_switch(store, admin):
    assert auth.kiosk_enabled(store) is False
    version = store.data_version()
    auth.set_kiosk(store, admin, True)
    assert auth.kiosk_enabled(store) is True and store.data_version() != version
    auth.set_kiosk(store, CLI, False)
    assert auth.kiosk_enabled(store) is False


# -- the command line ---------------------------------------------------------------------------
def test_cli_creates_the_first_admin(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "k.duckdb")
    assert main(["init", "--profile", "磴口", "--db", db]) == 0
    monkeypatch.setenv("SCORING_PASSWORD", "第一个管理员密码")
    assert main(["user", "add", "admin", "--role", "管理", "--db", db]) == 0
    monkeypatch.delenv("SCORING_PASSWORD")
    assert main(["user", "add", "教育局", "--role", "单位", "--unit", "教育局", "--password", "password-1",
                 "--db", db]) == 0
    assert main(["user", "add", "x", "--role", "单位", "--password", "password-1", "--db", db]) == 2
    assert main(["user", "add", "x", "--role", "查看", "--password", "short", "--db", db]) == 2
    assert "密码至少 8 位" in capsys.readouterr().err
    store = Store(db)
    assert auth.login(store, "admin", "第一个管理员密码").role == "管理"
    assert store.audit_log()["who"].to_list()[-1] == cli_user()
    assert main(["user", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("用户名,角色") and "admin" in out and "argon2" not in out
    assert main(["user", "passwd", "admin", "--password", "另一个管理员密码", "--db", db]) == 0
    assert main(["user", "disable", "教育局", "--db", db]) == 0
    assert main(["user", "disable", "admin", "--db", db]) == 2  # the last admin
    assert "至少须保留" in capsys.readouterr().err
    assert main(["kiosk", "on", "--db", db]) == 0
    assert auth.kiosk_enabled(store)
    assert auth.login(store, "admin", "另一个管理员密码").name == "admin"


def test_cli_prompts_twice_for_the_password(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "k.duckdb")
    assert main(["init", "--profile", "磴口", "--db", db]) == 0
    monkeypatch.delenv("SCORING_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["password-1", "password-2"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["user", "add", "a", "--role", "管理", "--db", db]) == 2
    assert "两次输入的密码不一致" in capsys.readouterr().err
    answers = iter(["password-1", "password-1"])
    assert main(["user", "add", "a", "--role", "管理", "--db", db]) == 0


def test_cli_without_a_terminal_or_password_says_how(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SCORING_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["init", "--profile", "磴口", "--db", str(tmp_path / "k.duckdb")]) == 0
    assert main(["user", "add", "a", "--role", "管理", "--db", str(tmp_path / "k.duckdb")]) == 2
    assert "SCORING_PASSWORD" in capsys.readouterr().err


# -- the publish right in the dashboard ---------------------------------------------------------
@pytest.mark.parametrize("role, may, moved", [("查看", False, False), ("录入", True, False), ("管理", True, False),
                                             ("查看", True, True), ("录入", False, True)])
def test_the_publish_form_follows_the_publish_right(demo_template, monkeypatch, role, may, moved):
    """Publishing has its own right: moving it in auth alone (here to 查看, away from 录入, which
    keeps its import right) moves the form."""
    from streamlit.testing.v1 import AppTest

    from dashboard_fixtures import ROOT

    if moved:
        monkeypatch.setitem(auth._CAN, "查看", auth._CAN["查看"] | {"publish"})
        monkeypatch.setitem(auth._CAN, "录入", auth._CAN["录入"] - {"publish"})
    monkeypatch.setenv("SCORING_DB", str(demo_template))
    at = AppTest.from_file(str(ROOT / "pages" / "export.py"), default_timeout=60)
    at.session_state["user"] = User("测试管理员" if role == "管理" else f"测试{role}", role, None)
    at.run()
    assert not at.exception
    assert any(b.label == "发布" for b in at.button) == may
    assert any("发布通报需要录入或管理权限" in c.value for c in at.caption) == (not may)
