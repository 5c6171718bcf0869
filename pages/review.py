"""核对与更正: before a quarter is published, a 单位 account checks its own records and confirms
them, or asks for one to be corrected, withdrawn or added (更正申请); 录入/管理 work through the
requests — accepting one applies it through the audited correction path (store/events.py), in
the same form 数据导入 corrects with — or reject it with a reason. The unit sees the outcome."""
import hashlib
import json

import polars as pl
import streamlit as st

from pages import _data, _event_form, _layout, _session, _widgets
from scoring.intake import importer
from scoring.intake.validate import validate_row
from scoring.reports import publish
from scoring.store.reviews import ADD, CONFIRM, CORRECT, OPEN, WITHDRAW
from scoring.views import review as review_views
from scoring.views import upload as upload_views
from scoring.views.common import local_time

REQUEST_COLUMNS = {"提交时间": _widgets.when(), "处理时间": _widgets.when(), "编号": _widgets.number("编号", "%d"),
                   "处理结果": st.column_config.TextColumn("处理结果", width="medium"),
                   "记录": st.column_config.TextColumn("记录", width="medium"),
                   "申请内容": st.column_config.TextColumn("申请内容", width="medium"),
                   "事件编号": None}


# A unit reads the outcome first.
MINE = ["编号", "期间", "申请", "状态", "处理结果", "处理意见", "记录", "申请内容", "理由", "提交人", "提交时间", "处理时间"]


def _done(key: str) -> None:
    msg = st.session_state.pop(key, None)
    if msg:
        st.success(_widgets.text(msg), icon=":material/check_circle:")


def _unpick() -> None:
    """Another quarter: the row picked in the last one means nothing there."""
    st.session_state.pop("review_records", None)


def _problems(problems: list) -> None:
    st.error("未提交，请修改：\n\n" + "\n".join(f"- **{col}**：{_widgets.text(msg)}" for col, msg in problems))


# --------------------------------------------------------------------------------------------
# A unit checks its records
# --------------------------------------------------------------------------------------------
def unit_body(unit_id: int) -> None:
    store = _data.store()
    quarters = _data.store_view(review_views.quarters, _data.today())
    first = _data.store_view(review_views.first_unpublished, quarters)
    period = st.columns([1, 3])[0].selectbox("季度", quarters, index=first, key="review_quarter",
                                              format_func=lambda p: p.label, on_change=_unpick)
    issued = publish.published_snapshot(store, period.key)
    name = _data.unit_options()[unit_id]
    _done("review_done")
    if issued is not None:
        st.info(_widgets.published(issued) + "。已发布的季度不再受理更正申请；如有异议，请与考评工作负责人联系。",
                icon=":material/verified:")
    else:
        st.caption(f"{period.label}尚未通报发布。请逐条核对{_widgets.text(name)}的记录：无误请确认；"
                   "有误请选中该条记录申请更正或撤回；缺少的记录请申请补录。")
        confirm(unit_id, period)
    rows = _data.view(review_views.records, period, unit_id)
    picked = _widgets.df(rows, key="review_records", on_select="rerun", selection_mode="single-row",
                         height=_layout.capped_height(max(rows.height, 1), 420),
                         column_config={"日期": _widgets.day(), "分值": _widgets.number("分值"),
                                        "事件编号": _widgets.number("事件编号", "%d"),
                                        "事项": st.column_config.TextColumn("事项", width="medium"),
                                        "标题": st.column_config.TextColumn("标题", width="large"),
                                        "申请": st.column_config.TextColumn("更正申请")})
    if issued is None:
        if picked.selection.rows:
            ask_about(unit_id, period, rows.row(picked.selection.rows[0], named=True))
        else:
            st.caption("选中一条记录，可申请更正或撤回。")
        ask_missing(unit_id, period, name)
    st.subheader("本单位的申请")
    mine = _data.view(review_views.requests_table, unit_id)
    if mine.height == 0:
        st.caption("还没有提交过申请。")
    else:
        _widgets.df(mine.select(MINE), key="review_mine", column_config=REQUEST_COLUMNS)


