"""Who is using the dashboard, what they may do, and the frame every page runs in: the signed-in
account (its server-side session checked on every run, carried across a refresh or a new tab by
an HttpOnly cookie that the server sets: web/signin.py), the kiosk guest, role checks before
every write, and the page guard that turns an unexpected error into a Chinese sentence.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

import streamlit as st

from scoring.accounts import auth, registry, sessions
from scoring.store import StoreBusy
from web import signin

from ._data import _store, db_path, store, version

log = logging.getLogger("scoring.dashboard")
ERROR_TEXT = ("抱歉，页面出现意外错误，详细信息已记录在服务器日志中。"
              "请刷新页面重试；如问题持续，请联系系统管理员。")
_WRITE_LOCK = threading.Lock()  # writes from all sessions of this server, one at a time


READ_ACTIONS = frozenset({"view", "export"})


@dataclass(frozen=True)
class Guest:
    """The visitor of a kiosk screen (免登录只读模式): read-only, role 查看, and no account.

    Deliberately not an auth.User: auth's write functions refuse anything but a signed-in User,
    and a guest can never be mistaken for (or refreshed into) a real account of the same name.
    """
    name: str = "访客（只读）"
    role: str = "查看"
    unit_id: int | None = None


GUEST = Guest()


@st.cache_data(ttl=5, show_spinner=False)
def _kiosk(path: str, data_version: str) -> bool:
    try:
        return auth.kiosk_enabled(_store(path))
    except StoreBusy:
        raise
    except Exception:  # noqa: BLE001 - a broken kiosk check must not open the dashboard
        log.exception("检查免登录只读模式失败")
        return False


TOKEN = "session_token"   # session_state key of this browser session's sign-in
COOKIE_WRITE = "session_cookie_write"  # (method, one-time code) the next run hands to the browser
ENDED_NOTE = ("登录已失效（已在其他标签页退出、密码已重置、账号已停用或角色已更改、长时间未操作，"
              "或登录已超过最长天数），请重新登录。")


RUN_USER = "session_run_user"  # session_state: who this script run found (begin_run forgets it)
_BEGUN = "session_run_begun"    # app.py began this run: the page it runs keeps what app.py found


def begin_run(page: bool = False) -> None:
    """Start of a script run: the next user() reads the sign-in from the database again. app.py
    calls it first; run_page too (`page`), which matters only for a page run on its own."""
    if page and st.session_state.pop(_BEGUN, False):
        return
    st.session_state.pop(RUN_USER, None)
    st.session_state[_BEGUN] = not page


def user():
    """The signed-in auth.User; the read-only GUEST when kiosk mode is on and nobody is signed
    in; None otherwise (app.py then shows the login form).

    Checked against the database once per script run, never across runs: a sign-out in another
    tab, a reset, a disabled account or the idle limit ends this session at its next click.
    """
    if RUN_USER not in st.session_state:
        st.session_state[RUN_USER] = _signed_in_now()
    return st.session_state[RUN_USER]


def _signed_in_now():
    """user(), read from the database.

    A signed-in browser session holds a token whose server-side session is checked on every run;
    a new browser session (a refresh, a new tab, a copied link) resumes from the cookie. A user
    placed in the session by code without a token (tests, the page benchmark) is re-read from
    the database instead; every sign-in through the form has a token.
    """
    token = st.session_state.get(TOKEN)
    if token is None and "user" not in st.session_state and not st.session_state.get("cookie_tried"):
        st.session_state["cookie_tried"] = True  # once per browser session
        token = _cookie()
        if token and sessions.resume(store(), token) is not None:
            st.session_state[TOKEN] = token
            _cookie_request("POST", token)  # a fresh Max-Age: idle time counts from now
        elif token:
            _forget(ENDED_NOTE, token)  # the cookie outlived its session: say so, and clear it
            token = None
    if token is not None:
        fresh = sessions.resume(store(), token) if isinstance(token, str) else None
        if fresh is None:
            _forget(ENDED_NOTE, token)
            return GUEST if _kiosk(db_path(), version()) else None
        st.session_state["user"] = fresh
        return fresh
    found = st.session_state.get("user")
    if isinstance(found, auth.User):
        fresh = auth.refresh(store(), found)
        if fresh is None:
            _forget("账号已停用或已删除，请重新登录。", None)
            return None
        if fresh != found:
            st.session_state["user"] = fresh
        return fresh
    if found is not None:  # anything else in the session is no account
        st.session_state.pop("user", None)
    return GUEST if _kiosk(db_path(), version()) else None


def _cookie() -> str | None:
    """The sign-in cookie this browser sent when the session opened (its websocket handshake)."""
    try:
        value = st.context.cookies.get(signin.cookie_name(st.context.headers.get("Host")))
    except Exception:  # noqa: BLE001 - no browser connection (AppTest): no cookie
        return None
    return value if isinstance(value, str) else None


def client_address() -> str:
    """The browser's address for the login throttle. Behind a reverse proxy on this machine the
    server already takes it from X-Forwarded-For (uvicorn trusts 127.0.0.1; set FORWARDED_ALLOW_IPS
    for a proxy elsewhere); None means a browser on this machine."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no browser connection (AppTest)
        address = None
    return address if isinstance(address, str) and address else "本机"


