"""排名: per group, for a quarter, a year, year-to-date or a custom range. Clicking a unit (table
row or bar) opens its detail."""
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from pages import _charts, _data, _drawings, _layout, _session, _widgets
from scoring.engine.score import describe
from scoring.views import common
from scoring.views import rank as rank_views

# The key columns come first; a phone shows only the first four. They are not pinned: Streamlit
# draws pinned cells faded, and the figures a leader reads first must not be the palest ones.
KEY_COLUMNS = ["排名", "单位", "得分", "升降", "累计得分"]
PHONE_COLUMNS = ["排名", "单位", "得分", "升降"]
def score_note() -> str:
    """How the page's figures are made, as this office's profile makes them."""
    return (f"{describe(_data.engine().profile)}；同分并列，名次相同。"
            "采用率 = 采用条数 ÷ 报送条数。累计得分为当年 1 月 1 日至期末。")


def table_columns() -> list[str]:
    """The key columns, then counts and rates, each score tier (its adoption count first), 批示数."""
    profile = _data.engine().profile
    tiers = [c for t in profile.score_tiers for c in ([profile.adoption_tiers[t], t] if t in profile.adoption_tiers else [t])]
    flags = [f.name for f in profile.flags]  # the profile's marks (不达标 …) right after the key columns
    return [*KEY_COLUMNS, *flags, "并列", "报送数", "采用数", "采用率", *tiers, "批示数", "unit_id"]


def print_columns() -> list[str]:
    """Paper: the figures a 通报 table carries (the counts per tier stay on screen)."""
    return ["排名", "并列", "单位", "得分", "升降", "累计得分", "报送数", "采用数", "采用率",
            *_data.engine().profile.score_tiers]


def movement_column(period, width: int = 60) -> st.column_config.Column:
    # a number on screen (名次变化), so that sorting by the header puts 14 above 3 and -10 below
    # -2 (as text, ↑14 came before ↑3); the arrows (↑3 ↓2) stay in print, the 通报 and exports.
    # The grid shows no sign on positive numbers ("%+d" is not among its formats).
    return st.column_config.NumberColumn(
        "升降", width=width, format="%d",
        help=f"与{period.previous().label}相比名次的升降：3 为上升 3 名，-2 为下降 2 名，0 为持平；"
             "空白表示没有可比的数据或组别有调整。点击列名可按升降排序")


def on_screen(part: pl.DataFrame) -> pl.DataFrame:
    """The ranking as the screen's tables show it: 升降 as the signed number of places."""
    return part.with_columns(pl.col("名次变化").alias("升降")) if "名次变化" in part.columns else part


def table_config(period) -> dict:
    scores = _widgets.score_columns()
    return {**scores,
            "排名": st.column_config.NumberColumn("排名", format="%d", width=48),
            "单位": st.column_config.TextColumn("单位", width=210),
            "得分": st.column_config.NumberColumn("得分", format="localized", width=64, help=scores["得分"]["help"]),
            "升降": movement_column(period),
            "累计得分": st.column_config.NumberColumn("累计得分", format="localized", width=76,
                                                  help=scores["累计得分"]["help"]),
            "并列": st.column_config.TextColumn("并列", width="small"),
            "报送数": _widgets.number("报送数", help="期间“报送”行数"),
            "采用数": _widgets.number("采用数", help="期间“采用”行数（各级合计）"),
            "批示数": _widgets.number("批示数")}


def phone_config(period) -> dict:
    return {"排名": st.column_config.NumberColumn("排名", format="%d", width=44),
            "单位": st.column_config.TextColumn("单位", width=170),
            "得分": st.column_config.NumberColumn("得分", format="localized", width=56),
            "升降": movement_column(period, width=48)}


def open_selected(event, table: pl.DataFrame) -> None:
    if event.selection.rows and _session.unit_scope() is None:
        _widgets.link_unit(table["unit_id"][event.selection.rows[0]])


