"""数据导入: template download, upload with a per-row preview, import history with undo/redo,
correction or withdrawal of one event, and entering one event by hand (the same validation)."""
import hashlib
import json

import streamlit as st

from pages import _data, _event_form, _session, _widgets
from scoring.views import common
from scoring.views import upload as upload_views
from scoring.intake import importer
from scoring.engine.periods import Period
from scoring.reports.csv_export import frame_csv
from scoring.intake.validate import validate_row

TEMPLATE = _data.ROOT / "data" / "模板.xlsx"
EXAMPLE = _data.ROOT / "data" / "示例.xlsx"
MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# --------------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------------
def _done(key: str) -> None:
    """The result of the last action, shown in its own tab: a message above the tabs would shift
    them, and the browser would then show the first tab again."""
    msg = st.session_state.pop(key, None)
    if msg:
        st.success(_widgets.text(msg), icon=":material/check_circle:")


def show_errors(report) -> None:
    if report.file_error:
        st.error(_widgets.text(f"文件 {report.file_name}：{report.file_error}"), icon=":material/error:")
        return
    errors = upload_views.error_frame(report)
    rows = errors["行"].n_unique()
    st.error(f"发现 {errors.height} 处错误（涉及 {rows} 行），本文件未导入任何记录。请按下表修改后重新上传。", icon=":material/error:")
    _widgets.df(errors, key="upload_errors", column_config={
        "行": _widgets.number("行", "%d", help="表格中的行号（表头所在行之后依次编号）"),
        "信息": st.column_config.TextColumn("错误信息", width=_widgets.text_width(errors["信息"])),
        "建议": st.column_config.TextColumn("建议", width=_widgets.text_width(errors["建议"]))})
    st.download_button("下载错误清单（CSV）", data=_session.download("import", frame_csv, errors),
                       file_name=f"{report.file_name}-错误清单.csv", mime="text/csv", key="upload_errors_csv")


def upload_tab() -> None:
    c1, c2 = st.columns(2)
    c1.download_button("下载导入模板", data=TEMPLATE.read_bytes(), file_name="政务信息事件登记表-模板.xlsx",
                       mime=MIME[".xlsx"], icon=":material/description:", key="dl_template", type="primary")
    if EXAMPLE.exists():
        c2.download_button("下载填写示例", data=EXAMPLE.read_bytes(), file_name="政务信息事件登记表-示例.xlsx",
                           mime=MIME[".xlsx"], icon=":material/description:", key="dl_example")
    st.caption("每行一条事件（报送、采用、批示等）。表头须包含 日期、单位、类型；层级、刊物、栏目、批示人按类型填写。"
               "重复上传同一文件或逐月累加的登记表时，已导入过的行不会重复计入。")
    _done("upload_done")
    round_ = st.session_state.setdefault("upload_round", 0)
    file = _widgets.uploader("上传登记表（.xlsx、.xls 或 .csv，单个文件不超过 50 MB）", type=["xlsx", "xls", "csv"],
                             key=f"uploader_{round_}")
    if file is None:
        return
    data = file.getvalue()
    key = (file.name, hashlib.sha256(data).hexdigest(), _data.version())
    checked = st.session_state.get("upload_check")
    if not checked or checked[0] != key:
        with st.spinner("正在读取并逐行检查……"):
            eng = _data.engine()
            report = importer.check_file(data, file.name, eng.units, eng.book, _data.store().known_info_ids)
            stored = upload_views.already_stored(_data.store(), report) if report.ok else 0
        st.session_state["upload_check"] = (key, report, stored)
    _, report, stored = st.session_state["upload_check"]
    if not report.ok:
        show_errors(report)
        return
    total, name = len(report.events), _widgets.text(report.file_name)
    if stored == total:
        st.info(f"检查通过，但 {name} 的全部 {total} 行都已导入过：再次导入不会新增任何记录。"
                "如要更改已导入的记录，请用「更正与撤回」。", icon=":material/info:")
    elif stored:
        st.success(f"检查通过：{name} 共 {total} 行有效记录，其中 {stored} 行已导入过（不会重复计入），"
                   f"导入将新增 {total - stored} 行。", icon=":material/task_alt:")
    else:
        st.success(f"检查通过：{name} 共 {total} 行有效记录，可以导入。", icon=":material/task_alt:")
    c1, c2 = st.columns([1, 3])
    with c1:
        _widgets.df(upload_views.preview_counts(report), column_config={"行数": _widgets.number()})
    with c2:
        preview = upload_views.events_preview(report, _data.engine().book)
        _widgets.df(preview.head(500), key="upload_preview", height=300,
               column_config={"日期": _widgets.day(), "行": _widgets.number("行", "%d"),
                              "分值": _widgets.number("分值", help="该行按其日期适用的规则版本计的分值；"
                                                      "报送任务扣分按整月计算，不在此列"),
                              "事项": st.column_config.TextColumn("计分事项", width="medium")})
        if preview.height > 500:
            st.caption(f"仅显示前 500 行，共 {preview.height} 行。")
    if report.warnings:
        with st.expander(f"提示 {len(report.warnings)} 条（不影响导入）", icon=":material/info:", expanded=True):
            _widgets.df(upload_views.warning_frame(report))
    rank_preview(key, report)
    if not _session.can("import"):
        st.info("当前账号只能查看，不能导入。")
        return
    if st.button("确认导入", type="primary", key="upload_confirm", icon=":material/download:"):
        with st.status("正在导入……", expanded=True) as status:
            st.write(f"写入 {len(report.events)} 行（全部成功或全部不写入）……")
            result = _session.write("import", importer.store_report, _data.store(), report, data, _session.who())
            status.update(label="导入完成", state="complete")
        st.session_state["upload_done"] = (f"已导入 {result.file_name}：新增 {result.new} 行，"
                                           f"已有 {result.known} 行未重复计入（批次 {result.import_id}）。")
        st.session_state.pop("upload_check", None)
        st.session_state["upload_round"] = round_ + 1
        st.rerun()


