"""规则试算: the rule table in force, the version history, and a what-if — edit points and see,
per group, current (or another trial's) vs what-if score and rank. A what-if can be kept as a
named trial (试算方案, pages/_trials.py) by anyone who may view; only 管理 saves it as a new dated
rule version (with a reason)."""

import polars as pl
import streamlit as st

from pages import _data, _layout, _session, _trial, _trials, _widgets
from scoring.profile.overrides import parse_overrides
from scoring.profile.rules import RuleError
from scoring.views import rules as rules_views


def rules_tab() -> None:
    eng = _data.engine()
    versions = eng.book.versions
    in_force = eng.book.index_for(_data.today())
    idx = st.selectbox("规则版本", list(range(len(versions))), index=in_force, key="rules_version",
                       format_func=lambda i: f"{versions[i].version}（{versions[i].effective.isoformat()} 起施行）"
                       + ("　现行" if i == in_force else ""))
    v = versions[idx]
    st.caption(_widgets.text(f"{v.title}。{v.reason}"))
    table = _data.view(rules_views.rule_table, idx)
    _widgets.df(table, key="rules_table", height=600, download="计分规则", column_config={
        "分值": _widgets.number("分值"), "原文": st.column_config.TextColumn("原文", width="large"),
        "名称": st.column_config.TextColumn("名称", width="medium")})
    st.caption("每条记录按（类型、层级、刊物、栏目、批示人）对应一个计分事项；记录按其日期所在的规则版本计分。")


def history_tab() -> None:
    _widgets.df(_data.view(rules_views.versions_table), key="rules_versions", column_config={"生效日期": _widgets.day()})
    st.caption("规则可按季度通报调整分值（考评办法七）：每次调整保存为一个带生效日期的新版本，"
               "生效日期当天及以后的记录按新版本计分，之前的记录仍按原版本计分。")


def save_form(overrides: dict[str, float]) -> None:
    if not overrides:
        return
    eng = _data.engine()
    with st.expander("采用为新的规则版本", icon=":material/gavel:"):
        if not _session.can("rules"):
            st.caption("只有管理员可以把试算采用为新的规则版本。")
            return
        st.caption("保存后，生效日期当天及以后的记录按新分值计分；之前的记录不受影响。")
        with st.form("save_rules"):
            c = st.columns([1, 2])
            effective = c[0].date_input("生效日期", value=_data.today(), format="YYYY-MM-DD")
            title = c[1].text_input("标题", value=eng.book.latest().title)
            reason = st.text_input("调整依据（必填）", placeholder="如：2025年第二季度通报调整简讯分值")
            submitted = st.form_submit_button("保存新版本", type="primary")
        if not submitted:
            return
        if not reason.strip():
            st.error("请填写调整依据。")
            return
        try:
            body = rules_views.rule_version_yaml(effective, overrides, reason.strip(), eng.book, title.strip() or None)
            _session.write("rules", _data.store().save_rule_version, effective, body, reason.strip(), _session.who())
        except (RuleError, ValueError) as e:
            st.error(f"未保存：{_widgets.text(e)}")
            return
        st.session_state["rules_saved"] = f"已保存 {effective.isoformat()} 起施行的规则版本。"
        _trial.start(None)  # the what-if is the rules in force now
        st.rerun(scope="app")


def _code_help() -> str:
    """Each item's code, for the typed form (the tables show names only)."""
    names = _data.view(rules_views.item_names)
    return "各计分事项的代码：\n\n" + "\n".join(f"- {_widgets.text(n)}：{c}" for c, n in names.items())


@st.fragment
def whatif_tab() -> None:
    _session.run_page(whatif_body)  # a fragment reruns on its own: guard it too


