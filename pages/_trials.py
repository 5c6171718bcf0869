"""试算方案 on 规则试算: open a saved trial (from the list or a shared link ?trial=<id>), compare
with another, save the what-if under a name, delete one's own. The trial being edited is held by
pages/_trial.py; the trials themselves by the store (scoring/store/trials.py)."""
from __future__ import annotations

import streamlit as st

from pages import _data, _session, _trial, _widgets
from scoring.engine.periods import Period
from scoring.profile.overrides import parse_overrides
from scoring.views import rules as rules_views
from scoring.views.common import local_time, period_code

LINK = "trial"      # the query parameter of a shared trial
NEW = 0             # "no saved trial" in the pickers


def _saved() -> dict[int, dict]:
    """Saved trials by id, newest first: a few rows, read afresh (saving one moves no data version)."""
    return {t["id"]: t for t in _data.store().trials().iter_rows(named=True)}


def _label(trial: dict) -> str:
    return f"{trial['name']}（{trial['made_by']}）"


def _open(trial: dict | None) -> None:
    _trial.start(trial)
    if trial is None:
        st.query_params.pop(LINK, None)
        return
    _widgets.show_period(trial["period"])
    st.query_params[LINK] = str(trial["id"])


def from_link() -> None:
    """A shared link (?trial=<id>) opens that trial once; the address keeps naming the trial open."""
    wanted = st.query_params.get(LINK)
    opened = _trial.state()["opened"]
    if not wanted or (opened and str(opened["id"]) == wanted):
        return
    if st.session_state.get("_trial_link") == wanted:
        return  # already followed (and the trial was then left or deleted)
    st.session_state["_trial_link"] = wanted
    trial = _data.store().trial(int(wanted)) if wanted.isdigit() else None
    if trial is None:
        st.warning("链接中的试算方案不存在或已被删除。", icon=":material/link_off:")
        st.query_params.pop(LINK, None)
        return
    _open(trial)


def _picked() -> None:
    chosen = st.session_state["trial_pick"]
    if _trial.unsaved():  # replacing unsaved points asks first
        st.session_state["trial_pending"] = chosen
        return
    _open(_saved().get(chosen))


def bar(period: Period) -> dict:
    """The trial open and the one compared with; returns the compared trial's points ({} = the
    rules in force)."""
    saved = _saved()
    held = _trial.state()
    opened = held["opened"]
    if opened is not None and opened["id"] not in saved:  # deleted meanwhile (here or elsewhere)
        held["opened"] = opened = None
    st.session_state["trial_pick"] = opened["id"] if opened else NEW
    c = st.columns(2)
    c[0].selectbox("试算方案", [NEW, *saved], key="trial_pick", on_change=_picked, label_visibility="collapsed",
                   format_func=lambda i: "方案：新的试算" if i == NEW else f"方案：{_label(saved[i])}")
    others = [i for i in saved if not opened or i != opened["id"]]
    if st.session_state.get("trial_compare") not in [NEW, *others]:
        st.session_state["trial_compare"] = NEW
    versus = c[1].selectbox("对比", [NEW, *others], key="trial_compare", label_visibility="collapsed",
                            format_func=lambda i: "对比：现行规则" if i == NEW else f"对比：{_label(saved[i])}")
    _pending(saved)
    if opened is not None:
        changed = "，分值已修改，尚未保存" if _trial.unsaved() else ""
        st.caption(f"{_widgets.text(opened['made_by'])} 保存于 {local_time(opened['made_at'], _data.timezone()):%Y-%m-%d %H:%M}"
                   f"{changed}；复制浏览器地址栏中的网址即可分享此方案。")
    if versus == NEW:
        return {}
    st.caption(f"对比方案：{_widgets.text(saved[versus]['name'])}"
               f"（{rules_views.overrides_text(_data.engine(), parse_overrides(saved[versus]['overrides']))}）")
    return parse_overrides(saved[versus]["overrides"])


def _pending(saved: dict) -> None:
    """Another trial was picked while the points on screen were unsaved: replace them, or keep them."""
    chosen = st.session_state.get("trial_pending")
    if chosen is None:
        return
    st.warning("当前试算尚未保存，打开所选方案会替换它。", icon=":material/warning:")
    c = st.columns(2)
    if c[0].button("放弃当前试算，打开所选方案", key="trial_replace"):
        st.session_state.pop("trial_pending")
        _open(saved.get(chosen))
        st.rerun()
    if c[1].button("保留当前试算", key="trial_keep"):
        st.session_state.pop("trial_pending")
        st.rerun()


def save_form(period: Period) -> None:
    """Save the points on screen as a named trial; its author (or 管理) may delete an open one."""
    held = _trial.state()
    if not _session.can("trial"):
        return
    if _trial.unsaved():
        with st.form("trial_save", border=False, enter_to_submit=False):
            c = st.columns([3, 1], vertical_alignment="bottom")
            name = c[0].text_input("保存为试算方案", placeholder="方案名称，如：简讯调为 4 分")
            if c[1].form_submit_button("保存方案", icon=":material/bookmark_add:"):
                # a year-to-date trial keeps its dates: reopened later it shows the same numbers
                kept = period if period.kind != "ytd" else Period.between(period.start, period.end)
                try:
                    trial_id = _session.write("trial", _data.store().add_trial, name, held["current"],
                                              period_code(kept), _session.who())
                except ValueError as e:
                    st.error(_widgets.text(e))
                    return
                _open(_data.store().trial(trial_id))
                st.rerun()
    opened = held["opened"]
    if opened is None or not (opened["made_by"] == _session.who() or _session.can("users")):
        return
    with st.popover("删除此方案", icon=":material/delete:"):
        st.caption(f"删除方案“{_widgets.text(opened['name'])}”后，分享出去的链接将无法打开。")
        if st.button("确认删除", key="trial_delete", type="primary"):
            _session.write("trial", _data.store().delete_trial, opened["id"], _session.who(), _session.can("users"))
            _open(None)
            st.rerun()