def group_chart(period, order: str, group: str) -> go.Figure:
    """The group's score make-up by tier, one bar per unit (built once for every viewer: _drawings)."""
    frame = _data.view(rank_views.ranking_view, period, order)
    part = frame.filter(pl.col("组别") == group)
    fig = go.Figure()
    names, ids = part["单位"].to_list(), part["unit_id"].to_list()
    tiers = common.tier_columns(_data.engine().profile)
    for tier in tiers:
        # each part's points on it where they fit (the phone shows no tier columns)
        fig.add_bar(y=names, x=part[tier].to_list(), name=tier, orientation="h", customdata=ids,
                    texttemplate="%{x:,}", textposition="inside", insidetextanchor="middle", textangle=0,
                    marker_color=_charts.tier_color(tier), hovertemplate="%{y}<br>%{fullData.name}：%{x:,}<extra></extra>")
    # the score beside each bar, past its end
    ends = rank_views.bar_ends(part, tiers)
    fig.add_scatter(y=names, x=ends, mode="text", text=[f" {_widgets.fmt_num(v)} 分" for v in part["得分"].to_list()],
                    textposition="middle right", showlegend=False, hoverinfo="skip", cliponaxis=False)
    fig.update_layout(barmode="relative", clickmode="event+select", xaxis={"title": "分值", "tickformat": ",d"},
                      yaxis={"autorange": "reversed", "type": "category"}, uniformtext={"minsize": 9, "mode": "hide"})
    _charts.style(fig, height=max(350, 28 * part.height + 120), title=f"{group} 组各单位得分构成（{period.label}）")
    fig.update_layout(margin={"r": 64})  # room for the score beside the longest bar
    return fig


def group_tab(frame: pl.DataFrame, group: str, period, order: str) -> None:
    part = on_screen(frame.filter(pl.col("组别") == group))
    if part.height == 0:
        st.caption("本组在该期间没有单位。")
        return
    table = part.select([c for c in table_columns() if c in part.columns])
    with st.container(key=f"wide_rank_{group}"):
        event = _widgets.df(table, key=f"rank_table_{group}", on_select="rerun", selection_mode="single-row",
                            column_config=table_config(period), height=_layout.full_height(table.height))
        open_selected(event, table)
    with st.container(key=f"narrow_rank_{group}"):
        phone = part.select(*PHONE_COLUMNS, "unit_id")
        event = _widgets.df(phone, key=f"rank_phone_{group}", on_select="rerun", selection_mode="single-row",
                            column_config=phone_config(period), row_height=_layout.PHONE_ROW,
                            height=_layout.full_height(phone.height, _layout.PHONE_ROW))
        open_selected(event, phone)
    ties = part.filter(pl.col("并列") == "并列")
    if ties.height:
        st.caption("并列：" + "；".join(
            f"第{r}名 " + "、".join(_widgets.text(n) for n in g["单位"].to_list())
            for (r,), g in ties.group_by("排名", maintain_order=True)) + "（并列者按单位名单顺序排列）")

    chart = _drawings.chart(group_chart, period, order, group, key=f"rank_chart_{group}", on_select="rerun",
                            selection_mode="points", config={"displayModeBar": False})
    points = chart.selection.points if chart and chart.selection and _session.unit_scope() is None else []
    if points:
        data = points[0].get("customdata")
        unit_id = data[0] if isinstance(data, (list, tuple)) else data
        if unit_id is None:
            name = points[0].get("y")
            match = part.filter(pl.col("单位") == name)
            unit_id = match["unit_id"][0] if match.height else None
        if unit_id is not None:
            _widgets.link_unit(unit_id)
    st.container(key=f"screen_rank_hint_{group}").caption("点击表格中的一行或图中的色条，查看该单位的得分明细。")