def sign_in(name: str, password: str) -> auth.User:
    """auth.login for this browser (throttled by its address), then a server-side session; the
    next run hands the browser a one-time code for its cookie (write_cookie). AuthError (Chinese)
    when refused."""
    found = auth.login(store(), name, password, client=client_address())
    _adopt(found)
    st.session_state.pop("login_note", None)
    return found


def _adopt(user: auth.User) -> None:
    """This browser session signed in as `user` under a new server-side session."""
    token = sessions.start(store(), user, client_address())
    st.session_state.pop(RUN_USER, None)
    st.session_state["user"], st.session_state[TOKEN] = user, token
    _cookie_request("POST", token)


def sign_out() -> None:
    """End the session on the server (whatever the browser keeps) and clear the cookie."""
    token = st.session_state.get(TOKEN)
    sessions.end(store(), token)
    _forget(None, token)


def _forget(note: str | None, token: str | None) -> None:
    st.session_state.pop(RUN_USER, None)
    st.session_state.pop("user", None)
    st.session_state.pop(TOKEN, None)
    if isinstance(token, str):
        _cookie_request("DELETE", token)
    if note:
        st.session_state["login_note"] = note


def _cookie_request(method: str, token: str) -> None:
    """Ask the next run to have the browser set (POST) or clear (DELETE) the cookie of `token`."""
    st.session_state[COOKIE_WRITE] = (method, signin.offer(token))


def write_cookie() -> None:
    """Hand the browser the one-time code the last run asked for: a one-line script in this page
    sends it to the server's cookie route, which sets or clears the HttpOnly, SameSite=Strict
    cookie (web/signin.py). The token itself never reaches the page."""
    request = st.session_state.pop(COOKIE_WRITE, None)
    if request is not None:
        st.html(signin.script(*request), unsafe_allow_javascript=True)


def signed_in() -> bool:
    return isinstance(user(), auth.User)


def who() -> str:
    """The signed-in account's name, for the audit trail of a write (never a guest's)."""
    current = user()
    if not isinstance(current, auth.User):
        raise PermissionError("免登录只读模式下不能修改数据，请先登录" if isinstance(current, Guest) else "请先登录")
    return current.name


def can(action: str) -> bool:
    """May the current user do this auth action (import, correct, waive, rules, units …)?
    A kiosk guest may only view and export; nobody signed in may do nothing."""
    current = user()
    if current is None:
        return False
    if not isinstance(current, auth.User) and action not in READ_ACTIONS:
        return False
    return auth.can(current, action)


def unit_scope() -> int | None:
    """The one unit a 单位 account may see; None = every unit."""
    current = user()
    scope = auth.unit_scope(current)
    if scope is None and getattr(current, "role", None) == "单位":
        raise PermissionError("该单位账号未指定所属单位，请联系管理员")
    return scope


def allowed_pages() -> set[str]:
    current = user()
    if current is None:
        return set()
    return auth.pages_for(current.role) | {registry.HOME}


def renew(fresh: auth.User) -> None:
    """Keep this tab signed in as `fresh` under a new session: after the account's own password
    change, which ended every session of the account, this one included."""
    _adopt(fresh)
    write_cookie()  # now: a reload before the next click finds the new cookie


class SessionEnded(PermissionError):
    """The sign-in that drew the page has ended (signed out, reset, disabled, idle, too old)."""


