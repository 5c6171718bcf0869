"""Drawing helpers every page shares: the period picker (remembered across pages), number and date
columns, tables, text shown safely, links between pages, the empty state and the favicon. Charts'
colours, font and escaping: pages/_charts.py; fitting phones and print: pages/_layout.py.
"""
from __future__ import annotations

import base64
import functools
import io
import re
from dataclasses import replace
from typing import Callable

import polars as pl
import streamlit as st

from scoring.engine import numbers
from scoring.accounts import registry
from scoring.reports.csv_export import frame_csv
from scoring.engine.periods import Period
from scoring.profile.names import visible
from scoring.views.common import (CONTACT_COLUMNS, QUARTER_NAMES, data_span, data_years, latest_quarter, local_time, local_times,
                                  make_period, period_choice, period_code)

from ._data import store_view, timezone, today
from . import _session
from ._session import allowed_pages

def link_unit(unit_id: int) -> None:
    """Open the unit's detail page."""
    st.session_state["unit_id"] = int(unit_id)
    st.switch_page(registry.file_of("unit"), query_params={"unit": str(int(unit_id))})


def empty_state(what: str = "数据") -> None:
    st.info(f"数据库中还没有事件记录，暂无{what}可显示。\n\n"
            "请到「数据导入」页面下载导入模板，按模板填写后上传；"
            "或在命令行运行 `python -m scoring import 登记表.xlsx --db 数据库文件`。", icon=":material/download:")
    if "upload" in allowed_pages():
        st.page_link(registry.file_of("upload"), label="前往数据导入", icon=":material/upload_file:")


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


def remembered(name: str, default) -> dict:
    """key, on_change and args for a widget whose choice is kept across pages (and read elsewhere
    with `chosen(name)`), e.g. st.selectbox(…, **remembered("commend_measure", default))."""
    return {"key": _keep(name, default), "on_change": _save, "args": (name,)}


def chosen(name: str, default=None):
    """The value last picked in the remembered widget `name` on any page, or `default`."""
    return st.session_state.get(f"_{name}", default)


def remember(name: str, value) -> None:
    """Set what the remembered widget `name` shows next time (on whichever page it is drawn)."""
    st.session_state[f"_{name}"] = value


KINDS = ("季度", "年度", "年初至今", "自定义")


def show_period(code: str) -> None:
    """Make the picker show a period (views.common.period_code) on its next drawing, on whichever
    page (a copied link, a saved trial); an invalid code changes nothing."""
    choice = period_choice(code)
    if choice is None:
        return
    st.session_state["_period_kind"] = choice["kind"]
    for name in ("year", "quarter", "start", "end"):
        if name in choice:
            st.session_state[f"_period_{name}"] = choice[name]


def _period_from_address() -> None:
    """A new browser session seeds the picker from ?period= (a copied link), so that a copied
    link opens the same period; afterwards the picker's state wins and is written back into the address."""
    if "_period_kind" not in st.session_state:
        show_period(st.query_params.get("period", ""))


def period_picker(kinds: tuple[str, ...] = KINDS, container=None) -> Period:
    """季度 / 年度 / 年初至今 / 自定义, remembered across pages and kept in the address."""
    _period_from_address()
    period = _period_picker(kinds, container)
    code = period_code(period)
    if st.query_params.get("period") != code:
        st.query_params["period"] = code
    return period


def _period_picker(kinds: tuple[str, ...], container) -> Period:
    where = container or st
    years = store_view(data_years, today())
    last_year, last_q = store_view(latest_quarter, today())
    cols = where.columns([2.2, 1, 1, 1.6])
    kind_key = _keep("period_kind", "季度")
    if st.session_state[kind_key] not in kinds:
        st.session_state[kind_key] = kinds[0]
    # required: clicking the chosen segment again keeps it chosen (it would otherwise unchoose it
    # and leave the control blank over a page showing some other period)
    kind = cols[0].segmented_control("期间", kinds, key=kind_key, on_change=_save, args=("period_kind",), required=True,
                                     help="季度、全年、年初至今或自定义日期范围")
    if kind == "自定义":
        first, last = store_view(data_span)
        start_key = _keep("period_start", (last or today()).replace(day=1))
        end_key = _keep("period_end", last or today())
        start = cols[1].date_input("开始日期", key=start_key, on_change=_save, args=("period_start",),
                                   format="YYYY-MM-DD")
        end = cols[2].date_input("结束日期", key=end_key, on_change=_save, args=("period_end",),
                                 format="YYYY-MM-DD")
        if end < start:
            cols[3].error("结束日期不能早于开始日期")
            st.stop()
        return make_period("自定义", start.year, start=start, end=end)
    year_key = _keep("period_year", last_year)
    if st.session_state[year_key] not in years:
        st.session_state[year_key] = years[0]
    year = cols[1].selectbox("年度", years, key=year_key, on_change=_save, args=("period_year",),
                             format_func=lambda y: f"{y}年")
    quarter = 1
    if kind == "季度":
        q_key = _keep("period_quarter", last_q)
        quarter = cols[2].selectbox("季度", [1, 2, 3, 4], key=q_key, on_change=_save, args=("period_quarter",),
                                    format_func=lambda q: QUARTER_NAMES[q])
    return make_period(kind, year, quarter, today=today())


