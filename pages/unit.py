"""单位详情: why this score — every event with points, clause and rule version, derived
deductions with their reason, monthly submissions vs quota, score and rank by quarter, authors,
and waivers (豁免) of a month's quota deduction."""
from datetime import date

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from pages import _charts, _data, _drawings, _layout, _session, _widgets
from scoring.accounts import registry
from scoring.views import rank as rank_views
from scoring.views import unit as unit_views


def pick_unit(options: dict[int, str]) -> int:
    wanted = st.query_params.get("unit") or st.session_state.get("unit_id")
    try:
        wanted = int(wanted) if wanted is not None else None
    except ValueError:
        wanted = None
    ids = list(options)
    st.session_state["unit_pick"] = wanted if wanted in options else ids[0]
    unit_id = st.selectbox("单位", ids, key="unit_pick", format_func=lambda i: options[i],
                           on_change=_picked, help="可输入单位名称的一部分搜索")
    st.session_state["unit_id"] = unit_id
    if st.query_params.get("unit") != str(unit_id):
        st.query_params["unit"] = str(unit_id)
    return unit_id


def _picked() -> None:
    st.session_state["unit_id"] = st.session_state["unit_pick"]
    st.query_params["unit"] = str(st.session_state["unit_pick"])


def quarter_chart(unit_id: int, year: int, published: bool) -> go.Figure:
    """Score (bars, top) and rank in the group (line, below) by quarter. Two rows, so the rank
    labels never sit on the score labels; the rank axis runs from 1 (top) to the group size, with
    whole-number ticks and no 0. Built once for every viewer (_drawings)."""
    from plotly.subplots import make_subplots

    quarters = quarter_frame(unit_id, year, published)
    labels = quarters["季度"].to_list()
    depth = int(quarters["组内单位数"].max())
    step = max(1, -(-depth // 5))  # about five ticks
    ticks = list(range(1, depth + 1, step))
    if depth - ticks[-1] >= step / 2:
        ticks.append(depth)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.12)
    fig.add_bar(x=labels, y=quarters["得分"].to_list(), name="得分", marker_color="#4c78a8",
                text=[_widgets.fmt_num(v) for v in quarters["得分"].to_list()], textposition="outside",
                cliponaxis=False, hovertemplate="%{x}<br>得分 %{y:,}<extra></extra>", row=1, col=1)
    fig.add_scatter(x=labels, y=quarters["排名"].to_list(), name="组内排名", mode="lines+markers+text",
                    text=[f"第{r}名" for r in quarters["排名"].to_list()], textposition="top center",
                    cliponaxis=False, line={"color": "#e45756"}, hovertemplate="%{x}<br>第 %{y} 名<extra></extra>",
                    row=2, col=1)
    fig.update_yaxes(title_text="得分", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="组内排名", range=[depth + 0.5, 0.5], tickmode="array",
                     tickvals=ticks, tickformat="d", row=2, col=1)
    return _charts.style(fig, height=460)


def month_chart(period, unit_id: int) -> go.Figure:
    """Submissions against the quota by month (built once for every viewer: _drawings)."""
    months = _data.view(unit_views.unit_detail, period, unit_id)["months"]
    labels = [f"{d.month}月" for d in months["月份"].to_list()]
    colors = ["#54a24b" if s in ("达标", "较大改变") else "#9d9d9d" if s in ("豁免", "未结束", "未统计") else "#e45756"
              for s in months["状态"].to_list()]
    fig = go.Figure()
    fig.add_bar(x=labels, y=months["报送数"].to_list(), name="报送数", marker_color=colors,
                customdata=months["状态"].to_list(), hovertemplate="%{x}：报送 %{y} 条（%{customdata}）<extra></extra>")
    fig.add_scatter(x=labels, y=months["任务数"].to_list(), name="任务数", mode="lines",
                    line={"color": "#1f2937", "dash": "dash", "shape": "hv"})
    return _charts.style(fig, height=300)


def waiver_form(unit_id: int, name: str, period_end: date) -> None:
    months = _data.view(unit_views.waivable_months, unit_id, period_end)
    with st.expander("豁免某月的报送任务扣分", icon=":material/shield:"):
        st.caption("经批准的特殊情况（如单位搬迁、机构调整），可豁免某月的报送任务：该月不扣分、不发提醒函、"
                   "不影响评先资格，也不中断或延续连续未完成的计数。豁免记录写入操作日志。")
        if not months:
            st.caption("截至期末，该单位没有被扣分的月份。")
            return
        with st.form(f"waive_{unit_id}", clear_on_submit=True):
            month = st.selectbox("月份", months, format_func=lambda d: f"{d.year}年{d.month}月")
            reason = st.text_input("豁免原因（必填）", placeholder="如：单位搬迁，经县政府办公室同意当月免报")
            if st.form_submit_button("确认豁免", type="primary"):
                if not reason.strip():
                    st.error("请填写豁免原因。")
                else:
                    try:
                        _session.write("waive", _data.store().add_waiver, unit_id, month, reason.strip(), _session.who())
                    except ValueError as e:
                        st.error(str(e))
                    else:
                        st.success(f"已豁免 {_widgets.text(name)} {month.year}年{month.month}月的报送任务扣分。")
                        st.rerun()


def quarter_frame(unit_id: int, year: int, published: bool) -> pl.DataFrame:
    """The unit's score and rank by quarter: as issued (published: what a 单位 account sees), or live."""
    if published:
        return _data.view(unit_views.published_quarters, year, unit_id)
    return _data.view(rank_views.rank_by_quarter, year).filter(pl.col("unit_id") == unit_id)


def print_tables(period, unit_id: int, published: bool) -> tuple[str, ...]:
    """The scored records, the months and the quarters, whole, as HTML for paper (built once for
    every viewer: _drawings)."""
    d = _data.view(unit_views.unit_detail, period, unit_id)
    quarters = quarter_frame(unit_id, period.end.year, published)
    events = d["events"].filter((pl.col("分值").fill_null(0) != 0) | (pl.col("类型") == "豁免"))
    months = d["months"].select(pl.col("月份").dt.strftime("%Y年%-m月"), "报送数", "任务数", "状态")
    tables = (_layout.print_table(events.select("日期", "类型", "事项", "分值", "标题", "条款", "来源"),
                                  f"{period.label}计分记录（{events.height} 条）"),
              _layout.print_table(months, "每月报送"))
    if quarters.height:
        tables += (_layout.print_table(quarters.select("季度", "组别", "得分", "排名"),
                                       f"{period.end.year}年季度得分与排名", {"排名": "%d"}),)
    return tables


def print_view(period, unit_id: int, published: bool) -> None:
    """What Ctrl+P prints instead of the tabs (one tab at a time, tables in scroll boxes): the
    scored records, the months and the quarters, whole, on A4 landscape."""
    with st.container(key="print_unit"):
        for table in _drawings.drawing(print_tables, period, unit_id, published):
            st.html(table)


def adoptions_help(s: dict) -> str | None:
    profile = _data.engine().profile
    return "，".join(f"{tier} {s[column]}" for tier, column in profile.adoption_tiers.items()) or None


def live_standing(s: dict, group_size: int, period) -> None:
    profile = _data.engine().profile
    others = [t for t in profile.score_tiers if t not in profile.adoption_tiers]
    shown = list(dict.fromkeys(others[:1] + others[-1:]))  # e.g. 批示加分 and 扣分
    cols = st.columns(4 + len(shown))
    cols[0].metric("得分", _widgets.fmt_num(s["得分"]), help="低于 0 分按 0 分计" if s["原始得分"] < 0 else None)
    cols[1].metric(f"{s['组别']} 组排名", f"第 {s['排名']} 名", help=f"本组共 {group_size} 个单位；同分并列")
    cols[2].metric("报送数", _widgets.fmt_num(s["报送数"]))
    cols[3].metric("采用数", _widgets.fmt_num(s["采用数"]), help=adoptions_help(s))
    for col, tier in zip(cols[4:], shown):
        col.metric(tier, _widgets.fmt_num(s[tier]))
    st.caption(f"{period.label}：" + "，".join(f"{t} {_widgets.fmt_num(s[t])} 分" for t in profile.score_tiers)
               + f"；合计 {_widgets.fmt_num(s['原始得分'])} 分" + ("，按 0 分计。" if s["原始得分"] < 0 else "。"))


def standing(issued: dict | None, s: dict, period) -> None:
    """A 单位 account sees its score and rank as issued in the period's 通报, as on 排名: nothing
    before publication (no empty slots either). Its own counts and records are shown either way."""
    cols = iter(st.columns(4))
    if issued is not None:
        next(cols).metric("得分（通报）", _widgets.fmt_num(issued["得分"]))
        next(cols).metric(f"{issued['组别']} 组排名（通报）", f"第 {issued['排名']} 名",
                          help=f"本组共 {issued['group_size']} 个单位；同分并列")
    next(cols).metric("报送数", _widgets.fmt_num(s["报送数"]))
    next(cols).metric("采用数", _widgets.fmt_num(s["采用数"]), help=adoptions_help(s))
    if issued is None:
        st.info(f"{period.label}的得分与排名尚未通报发布，发布后可在此查看；下列记录的分值为按规则计算的明细，"
                "以通报为准。", icon=":material/schedule:")
        st.page_link(registry.file_of("review"), label="核对本单位记录、申请更正", icon=":material/fact_check:")
    else:
        st.caption(_widgets.published(issued["publication"]) + "。得分与排名为通报发布时的数字；下列记录为当前数据。")


def body() -> None:
    st.title("单位详情")
    _layout.page_css()
    options = _data.unit_options()
    own = _session.unit_scope()  # auth.unit_scope(user): a 单位 account sees its own unit only
    if own is None:
        top = st.columns([2, 3])
        with top[0], st.container(key="screen_unit_pick"):
            unit_id = pick_unit(options)
        head = top[1]
    else:  # nothing to pick: the unit's name takes the row instead of leaving a gap beside it
        unit_id, head = int(own), st.container()
    if not _data.has_data():
        _widgets.empty_state("单位详情")
        return
    period = _widgets.period_picker(container=st.container(key="screen_unit_period"))
    d = _data.view(unit_views.unit_detail, period, unit_id)
    unit, s = d["unit"], d["summary"]
    contact = "　".join(f"{label}：{_widgets.text(unit[key])}" for label, key in
                       (("负责人", "head"), ("联系人", "contact"), ("电话", "phone")) if unit[key])
    head.markdown(f"### {_widgets.text(unit['name'])}")
    if contact and _session.can("contacts"):  # a kiosk screen shows no one's name or telephone number
        head.caption(contact)
    if s is None:
        st.info(f"{_widgets.text(unit['name'])} 在{period.label}不在考评名单中。")
        return
    if own is not None:
        standing(_data.view(unit_views.published_standing, period, unit_id), s, period)
    else:
        live_standing(s, d["group_size"], period)

    published = _session.unit_scope() is not None
    print_view(period, unit_id, published)
    tab_events, tab_months, tab_quarters, tab_authors = st.container(key="screen_unit_tabs").tabs(
        ["得分明细", "每月报送", "季度得分与排名", "作者"], key="unit_tab", on_change="rerun")
    _widgets.in_tab(tab_events, events_tab, d)
    _widgets.in_tab(tab_months, months_tab, d, period, unit_id, unit["name"])
    _widgets.in_tab(tab_quarters, quarters_tab, unit_id, period.end.year, published)
    _widgets.in_tab(tab_authors, authors_tab, d)


def events_tab(d: dict) -> None:
    events = d["events"]
    scored = events.filter(pl.col("分值").fill_null(0) != 0)
    show_all = st.toggle("显示不计分的记录（报送、弃稿等）", **_widgets.remembered("unit_show_all", False))
    shown = events if show_all else pl.concat([scored, events.filter(pl.col("类型") == "豁免")]).unique(
        maintain_order=True).sort(["日期", "事件编号"], nulls_last=True)
    if shown.height == 0:
        st.caption("该期间没有计分记录。")
    else:
        with st.container(key="wide_unit_events"):
            _widgets.df(shown, column_config={"日期": _widgets.day(), "分值": _widgets.number("分值"),
                                              "标题": st.column_config.TextColumn("标题", width="large"),
                                              "事件编号": _widgets.number("事件编号", "%d")},
                        height=_layout.capped_height(shown.height, 560))
        with st.container(key="narrow_unit_events"):
            # a phone: date, points and item, all in view (分值 was pushed past the right edge),
            # rows tall enough for an item's name on two lines
            phone = shown.select("日期", "分值", "事项")
            _widgets.df(phone, key="unit_events_phone", row_height=_layout.PHONE_ROW,
                        column_config={"日期": st.column_config.DateColumn("日期", format="MM-DD", width=56),
                                       "分值": _widgets.number("分值"), "事项": st.column_config.TextColumn("事项", width=170)},
                        height=min(_layout.full_height(phone.height, _layout.PHONE_ROW), 640))
        st.caption(f"共 {events.height} 条记录，其中计分 {scored.height} 条。"
                   "“系统按……计算”的记录由报送条数、任务和条件自动得出，依据见该行的条款和原文。")
    with st.expander("按计分事项汇总"):
        _widgets.df(d["by_item"], column_config={"条数": _widgets.number(), "合计": _widgets.number("合计分值")})


def months_tab(d: dict, period, unit_id: int, name: str) -> None:
    months = d["months"]
    if months.height == 0:
        st.caption("该期间没有月份数据。")
    else:
        _drawings.chart(month_chart, period, unit_id, key="unit_months", config={"displayModeBar": False})
        _widgets.df(months.with_columns(pl.col("扣分代码").fill_null("")),
               column_config={"月份": st.column_config.DateColumn("月份", format="YYYY年M月"),
                              "报送数": _widgets.number(), "任务数": _widgets.number()})
    if d["waivers"].height:
        st.markdown("**豁免记录**")
        _widgets.df(d["waivers"], column_config={"月份": st.column_config.DateColumn("月份", format="YYYY年M月"),
                                            "时间": _widgets.when()})
    if _session.can("waive"):
        waiver_form(unit_id, name, period.end)


def quarters_tab(unit_id: int, year: int, published: bool) -> None:
    quarters = quarter_frame(unit_id, year, published)
    if quarters.height == 0:
        st.caption("该年度还没有已通报的季度排名。" if published else "该年度还没有季度数据。")
    else:
        _drawings.chart(quarter_chart, unit_id, year, published, key="unit_quarters", config={"displayModeBar": False})
        _widgets.df(quarters.select("季度", "组别", "得分", "排名"), column_config={"得分": _widgets.number()})


def authors_tab(d: dict) -> None:
    authors = d["authors"]
    if authors.height == 0:
        st.caption("该期间的记录没有填写作者。")
    else:
        st.caption("按记录中“作者”一栏统计（多位作者各计一次）；得分为其参与信息的计分合计，可作为推荐先进个人的参考。")
        _widgets.df(authors, column_config={"报送数": _widgets.number(), "采用数": _widgets.number(), "得分": _widgets.number()})


_session.run_page(body, page="unit")
