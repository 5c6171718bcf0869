"""What every dashboard page shares: the store and engine (opened per operation, reads cached by
the store's data version), the signed-in user, the period picker, chart styling, number formats
and the error guard. Pages import this module; scoring/ never imports streamlit.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from scoring import auth, views
from scoring.engine import Engine, today_in
from scoring.periods import Period
from scoring.store import Store, StoreBusy

log = logging.getLogger("scoring.dashboard")
ROOT = Path(__file__).resolve().parent.parent
FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
GROUP_COLORS = {"A": "#1f77b4", "B": "#2ca02c", "C": "#ff7f0e"}
TIER_COLORS = {"市级": "#4c78a8", "自治区级": "#f58518", "国家级": "#e45756", "批示加分": "#72b7b2",
               "约稿·线索·调研": "#54a24b", "扣分": "#9d755d"}
ERROR_TEXT = ("抱歉，页面出现意外错误，详细信息已记录在服务器日志中。"
              "请刷新页面重试；如问题持续，请联系系统管理员。")
PAGE_FILES = {"home": "pages/home.py", "rank": "pages/rank.py", "unit": "pages/unit.py",
              "commend": "pages/commend.py", "upload": "pages/upload.py", "rules": "pages/rules.py",
              "admin": "pages/admin.py", "export": "pages/export.py"}
_WRITE_LOCK = threading.Lock()  # writes from all sessions of this server, one at a time


# --------------------------------------------------------------------------------------------
# Store, engine and cached views
# --------------------------------------------------------------------------------------------
def db_path() -> str:
    return os.environ.get("SCORING_DB") or str(ROOT / "data" / "demo.duckdb")


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    # A Store object holds no connection: each of its methods opens the file and closes it again.
    return Store(path)


def store() -> Store:
    return _store(db_path())


@st.cache_data(ttl=1.0, show_spinner=False)
def _version(path: str) -> str:
    """The store's data version, re-read at most once a second (imports from the CLI show up)."""
    return _store(path).data_version()


def version() -> str:
    return _version(db_path())


@st.cache_resource(max_entries=3, show_spinner=False)
def _engine(path: str, data_version: str, today: date) -> Engine:
    return Engine.open(_store(path))


def engine() -> Engine:
    return _engine(db_path(), version(), today_in("Asia/Shanghai"))


@st.cache_data(max_entries=256, show_spinner=False)
def _view(path: str, data_version: str, today: date, name: str, args: tuple, kwargs: tuple):
    return getattr(views, name)(_engine(path, data_version, today), *args, **dict(kwargs))


def view(name: str, *args, **kwargs):
    """views.<name>(engine, *args), cached until the data changes."""
    return _view(db_path(), version(), today_in("Asia/Shanghai"), name, args, tuple(sorted(kwargs.items())))


@st.cache_data(max_entries=64, show_spinner=False)
def _store_view(path: str, data_version: str, name: str, args: tuple):
    return getattr(views, name)(_store(path), *args)


def store_view(name: str, *args):
    """views.<name>(store, *args), cached until the data changes."""
    return _store_view(db_path(), version(), name, args)


def acting_user(action: str):
    """The signed-in account, re-read from the database now, after auth.require(user, action).

    PermissionError (Chinese) for a kiosk visitor, nobody signed in, a disabled account or a role
    that may not do the action. Every write and the backup go through here, not only hidden buttons.
    """
    current = user()
    if isinstance(current, Guest):
        raise PermissionError("免登录只读模式下不能修改数据，请先登录")
    if not isinstance(current, auth.User):
        raise PermissionError("请先登录")
    fresh = auth.refresh(store(), current)
    if fresh is None:
        st.session_state.pop("user", None)
        raise PermissionError("账号已停用或不存在，请重新登录")
    auth.require(fresh, action)
    return fresh


def write(action: str, fn: Callable, *args, **kwargs):
    """Run a store write (serialised within this server) and make every cached read stale.

    `action` is the auth action it needs (import, correct, undo, waive, rules, units, settings,
    users, backup); the role is checked again here against the database, not only by hiding buttons.
    """
    actor = acting_user(action)
    with _WRITE_LOCK:
        result = fn(*args, **kwargs)
    _version.clear()
    log.info("%s: %s %s", actor.name, action, getattr(fn, "__name__", fn))
    return result


def backup_download(actor) -> Callable[[], bytes]:
    """The download button's data: a callable that makes a consistent snapshot when clicked.

    Streamlit runs it outside the script run (no session state there), so the signed-in account
    is bound now and checked again against the database, after auth.require(user, "backup"),
    when the snapshot is made; the download is audited under that account's name.
    """
    from scoring.backup import backup_bytes

    if not isinstance(actor, auth.User):
        raise PermissionError("请先登录")
    auth.require(actor, "backup")
    s = store()

    def snapshot() -> bytes:
        fresh = auth.refresh(s, actor)
        if fresh is None:
            raise PermissionError("账号已停用或不存在，请重新登录")
        auth.require(fresh, "backup")
        data = backup_bytes(s, who=fresh.name)
        log.info("%s: backup download (%d bytes)", fresh.name, len(data))
        return data

    return snapshot


