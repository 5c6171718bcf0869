"""Accounts, roles and the kiosk switch. No streamlit here; all SQL in store/users.py.

Roles: 查看 browses, exports and saves what-ifs (试算方案: they change no score); 录入 also
imports, corrects (accepting or rejecting a unit's 更正申请 included), undoes, waives and
publishes a 通报 (freezes a period's figures as issued: whoever keeps the register prepares the
通报, so the right goes with data entry, but it is its own action and can be moved in _CAN
alone); 管理 may do everything else too (users, rule versions, units, settings, backups); 单位 is
a unit's own account that sees its own records and the published rankings, confirms its records
or asks for a correction (`request`, its alone: the office corrects directly).

Dashboard sign-ins are server-side sessions (scoring/accounts/sessions.py) tied to the account's
credential version, which a password reset, disabling the account and a role change move on.

Every write function here checks the actor itself. An actor is either a signed-in `User` (its
role is checked against the database at the time of the call, so a disabled account cannot go
on acting from an old session) or a string naming a trusted caller without a login — the command line, `命令行:<os user>`
(scoring.cli.cli_user), or a script — which acts as an admin and is recorded as given. Pages
must pass the User object, never a name.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from scoring.accounts import registry, throttle
from scoring.accounts.registry import ROLES

ACTIONS = ("view", "export", "import", "correct", "undo", "waive", "publish", "rules", "units",
           "settings", "users", "backup", "request", "trial", "contacts")
ACTION_NAMES = {"view": "查看", "export": "导出", "import": "导入", "correct": "更正事件",
                "undo": "撤销导入", "waive": "豁免", "publish": "发布通报", "rules": "修改规则版本", "units": "管理单位",
                "settings": "修改设置", "users": "管理账号", "backup": "备份与恢复",
                "request": "核对本单位记录、提交更正申请", "trial": "保存试算方案",
                "contacts": "查看各单位负责人和联系人"}

MAX_FAILURES = 5                  # consecutive wrong passwords before the account locks
LOCK_MINUTES = 15
MIN_PASSWORD = 8
MAX_PASSWORD = 256                # argon2 has no limit; this one keeps a pasted novel out
MAX_NAME = 64
TRUSTED_PREFIX = "命令行:"      # scoring.cli.cli_user(): how the command line is recorded

_CAN = {
    "查看": {"view", "export", "trial", "contacts"},
    "录入": {"view", "export", "import", "correct", "undo", "waive", "publish", "trial", "contacts"},
    "管理": set(ACTIONS) - {"request"},
    "单位": {"view", "request", "contacts"},  # its own unit's: the only one it sees
}

_hasher = PasswordHasher()
_dummy_hash: str | None = None


@dataclass(frozen=True)
class User:
    name: str
    role: str
    unit_id: int | None = None


class AuthError(Exception):
    """A login or account change refused; the message is for the user (Chinese)."""


# -- permissions --------------------------------------------------------------------------------
def pages_for(role: str) -> set[str]:
    """Page keys a role may open (the navigation shows only these)."""
    return {p.key for p in registry.PAGES if role in p.roles}


def can(user, action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"未知操作 {action}")
    role = getattr(user, "role", None)
    return action in _CAN.get(role, set())


def require(user, action: str) -> None:
    """PermissionError (Chinese message) unless the user's role allows the action."""
    if can(user, action):
        return
    what = ACTION_NAMES.get(action, action)
    if user is None:
        raise PermissionError(f"请先登录后再{what}")
    raise PermissionError(f"当前账号“{getattr(user, 'name', '')}”（角色：{getattr(user, 'role', '无')}）"
                          f"无权{what}，请联系管理员")


def unit_scope(user) -> int | None:
    """The only unit a 单位 account may see; None means every unit."""
    return getattr(user, "unit_id", None) if getattr(user, "role", None) == "单位" else None


# -- login --------------------------------------------------------------------------------------
CLIENTS = throttle.ClientThrottle()     # per address (the dashboard passes the browser's)
FLOOD = throttle.GlobalThrottle()       # the whole server: slows, never refuses
HASH_SLOTS = throttle.HashSlots()       # argon2 checks at once (~64 MiB each)
PHANTOMS = throttle.PhantomLocks()      # the lock-out for names without an account
STALE_GUESS = timedelta(minutes=2)      # a reservation older than this was left by a crashed process
WRONG = "用户名或密码错误"
BUSY = "登录尝试过于频繁，请稍后再试"