def rank_preview(key, report) -> None:
    """Which units' ranks the file would move: computed on request (it ranks a copy of the store)."""
    with st.expander("导入后名次变化", icon=":material/swap_vert:"):
        st.caption("按本文件涉及的季度，比较导入前后各组的排名。在数据库的副本上试算，不写入任何内容。")
        if st.button("计算名次变化", key="upload_rank_changes"):
            with st.spinner("正在试算……"):
                st.session_state["upload_moves"] = (key, upload_views.rank_changes(_data.engine(), report))
        moves = st.session_state.get("upload_moves")
        if not moves or moves[0] != key:
            return
        if moves[1].height == 0:
            st.caption("导入后各组名次都不变。")
            return
        _widgets.df(moves[1], column_config={"现排名": _widgets.number("现排名", "%d"),
                                             "导入后排名": _widgets.number("导入后排名", "%d"),
                                             "现得分": _widgets.number("现得分"), "导入后得分": _widgets.number("导入后得分")})


# --------------------------------------------------------------------------------------------
# One event by hand, and corrections (both go through validate_row)
# --------------------------------------------------------------------------------------------
def manual_tab() -> None:
    st.caption("逐条录入一条事件，与上传登记表使用同样的校验规则；录入后立即计分，并记入导入记录（文件名“手工录入”）。")
    if not _session.can("import"):
        st.info("当前账号只能查看，不能录入。")
        return
    _done("manual_done")
    round_ = st.session_state.setdefault("manual_round", 0)
    with st.form(f"manual_{round_}"):
        values = _event_form.event_fields(f"manual{round_}", upload_views.blank_values())
        submitted = st.form_submit_button("校验并保存", type="primary")
    if not submitted:
        return
    eng = _data.engine()
    report = importer.check_rows([(1, values)], "手工录入", eng.units, eng.book, _data.store().known_info_ids)
    if not report.ok:
        st.error("未保存，请修改：\n\n" + "\n".join(f"- **{e.column}**：{_widgets.text(e.message)}" for e in report.errors)
                 if report.errors else f"未保存：{_widgets.text(report.file_error)}")
        return
    data = json.dumps(values, ensure_ascii=False, default=str).encode()
    result = _session.write("import", importer.store_report, _data.store(), report, data, _session.who())
    msg = "已保存 1 条记录" if result.new else "该记录与库中已有记录完全相同，未重复保存"
    for w in report.warnings:
        msg += f"。提示：{w.message}"
    st.session_state["manual_done"] = f"{msg}（批次 {result.import_id}）。"
    st.session_state["manual_round"] = round_ + 1
    st.rerun()


def history_tab() -> None:
    imports = _data.store_view(upload_views.imports_table)
    if imports.height == 0:
        st.caption("还没有导入记录。")
        return
    event = _widgets.df(imports, key="history_table", on_select="rerun", selection_mode="single-row", download="导入记录",
                   column_config={"导入时间": _widgets.when(), "行数": _widgets.number(), "新增": _widgets.number(),
                                  "已有": _widgets.number(), "批次": _widgets.number("批次", "%d")})
    st.caption("撤销一次导入：该批次独有的记录不再计分（其他批次也有的记录保留），原始行仍保存，可随时恢复。")
    if not _session.can("undo") or not event.selection.rows:
        if _session.can("undo"):
            st.caption("在表中选择一个批次以撤销或恢复。")
        return
    row = imports.row(event.selection.rows[0], named=True)
    undone = row["状态"] != "有效"
    # keyed by what the form does: after 撤销 the 恢复 form starts with an empty reason
    with st.form(f"{'redo' if undone else 'undo'}_{row['批次']}"):
        st.markdown(f"**批次 {row['批次']}**：{_widgets.text(row['文件'])}（{row['行数']} 行，{_widgets.text(row['状态'])}）")
        reason = st.text_input("原因（必填）")
        label = "恢复该批次" if undone else "撤销该批次"
        if st.form_submit_button(label, type="primary"):
            if not reason.strip():
                st.error("请填写原因。")
                return
            s = _data.store()
            try:
                if undone:
                    n = _session.write("undo", s.redo_import, row["批次"], _session.who(), reason.strip())
                    st.session_state["history_done"] = f"已恢复批次 {row['批次']}，{n} 条记录重新计分。"
                else:
                    n = _session.write("undo", s.undo_import, row["批次"], _session.who(), reason.strip())
                    st.session_state["history_done"] = f"已撤销批次 {row['批次']}，{n} 条记录不再计分。"
            except ValueError as e:
                st.error(_widgets.text(e))
                return
            st.rerun()