def restore_backup(data: bytes):
    """Replace the database's contents with an uploaded backup (role 管理; audited).
    Returns where the previous database was kept; BackupError for a file that is no backup."""
    from scoring.backup import restore_from

    actor = acting_user("backup")
    try:
        return write("backup", restore_from, db_path(), data, who=actor.name)
    finally:
        _refreshed.clear()  # the accounts and the kiosk switch come from the backup now
        _kiosk.clear()


def today() -> date:
    return today_in("Asia/Shanghai")


# --------------------------------------------------------------------------------------------
# The signed-in user
# --------------------------------------------------------------------------------------------
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
def _refreshed(path: str, name: str, role: str, unit_id):
    """The account as the database has it now (re-read at most every 5 s): a disabled account or
    a changed role takes effect without a new login. Writes check again, uncached."""
    return auth.refresh(_store(path), auth.User(name, role, unit_id))


@st.cache_data(ttl=5, show_spinner=False)
def _kiosk(path: str, data_version: str) -> bool:
    try:
        return auth.kiosk_enabled(_store(path))
    except StoreBusy:
        raise
    except Exception:  # noqa: BLE001 - a broken kiosk check must not open the dashboard
        log.exception("检查免登录只读模式失败")
        return False


def user():
    """The signed-in auth.User; the read-only GUEST when kiosk mode is on and nobody is signed
    in; None otherwise (app.py then shows the login form)."""
    found = st.session_state.get("user")
    if isinstance(found, auth.User):
        fresh = _refreshed(db_path(), found.name, found.role, found.unit_id)
        if fresh is None:
            st.session_state.pop("user", None)
            st.session_state["login_note"] = "账号已停用或已删除，请重新登录。"
            return None
        if fresh != found:
            st.session_state["user"] = fresh
        return fresh
    if found is not None:  # anything else in the session is no account
        st.session_state.pop("user", None)
    return GUEST if _kiosk(db_path(), version()) else None


def signed_in() -> bool:
    return isinstance(user(), auth.User)


def is_guest() -> bool:
    return isinstance(user(), Guest)


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


def can_edit() -> bool:
    return can("import")


def is_admin() -> bool:
    return signed_in() and user().role == "管理"


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
    return auth.pages_for(current.role) | {"home"}


def password_form(auth, current) -> None:
    """Any signed-in user may change their own password (the old one is asked for)."""
    with st.expander("修改密码", icon=":material/key:"):
        with st.form("own_password", clear_on_submit=True, border=False):
            old = st.text_input("原密码", type="password")
            new = st.text_input(f"新密码（至少 {auth.MIN_PASSWORD} 位）", type="password")
            again = st.text_input("再输入一次新密码", type="password")
            submitted = st.form_submit_button("修改")
        if not submitted:
            return
        if new != again:
            st.error("两次输入的新密码不一致")
            return
        try:
            auth.set_password(store(), current, current.name, new, old_password=old)
        except (auth.AuthError, PermissionError) as e:
            st.error(str(e))
        else:
            log.info("%s 修改了自己的密码", current.name)
            st.success("密码已修改")


def link_unit(unit_id: int) -> None:
    """Open the unit's detail page."""
    st.session_state["unit_id"] = int(unit_id)
    st.switch_page(PAGE_FILES["unit"], query_params={"unit": str(int(unit_id))})


# --------------------------------------------------------------------------------------------
# Page frame: guard, empty state, period picker
# --------------------------------------------------------------------------------------------
def run_page(body: Callable[[], None], page: str | None = None) -> None:
    """Run a page body; an unexpected error shows a Chinese message and goes to the log.

    `page` (a PAGE_FILES key) is checked against the user's role here too, not only by the
    navigation: nobody signed in, or a role without the page, sees a message instead.
    """
    try:
        if user() is None:
            st.warning("请先登录。", icon=":material/lock:")
            return
        if page is not None and page not in allowed_pages():
            st.error("当前账号无权打开此页面。" if signed_in() else "免登录只读模式下不能打开此页面，请先登录。",
                     icon=":material/lock:")
            return
        body()
    except StoreBusy as e:
        st.warning(f"数据库正忙：{e}")
    except PermissionError as e:
        st.error(str(e), icon=":material/lock:")
    except Exception:  # noqa: BLE001 - the user gets a sentence, the log the traceback
        log.exception("页面出错")
        st.error(ERROR_TEXT, icon=":material/warning:")


def has_data() -> bool:
    return store_view("data_span")[0] is not None


def empty_state(what: str = "数据") -> None:
    st.info(f"数据库中还没有事件记录，暂无{what}可显示。\n\n"
            "请到「数据导入」页面下载导入模板，按模板填写后上传；"
            "或在命令行运行 `python -m scoring import 登记表.xlsx --db 数据库文件`。", icon=":material/download:")
    if "upload" in allowed_pages():
        st.page_link(PAGE_FILES["upload"], label="前往数据导入", icon=":material/upload_file:")