def login(store, name: str, password: str, client: str | None = None) -> User:
    """The account for a name and password, or AuthError. Every attempt is audited.

    `client` is the caller's address (the dashboard's browser); it is throttled after repeated
    failures. None (a script or test calling directly) skips only that throttle.
    """
    name = (name or "").strip()
    if not name:
        raise AuthError("请输入用户名")
    if client is not None:
        wait = CLIENTS.begin(client)
        if wait:
            store.record_login(name[:MAX_NAME], f"来自 {client[:60]} 的失败登录过多，暂缓受理")
            FLOOD.failed()
            raise AuthError(f"登录失败次数过多，请 {math.ceil(wait)} 秒后再试")
    failed = True
    try:
        user = _login(store, name, password or "")
        failed = False
        return user
    finally:
        if client is not None:
            CLIENTS.end(client, failed)
        if failed:
            FLOOD.failed()


def _login(store, name: str, password: str) -> User:
    if len(name) > MAX_NAME:
        store.record_login(name[:MAX_NAME], "用户名过长")
        raise AuthError(WRONG)
    pause = FLOOD.pause()
    if pause:
        time.sleep(pause)
    now = datetime.now().replace(microsecond=0)
    lock_until = now + timedelta(minutes=LOCK_MINUTES)
    # The check is reserved in the same transaction that reads the lock-out, so parallel attempts
    # cannot run more password checks than MAX_FAILURES allows.
    begun = store.login_begin(name, now, MAX_FAILURES, now - STALE_GUESS)
    if begun["status"] == "none":
        _no_such_account(store, name, password, now, lock_until)
    if begun["status"] == "locked":
        raise AuthError(_locked_message(begun["until"]))
    if begun["status"] == "busy":
        raise AuthError(BUSY)
    record = begun["record"]
    outcome, detail, rehash = "refused", "核对未完成", None
    try:
        if not password or not _check(record["password_hash"], password):
            outcome = "wrong"
        elif record["disabled"]:
            detail = "账号已停用"
        elif record["role"] not in ROLES:
            detail = f"角色无效：{record['role']}"
        else:
            outcome, detail = "ok", f"角色 {record['role']}"
            rehash = _hasher.hash(password) if _needs_rehash(record["password_hash"]) else None
    finally:
        settled = store.login_end(name, outcome, detail, now, MAX_FAILURES, lock_until, password_hash=rehash)
    if outcome == "wrong":
        raise AuthError(_locked_message(settled["locked_until"]) if settled["locked_until"] else WRONG)
    if outcome == "refused":
        raise AuthError("账号已停用，请联系管理员" if record["disabled"] else "账号的角色无效，请联系管理员")
    if not settled["ok"]:  # a lock-out set meanwhile stays in force: a success never lifts it
        raise AuthError(_locked_message(settled["locked_until"]))
    return User(name, record["role"], record["unit_id"])


def _no_such_account(store, name: str, password: str, now: datetime, lock_until: datetime) -> None:
    """Refuse a name without an account the way an account is refused: the same work (one
    argon2 check) and the same words, "locked" included, so names cannot be told apart."""
    if store.user_count() == 0:
        _check(_dummy(), password)
        store.record_login(name, "系统尚无任何账号")
        raise AuthError("系统尚未创建任何账号。请管理员在服务器上运行："
                        "python -m scoring user add 用户名 --role 管理 --db 数据库文件")
    status, until = PHANTOMS.begin(name, now, MAX_FAILURES)
    store.record_login(name, "账号不存在")
    if status == "locked":
        raise AuthError(_locked_message(until))
    if status == "busy":
        raise AuthError(BUSY)
    try:
        _check(_dummy(), password)
    except AuthError:  # no hash slot came free: not a guess, as for an account
        PHANTOMS.end(name, MAX_FAILURES, lock_until, counted=False)
        raise
    locked = PHANTOMS.end(name, MAX_FAILURES, lock_until)
    raise AuthError(_locked_message(locked) if locked else WRONG)


def refresh(store, user) -> User | None:
    """The user as the database has it now; None when the account is gone or disabled.

    The dashboard calls this on each run so a change by an admin takes effect at once.
    """
    if not isinstance(user, User):
        return None
    record = store.user_record(user.name)
    if record is None or record["disabled"] or record["role"] not in ROLES:
        return None
    return User(record["name"], record["role"], record["unit_id"])


def _locked_message(until: datetime) -> str:
    return (f"密码连续输错 {MAX_FAILURES} 次，账号已锁定至 {until:%H:%M}（{LOCK_MINUTES} 分钟），"
            "请稍后再试，或请管理员重置密码")


def _check(password_hash: str, password: str) -> bool:
    """_verify within a hash slot: a flood of logins queues instead of eating the memory."""
    try:
        with HASH_SLOTS.slot():
            return _verify(password_hash, password)
    except throttle.Busy:
        raise AuthError(BUSY) from None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return False


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("不存在的账号-dummy")
    return _dummy_hash


# -- account management -------------------------------------------------------------------------
def add_user(store, actor: User | str, name: str, password: str, role: str, unit_id: int | None = None) -> User:
    who = _actor(store, actor, "users")
    name = _check_name(name)
    _check_password(password)
    role, unit_id = _check_role(store, role, unit_id)
    store.insert_user(name, _hasher.hash(password), role, unit_id, who)
    return User(name, role, unit_id)


