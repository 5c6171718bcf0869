"""总览: the month at a glance — who is behind (催报), 零报送 units, adoptions by tier,
each group's top units and the latest imports."""
import plotly.graph_objects as go
import streamlit as st

from pages import _charts, _data, _drawings, _session, _widgets
from scoring.views import common
from scoring.views import home as home_views
from scoring.views import unit as unit_views
from scoring.views import upload as upload_views
from scoring.accounts import registry


def unit_home(unit_id: int, month) -> None:
    """A 单位 account sees its own month only."""
    from scoring.engine.periods import Period

    d = _data.view(unit_views.unit_detail, Period.month(month.year, month.month), unit_id)
    st.subheader(_widgets.text(d["unit"]["name"]))
    row = d["months"]
    if row.height:
        r = row.row(0, named=True)
        cols = st.columns(3)
        cols[0].metric("本月报送", f"{r['报送数']} 条")
        cols[1].metric("任务数", f"{r['任务数']} 条")
        cols[2].metric("状态", r["状态"])
    # No score here: a unit sees its score and rank as the 通报 issues them (单位详情), not before.
    st.page_link(registry.file_of("unit"), label="查看本单位的记录和已通报的得分", icon=":material/search:")
    st.page_link(registry.file_of("review"), label="核对本单位记录、申请更正", icon=":material/fact_check:")


def adoption_chart(month) -> go.Figure:
    """Adoptions by tier and group in the quarter to date (built once for every viewer: _drawings)."""
    s = _data.view(home_views.home_summary, month)
    adoptions = s["adoptions"]
    fig = go.Figure()
    for tier in s["adoption_tiers"]:
        part = adoptions.filter(adoptions["层级"] == tier)
        fig.add_bar(x=[f"{g} 组" for g in part["组别"].to_list()], y=part["采用数"].to_list(), name=tier,
                    text=part["采用数"].to_list(), marker_color=_charts.tier_color(tier),
                    hovertemplate="%{x} %{fullData.name}采用 %{y} 条<extra></extra>")
    fig.update_layout(barmode="group", yaxis={"title": "采用条数"})
    return _charts.style(fig, height=300)


def body() -> None:
    st.title("总览")
    if not _data.has_data():
        _widgets.empty_state("总览")
        return
    months = _data.store_view(common.data_months, _data.today())
    c1, c2 = st.columns([1, 4])
    month = c1.selectbox("月份", months, key="home_month", format_func=lambda d: f"{d.year}年{d.month}月",
                         help="默认为最近有数据的月份")
    if _session.unit_scope() is not None:
        unit_home(_session.unit_scope(), month)
        return
    s = _data.view(home_views.home_summary, month)
    m = s["metrics"]
    if not s["month_ended"]:
        c2.info("本月尚未结束：报送任务按目前进度显示，月底后才计算扣分。", icon=":material/schedule:")

    cols = st.columns(5)
    cols[0].metric("本月报送", _widgets.fmt_num(m["报送数"]))
    cols[1].metric("本月采用", _widgets.fmt_num(m["采用数"]))
    cols[2].metric("本月领导批示", _widgets.fmt_num(m["批示数"]))
    cols[3].metric("未完成报送任务", f"{m['未达标单位']} 个单位")
    cols[4].metric("零报送", f"{m['零报送单位']} 个单位")

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("催报名单")
        st.caption(f"{s['month'].label}报送条数低于本组任务数（{s['quota_text']}）的单位，按差额排列；已豁免的月份不列入。")
        behind = s["behind"]
        if behind.height == 0:
            st.success("本月所有单位均已完成报送任务。", icon=":material/check_circle:")
        else:
            event = _widgets.df(behind, key="home_behind", on_select="rerun", selection_mode="single-row",
                           column_config={"报送数": _widgets.number("已报送"), "任务数": _widgets.number("任务数"),
                                          "差额": _widgets.number("差额")})
            if event.selection.rows:
                _widgets.link_unit(behind["unit_id"][event.selection.rows[0]])
            st.caption("点击一行查看该单位详情。")
        st.subheader("零报送单位")
        zero = s["zero"]
        if zero.height == 0:
            st.caption("本月没有零报送的单位。")
        else:
            st.warning("本月零报送：" + "、".join(f"{_widgets.text(n)}（{g} 组）" for n, g in zero.select("单位", "组别").iter_rows()),
                       icon=":material/warning:")
    with right:
        st.subheader("报送任务完成情况")
        _widgets.df(s["group_quota"], column_config={"单位数": _widgets.number(), "达标单位": _widgets.number(),
                                                "未达标单位": _widgets.number(), "报送数": _widgets.number("报送条数")})
        st.subheader("采用情况")
        st.caption(s["qtd"].label)
        _drawings.chart(adoption_chart, month, key="home_adoptions", config={"displayModeBar": False})

    st.subheader("各组前三名")
    st.caption(f"{s['qtd'].label}，并列者一并列出；↑↓ 为与{s['before'].label}相比名次的升降。")
    top = s["top"]
    for col, group in _widgets.group_columns(_data.groups()):
        with col:
            st.markdown(f"**{group} 组**")
            part = top.filter(top["组别"] == group)
            if part.height == 0:
                st.caption("暂无得分")
                continue
            # Score and movement before the name: a long name is cut at the column's edge.
            for rank, name, score, move, unit_id in part.select("排名", "单位", "得分", "升降", "unit_id").iter_rows():
                trend = "" if move == "—" else f"　{move}"
                st.page_link(registry.file_of("unit"),
                             label=f"第{rank}名　{_widgets.fmt_num(score)} 分{trend}　{_widgets.text(name)}",
                             query_params={"unit": str(unit_id)},
                             help=f"{_widgets.text(name)}：{_widgets.fmt_num(score)} 分")

    st.subheader("最近导入")
    imports = _data.store_view(upload_views.imports_table, 5)
    if imports.height == 0:
        st.caption("还没有导入记录。")
    else:
        _widgets.df(imports, column_config={"导入时间": _widgets.when(), "行数": _widgets.number(), "新增": _widgets.number(),
                                       "已有": _widgets.number()})
    if "upload" in _session.allowed_pages():
        st.page_link(registry.file_of("upload"), label="前往数据导入", icon=":material/upload_file:")


_session.run_page(body, page="home")