def _keep(name: str, default):
    """Widget state that survives page switches: a permanent key mirrors the widget key."""
    perm, widget = f"_{name}", f"w_{name}"
    if perm not in st.session_state:
        st.session_state[perm] = default
    # Re-seed on every run: Streamlit drops a widget's state when another page is shown, and a
    # widget with the same key on another page is a different widget.
    st.session_state[widget] = st.session_state[perm]
    return widget


def _save(name: str) -> None:
    st.session_state[f"_{name}"] = st.session_state[f"w_{name}"]


KINDS = ("季度", "年度", "年初至今", "自定义")


def period_picker(kinds: tuple[str, ...] = KINDS, container=None) -> Period:
    """季度 / 年度 / 年初至今 / 自定义, remembered across pages."""
    where = container or st
    years = store_view("data_years", today())
    last_year, last_q = store_view("latest_quarter", today())
    cols = where.columns([2.2, 1, 1, 1.6])
    kind_key = _keep("period_kind", "季度")
    if st.session_state[kind_key] not in kinds:
        st.session_state[kind_key] = kinds[0]
    kind = cols[0].segmented_control("期间", kinds, key=kind_key, on_change=_save, args=("period_kind",),
                                     help="季度、全年、年初至今或自定义日期范围") or kinds[0]
    if kind == "自定义":
        first, last = store_view("data_span")
        start_key = _keep("period_start", (last or today()).replace(day=1))
        end_key = _keep("period_end", last or today())
        start = cols[1].date_input("开始日期", key=start_key, on_change=_save, args=("period_start",),
                                   format="YYYY-MM-DD")
        end = cols[2].date_input("结束日期", key=end_key, on_change=_save, args=("period_end",),
                                 format="YYYY-MM-DD")
        if end < start:
            cols[3].error("结束日期不能早于开始日期")
            st.stop()
        return views.make_period("自定义", start.year, start=start, end=end)
    year_key = _keep("period_year", last_year)
    if st.session_state[year_key] not in years:
        st.session_state[year_key] = years[0]
    year = cols[1].selectbox("年度", years, key=year_key, on_change=_save, args=("period_year",),
                             format_func=lambda y: f"{y}年")
    quarter = 1
    if kind == "季度":
        q_key = _keep("period_quarter", last_q)
        quarter = cols[2].selectbox("季度", [1, 2, 3, 4], key=q_key, on_change=_save, args=("period_quarter",),
                                    format_func=lambda q: views.QUARTER_NAMES[q])
    return views.make_period(kind, year, quarter, today=today())


def unit_options() -> dict[int, str]:
    eng = engine()
    return {u.id: u.name for u in eng.units.units}


# --------------------------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------------------------
def style(fig: go.Figure, height: int | None = None, legend: bool = True) -> go.Figure:
    """CJK font everywhere, compact margins, horizontal legend on top."""
    fig.update_layout(font={"family": FONT, "size": 13}, hoverlabel={"font": {"family": FONT}},
                      title={"font": {"family": FONT}},
                      margin={"l": 10, "r": 10, "t": 40 if legend else 20, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None},
                      showlegend=legend)
    if height:
        fig.update_layout(height=height)
    return fig


def number(label: str | None = None, fmt: str = "localized", help: str | None = None):
    return st.column_config.NumberColumn(label, format=fmt, help=help)


def day(label: str | None = None):
    return st.column_config.DateColumn(label, format="YYYY-MM-DD")


def when(label: str | None = None):
    return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")


SCORE_COLUMNS = {
    "得分": number("得分", help="期间总分（低于 0 按 0 计，考评办法三(二)3）"),
    "原始得分": number("原始得分", help="未做 0 分下限处理的合计"),
    "累计得分": number("累计得分", help="1月1日至期末的累计得分（五）"),
    "采用率": number("采用率", "%.1f%%", help="采用条数 ÷ 报送条数"),
    **{t: number(f"{t}得分" if t in ("市级", "自治区级", "国家级") else t) for t in views.TIER_COLUMNS},
}


def fmt_num(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def df(frame: pl.DataFrame, hide: tuple[str, ...] = ("unit_id", "序号"), **kwargs):
    """st.dataframe without internal columns, full width, no index."""
    config = {c: None for c in hide if c in frame.columns}
    config.update(kwargs.pop("column_config", {}) or {})
    return st.dataframe(frame, hide_index=True, width="stretch", column_config=config, **kwargs)


@st.cache_resource(show_spinner=False)
def favicon():
    """A small red bar-chart icon drawn here: an emoji or Material icon would be fetched from the
    internet, which an intranet does not have."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, 63, 63), radius=12, fill=(178, 34, 34, 255))
    for x, h in ((12, 22), (28, 36), (44, 14)):
        draw.rectangle((x, 52 - h, x + 9, 52), fill=(255, 255, 255, 255))
    return img