def list_users(store) -> pl.DataFrame:
    """用户名 角色 单位编号 单位 状态 连续失败次数 锁定至 创建时间 (never the hashes)."""
    return store.users_frame()


def set_password(store, actor: User | str, name: str, password: str, old_password: str | None = None) -> None:
    """An admin (or the command line) sets anyone's password, which also lifts a lock-out;
    any signed-in user may change their own by giving the old one."""
    own = isinstance(actor, User) and actor.name == name and not can(actor, "users")
    if own:
        who = _actor(store, actor, "view")
        record = store.user_record(name)
        if record is None or not old_password or not _check(record["password_hash"], old_password):
            raise AuthError("原密码不正确")
    else:
        who = _actor(store, actor, "users")
    _check_password(password)
    if store.user_record(name) is None:
        raise AuthError(f"没有账号“{name}”")
    store.update_user(name, who, "修改密码", {"方式": "本人修改" if own else "管理员重置"},
                      password_hash=_hasher.hash(password), failed=0, locked_until=None)


def set_disabled(store, actor: User | str, name: str, disabled: bool) -> None:
    who = _actor(store, actor, "users")
    record = store.user_record(name)
    if record is None:
        raise AuthError(f"没有账号“{name}”")
    if disabled and record["role"] == "管理" and not record["disabled"]:
        _keep_an_admin(store)
    store.update_user(name, who, "停用账号" if disabled else "启用账号", {"停用": bool(disabled)},
                      disabled=bool(disabled), **({} if disabled else {"failed": 0, "locked_until": None}))


def set_role(store, actor: User | str, name: str, role: str, unit_id: int | None = None) -> None:
    who = _actor(store, actor, "users")
    record = store.user_record(name)
    if record is None:
        raise AuthError(f"没有账号“{name}”")
    role, unit_id = _check_role(store, role, unit_id)
    if record["role"] == "管理" and role != "管理" and not record["disabled"]:
        _keep_an_admin(store)
    store.update_user(name, who, "修改角色", {"原角色": record["role"], "新角色": role, "单位编号": unit_id},
                      role=role, unit_id=unit_id)


def _keep_an_admin(store) -> None:
    if store.user_count("管理", enabled_only=True) <= 1:
        raise AuthError("至少须保留一个可用的管理账号")


def _actor(store, actor, action: str) -> str:
    """The name to audit, after checking the actor may do the action.

    Two kinds of actor: a `User` that login() returned (checked against the database now), or a
    string naming a trusted caller without a login — the command line, cli_user() = 命令行:<os user>,
    or a script — which acts as an admin and is recorded as given. Pages must pass the User, never
    a name. Anything else (a stand-in guest object, None) is refused.
    """
    if isinstance(actor, str):
        if not actor.strip() or actor.strip() == TRUSTED_PREFIX:
            raise PermissionError("未指明操作人")
        return actor
    if not isinstance(actor, User):
        raise PermissionError("请先登录")
    current = refresh(store, actor)
    if current is None:
        raise PermissionError(f"账号“{actor.name}”已停用或不存在，请重新登录")
    require(current, action)
    return current.name


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise AuthError("用户名不能为空")
    if len(name) > MAX_NAME:
        raise AuthError(f"用户名不超过 {MAX_NAME} 个字")
    if any(ord(ch) < 32 or ch in "\x7f" for ch in name):
        raise AuthError("用户名不能包含控制字符")
    return name


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AuthError(f"密码至少 {MIN_PASSWORD} 位")
    if len(password) > MAX_PASSWORD:
        raise AuthError(f"密码不超过 {MAX_PASSWORD} 位")
    if not password.strip():
        raise AuthError("密码不能全是空格")


def _check_role(store, role: str, unit_id: int | None) -> tuple[str, int | None]:
    if role not in ROLES:
        raise AuthError(f"角色应为 {'、'.join(ROLES)} 之一")
    if role == "单位":
        if unit_id is None:
            raise AuthError("角色为“单位”的账号须指定所属单位")
        unit_id = int(unit_id)
        if unit_id not in {u.id for u in store.unit_book().units}:
            raise AuthError(f"没有编号为 {unit_id} 的单位")
        return role, unit_id
    return role, None


# -- kiosk (read-only without login) ------------------------------------------------------------
KIOSK_KEY = "kiosk"


def kiosk_enabled(store) -> bool:
    return store.meta_value(KIOSK_KEY) == "on"


def set_kiosk(store, actor: User | str, on: bool) -> None:
    """Let anyone open the dashboard read-only (role 查看) without logging in, e.g. a lobby screen."""
    who = _actor(store, actor, "settings")
    store.set_meta_value(KIOSK_KEY, "on" if on else "off", who, "开启免登录只读模式" if on else "关闭免登录只读模式",
                         {"免登录只读": bool(on)})