def group_tabs(labels: dict[str, str], key: str):
    """One tab per group (labels: group → tab label), opened on ?group= — a copied link opens the
    same group — and the open group written back into the address."""
    # The default is always a label, never None: a default that changes from None to the first tab
    # would make Streamlit see a new widget and forget the tab just clicked.
    default = labels.get(st.query_params.get("group", ""), next(iter(labels.values())))
    tabs = st.tabs(list(labels.values()), default=default, key=key, on_change="rerun")
    shown = next((g for g, tab in zip(labels, tabs) if tab.open), None)
    if shown is not None and st.query_params.get("group") != shown:
        st.query_params["group"] = shown
    return tabs


def group_columns(groups, per_row: int = 3):
    """(column, group) for every group, at most `per_row` side by side: an office with four or
    more groups gets a second row instead of losing the groups that do not fit."""
    groups = list(groups)
    for start in range(0, len(groups), per_row):
        yield from zip(st.columns(per_row), groups[start:start + per_row])


def in_tab(tab, draw: Callable, *args) -> None:
    """draw(*args) inside the tab, only if it is the open one. Streamlit runs the body of every tab
    on every run, shown or not; tabs made with on_change="rerun" rerun when another is picked and
    know which is open (`.open`; None for tabs that do not track it, which are always drawn)."""
    if tab.open is not False:
        with tab:
            draw(*args)


def number(label: str | None = None, fmt: str = "localized", help: str | None = None):
    return st.column_config.NumberColumn(label, format=fmt, help=help)


def day(label: str | None = None):
    return st.column_config.DateColumn(label, format="YYYY-MM-DD")


def when(label: str | None = None):
    return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")


def rate_format() -> str:
    """A percentage with the places of the setting rate_decimals, trailing zeros kept (45.45%,
    50.00%: a column of rates lines up, and screen and print agree)."""
    from ._data import engine

    return f"%.{numbers.rate_places(engine().settings)}f%%"


def score_columns() -> dict:
    """Column settings of the score columns; a tier that counts adoptions shows as “…得分”."""
    from scoring.engine.score import describe

    from ._data import engine

    profile = engine().profile
    return {
        "得分": number("得分", help=f"期间得分：{describe(profile)}"),
        "原始得分": number("原始得分", help="各项得分之和（未按 0 分下限和得分公式处理）"),
        "累计得分": number("累计得分", help="1月1日至期末的累计得分"),
        "采用率": number("采用率", rate_format(), help="采用条数 ÷ 报送条数（位数见「管理 → 设置」的“比率显示的小数位数”）"),
        **{t: number(f"{t}得分" if t in profile.adoption_tiers else t) for t in profile.score_tiers},
        **{c: number(c) for c in profile.adoption_tiers.values()},
    }


def text_width(values, minimum: int = 60, maximum: int = 720) -> int:
    """A table column's pixel width that shows its longest text whole: the grid cuts a cell at
    the column's edge, and its sans-serif face draws a CJK character 14 px and Latin about 8 px
    wide, with 8 px padding on each side."""
    widest = max((sum(14 if ord(c) >= 0x2E80 else 8 for c in str(v)) for v in values if v is not None), default=0)
    return max(minimum, min(maximum, widest + 20))


def fmt_num(value) -> str:
    return numbers.text(value, grouping=True, empty="—")


# Every ASCII punctuation mark may be backslash-escaped in CommonMark, and an escaped one is
# plain text: no link, image, emphasis, heading, HTML, Streamlit :directive: or $math$ survives.
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")
# GitHub-flavoured Markdown also turns bare addresses (http://…, www.…, a@b.c) into links, after
# escapes are read: an invisible word joiner after ':' and '@' and inside 'www.' breaks them.
_BARE_LINK = re.compile(r"(?i)(:|@|\bwww(?=\.))")
JOINER = "\u2060"


def text(value) -> str:
    """A string someone typed or uploaded (a file name, unit name, title, reason, account name),
    made safe to place inside Markdown: caption, markdown, write, labels, messages and toasts all
    render Markdown, so it must show as the characters it is."""
    if value is None:
        return "—"
    plain = _BARE_LINK.sub(lambda m: m.group(1) + JOINER, visible(" ".join(str(value).split())))
    return _MARKDOWN.sub(r"\\\1", plain)


def published(pub) -> str:
    """A published 通报 in one line (期号 and who as text), its time in the 时区 setting."""
    return text(replace(pub, issued_at=local_time(pub.issued_at, timezone())).describe())


