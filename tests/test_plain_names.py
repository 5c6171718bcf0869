"""Strings from data are text wherever they are drawn (a unit a security probe renamed to
`<a href="http://…/login">发展和改革委员会</a>` showed in the 排名 and 评先评优 charts as a link that
looked exactly like the real name; `<img>` names rendered as another name; right-to-left override
characters reversed text), unit names are checked when saved or loaded, and a kiosk screen shows
no one's name or telephone number."""
from __future__ import annotations

import json
import shutil

import pytest

from scoring.accounts import auth
from scoring.profile import check_profile
from scoring.profile.model import PROFILES_DIR
from scoring.profile.names import MAX_NAME
from scoring.store import Store

from dashboard_fixtures import assert_clean, dashboard, demo_copy, demo_template  # noqa: F401

LINK = '<a href="http://evil.example/">发改委</a>'  # within the length limit: refused for its markup
BAD_NAMES = {
    "a link": LINK,
    "an image": '<img src="http://evil.example/x.png">',
    "a Markdown link": "[发展和改革委员会](http://evil.example/login)",
    "an entity": "发展&amp;改革",
    "a right-to-left override": "\u202e会员委革改和展发",
    "a zero-width space": "教育\u200b局",
    "a line break": "教育局\u2028第二行",
    "too long": "很" * (MAX_NAME + 1),
}


@pytest.mark.parametrize("case", list(BAD_NAMES))
def test_a_unit_name_with_markup_or_hidden_characters_is_refused_when_saved(store, case):
    name = BAD_NAMES[case]
    book = store.unit_book()
    version = store.data_version()
    for save in (lambda: store.add_unit(name, "A", book.units[0].active_from, "测试"),
                 lambda: store.rename_unit(1, name, "测试"),
                 lambda: store.set_alias(name, 1, "测试"),
                 lambda: store.bulk_add_units([(name, "A", book.units[0].active_from)], "测试")):
        with pytest.raises(ValueError, match="单位名称"):
            save()
    assert store.data_version() == version
    assert [u.name for u in store.unit_book().units] == [u.name for u in book.units]


def test_ordinary_names_are_kept_as_typed(store):
    store.rename_unit(1, "  巴彦高勒镇人民政府（镇政府） ", "测试")
    store.set_alias("巴彦高勒镇　政府", 1, "测试")
    book = store.unit_book()
    assert book.get(1).name == "巴彦高勒镇人民政府（镇政府）" and book.aliases["巴彦高勒镇 政府"] == 1


def test_a_profile_with_such_a_name_does_not_pass_its_check(tmp_path):
    folder = tmp_path / "某县"
    shutil.copytree(PROFILES_DIR / "磴口", folder)
    units = folder / "units.yaml"
    text = units.read_text(encoding="utf-8")
    first = Store(":memory:").unit_book().units[0].name
    units.write_text(text.replace(f"name: {first}", f"name: '{LINK}'", 1), encoding="utf-8")
    problems = check_profile(folder)
    assert any("units.yaml" in p and "符号" in p for p in problems), problems


# -- every renderer: charts --------------------------------------------------------------------
def _named(db, name: str) -> None:
    """A unit carrying the name as a database from before names were checked would."""
    store = Store(db)
    with store.transaction() as con:
        con.execute("UPDATE units SET name = ? WHERE id = 1", [name])
        store._bump(con)


def _chart_strings(at) -> list[str]:
    """Every string in the figures the page hands to the browser."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return found


@pytest.mark.parametrize("page", ["rank", "commend"])
def test_chart_text_from_data_is_text(dashboard, demo_copy, page):
    """Plotly renders a subset of HTML in tick labels, hover text and legends: every string from
    data goes into a figure with < > & written as entities, which Plotly shows as the characters,
    and without bidi or zero-width characters."""
    _named(demo_copy, LINK + "\u202e")
    at = dashboard(demo_copy, page)
    assert_clean(at)
    strings = _chart_strings(at)
    assert not [s for s in strings if "<a" in s or "<img" in s or "\u202e" in s]
    assert any(s.startswith("&lt;a href=&quot;") or s.startswith("&lt;a href=\"") for s in strings)


# -- the kiosk screen --------------------------------------------------------------------------
def test_a_kiosk_screen_shows_no_contact_details(dashboard, demo_copy):
    """Anonymous kiosk visitors saw each unit's 负责人/联系人/电话."""
    store = Store(demo_copy)
    auth.set_kiosk(store, "测试", True)
    for unit in store.unit_book().units:
        store.set_unit_contact(unit.id, "王主任", "李联络", "0478-1234567", "测试")
    secrets = ("王主任", "李联络", "0478-1234567")

    def shown(at) -> str:
        tables = [df.value for df in at.dataframe]
        parts = [" ".join(map(str, t.columns)) + t.to_string() for t in tables]
        parts += [e.value for e in (*at.caption, *at.markdown)]
        parts += [b.proto.label for b in at.get("download_button")]
        return "\n".join(parts)

    for signed_in in (True, False):  # a signed-in 查看 account sees them: the test can fail
        at = dashboard(demo_copy, role="查看", signed_in=signed_in)
        seen = shown(at)
        at.switch_page("pages/unit.py").run()
        seen += shown(at)
        at.switch_page("pages/export.py").run()
        assert_clean(at)
        seen += shown(at)
        found = [s for s in secrets if s in seen]
        assert found == (list(secrets) if signed_in else []), (signed_in, found)
        assert ("提醒函（Word）" in seen) == signed_in


def test_contact_details_and_the_letters_follow_the_contacts_right(dashboard, demo_copy, monkeypatch):
    """The pages ask for the `contacts` right (auth), not merely for a sign-in: a role without it
    sees no 负责人/联系人/电话 and gets no 提醒函, and the download wrapper refuses a kiosk guest
    the letters whatever a click asks."""
    from streamlit.testing.v1 import AppTest

    store = Store(demo_copy)
    for unit in store.unit_book().units:
        store.set_unit_contact(unit.id, "王主任", "李联络", "0478-1234567", "测试")
    monkeypatch.setitem(auth._CAN, "查看", auth._CAN["查看"] - {"contacts"})
    at = dashboard(demo_copy, "export", role="查看")
    assert_clean(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "提醒函（Word）" not in labels and any("登录后可下载" in c.value for c in at.caption)
    at.switch_page("pages/unit.py").run()
    assert not [c.value for c in at.caption if "王主任" in c.value]
    auth.set_kiosk(store, "测试", True)
    monkeypatch.setenv("SCORING_DB", str(demo_copy))
    guest = AppTest.from_string(GUEST_LETTERS, default_timeout=30).run()
    assert not guest.exception and guest.text[0].value.startswith("拒绝："), guest.text


GUEST_LETTERS = """
import streamlit as st
from pages import _session
try:
    _session.download("contacts", lambda: b"letters")()
    st.text("给了")
except PermissionError as e:
    st.text("拒绝：" + str(e))
"""
