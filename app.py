"""政务信息考评 dashboard: page config, sign-in and navigation.

Run: `SCORING_DB=data/demo.duckdb streamlit run app.py`. The pages live in pages/ and are listed
explicitly below (auto-discovery is off once st.navigation is used); each page draws frames that
scoring/ computes.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if sys.path[:1] != [str(ROOT)]:  # pages/ and scoring/ come from here, whatever the working directory
    sys.path.insert(0, str(ROOT))

import web.allocators  # noqa: E402,F401 - before duckdb and polars load (see there)
import streamlit as st  # noqa: E402

from pages import _account, _data, _grid, _session, _trial, _widgets  # noqa: E402
from scoring.accounts import auth, registry  # noqa: E402
from scoring.store import StoreBusy  # noqa: E402
from scoring.views import review as review_views  # noqa: E402

# "auto": the menu starts open on a screen wider than a phone and closed on a phone, where it would
# cover most of the page (Streamlit closes it again after each choice on a phone).
st.set_page_config(page_title="政务信息考评", page_icon=_widgets.favicon(), layout="wide",
                   initial_sidebar_state="auto")

if not logging.getLogger("scoring").handlers:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("scoring").addHandler(handler)
    logging.getLogger("scoring").setLevel(logging.INFO)
log = logging.getLogger("scoring.dashboard")

def _login_page() -> None:
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
            user = _session.sign_in(name.strip(), password)
        except auth.AuthError as e:
            st.error(str(e))
        else:
            st.session_state.pop("want_login", None)
            log.info("登录: %s (%s)", user.name, user.role)
            st.rerun()  # the same URL now opens the page it names (a copied link included)
    st.caption("忘记密码请联系系统管理员重置。")


def main() -> None:
    _session.begin_run()
    try:
        user = _session.user()  # the signed-in account, the read-only kiosk guest, or None
    except StoreBusy as e:
        st.warning(f"数据库正忙：{e}")
        st.stop()
    _session.write_cookie()
    if user is None:
        # Every page's address shows the login form, so that a refresh or a copied link keeps its
        # address and query (?unit=…) and, once signed in, opens that page. The default page (the
        # address "/") is named "login": its name must not be a page file's, which Streamlit would
        # run on its own (see _session.run_page).
        st.navigation([st.Page(_login_form, title=p.title, default=(p.key == registry.HOME),
                               url_path="login" if p.key == registry.HOME else p.key)
                       for p in registry.PAGES], position="hidden").run()
        return
    allowed = _session.allowed_pages()
    # A page the role may not open keeps its address, hidden, with a sentence instead of the page
    # (a link shared by someone with more rights would otherwise get an English "Page not found").
    pages = [st.Page(p.file, title=_menu_title(p), icon=p.icon, url_path=p.key, default=(p.key == registry.HOME))
             if p.key in allowed else
             st.Page(_session.no_right, title=p.title, url_path=p.key, visibility="hidden")
             for p in registry.PAGES]
    nav = st.navigation(pages, position="sidebar", expanded=True)
    with st.sidebar:
        _grid.chinese_grid()  # in the sidebar: no blank line above the page's title
        if nav.url_path != "rules":
            _trial.sidebar_note()
        st.caption(f"当前用户：{_widgets.text(user.name)}（{user.role}）")
        if isinstance(user, auth.User):
            if st.button("退出登录", key="logout"):
                _session.sign_out()
                st.rerun()
            _account.password_form(user)
        else:
            st.caption("免登录只读模式：只能浏览和导出，不能导入或修改。")
            if st.button("登录", key="login_from_kiosk"):
                st.session_state["want_login"] = True
    if st.session_state.get("want_login") and not isinstance(user, auth.User):
        _login_form()
        return
    nav.run()


def _menu_title(page: registry.Page) -> str:
    """A menu entry's title; 核对与更正 shows how many requests wait, to whoever handles them."""
    if page.key == "review" and _session.can("correct"):
        waiting = _data.store_view(review_views.open_count)
        if waiting:
            return f"{page.title}（{waiting}）"
    return page.title


def _login_form() -> None:
    """The login form under the page guard (a Chinese message instead of a traceback)."""
    try:
        _login_page()
    except StoreBusy as e:
        st.warning(f"数据库正忙：{e}")
    except Exception:  # noqa: BLE001
        log.exception("登录页出错")
        st.error(_session.ERROR_TEXT, icon=":material/warning:")

main()
