"""pages/_drawings: a figure (or print table) is built once per data version and arguments and
shared by every session; an import — from the dashboard or from the command line — makes the
next page run build it again from the new data."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from conftest import load, row
from dashboard_fixtures import assert_clean, dashboard, demo_copy, demo_template, open_tab  # noqa: F401
from dashboard_fixtures import ROOT
from scoring.store import Store

BUILT: list[tuple] = []
SCRIPT = """
import streamlit as st
from pages import _drawings
import test_drawings

st.text(repr(_drawings.drawing(test_drawings.counted, 2025, "A")))
"""


def counted(year: int, group: str) -> tuple:
    """A stand-in drawing that records every build."""
    from pages import _data

    BUILT.append((year, group))
    return (year, group, _data.version(), len(BUILT))


def shown(monkeypatch, db) -> str:
    monkeypatch.setenv("SCORING_DB", str(db))
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at.text[0].value


def test_a_drawing_is_built_once_for_every_session_until_an_import(monkeypatch, demo_copy):
    BUILT.clear()
    first, second = shown(monkeypatch, demo_copy), shown(monkeypatch, demo_copy)  # two sessions
    assert first == second and BUILT == [(2025, "A")]
    # an import from another process (the command line) moves the data version on
    load(Store(demo_copy), [row("2025-12-10", "磴口供电公司", "采用", "国家", "国务院办公厅", title="新采用")])
    third = shown(monkeypatch, demo_copy)
    assert BUILT == [(2025, "A"), (2025, "A")] and third != first


# A page's own build function is made anew by every run of its script, as in pages/rank.py.
INLINE = """
from pages import _drawings
import test_drawings

def scores(year):
    return test_drawings.scores_figure(year)

_drawings.chart(scores, 2025, key="scores")
"""


def scores_figure(year: int):
    import plotly.graph_objects as go

    BUILT.append(year)
    fig = go.Figure()
    fig.add_bar(x=["甲单位", "乙单位"], y=[3.5, 1.25], customdata=[1, 2])
    fig.update_layout(title=f"{year} 年得分")
    return fig


def test_a_page_s_own_build_function_is_built_once_and_sent_as_plotly_writes_it(monkeypatch, demo_copy):
    """The shared figure is found again although its build function is a new object on every run,
    and the chart element carries the JSON plotly itself writes for the figure, made only once."""
    import plotly.io
    import plotly.tools

    monkeypatch.setenv("SCORING_DB", str(demo_copy))
    BUILT.clear()
    runs = [AppTest.from_string(INLINE, default_timeout=30).run() for _ in range(3)]
    assert all(not at.exception for at in runs) and BUILT == [2025]
    plain = plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(scores_figure(2025), True), validate=False)
    assert {at.get("plotly_chart")[0].proto.spec for at in runs} == {plain}
    written, write = [], plotly.io._json.to_json_plotly  # what plotly.io.to_json writes with
    monkeypatch.setattr(plotly.io._json, "to_json_plotly", lambda *a, **k: written.append(1) or write(*a, **k))
    again = AppTest.from_string(INLINE, default_timeout=30).run()
    assert again.get("plotly_chart")[0].proto.spec == plain and written == []


def test_two_pages_with_a_build_function_of_the_same_name_keep_their_own(monkeypatch, demo_copy):
    """Streamlit runs every page file as __main__: pages/rank.py and pages/unit.py both have a
    print_tables. The key names the file, so one page never shows the other's drawing."""
    monkeypatch.setenv("SCORING_DB", str(demo_copy))
    page = "from pages import _drawings\nimport streamlit as st\n\ndef print_tables(year):\n    return '{}' + str(year)\n\n" \
           "st.text(_drawings.drawing(print_tables, 2025))\n"
    shown = [AppTest.from_string(page.format(name), default_timeout=30).run().text[0].value for name in ("排名", "单位")]
    assert shown == ["排名2025", "单位2025"]


def chart_spec(at, key: str) -> dict:
    """The Plotly figure a chart element of the page carries (its key ends the element id)."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key))
    return json.loads(chart.proto.spec)


def test_the_rank_chart_follows_an_import_made_on_the_upload_page(dashboard, demo_copy):
    """The chart of a group is shared, and still shows an import at once (排名 after 数据导入)."""
    from test_app_pages import GOOD_CSV

    at = dashboard(demo_copy, "rank")
    open_tab(at, "rank_group", "C 组")
    before = chart_spec(at, "rank_chart_C")
    assert before["data"][0]["y"][0] != "磴口供电公司"
    at.switch_page("pages/upload.py").run()
    at.file_uploader[0].set_value(("补录.csv", GOOD_CSV.encode("utf-8"), "text/csv")).run()
    at.button(key="upload_confirm").click().run()
    assert_clean(at)
    at.switch_page("pages/rank.py").run()
    open_tab(at, "rank_group", "C 组")
    after = chart_spec(at, "rank_chart_C")
    assert after["data"][0]["y"][0] == "磴口供电公司"  # first in the group now
    assert after["layout"]["title"]["text"] == before["layout"]["title"]["text"]


def test_only_the_open_tab_is_drawn_and_another_draws_when_picked(dashboard, demo_template):
    at = dashboard(demo_template, "commend")
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["季度名次走势", "评先资格", "进步情况", "先进个人", "优秀信息"]
    items = lambda: [d for d in at.dataframe if {"采用次数", "批示次数"} <= set(d.value.columns)]  # noqa: E731
    assert at.get("plotly_chart") and not items()
    open_tab(at, "commend_tab", "优秀信息")
    assert_clean(at)
    assert not at.get("plotly_chart") and items()


# Runs a script outside a server (app.py stops once it asks for a session, server.py once it has
# made its app; only their imports matter) and notes the allocator settings at the moment duckdb
# and polars are first imported.
IMPORT_PROBE = """
import importlib.abc, os, runpy, sys
seen, VARIABLE = {}, {"duckdb": "DUCKDB_JE_MALLOC_CONF", "polars": "_RJEM_MALLOC_CONF"}
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in VARIABLE and name not in seen:
            seen[name] = os.environ.get(VARIABLE[name])
sys.meta_path.insert(0, Watch())
try:
    runpy.run_path(sys.argv[1])
except BaseException:
    pass
print(sorted(seen.items()))
"""


@pytest.mark.subprocess
@pytest.mark.parametrize("script", ["app.py", "server.py"])
def test_the_dashboard_loads_duckdb_and_polars_with_freed_memory_given_back(script):
    """Both allocators read their setting once, when their library is first loaded: web/allocators
    is imported before anything imports duckdb or polars, whether the dashboard runs as server.py
    (a real server) or app.py (AppTest). Under server.py duckdb used to load first, from the sign-in
    route's imports, and the setting in pages/_data came too late (1M browsing peak 412–426 MiB
    instead of 379)."""
    from web.allocators import GIVE_BACK

    env = {k: v for k, v in os.environ.items() if k not in ("DUCKDB_JE_MALLOC_CONF", "_RJEM_MALLOC_CONF")}
    run = subprocess.run([sys.executable, "-c", IMPORT_PROBE, script], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    expected = [("duckdb", GIVE_BACK), ("polars", GIVE_BACK)]
    assert run.stdout.strip().splitlines()[-1] == repr(expected), run.stderr[-2000:]
