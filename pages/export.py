"""导出: the 通报 (Word, PDF), the Excel and CSV exports, the 年终考核 sheet, the month's 提醒函,
and publishing a period (its figures frozen as issued). Every file is built by a pure function
of scoring.reports when its button is clicked."""
from __future__ import annotations

import streamlit as st

from pages import _choices, _data, _session, _widgets
from scoring.accounts import registry
from scoring.engine import commend
from scoring import reports
from scoring.reports import publish as pub_mod
from scoring.reports import reminders as rem
from scoring.store.reviews import OPEN
from scoring.views import review as review_views


def report_section(eng, period) -> None:
    st.subheader("通报与数据导出")
    c1, c2 = st.columns([1, 3])
    number = c1.text_input("通报期号", placeholder="如 3",
                           help="填入后通报显示“〔年份〕第 N 期”；留空则保留“第 X 期”，在 Word 中填写。",
                           **_widgets.remembered("export_number", ""))
    measure = None
    if period.kind == "year":
        measure = _choices.measure_picker(eng, c2)
        c2.caption(f"年度通报的进步较大单位按“{commend.MEASURES[measure]}”评定，与「评先评优」页所选相同"
                   "（在任一页改变，两页一起改变）。")
    attach = _choices.attachments_picker(period, eng.profile)
    st.caption(f"通报附件：{attach.describe(eng.profile)}。")
    cols = st.columns(4)
    labels = {".docx": "通报（Word）", ".pdf": "通报（PDF）", ".xlsx": "考评数据（Excel）", ".csv": "排名（CSV）"}
    for col, (ext, label) in zip(cols, labels.items()):
        col.download_button(
            label, data=_session.download("export", reports.render, eng, period, ext, number=number or None,
                                          measure=measure, attachments=attach),
            file_name=reports.report_filename(period, ext), mime=reports.MIME[ext], key=f"dl{ext}",
            icon=":material/download:", width="stretch")
    st.caption("Word 通报可直接修改后印发；PDF 内容与 Word 相同（生成需数秒）。Excel 含各组排名、得分明细、"
               "全部计分事件和本期使用的规则版本；任何单元格都不会被当作公式。CSV 可直接用中文版 Excel 打开。")
    if period.kind == "year":
        st.download_button("年终考核得分表（Excel）",
                           data=_session.download("export", reports.render_annual_assessment, eng, period.start.year),
                           file_name=f"{period.start.year}年度政务信息工作年终考核得分.xlsx",
                           mime=reports.MIME[".xlsx"], key="dl_assess", icon=":material/download:")


def reminders_section(eng, period) -> None:
    st.subheader("提醒函")
    months = rem.ended_months(period.start, period.end, eng.as_of)
    if not months:
        st.info("本期还没有已结束的月份；月底之后才能生成该月提醒函。", icon=":material/schedule:")
        return
    month = st.selectbox("月份", months, key="export_month", format_func=lambda d: f"{d.year}年{d.month}月")
    result = rem.collect(eng, month.year, month.month)
    if result.letters:
        st.markdown(f"**{len(result.letters)} 份提醒函**（一函一页）：")
        _widgets.df(rem.preview_frame(result), column_config={"日期": _widgets.day("约稿逾期日期")})
    else:
        st.info(rem.summary_lines(result)[0], icon=":material/check_circle:")
    if not _session.can("contacts"):  # the letters name each unit's 负责人 and 联系人
        st.caption("提醒函中有各单位负责人和联系人的信息，登录后可下载。")
        return
    st.download_button("提醒函（Word）", data=_session.download("contacts", reports.render_reminders, eng, month.year, month.month),
                       file_name=f"{month.year}年{month.month}月政务信息提醒函.docx", mime=reports.MIME[".docx"],
                       key="dl_reminders", icon=":material/download:")


def publication_section(eng, period) -> None:
    st.subheader("发布（冻结本期数据）")
    store = _data.store()
    issued = pub_mod.published_snapshot(store, period.key)
    if issued is None:
        st.caption(f"{period.label}尚未发布。发布后，本期各单位的排名和得分按发布时原样保存；"
                   "之后的导入、更正或规则调整如改变了本期结果，排名页和本页会列出变化。")
    else:
        st.success(_widgets.published(issued) + "。", icon=":material/verified:")
        changes = pub_mod.published_changes(store, eng, period)
        if changes is None:
            st.caption("发布后数据未改变本期排名和得分。")
        else:
            st.warning(f"发布后数据有变化：{changes.height} 个单位的名次或得分与已发布的通报不同。",
                       icon=":material/warning:")
            _widgets.df(changes)
        with st.expander("已发布的排名和得分（按发布时原样）"):
            _widgets.df(pub_mod.issued_table(issued))
            st.download_button("下载已发布数据（CSV）", data=_session.download("export", pub_mod.issued_csv, issued),
                               file_name=f"{period.label}已发布排名.csv", mime="text/csv", key="dl_issued")
        history = pub_mod.publications(store, period.key)
        if history.height > 1:
            st.caption(f"本期共发布 {history.height} 次，以最近一次为准。")
    if not _session.can("publish"):
        st.caption("发布通报需要录入或管理权限。")
        return
    waiting = _data.view(review_views.requests_table, None, period.start, period.end, OPEN)
    if waiting.height:
        st.warning(f"本期还有 {waiting.height} 条单位的更正申请未处理，发布前请先处理：", icon=":material/fact_check:")
        _widgets.df(waiting.select("编号", "单位", "申请", "记录", "申请内容", "理由"), key="publish_waiting",
                    column_config={"编号": _widgets.number("编号", "%d")})
        st.page_link(registry.file_of("review"), label="前往核对与更正", icon=":material/fact_check:")
    with st.form("publish_form", border=True):
        number = st.text_input("期号", value=_widgets.chosen("export_number", ""), placeholder="如 3")
        sure = st.checkbox(f"确认按当前数据发布{period.label}通报"
                           + ("（将作为新的一次发布，以最近一次为准）" if issued else "")
                           + (f"（尚有 {waiting.height} 条更正申请未处理）" if waiting.height else ""))
        go = st.form_submit_button("发布", type="primary")
    if go:
        if not sure:
            st.error("请先勾选确认。")
            return
        pub_id = _session.write("publish", pub_mod.publish, store, eng, period, _session.who(), number or None)
        st.toast(f"已发布（编号 {pub_id}）", icon=":material/check:")
        st.rerun()


def body() -> None:
    st.title("导出")
    if not _data.has_data():
        _widgets.empty_state("可导出的数据")
        return
    period = _widgets.period_picker(kinds=("季度", "年度"))
    eng = _data.engine()
    st.markdown(f"**{period.label}**（{period.start.isoformat()} 至 {period.end.isoformat()}，"
                f"数据截至 {eng.as_of.isoformat()}）")
    report_section(eng, period)
    st.divider()
    reminders_section(eng, period)
    st.divider()
    publication_section(eng, period)


_session.run_page(body, page="export")
