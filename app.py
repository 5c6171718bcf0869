"""政务信息考评 dashboard: page config, sign-in and navigation.

Run: `SCORING_DB=data/demo.duckdb streamlit run app.py`. The pages live in pages/ and are listed
explicitly below (auto-discovery is off once st.navigation is used); each page draws frames that
scoring/ computes.
"""
from __future__ import annotations

import importlib.util
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if sys.path[:1] != [str(ROOT)]:  # pages/ and scoring/ come from here, whatever the working directory
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from pages import _ui  # noqa: E402

st.set_page_config(page_title="政务信息考评", page_icon=_ui.favicon(), layout="wide",
                   initial_sidebar_state="expanded")

if not logging.getLogger("scoring").handlers:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("scoring").addHandler(handler)
    logging.getLogger("scoring").setLevel(logging.INFO)
log = logging.getLogger("scoring.dashboard")

# (key, file, title, icon): the order of the navigation menu. Keys are auth.pages_for()'s.
PAGES = [
    ("home", "pages/home.py", "总览", ":material/home:"),
    ("rank", "pages/rank.py", "排名", ":material/trophy:"),
    ("unit", "pages/unit.py", "单位详情", ":material/search:"),
    ("commend", "pages/commend.py", "评先评优", ":material/military_tech:"),
    ("upload", "pages/upload.py", "数据导入", ":material/upload_file:"),
    ("rules", "pages/rules.py", "规则试算", ":material/balance:"),
    ("export", "pages/export.py", "导出", ":material/description:"),
    ("admin", "pages/admin.py", "管理", ":material/settings:"),
]


def _auth():
    """scoring.auth (the trust work, issue 5) once it exists; None until then."""
    if importlib.util.find_spec("scoring.auth") is None:
        return None
    import scoring.auth as auth
    return auth


def _login_page(auth) -> None:
    st.title("政务信息考评")
    st.subheader("登录")
    note = st.session_state.pop("login_note", None)
    if note:
        st.warning(note)
    with st.form("login", border=True):
        name = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            user = auth.login(_ui.store(), name.strip(), password)
        except auth.AuthError as e:
            st.error(str(e))
        else:
            st.session_state["user"] = user
            st.session_state.pop("want_login", None)
            log.info("登录: %s (%s)", user.name, user.role)
            st.rerun()
    st.caption("忘记密码请联系系统管理员重置。")


@st.cache_data(ttl=5, show_spinner=False)
def _refreshed(path: str, name: str, role: str, unit_id):
    """The account as the database has it now (re-read at most every 5 s): a disabled account or
    a changed role takes effect without a new login."""
    import scoring.auth as auth

    return auth.refresh(_ui.store(), auth.User(name, role, unit_id))


def _current_user(auth):
    """The signed-in user; a read-only guest in kiosk mode; an implicit admin without auth."""
    if auth is None:
        return _ui.LocalUser()
    user = st.session_state.get("user")
    if user is not None:
        fresh = _refreshed(_ui.db_path(), user.name, user.role, user.unit_id)
        if fresh is None:
            st.session_state.pop("user", None)
            st.session_state["login_note"] = "账号已停用或已删除，请重新登录。"
            return None
        if fresh != user:
            st.session_state["user"] = fresh
        return fresh
    try:
        if auth.kiosk_enabled(_ui.store()):
            return _ui.LocalUser(name="访客", role="查看")
    except Exception:  # noqa: BLE001 - a broken kiosk check must not open the dashboard
        log.exception("检查只读展示模式失败")
    return None


def main() -> None:
    auth = _auth()
    try:
        user = _current_user(auth)
    except _ui.StoreBusy as e:
        st.warning(f"数据库正忙：{e}")
        st.stop()
    if user is None:
        st.navigation([st.Page(lambda: _ui.run_page(lambda: _login_page(auth)), title="登录", icon=":material/lock:",
                               url_path="login")], position="hidden").run()
        return
    allowed = set(auth.pages_for(user.role)) if auth is not None else set(_ui.PAGE_FILES)
    if "home" not in allowed:
        allowed.add("home")
    st.session_state["allowed_pages"] = allowed
    pages = [st.Page(file, title=title, icon=icon, default=(key == "home"))
             for key, file, title, icon in PAGES
             if key in allowed and (ROOT / file).exists()]
    nav = st.navigation(pages, position="sidebar", expanded=True)
    with st.sidebar:
        st.caption(f"当前用户：{user.name}（{user.role}）")
        if auth is not None and st.session_state.get("user") is not None:
            if st.button("退出登录", key="logout"):
                st.session_state.pop("user", None)
                st.rerun()
            _ui.password_form(auth, user)
        elif auth is not None:
            if st.button("登录", key="login_from_kiosk"):
                st.session_state["want_login"] = True
        st.caption(f"数据库：{Path(_ui.db_path()).name}")
    if st.session_state.get("want_login") and auth is not None and st.session_state.get("user") is None:
        _ui.run_page(lambda: _login_page(auth))
        return
    nav.run()


main()