def confirm(unit_id: int, period) -> None:
    done = _data.view(review_views.requests_table, unit_id, period.start, period.end)
    done = done.filter(pl.col("申请") == CONFIRM)
    if done.height:
        when = local_time(done["提交时间"][0], _data.timezone())
        st.success(f"{_widgets.text(done['提交人'][0])} 已于 {when:%Y-%m-%d %H:%M} 确认{period.label}的记录无误。",
                   icon=":material/task_alt:")
        return
    if st.button(f"{period.label}记录无误，确认", key="review_confirm", icon=":material/task_alt:"):
        _session.write("request", _data.store().add_review, unit_id, period.start, period.end, CONFIRM,
                       _session.who())
        st.session_state["review_done"] = f"已确认{period.label}的记录。"
        st.rerun()


def ask_about(unit_id: int, period, row: dict) -> None:
    """Ask for one record to be corrected (the form starts from the record) or withdrawn."""
    if row["事件编号"] is None:
        st.caption("这是系统按月计算的记录，不能直接更正；如缺少报送记录，请在下方申请补录。")
        return
    if row["申请"].endswith(OPEN):
        st.caption("这条记录的申请正在处理，处理结果见下方“本单位的申请”。")
        return
    event = _data.store().event_by_id(int(row["事件编号"]))
    if event is None or event["unit_id"] != unit_id:
        return
    eid = event["id"]
    st.markdown(f"**事件 {eid}**：{_widgets.text(row['标题'])}")
    kind = st.radio("申请", [CORRECT, WITHDRAW], horizontal=True, key=f"review_kind_{eid}",
                    format_func=lambda k: {CORRECT: "更正为下列内容", WITHDRAW: "该记录不应计入（撤回）"}[k])
    with st.form(f"review_ask_{eid}", enter_to_submit=False):
        values = None if kind == WITHDRAW else _event_form.event_fields(
            f"review{eid}", upload_views.event_values(event, _data.engine().units), units=[_data.unit_options()[unit_id]])
        reason = st.text_input("理由（必填）", key=f"review_reason_{eid}", placeholder="如：该信息为自治区级采用，登记为市级")
        sent = st.form_submit_button("提交申请", type="primary")
    if not sent:
        return
    eng = _data.engine()
    found, problems = validate_row(values, eng.units, eng.book) if kind == CORRECT else (None, [])
    if problems:
        _problems(problems)
        return
    try:
        _session.write("request", _data.store().add_review, unit_id, period.start, period.end, kind, _session.who(),
                       reason, event_id=eid, event=found)
    except ValueError as e:
        st.error(_widgets.text(e))
        return
    st.session_state["review_done"] = f"已提交对事件 {eid} 的{kind}申请，处理结果将显示在下方“本单位的申请”中。"
    _unpick()  # the form closes with the selection
    st.rerun()


def ask_missing(unit_id: int, period, name: str) -> None:
    with st.expander("缺少记录？申请补录", icon=":material/playlist_add:"):
        with st.form("review_add", enter_to_submit=False):
            values = _event_form.event_fields("review_add", {**upload_views.blank_values(), "日期": period.start},
                                              units=[name])
            reason = st.text_input("理由（必填）", key="review_add_reason", placeholder="如：该信息已被采用，登记表中漏录")
            sent = st.form_submit_button("提交补录申请", type="primary")
        if not sent:
            return
        eng = _data.engine()
        found, problems = validate_row(values, eng.units, eng.book)
        if problems:
            _problems(problems)
            return
        try:
            _session.write("request", _data.store().add_review, unit_id, period.start, period.end, ADD,
                           _session.who(), reason, event=found)
        except ValueError as e:
            st.error(_widgets.text(e))
            return
        st.session_state["review_done"] = "已提交补录申请，处理结果将显示在下方“本单位的申请”中。"
        st.rerun()


# --------------------------------------------------------------------------------------------
# 录入/管理 work through the requests
# --------------------------------------------------------------------------------------------
def queue_body() -> None:
    _done("review_done")
    waiting = _data.view(review_views.requests_table, None, None, None, OPEN)
    shown = st.segmented_control("显示", ["待处理", "全部"], default="待处理", required=True, key="review_show",
                                 format_func=lambda k: f"待处理 {waiting.height}" if k == "待处理" else "全部申请")
    table = waiting if shown == "待处理" else _data.view(review_views.requests_table)
    table = table.filter(pl.col("申请") != CONFIRM)
    if table.height == 0:
        st.success("没有待处理的更正申请。" if shown == "待处理" else "还没有单位提交过更正申请。",
                   icon=":material/task_alt:")
    else:
        picked = _widgets.df(table, key="review_queue", on_select="rerun", selection_mode="single-row",
                             height=_layout.capped_height(table.height, 420), column_config=REQUEST_COLUMNS)
        if picked.selection.rows:
            decide(table.row(picked.selection.rows[0], named=True))
        else:
            st.caption("选中一条申请进行处理：采纳时按申请内容更正（可先修改），不采纳须说明理由。")
    confirmations()