def whatif_body() -> None:
    held = _trial.state()
    _trials.from_link()
    _trial.resume()
    period = _widgets.period_picker()
    left, right = st.columns([5, 6], gap="medium")
    with left:
        start = tuple(sorted(parse_overrides(held["base"]).items()))
        edited = _widgets.editor(_data.view(rules_views.whatif_base, start), key=_trial.EDITOR, height=520,
                                 disabled=["代码", "名称", "分类", "条款", "现行分值"],
                                 column_config={"现行分值": _widgets.number("现行", help="现行规则版本的分值"),
                                                "试算分值": st.column_config.NumberColumn(
                                                    "试算分值", step=0.5, format="localized",
                                                    help="在此修改分值，右侧即对比各单位现行与试算的得分和名次；"
                                                         "扣分项须为负数或 0"),
                                                "名称": st.column_config.TextColumn("计分事项", width="medium"),
                                                "分类": st.column_config.TextColumn("分类", width="small"),
                                                "条款": st.column_config.TextColumn("条款", width="small")})
        text = st.text_input("或按代码输入 代码=分值（与命令行相同，多个用逗号分隔）", key=_trial.TYPED,
                             placeholder="如 代码=4，代码=-10", help=_code_help())
    try:
        overrides = {**rules_views.overrides_from(pl.DataFrame(edited) if not isinstance(edited, pl.DataFrame) else edited),
                     **parse_overrides(text)}
    except ValueError as e:
        right.error(_widgets.text(e))
        return
    held["current"] = rules_views.overrides_code(overrides)
    problems = rules_views.check_overrides(_data.engine(), overrides)
    with right:
        other = _trials.bar(period)
        if problems:
            st.error("试算分值有误：\n\n" + "\n".join(f"- {_widgets.text(p)}" for p in problems))
        elif not overrides and not other:
            st.info("尚未修改任何分值。修改左表“试算分值”后，这里显示各组现行与试算的得分、名次对比；"
                    "试算可保存为方案，分享给同事。", icon=":material/balance:")
        else:
            comparison(period, overrides, other)
    if not problems:
        with left:
            _trials.save_form(period)
        save_form(overrides)
    _trial.guard_unload()


MOVES = {"全部": None, "名次变化": pl.col("名次变化") != 0, "上升": pl.col("名次变化") > 0, "下降": pl.col("名次变化") < 0}


def comparison(period, overrides: dict, other: dict) -> None:
    """Per group: the what-if's rank and score beside those of the rules in force (or of another
    trial), the units that move first in view and marked, and a filter for them."""
    if overrides:
        st.caption("**试算调整**：" + rules_views.overrides_text(_data.engine(), overrides),
                   help="代码：" + rules_views.overrides_code(overrides))
    cmp = _data.view(rules_views.compare_view, period, tuple(sorted(overrides.items())), tuple(sorted(other.items())))
    counts = {k: cmp.height if f is None else cmp.filter(f).height for k, f in MOVES.items()}
    shown = st.segmented_control(f"{period.label}名次", list(MOVES), default="全部", required=True, key="whatif_moves",
                                 format_func=lambda k: f"{k} {counts[k]}")
    if MOVES[shown] is not None:
        cmp = cmp.filter(MOVES[shown])
    was = "对比" if other else "现行"
    marks = cmp.filter(pl.col("名次变化") != 0)["变化"].unique().sort().to_list()
    for tab, g in zip(st.tabs([f"{g} 组" for g in _data.groups()]), _data.groups()):
        with tab:
            part = (cmp.filter(pl.col("组别") == g)
                    .select("试算排名", "单位", _pill("变化"), "得分变化", "试算得分", "排名", "得分"))
            if part.height == 0:
                st.caption("本组没有符合条件的单位。")
                continue
            _widgets.df(part, key=f"whatif_{g}", height=_layout.capped_height(part.height, 560), column_config={
                "试算排名": _widgets.number("试算排名", "%d"),
                "变化": st.column_config.MultiselectColumn(
                    "名次变化", options=marks, color=[_move_color(m) for m in marks],
                    help=f"与{was}名次相比：↑ 上升，↓ 下降"),
                "得分变化": _widgets.number("得分变化", "%+g"), "试算得分": _widgets.number("试算得分"),
                "排名": _widgets.number(f"{was}排名", "%d"), "得分": _widgets.number(f"{was}得分")})


def _pill(column: str) -> pl.Expr:
    """A mover's ↑/↓ as a coloured label (a one-item list for the grid's label column); a unit
    that keeps its place gets none, so the movers stand out."""
    return pl.when(pl.col("名次变化") != 0).then(pl.concat_list(column)).otherwise(None).alias(column)


def _move_color(mark: str) -> str:
    return "green" if mark.startswith("↑") else "red"


def body() -> None:
    st.title("规则试算")
    msg = st.session_state.pop("rules_saved", None)
    if msg:
        st.success(msg, icon=":material/check_circle:")
    tabs = st.tabs(["试算", "现行规则", "版本历史"])
    with tabs[0]:
        if _data.has_data():
            whatif_tab()
        else:
            _widgets.empty_state("试算结果")
    with tabs[1]:
        rules_tab()
    with tabs[2]:
        history_tab()


_session.run_page(body, page="rules")
