"""Choices that carry from page to page: the 进步较大 measure (评先评优 and the annual 通报 on
导出 use one), and the annual report a choice on 评先评优 leads to."""
from __future__ import annotations

import streamlit as st

from scoring.engine import commend
from scoring import reports

from . import _widgets


def measure_picker(eng, where=st) -> str:
    """The 进步较大 measure: one choice for 评先评优 and the annual 通报 on 导出 (both draw this
    widget); it starts at the setting's default and is kept until changed."""
    measures = list(commend.MEASURES)
    default = eng.settings.get("improvement_measure", measures[0])
    if _widgets.chosen("commend_measure") not in measures:
        _widgets.remember("commend_measure", default if default in measures else measures[0])
    return where.selectbox("进步较大的衡量方法", measures, format_func=lambda m: commend.MEASURES[m],
                           help="考评办法未规定“进步较大”的含义：可按组内名次提升或得分增长（绝对值、百分比）衡量，"
                                "同比（本年较上年）或环比（第四季度较第一季度）。默认值见「管理 → 设置」。",
                           **_widgets.remembered("commend_measure", default))


def carry_to_export(year: int, measure: str) -> None:
    """Once a year or measure is picked on 评先评优, the 导出 page opens on that year's annual 通报."""
    picked = (year, measure)
    last = st.session_state.get("_commend_carried")
    if last is not None and last != picked:
        _widgets.remember("period_kind", "年度")
        _widgets.remember("period_year", year)
    st.session_state["_commend_carried"] = picked


def attachments_picker(period, profile, where=st) -> reports.Attachments:
    """The 通报's attachments, remembered per kind of period (a year lists fewer adopted items)."""
    default = reports.Attachments.default(period)
    kind = period.kind
    c1, c2, c3 = where.columns([1, 1, 2])
    scores = c1.checkbox("附得分排名表", **_widgets.remembered(f"attach_scores_{kind}", default.scores))
    breakdown = c2.checkbox("附各单位得分明细", help="逐个单位列出各计分项的条数和得分",
                            **_widgets.remembered(f"attach_breakdown_{kind}", default.breakdown))
    labels = reports.adopted_choices(profile)
    adopted = c3.selectbox("附采用信息", list(labels), format_func=labels.get,
                           **_widgets.remembered(f"attach_adopted_{kind}", default.adopted))
    return reports.Attachments(scores=scores, breakdown=breakdown, adopted=adopted or default.adopted)
