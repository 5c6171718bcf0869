"""评先评优: 先进单位 and 进步较大单位 per group for a year (selectable improvement measure),
a rank chart over quarters, eligibility with reasons (六), 先进个人 candidates, 优秀信息 and the
lowest-ranked units (书面检查)."""
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from pages import _charts, _choices, _data, _drawings, _layout, _session, _widgets
from scoring.engine import commend
from scoring import reports
from scoring.engine.periods import Period
from scoring.views import commend as commend_views
from scoring.views import common
from scoring.views import rank as rank_views

def bump_chart(year: int, measure: str, group: str) -> go.Figure:
    """The group's ranks by quarter: every unit a thin grey line (its name on hover), the units
    proposed for a title in colour with a legend above the plot, which stays short enough to read
    (31 legend entries went off the right edge). Built once for every viewer (_drawings)."""
    result = _data.view(commend.select, year, measure)
    highlight = {**dict.fromkeys(result["进步较大单位"]["unit_id"].to_list(), "进步较大"),
                 **dict.fromkeys(result["先进单位"]["unit_id"].to_list(), "先进")}
    part = _data.view(rank_views.rank_by_quarter, year).filter(pl.col("组别") == group)
    fig = go.Figure()
    named = 0
    for (unit_id, name), rows in part.group_by("unit_id", "单位", maintain_order=True):
        rows = rows.sort("季度号")
        title = highlight.get(unit_id)
        line = ({"width": 3, "color": _charts.PALETTE[named % len(_charts.PALETTE)]} if title
                else {"width": 1, "color": "#c4c8cf"})
        named += bool(title)
        # the name comes into the hover text through meta, so that a '%' in it is never read as a
        # template (_charts.style escapes it, and the legend name, for Plotly's own markup)
        fig.add_scatter(x=rows["季度"].to_list(), y=rows["排名"].to_list(), mode="lines+markers", line=line,
                        name=f"{name}（{title}）" if title else name, showlegend=bool(title),
                        customdata=rows["得分"].to_list(), meta=name,
                        hovertemplate="%{meta}<br>%{x}：第 %{y} 名（%{customdata:,} 分）<extra></extra>")
    # the named units drawn last, over the grey ones
    fig.data = tuple(sorted(fig.data, key=lambda t: t.showlegend))
    n = part["排名"].max() if part.height else 1
    fig.update_layout(yaxis={"range": [n + 0.5, 0.5], "title": "组内排名", "tick0": 1, "dtick": 1 if n <= 15 else 5},
                      xaxis={"title": None})
    return _charts.style(fig, height=max(360, 14 * min(part["unit_id"].n_unique(), 31) + 140))


def group_cards(result: dict) -> None:
    """Per group: 先进单位, 进步较大单位 (with the figure the measure compares) and 书面检查."""
    column = commend.measure_column(result["measure"])
    for col, group in _widgets.group_columns(_data.groups()):
        with col, st.container(border=True):
            st.markdown(f"#### {group} 组")
            adv = result["先进单位"].filter(pl.col("组别") == group)
            st.markdown("**先进单位**")
            st.markdown("\n".join(f"{i}. {_widgets.text(n)}（第{r}名，{_widgets.fmt_num(s)} 分）" for i, (r, n, s) in
                                  enumerate(adv.select("排名", "单位", "得分").iter_rows(), start=1)) or "（无）")
            imp = result["进步较大单位"].filter(pl.col("组别") == group)
            st.markdown("**进步较大单位**")
            st.markdown("\n".join(
                f"{i}. {_widgets.text(row['单位'])}（{result['measure_label']} {_fmt_measure(row[column], column)}）"
                for i, row in enumerate(imp.iter_rows(named=True), start=1)) or "（无）")
            low = result["书面检查"].filter(pl.col("组别") == group)
            st.markdown("**须书面检查**")
            st.markdown("、".join(f"{_widgets.text(n)}（第{r}名）" for r, n in low.select("排名", "单位").iter_rows()) or "（无）")


def body() -> None:
    st.title("评先评优")
    if not _data.has_data():
        _widgets.empty_state("评先评优结果")
        return
    years = _data.store_view(common.data_years, _data.today())
    eng = _data.engine()
    c1, c2, c3 = st.columns([1, 2, 3])
    if _widgets.chosen("commend_year") not in years:
        _widgets.remember("commend_year", _widgets.chosen("period_year") if _widgets.chosen("period_year") in years
                          else years[0])
    year = c1.selectbox("年度", years, format_func=lambda y: f"{y}年", **_widgets.remembered("commend_year", years[0]))
    measure = _choices.measure_picker(eng, c2)
    _choices.carry_to_export(year, measure)
    counts = eng.settings
    c3.caption(f"名额（见「管理 → 设置」）：先进单位 {'/'.join(_data.groups())} 组 {'/'.join(str(counts['advanced_count'].get(g, 0)) for g in _data.groups())}，"
               f"进步较大 {'/'.join(str(counts['improved_count'].get(g, 0)) for g in _data.groups())}，"
               f"书面检查 {'/'.join(str(counts['review_count'].get(g, 0)) for g in _data.groups())}；名额边界并列者一并入选。")
    result = _data.view(commend.select, year, measure)
    if result.get("note"):
        st.warning(result["note"], icon=":material/info:")

    group_cards(result)

    annual_download(eng, year, measure)

    group = st.segmented_control("组别", _data.groups(), format_func=lambda g: f"{g} 组", required=True,
                                 help="季度名次走势和进步情况按组显示",
                                 **_widgets.remembered("commend_group", _data.groups()[0]))
    tabs = st.tabs(["季度名次走势", "评先资格", "进步情况", "先进个人", "优秀信息"], key="commend_tab", on_change="rerun")
    _widgets.in_tab(tabs[0], trend_tab, year, measure, group)
    _widgets.in_tab(tabs[1], eligibility_tab, result)
    _widgets.in_tab(tabs[2], progress_tab, year, measure, group)
    _widgets.in_tab(tabs[3], people_tab, result)
    _widgets.in_tab(tabs[4], items_tab, result)


