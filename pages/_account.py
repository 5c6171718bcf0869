"""The signed-in user's own account in the sidebar: changing one's password."""
from __future__ import annotations

import logging

import streamlit as st

from scoring.accounts import auth

from . import _data, _session

log = logging.getLogger("scoring.dashboard")


def password_form(current: auth.User) -> None:
    """Any signed-in user may change their own password (the old one is asked for). The form is
    drawn only while its box is open: the sidebar is part of every page run, and the box reruns
    the page when it is opened."""
    box = st.expander("修改密码", icon=":material/key:", key="own_password_box", on_change="rerun")
    if not box.open:
        return
    with box:
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
            auth.set_password(_data.store(), current, current.name, new, old_password=old)
        except (auth.AuthError, PermissionError) as e:
            st.error(str(e))
        else:
            log.info("%s 修改了自己的密码", current.name)
            # the change ended every session of the account (its credential version moved on):
            # this tab stays signed in under a fresh session, every other ends
            fresh = auth.refresh(_data.store(), current)
            if fresh is not None:
                _session.renew(fresh)
            st.success("密码已修改。本页面保持登录，其他标签页和设备上的登录已退出。")
