"""The what-if of 规则试算 held in the browser session, so that leaving the page does not lose it.

Held here: the points the editor starts from (`base`), the points it shows now (`current`), both as
`CODE=POINTS` text, and the saved trial it was opened from. Switching to another page of the
dashboard keeps the trial: 规则试算 draws it again on return, and meanwhile the sidebar says an
unsaved trial is waiting, with a link back. Only closing or reloading the tab would lose it, and
there the browser asks first (a beforeunload prompt): Streamlit switches pages inside the tab,
where no prompt can be shown before the switch, so keeping the trial beats asking.
"""
from __future__ import annotations

import streamlit as st

from scoring.accounts import registry
from scoring.profile.overrides import parse_overrides

KEY = "_trial"
EDITOR = "whatif_editor"   # the widget keys of the page's editor and typed form
TYPED = "whatif_text"

# One listener per tab, reading a flag each run of the page sets.
_UNLOAD = """<script>
window.kaopingTrialUnsaved = FLAG;
if (!window.kaopingTrialGuard) {
  window.kaopingTrialGuard = true;
  window.addEventListener('beforeunload', (e) => {
    if (window.kaopingTrialUnsaved) { e.preventDefault(); e.returnValue = ''; }
  });
}
</script>"""


def state() -> dict:
    return st.session_state.setdefault(KEY, {"base": "", "current": "", "opened": None})


def unsaved() -> bool:
    """Points changed and not saved (as a new trial, or unchanged since one was opened)."""
    held = state()
    if not held["current"]:
        return False
    opened = held["opened"]
    try:
        return opened is None or parse_overrides(held["current"]) != parse_overrides(opened["overrides"])
    except ValueError:
        return True


def start(trial: dict | None) -> None:
    """Start the editor afresh from a saved trial (store.trial), or from the rules in force."""
    text = trial["overrides"] if trial else ""
    state().update(base=text, current=text, opened=trial)
    st.session_state.pop(EDITOR, None)
    st.session_state.pop(TYPED, None)


def resume() -> None:
    """Back on the page after another: the editor's widget state is gone, so it starts from the
    points it showed when the page was left."""
    if EDITOR not in st.session_state:
        held = state()
        held["base"] = held["current"]


def guard_unload() -> None:
    """Tell this browser tab whether closing or reloading it would lose a trial."""
    st.html(_UNLOAD.replace("FLAG", "true" if unsaved() else "false"), unsafe_allow_javascript=True)


def sidebar_note() -> None:
    """On the other pages: an unsaved trial is waiting on 规则试算."""
    if unsaved():
        st.warning("规则试算中有尚未保存的试算。", icon=":material/balance:")
        st.page_link(registry.file_of("rules"), label="回到规则试算", icon=":material/undo:")