def trend_tab(year: int, measure: str, group: str) -> None:
    quarters = _data.view(rank_views.rank_by_quarter, year)
    if quarters["季度号"].n_unique() < 2:
        st.caption("该年度不足两个季度的数据，暂无走势。")
        return
    _drawings.chart(bump_chart, year, measure, group, key="commend_bump", config={"displayModeBar": False})
    st.caption("彩色粗线为拟评先进单位和进步较大单位，灰线为本组其他单位（鼠标移到线上显示单位）；"
               "纵轴为组内名次（越靠上越好）。")


def eligibility_tab(result: dict) -> None:
    table = result["资格"].with_columns(
        pl.when(pl.col("合格")).then(pl.lit("合格")).otherwise(pl.lit("不合格")).alias("资格"))
    if st.toggle("只看不合格单位", **_widgets.remembered("commend_only_out", False)):
        table = table.filter(~pl.col("合格"))
    _widgets.df(table.select("组别", "排名", "单位", "得分", "资格", "原因", "unit_id"), key="commend_elig",
           column_config={"得分": _widgets.number(), "原因": st.column_config.TextColumn("不合格原因", width="large")})
    st.caption(commend.eligibility_rule(_data.engine()))


# how each compared figure is written (the columns of engine.commend.basis_labels)
BASIS_FORMATS = {"上期排名": "%d", "本期排名": "%d", "名次提升": "%+d", "上期得分": "localized", "本期得分": "localized",
                 "得分增长": "%+g", "增长率": "percent"}


def progress_tab(year: int, measure: str, group: str) -> None:
    progress = _data.view(commend_views.progress_table, year, measure, group)
    basis = commend.basis_labels(measure, year)
    _widgets.df(progress, key="commend_improvement", height=_layout.full_height(progress.height), column_config={
        "评选": st.column_config.TextColumn("评选", width=_widgets.text_width(progress["评选"])),
        "不参评原因": st.column_config.TextColumn("不参评原因", width=_widgets.text_width(progress["不参评原因"])),
        **{label: _widgets.number(label, BASIS_FORMATS[column]) for column, label in basis.items()}})
    earlier = commend.compared_periods(measure, year)[0]
    st.caption(f"{group} 组按“{commend.MEASURES[measure]}”从高到低排列（没有{earlier}数据的单位在最后）；"
               "“评选”一栏标出拟评先进单位、进步较大单位和不参评的单位及原因（见“评先资格”）。上期得分为 0 时不计算增长率。")


def people_tab(result: dict) -> None:
    st.caption("每个先进单位、进步较大单位可推荐一名先进个人；这里按登记表“作者”一栏，列出各单位年内计分最高的作者供参考。")
    _widgets.df(result["先进个人"], key="commend_people", column_config={"得分": _widgets.number(), "条数": _widgets.number()})


def items_tab(result: dict) -> None:
    st.caption("年内得分最高的信息（各级采用与领导批示合计）。")
    _widgets.df(result["优秀信息"], key="commend_items", column_config={
        "得分": _widgets.number(), "采用次数": _widgets.number(), "批示次数": _widgets.number(),
        "标题": st.column_config.TextColumn("标题", width="large")})


def annual_download(eng, year: int, measure: str) -> None:
    period = Period.year(year)
    label = commend.MEASURES[measure]
    number = _widgets.chosen("export_number") or None  # read now: the download runs outside this script run
    st.download_button(f"{year}年度通报（Word）", icon=":material/download:", key="commend_tongbao",
                       data=_session.download("export", reports.render, eng, period, ".docx", number=number,
                                              measure=measure),
                       file_name=reports.report_filename(period, ".docx"), mime=reports.MIME[".docx"])
    st.caption(f"通报中的进步较大单位按本页所选“{label}”评定，与上面的名单一致；期号和附件可在「导出」页设置。")


def _fmt_measure(value, column) -> str:
    if value is None:
        return "—"
    if column == "增长率":
        return f"{value * 100:+.1f}%"
    if column == "名次提升":
        return f"{int(value):+d} 名"
    return f"{value:+,.0f} 分"


_session.run_page(body, page="commend")
