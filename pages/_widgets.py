"""Drawing helpers every page shares: the period picker (remembered across pages), chart styling,
number and date columns, tables, links between pages, the empty state and the favicon.
"""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from scoring import numbers, registry
from scoring.periods import Period
from scoring.views.common import QUARTER_NAMES, TIER_COLUMNS, data_span, data_years, latest_quarter, make_period

from ._data import store_view, today
from ._session import allowed_pages

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
TIER_COLORS = {"市级": "#4c78a8", "自治区级": "#f58518", "国家级": "#e45756", "批示加分": "#72b7b2",
               "约稿·线索·调研": "#54a24b", "扣分": "#9d755d"}


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


KINDS = ("季度", "年度", "年初至今", "自定义")


def period_picker(kinds: tuple[str, ...] = KINDS, container=None) -> Period:
    """季度 / 年度 / 年初至今 / 自定义, remembered across pages."""
    where = container or st
    years = store_view(data_years, today())
    last_year, last_q = store_view(latest_quarter, today())
    cols = where.columns([2.2, 1, 1, 1.6])
    kind_key = _keep("period_kind", "季度")
    if st.session_state[kind_key] not in kinds:
        st.session_state[kind_key] = kinds[0]
    kind = cols[0].segmented_control("期间", kinds, key=kind_key, on_change=_save, args=("period_kind",),
                                     help="季度、全年、年初至今或自定义日期范围") or kinds[0]
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
    **{t: number(f"{t}得分" if t in ("市级", "自治区级", "国家级") else t) for t in TIER_COLUMNS},
}


def fmt_num(value) -> str:
    return numbers.text(value, grouping=True, empty="—")


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