def live_check(action: str) -> Callable[[], auth.User | Guest]:
    """Who this browser session acts as, bound now, as a check to run at the moment the action
    itself runs — a write, or a download made when its button is clicked, which Streamlit runs
    outside the script run (no session state there).

    The check reads the sign-in from the database again and returns the account as it is then,
    after auth.require(account, action); it raises SessionEnded when the session has ended since
    (signed out in another tab, password reset, account disabled or changed, idle limit, lifetime)
    and PermissionError when the role may not do the action. A kiosk visitor may only view and
    export, and only while kiosk mode stays on. The one wrapper every write and download uses.
    """
    current = user()
    s = store()
    if isinstance(current, Guest):
        if action not in READ_ACTIONS:
            raise PermissionError("免登录只读模式下不能修改数据，请先登录")

        def guest() -> Guest:
            if not auth.kiosk_enabled(s):
                raise SessionEnded("免登录只读模式已关闭，请先登录")
            return current
        return guest
    if not isinstance(current, auth.User):
        raise PermissionError("请先登录")
    token = st.session_state.get(TOKEN)

    def check() -> auth.User:
        fresh = sessions.resume(s, token) if token else auth.refresh(s, current)
        if fresh is None:
            raise SessionEnded("登录已失效或账号已停用，请重新登录")
        auth.require(fresh, action)
        return fresh
    return check


def acting_user(action: str):
    """The signed-in account, re-read from the database now, after auth.require(user, action).

    PermissionError (Chinese) for a kiosk visitor, nobody signed in, an ended session or a role
    that may not do the action. Every write goes through here (`write`), not only hidden buttons;
    downloads check at the click itself (`download`).
    """
    try:
        return live_check(action)()
    except SessionEnded:
        token = st.session_state.get(TOKEN)
        _forget(ENDED_NOTE if token else None, token)
        raise


def write(action: str, fn: Callable, *args, **kwargs):
    """Run a store write (serialised within this server); the write moves the data version on,
    which makes every kept view stale.

    `action` is the auth action it needs (import, correct, undo, waive, rules, units, settings,
    users, backup); the role is checked again here against the database, not only by hiding buttons.
    """
    actor = acting_user(action)
    with _WRITE_LOCK:
        result = fn(*args, **kwargs)
    log.info("%s: %s %s", actor.name, action, getattr(fn, "__name__", fn))
    return result


def download(action: str, fn: Callable[..., bytes], *args, audit_as: str | None = None,
             **kwargs) -> Callable[[], bytes]:
    """A download button's data: fn(*args, **kwargs), made when the button is clicked, and only
    if the sign-in that drew the button is still live then and may do `action` (live_check):
    a stale tab — signed out elsewhere, reset, disabled, idle — gets nothing. `audit_as` names
    the keyword through which fn learns who downloads (the backup records it in the audit log)."""
    check = live_check(action)

    def make() -> bytes:
        actor = check()
        data = fn(*args, **kwargs, **({audit_as: actor.name} if audit_as else {}))
        log.info("%s: %s download %s (%d bytes)", actor.name, action, getattr(fn, "__name__", fn), len(data))
        return data
    return make


def restore_backup(data: bytes):
    """Replace the database's contents with an uploaded backup (role 管理; audited).
    Returns where the previous database was kept; BackupError for a file that is no backup."""
    from scoring.backup import restore_from

    actor = acting_user("backup")
    try:
        return write("backup", restore_from, db_path(), data, who=actor.name)
    finally:
        _kiosk.clear()  # the kiosk switch comes from the backup now


def _rerun_through_app() -> None:
    """Run app.py again if Streamlit ran this page file on its own.

    A project with a pages/ folder starts in Streamlit's old multipage mode: until app.py has once
    called st.navigation in this server process, an address such as /unit runs pages/unit.py
    directly — no login form, no navigation, the helper modules listed as pages. That happens
    when a server's first visitor opens a copied link. Leaving that mode is what st.navigation
    itself does; the rerun then goes through app.py to the same page and query. (AppTest resets
    the mode before every run on purpose and drives page files directly: left alone there.)
    """
    from streamlit import config
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and not config.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()


def no_right() -> None:
    """What a page the current role may not open shows instead (by address or by the guard)."""
    st.error("当前账号无权打开此页面。" if signed_in() else "免登录只读模式下不能打开此页面，请先登录。",
             icon=":material/lock:")


def run_page(body: Callable[[], None], page: str | None = None) -> None:
    """Run a page body; an unexpected error shows a Chinese message and goes to the log.

    `page` (a scoring.accounts.registry key) is checked against the user's role here too, not only by the
    navigation: nobody signed in, or a role without the page, sees a message instead.
    """
    _rerun_through_app()
    begin_run(page=True)
    try:
        if user() is None:
            st.warning(st.session_state.pop("login_note", None) or "请先登录。", icon=":material/lock:")
            return
        if page is not None and page not in allowed_pages():
            no_right()
            return
        body()
    except StoreBusy as e:
        st.warning(f"数据库正忙：{e}")
    except PermissionError as e:
        st.error(str(e), icon=":material/lock:")
    except Exception:  # noqa: BLE001 - the user gets a sentence, the log the traceback
        log.exception("页面出错")
        st.error(ERROR_TEXT, icon=":material/warning:")