def confirmations() -> None:
    quarters = _data.store_view(review_views.quarters, _data.today())
    period = quarters[_data.store_view(review_views.first_unpublished, quarters)]
    done = _data.view(review_views.confirmed_units, period)
    with st.expander(f"{period.label}已确认记录的单位：{len(done)} 个", icon=":material/task_alt:"):
        st.caption("、".join(_widgets.text(n) for n in done) if done else "还没有单位确认。")


def decide(request: dict) -> None:
    rid = request["编号"]
    st.markdown(f"**申请 {rid}**（{_widgets.text(request['单位'])}，{request['期间']}，{request['申请']}）："
                f"{_widgets.text(request['申请内容'])}")
    st.caption(f"理由：{_widgets.text(request['理由'])}")
    if request["状态"] != OPEN:
        st.caption(f"已处理：{request['状态']}。{_widgets.text(request['处理意见'])}")
        return
    if not _session.can("correct"):
        return
    store, eng = _data.store(), _data.engine()
    raw = store.review(rid)
    event = store.event_by_id(raw["live_id"]) if raw["live_id"] is not None else None
    with st.form(f"review_decide_{rid}", enter_to_submit=False):
        values = None
        if request["申请"] in (CORRECT, ADD):
            start = review_views.request_values(raw, event, eng.units)
            if start is None:
                st.warning("申请所指的记录已不在库中（其导入可能已撤销），只能不采纳。")
            else:
                st.caption("按申请内容填好的记录，可先修改再采纳：")
                values = _event_form.event_fields(f"decide{rid}", start)
        answer = st.text_input("处理意见（不采纳时必填）", key=f"review_answer_{rid}")
        b = st.columns(2)
        accept = b[0].form_submit_button({CORRECT: "采纳并更正", WITHDRAW: "采纳并撤回该记录", ADD: "采纳并补录"}[
            request["申请"]], type="primary")
        reject = b[1].form_submit_button("不采纳")
    if not (accept or reject):
        return
    try:
        if reject:
            _session.write("correct", store.reject_review, rid, _session.who(), answer.strip())
            st.session_state["review_done"] = f"申请 {rid} 未采纳，已告知单位。"
        else:
            st.session_state["review_done"] = f"申请 {rid} 已采纳：" + _accept(rid, request["申请"], values, answer.strip())
    except ValueError as e:
        st.error(_widgets.text(e))
        return
    st.session_state.pop("review_queue", None)  # the selected row would now be the next request
    st.rerun()


def _accept(rid: int, kind: str, values: dict | None, answer: str) -> str:
    """Apply an accepted request; ValueError (Chinese) when it cannot be applied as it stands."""
    store, eng = _data.store(), _data.engine()
    if kind == WITHDRAW:
        done = _session.write("correct", store.accept_withdrawal, rid, _session.who(), answer)
        return f"事件 {done['事件']} 已撤回。"
    if values is None:
        raise ValueError("申请所指的记录已不在库中，不能采纳")
    if kind == CORRECT:
        event, problems = validate_row(values, eng.units, eng.book)
        if problems:
            raise ValueError("；".join(f"{col}：{msg}" for col, msg in problems))
        done = _session.write("correct", store.accept_correction, rid, event, _session.who(), answer)
        return f"事件 {done['事件']} 已更正。"
    report = importer.check_rows([(1, values)], f"更正申请 {rid} 补录", eng.units, eng.book, store.known_info_ids)
    if not report.ok:
        raise ValueError("；".join(f"{e.column}：{e.message}" for e in report.errors) or report.file_error)
    data = json.dumps(values, ensure_ascii=False, default=str).encode()
    done = _session.write("correct", store.accept_addition, rid, report.file_name, hashlib.sha256(data).hexdigest(),
                          report.events, _session.who(), answer)
    return "已补录 1 条记录。" if done["新增"] else "库中已有相同记录，未重复计入。"


def body() -> None:
    st.title("核对与更正")
    if not _data.has_data():
        _widgets.empty_state("可核对的记录")
        return
    unit_id = _session.unit_scope()
    if unit_id is not None:
        unit_body(unit_id)
    else:
        queue_body()


_session.run_page(body, page="review")