# Item codes are for the rule files and the command line; a table names the item instead.
CODE_COLUMNS = ("代码", "扣分代码")


def _table_args(frame: pl.DataFrame, hide: tuple[str, ...], kwargs: dict) -> dict:
    config = {c: None for c in hide if c in frame.columns}
    config.update(kwargs.pop("column_config", {}) or {})
    config.update({c: None for c in CODE_COLUMNS if c in frame.columns})
    # A missing value shows as "—", not as the grid's "None".
    return {"hide_index": True, "width": "stretch", "column_config": config, "placeholder": "—", **kwargs}


def df(frame: pl.DataFrame, hide: tuple[str, ...] = ("unit_id", "序号"), download: str | None = None, **kwargs):
    """Every table of the dashboard: st.dataframe without internal columns, full width, no index,
    times in the 时区 setting.

    The grid's own CSV download is switched off (client.disableDataExport in .streamlit/config.toml)
    because it writes cells such as =HYPERLINK(...) as they are; `download` (a file name) offers
    the same table through the exports' guarded CSV instead."""
    frame = exact_shown(local_times(frame, timezone()))
    if not _session.can("contacts"):  # a kiosk screen shows no one's name or telephone number
        frame = frame.drop([c for c in CONTACT_COLUMNS if c in frame.columns])
    # Handed over as Arrow: Streamlit converts a Polars frame itself far more slowly (~7 ms a
    # table against ~0.2 ms), which many viewers at once feel on every page switch. lazy=False:
    # no table here comes near the 150,000 rows at which Streamlit would page it, and deciding
    # that imports pandas (~50 MiB of the server's memory, which nothing else here needs).
    shown = st.dataframe(frame.to_arrow(), lazy=False, **_table_args(frame, hide, kwargs))
    if download:
        visible = frame.drop([c for c in (*hide, *CODE_COLUMNS) if c in frame.columns])
        st.download_button("下载本表（CSV）", data=_session.download("view", frame_csv, visible),
                           file_name=f"{download}.csv", mime="text/csv",
                           icon=":material/download:", key=f"csv_{kwargs.get('key') or download}")
    return shown


def editor(frame: pl.DataFrame, hide: tuple[str, ...] = (), **kwargs):
    """st.data_editor with the same defaults as df (and the same switched-off grid download)."""
    frame = exact_shown(frame)
    args = _table_args(frame, hide, kwargs)
    args.pop("placeholder")
    return st.data_editor(frame, **args)


def exact_shown(frame: pl.DataFrame) -> pl.DataFrame:
    """Exact decimals as the grid shows numbers: the grid would print 323.0000; the nearest float of
    a decimal with at most 4 places prints as that decimal (0.3 reads 0.3). Scores were ranked exactly."""
    return frame.with_columns([pl.col(c).cast(pl.Float64) for c, t in frame.schema.items() if t.is_decimal()])


UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "选择文件"; }
[data-testid="stFileUploaderDropzone"]::after { content: "或把文件拖到这里"; align-self: center; margin-left: 1rem;
  color: rgba(49, 51, 63, 0.6); font-size: 0.875rem; }
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]):not(:has([data-testid="stFileChips"])) > span { display: none; }
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]):not(:has([data-testid="stFileChips"]))::after { content: "松开鼠标即可上传"; }
</style>"""


def uploader(label: str, **kwargs):
    """st.file_uploader in Chinese: Streamlit 1.67 writes its drop zone in English ("Upload",
    "50MB per file • XLSX", "Drag and drop a file here" while dragging) with no option to change
    it, so the label carries the size and types and a style sheet replaces the English words."""
    st.html(UPLOADER_CSS)
    return st.file_uploader(label, **kwargs)


NUMBER_CSS = "<style>[data-testid='stNumberInput'] .stTooltipErrorHoverTarget { display: none !important; }</style>"


def bounded_number(label: str, low, high, **kwargs):
    """st.number_input limited to [low, high], in Chinese: Streamlit 1.67 explains a value out of
    range only in English (a tooltip on a red icon), so the label carries the range and a style
    sheet hides the icon; the red frame still marks the value, which is not taken."""
    st.html(NUMBER_CSS)
    return st.number_input(f"{label}（{low:g} 至 {high:g}）", min_value=low, max_value=high, **kwargs)


@functools.cache
def favicon() -> str:
    """A small red bar-chart icon drawn here, as a data: address. An emoji or Material icon would
    be fetched from the internet, which an intranet does not have; and an image would be encoded
    as PNG again by st.set_page_config on every page run (2 % of a page switch)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, 63, 63), radius=12, fill=(178, 34, 34, 255))
    for x, h in ((12, 22), (28, 36), (44, 14)):
        draw.rectangle((x, 52 - h, x + 9, 52), fill=(255, 255, 255, 255))
    png = io.BytesIO()
    img.save(png, format="PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")