def correction_tab() -> None:
    st.caption("更正或撤回单条记录（如采用被撤销、单位填错）。更正后的内容按同样规则校验；原因必填，"
               "所有更改记入操作日志，再次导入同一登记表时更正仍然有效。")
    c = st.columns([2, 1, 1])
    options = _data.unit_options()
    unit_id = c[0].selectbox("单位", list(options), format_func=lambda i: options[i], key="fix_unit")
    months = _data.store_view(common.data_months, _data.today())
    month = c[1].selectbox("月份", months, format_func=lambda d: f"{d.year}年{d.month}月", key="fix_month")
    event_id = c[2].number_input("或输入事件编号", min_value=0, step=1, value=0, key="fix_id")
    if event_id:
        found = _data.store().event_by_id(int(event_id))
        if found is None:
            st.warning(f"没有编号为 {event_id} 的事件。")
            return
    else:
        events = _data.view(upload_views.event_list, Period.month(month.year, month.month), unit_id)
        if events.height == 0:
            st.caption("该单位该月没有记录。")
            return
        picked = _widgets.df(events, key="fix_table", on_select="rerun", selection_mode="single-row", height=300,
                        column_config={"日期": _widgets.day(), "事件编号": _widgets.number("事件编号", "%d")})
        if not picked.selection.rows:
            st.caption("在表中选择一条记录进行更正或撤回。")
            return
        found = _data.store().event_by_id(int(events["事件编号"][picked.selection.rows[0]]))
    eid = found["id"]
    values = upload_views.event_values(found, _data.engine().units)
    state = "已撤回" if found["withdrawn"] else "有效"
    st.markdown(f"**事件 {eid}**（{state}，来自 {_widgets.text(found['file_name'])} 第 {found['src_row']} 行）")
    history = _data.store().corrections(eid)
    if history.height:
        with st.expander(f"此前的更正记录 {history.height} 条"):
            _widgets.df(history.select("made_at", "who", "action", "changes", "reason").rename(
                {"made_at": "时间", "who": "操作人", "action": "操作", "changes": "内容", "reason": "原因"}))
    if not _session.can("correct"):
        return
    with st.form(f"fix_{eid}"):
        edited = _event_form.event_fields(f"fix{eid}", values)
        reason = st.text_input("原因（必填）", key=f"fix{eid}_reason")
        b = st.columns(3)
        save = b[0].form_submit_button("保存更正", type="primary")
        toggle = b[1].form_submit_button("恢复该记录" if found["withdrawn"] else "撤回该记录")
    if not (save or toggle):
        return
    if not reason.strip():
        st.error("请填写原因。")
        return
    s = _data.store()
    try:
        if toggle:
            _session.write("correct", s.set_withdrawn, eid, not found["withdrawn"], _session.who(), reason.strip())
            st.session_state["fix_done"] = f"事件 {eid} 已{'恢复' if found['withdrawn'] else '撤回'}。"
        else:
            eng = _data.engine()
            event, problems = validate_row(edited, eng.units, eng.book)
            if problems:
                st.error("未保存，请修改：\n\n" + "\n".join(f"- **{col}**：{_widgets.text(msg)}" for col, msg in problems))
                return
            _session.write("correct", s.correct_event, eid, event, _session.who(), reason.strip())
            st.session_state["fix_done"] = f"事件 {eid} 已更正。"
    except ValueError as e:
        st.error(_widgets.text(e))
        return
    st.rerun()


TABS = ["上传登记表", "手工录入", "导入记录", "更正与撤回"]


def body() -> None:
    st.title("数据导入")
    # Tracked by key, so that the rerun after 撤销/恢复/更正 stays on the tab the user was on.
    tabs = st.tabs(TABS, key="upload_tab", on_change="rerun")
    with tabs[0]:
        upload_tab()
    with tabs[1]:
        manual_tab()
    with tabs[2]:
        _done("history_done")
        history_tab()
    with tabs[3]:
        _done("fix_done")
        if _data.has_data():
            correction_tab()
        else:
            st.caption("还没有记录可更正。")


_session.run_page(body, page="upload")