def print_tables(period, order: str) -> tuple[str, ...]:
    """Every group's table whole, as HTML for paper (built once for every viewer: _drawings)."""
    frame = _data.view(rank_views.ranking_view, period, order)
    tiers = _data.engine().profile.adoption_tiers
    parts = [frame.filter(pl.col("组别") == group).select([c for c in print_columns() if c in frame.columns])
             .rename({t: f"{t}得分" for t in tiers}) for group in _data.groups()]
    return tuple(_layout.print_table(part, f"{group} 组（{part.height} 个单位）", {"采用率": _widgets.rate_format(), "排名": "%d"})
                 for group, part in zip(_data.groups(), parts))


def print_view(period, order: str) -> None:
    """What Ctrl+P prints: every group's table whole, in A4 landscape (the tabs show one group)."""
    with st.container(key="print_rank"):
        for table in _drawings.drawing(print_tables, period, order):
            st.html(table)
        st.caption(f"{score_note()}升降：与{period.previous().label}相比。")


def published_only(period) -> None:
    """A 单位 account sees the rankings as issued (published 通报), not the live figures."""
    pub = _data.view(rank_views.published, period.key)
    if pub is None:
        st.info(f"{period.label}的排名尚未通报发布，发布后可在此查看。", icon=":material/schedule:")
        return
    st.caption(_widgets.published(pub) + "。以下为通报发布时的排名。")
    table = _data.view(rank_views.published_table, period.key)
    mine = _session.unit_scope()
    own = table.filter(pl.col("单位") == _data.unit_options().get(mine, ""))
    if own.height:
        r = own.row(0, named=True)
        st.metric(f"本单位（{r['组别']} 组）", f"第 {r['排名']} 名", help=f"得分 {_widgets.fmt_num(r['得分'])}")
    tabs = st.tabs([f"{g} 组" for g in _data.groups()])
    for tab, g in zip(tabs, _data.groups()):
        with tab:
            # rank, unit and score first: what a phone shows without scrolling sideways
            part = table.filter(pl.col("组别") == g).select("排名", "单位", "得分", "累计得分", "报送数", "采用数")
            _widgets.df(part, key=f"issued_{g}", height=_layout.full_height(part.height),
                        column_config={"得分": _widgets.number(), "累计得分": _widgets.number(),
                                       "排名": _widgets.number(fmt="%d")})


def body() -> None:
    st.title("排名")
    _layout.page_css()
    if not _data.has_data():
        _widgets.empty_state("排名")
        return
    period = _widgets.period_picker(container=st.container(key="screen_rank_period"))
    if _session.unit_scope() is not None:
        published_only(period)
        return
    pub = _data.view(rank_views.published, period.key)
    if pub is not None:
        changes = _data.view(rank_views.published_changes, period)
        note = _widgets.published(pub) + ("。" if changes is None else f"；此后数据有变动，{changes.height} 个单位的名次或得分与通报不同。")
        with st.container(key="screen_rank_published"), st.expander(note, icon=":material/campaign:", expanded=False):
            if changes is None:
                st.caption("当前数据与已发布的通报一致。")
            else:
                _widgets.df(changes, key="rank_changes")
    c1, c2 = st.columns([3, 2])
    c1.markdown(f"**{period.label}**（{period.start.isoformat()} 至 {period.end.isoformat()}）")
    order = c2.container(key="screen_rank_order").selectbox(
        "排序", list(rank_views.ORDERS), key="rank_order", label_visibility="collapsed",
        format_func=lambda o: f"按{o}排列",
        help=f"上升最多、下降最多：按与{period.previous().label}相比名次升降的位数排列；单位名单顺序即考评单位名单（附件）的顺序")
    frame = _data.view(rank_views.ranking_view, period, order)
    print_view(period, order)
    tabs = _widgets.group_tabs({g: f"{g} 组（{frame.filter(pl.col('组别') == g).height} 个单位）" for g in _data.groups()},
                               key="rank_group")
    for tab, group in zip(tabs, _data.groups()):
        _widgets.in_tab(tab, group_tab, frame, group, period, order)
    st.container(key="screen_rank_note").caption(score_note())


_session.run_page(body, page="rank")
