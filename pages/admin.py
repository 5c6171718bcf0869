"""管理: units (add, rename, aliases, move group from a date, retire, contacts), the settings that
carry the rules' Readings, the users (scoring/accounts/auth.py) and the audit log."""
import polars as pl
import streamlit as st

from pages import _data, _session, _widgets
from scoring.accounts import auth
from scoring.backup import BackupError, backup_bytes
from scoring.profile.settings import SETTINGS, choices
from scoring.views import admin as admin_views


def _done(message: str) -> None:
    st.session_state["admin_done"] = message
    st.rerun()


def _try(action: str, fn, *args, message: str, **kwargs) -> None:
    try:
        _session.write(action, fn, *args, **kwargs)
    except ValueError as e:
        st.error(_widgets.text(e))
        return
    _done(message)


# --------------------------------------------------------------------------------------------
def units_tab() -> None:
    eng = _data.engine()
    table = _data.view(admin_views.units_table, _data.today())
    _widgets.df(table, key="admin_units", height=420, download="考评单位", column_config={
        "序号": _widgets.number("序号", "%d"), "启用日期": _widgets.day(), "停用日期": _widgets.day(),
        "分组历史": st.column_config.TextColumn("分组历史", width="medium")}, hide=("unit_id",))
    st.caption("序号即单位名单（附件）的顺序，并列时按此顺序排列。月度任务数按每月 1 日的组别，排名按期末的组别。")
    if not _session.can("units"):
        return
    s = _data.store()
    names = {u.id: u.name for u in eng.units.units}
    unit_id = st.selectbox("选择单位进行修改", list(names), format_func=lambda i: names[i], key="admin_unit")
    unit = eng.units.get(unit_id)
    c1, c2 = st.columns(2)
    with c1:
        with st.form("rename"):
            st.markdown("**更名**")
            new = st.text_input("新名称", value=unit.name)
            keep = st.checkbox("原名称保留为简称（旧登记表仍可导入）", value=True)
            if st.form_submit_button("保存名称"):
                _try("units", s.rename_unit, unit_id, new, _session.who(), keep_alias=keep, message=f"已更名为“{new.strip()}”。")
        with st.form("alias"):
            st.markdown("**简称**")
            current = sorted(a for a, i in eng.units.aliases.items() if i == unit_id)
            st.caption("现有简称：" + ("、".join(map(_widgets.text, current)) if current else "无"))
            alias = st.text_input("简称")
            b = st.columns(2)
            add = b[0].form_submit_button("添加简称")
            remove = b[1].form_submit_button("删除简称")
            if (add or remove) and alias.strip():
                _try("units", s.set_alias, alias, unit_id if add else None, _session.who(),
                     message=f"已{'添加' if add else '删除'}简称“{alias.strip()}”。")
        with st.form("contact"):
            st.markdown("**负责人与联系人**（用于提醒函和催报）")
            head = st.text_input("主要负责人", value=unit.head or "")
            contact = st.text_input("信息联系人", value=unit.contact or "")
            phone = st.text_input("联系电话", value=unit.phone or "")
            if st.form_submit_button("保存联系人"):
                _try("units", s.set_unit_contact, unit_id, head, contact, phone, _session.who(), message="已保存联系人。")
    with c2:
        with st.form("move"):
            st.markdown("**调整组别**")
            current_group = eng.units.group_on(unit_id, _data.today()) or "A"
            group = st.selectbox("新组别", _data.groups(), index=_data.groups().index(current_group))
            start = st.date_input("自此日期起", value=_data.today().replace(day=1), format="YYYY-MM-DD")
            reason = st.text_input("原因", key="move_reason")
            if st.form_submit_button("保存组别"):
                _try("units", s.move_unit, unit_id, group, start, _session.who(), reason,
                     message=f"{unit.name} 自 {start.isoformat()} 起为 {group} 组。")
        with st.form("retire"):
            st.markdown("**停用 / 恢复**")
            st.caption("停用后该单位不再出现在之后期间的排名中；停用前的记录和得分保留。")
            last = st.date_input("最后在册日期", value=unit.active_to or _data.today(), format="YYYY-MM-DD")
            reason = st.text_input("原因", key="retire_reason")
            b = st.columns(2)
            if b[0].form_submit_button("停用"):
                _try("units", s.retire_unit, unit_id, last, _session.who(), reason, message=f"{unit.name} 已停用。")
            if b[1].form_submit_button("恢复在册", disabled=unit.active_to is None):
                _try("units", s.retire_unit, unit_id, None, _session.who(), reason, message=f"{unit.name} 已恢复在册。")
        with st.form("add_unit", clear_on_submit=True):
            st.markdown("**新增单位**")
            name = st.text_input("单位名称")
            b = st.columns(2)
            group = b[0].selectbox("组别", _data.groups(), key="add_group")
            since = b[1].date_input("启用日期", value=_data.today(), format="YYYY-MM-DD", key="add_since")
            after = st.selectbox("排在哪个单位之后", [None, *names.values()],
                                 format_func=lambda n: "名单末尾" if n is None else n)
            if st.form_submit_button("新增"):
                if not name.strip():
                    st.error("请填写单位名称。")
                else:
                    _try("units", s.add_unit, name, group, since, _session.who(), after=after, message=f"已新增单位“{name.strip()}”。")


# --------------------------------------------------------------------------------------------
def waivers_tab() -> None:
    """豁免 in force; one can be revoked (the month then counts against the quota again)."""
    table = _data.view(admin_views.waivers_table)
    st.caption("豁免在「单位详情」页按月添加；被豁免的月份不计报送任务扣分。取消豁免后该月重新按任务数考核，记入操作日志。")
    if table.height == 0:
        st.caption("目前没有生效的豁免。")
        return
    picked = _widgets.df(table, key="admin_waivers", on_select="rerun", selection_mode="single-row",
                         column_config={"月份": st.column_config.DateColumn("月份", format="YYYY年M月"),
                                        "豁免时间": _widgets.when()})
    if not _session.can("waive"):
        return
    if not picked.selection.rows:
        st.caption("在表中选择一条豁免以取消。")
        return
    row = table.row(picked.selection.rows[0], named=True)
    month = row["月份"]
    with st.form("revoke_waiver"):
        st.markdown(f"**取消豁免**：{_widgets.text(row['单位'])} {month.year}年{month.month}月")
        reason = st.text_input("原因（必填）", key="revoke_reason")
        if st.form_submit_button("取消豁免", type="primary"):
            if not reason.strip():
                st.error("请填写原因。")
                return
            _try("waive", _data.store().revoke_waiver, row["unit_id"], month, _session.who(), reason.strip(),
                 message=f"已取消 {row['单位']} {month.year}年{month.month}月的豁免。")


# --------------------------------------------------------------------------------------------
def setting_widget(setting, value):
    """The input for one setting, limited to what the setting allows (scoring/profile/settings.py)."""
    name = setting.name
    if isinstance(setting.default, bool):
        return st.toggle("是", value=bool(value), key=f"set_{name}")
    if name == "timezone":  # the zones an office here uses, by their Chinese names (the one in use kept)
        zones = list(dict.fromkeys([*admin_views.TIMEZONES, value]))
        return st.selectbox("时区", zones, index=zones.index(value), format_func=admin_views.timezone_text,
                            key=f"set_{name}")
    if isinstance(setting.default, str):
        options = choices(name)
        keys = list(options)
        return st.selectbox("选择", keys, index=keys.index(value) if value in keys else 0,
                            format_func=options.get, key=f"set_{name}")
    kind = int if setting.step == 1 else float
    limits = (kind(setting.low), kind(setting.high))
    if isinstance(value, dict):
        out = {}
        for col, (g, n) in zip(st.columns(len(value)), value.items()):
            with col:
                out[g] = _widgets.bounded_number(f"{g} 组", *limits, step=kind(setting.step), value=kind(n),
                                                 key=f"set_{name}_{g}")
        return out
    return _widgets.bounded_number("数值", *limits, step=kind(setting.step), value=kind(value), key=f"set_{name}")


def profile_section() -> None:
    st.markdown("**单位配置**")
    _widgets.df(_data.view(admin_views.profile_table), key="admin_profile")
    st.download_button("下载单位配置（压缩包，含看板保存的规则版本）",
                       data=_session.download("settings", admin_views.profile_zip, _data.engine()),
                       file_name=f"{_data.engine().profile.name}-单位配置.zip", mime="application/zip",
                       icon=":material/download:")


def settings_tab() -> None:
    profile_section()
    st.caption("考评办法未写明之处的解读（见规则说明“三、解读与设置”），每项都是可调整的设置。修改会记入操作日志，并立即影响计分。")
    current = _data.engine().settings
    for setting in SETTINGS:
        value = current[setting.name]
        with st.container(border=True):
            title = setting.label
            st.markdown(f"**{title}**")
            st.caption(admin_views.setting_help(setting.name))
            if not _session.can("settings"):
                st.write(f"当前值：{_widgets.text(admin_views.setting_value_text(setting.name, value))}")
                continue
            with st.form(f"setting_{setting.name}", border=False):
                new = setting_widget(setting, value)
                if st.form_submit_button("保存"):
                    if new == value:
                        st.info("未修改。")
                    else:
                        _try("settings", _data.store().set_setting, setting.name, new, _session.who(),
                             message=f"已保存设置 {title}。")


# --------------------------------------------------------------------------------------------
def users_tab() -> None:
    s = _data.store()
    users = auth.list_users(s)
    if users.height:
        _widgets.df(users, key="admin_users", hide=("单位编号",),
               column_config={"锁定至": _widgets.when(), "创建时间": _widgets.when(), "连续失败次数": _widgets.number()})
    else:
        st.caption("还没有账号。")
    st.caption("角色：查看 —— 浏览和导出；录入 —— 另可导入、更正、撤销导入、豁免；管理 —— 全部功能；"
               "单位 —— 只看本单位的记录和已发布的排名。")
    if not _session.can("users"):
        return
    actor = _session.user()
    units = {u.id: u.name for u in _data.engine().units.units}
    c1, c2 = st.columns(2)
    with c1:
        add_user_form(s, actor, units)
    with c2:
        change_user_form(s, actor, users, units)
    kiosk_form(actor)


def add_user_form(s, actor, units: dict[int, str]) -> None:
    """新增账号. What was typed stays after a refusal (a taken name, a short password); a new,
    empty form (the next round's key) follows only a success."""
    round_ = st.session_state.setdefault("add_user_round", 0)
    with st.form(f"add_user_{round_}"):
        st.markdown("**新增账号**")
        name = st.text_input("用户名")
        password = st.text_input(f"初始密码（至少 {auth.MIN_PASSWORD} 位）", type="password")
        role = st.selectbox("角色", list(auth.ROLES))
        unit = st.selectbox("所属单位（角色为“单位”时必选）", [None, *units],
                            format_func=lambda i: "—" if i is None else units[i])
        if st.form_submit_button("新增账号", type="primary"):
            _auth_call(auth.add_user, s, actor, name, password, role, unit_id=unit if role == "单位" else None,
                       message=f"已新增账号“{name.strip()}”。", next_round="add_user_round")


def change_user_form(s, actor, users: pl.DataFrame, units: dict[int, str]) -> None:
    """修改账号: the account is picked outside the form, so that the form opens on its present
    role and unit (a 管理 account preselected as 查看 would be one click from a demotion)."""
    if users.height == 0:
        return
    st.markdown("**修改账号**")
    target = st.selectbox("账号", users["用户名"].to_list(), key="user_target")
    current = users.row(users["用户名"].to_list().index(target), named=True)
    roles = list(auth.ROLES)
    unit_ids = [None, *units]
    with st.form(f"user_state_{target}"):
        role = st.selectbox("新角色", roles, index=roles.index(current["角色"]) if current["角色"] in roles else 0)
        unit = st.selectbox("所属单位（角色为“单位”时）", unit_ids,
                            index=unit_ids.index(current["单位编号"]) if current["单位编号"] in unit_ids else 0,
                            format_func=lambda i: "—" if i is None else units[i])
        password = st.text_input("重置密码为", type="password")
        b = st.columns(4)
        set_role = b[0].form_submit_button("改角色")
        reset = b[1].form_submit_button("重置密码")
        off = b[2].form_submit_button("停用")
        on = b[3].form_submit_button("启用")
        if set_role:
            _auth_call(auth.set_role, s, actor, target, role, unit_id=unit if role == "单位" else None,
                       message=f"账号“{target}”的角色已改为 {role}。")
        if reset:
            _auth_call(auth.set_password, s, actor, target, password, message=f"已重置账号“{target}”的密码。")
        if off or on:
            _auth_call(auth.set_disabled, s, actor, target, bool(off),
                       message=f"账号“{target}”已{'停用' if off else '启用'}。")


def kiosk_form(actor) -> None:
    """免登录只读模式 (kiosk): anyone may browse read-only without logging in."""
    s = _data.store()
    with st.form("kiosk"):
        st.markdown("**免登录只读模式**")
        st.caption("开启后，未登录的访问者（如大厅展示屏）可以只读浏览总览、排名、单位详情、评先评优和导出，"
                   "不能导入、更正或修改任何数据，也看不到数据导入、规则试算和管理页面。")
        kiosk = st.toggle("开启免登录只读模式", value=auth.kiosk_enabled(s), key="kiosk_toggle")
        if st.form_submit_button("保存"):
            _auth_call(auth.set_kiosk, s, actor, kiosk, action="settings",
                       message=f"免登录只读模式已{'开启' if kiosk else '关闭'}。")


def _auth_call(fn, *args, message: str, action: str = "users", next_round: str | None = None, **kwargs) -> None:
    try:
        _session.write(action, fn, *args, **kwargs)
    except (auth.AuthError, ValueError) as e:
        st.error(_widgets.text(e))
        return
    if next_round:
        st.session_state[next_round] += 1
    _done(message)


# --------------------------------------------------------------------------------------------
def backup_tab() -> None:
    if not _session.can("backup"):
        st.info("备份与恢复需要管理权限。", icon=":material/lock:")
        return
    st.markdown("**下载备份**")
    st.caption("下载的是数据库此刻的一致快照（全部事件、导入批次、单位、规则版本、设置、账号和操作日志），"
               "系统运行中也可下载，不影响他人使用。每次下载都记入操作日志。"
               "请把备份文件保存在安全的位置：其中含有账号的密码摘要。定时备份的方法见系统的部署说明。")
    st.download_button("下载数据库备份", data=_session.download("backup", backup_bytes, _data.store(), audit_as="who"),
                       file_name=f"政务信息考评备份-{_data.today():%Y%m%d}.duckdb",
                       mime="application/octet-stream", key="backup_download", icon=":material/download:",
                       type="primary")
    st.divider()
    st.markdown("**从备份恢复**")
    st.caption("恢复会用备份文件的内容替换当前数据库的数据（包括账号；备份之后新增的操作日志会保留）。恢复前，当前数据库会先"
               "自动另存一份（文件名为“数据库文件名.bak-日期时间”，在服务器上与数据库同一目录），如恢复错了可再恢复回去。"
               "只接受本系统导出的备份文件；恢复本身记入操作日志。恢复后，其他正在使用的人刷新页面即可看到恢复后的数据。")
    with st.form("restore", clear_on_submit=True):
        upload = _widgets.uploader("备份文件（.duckdb，不超过 50 MB）", type=["duckdb"], key="restore_file")
        sure = st.checkbox("我已了解：当前数据库的全部数据将被备份文件的内容替换", key="restore_confirm")
        go = st.form_submit_button("恢复", type="primary")
    if not go:
        return
    if upload is None:
        st.error("请先选择备份文件。")
        return
    if not sure:
        st.error("请先勾选确认。")
        return
    try:
        kept = _session.restore_backup(upload.getvalue())
    except BackupError as e:
        st.error(_widgets.text(f"未恢复：{e}"))  # the message may quote the backup's own text
        return
    where = f"原数据库已另存为 {kept.name}。" if kept is not None else ""
    _done(f"已从备份“{upload.name}”恢复。{where}")


# --------------------------------------------------------------------------------------------
def audit_tab() -> None:
    log = _data.view(admin_views.audit_table, 1000)
    c1, c2 = st.columns([1, 2])
    actions = sorted(set(log["操作"].to_list()))
    picked = c1.multiselect("操作类型", actions, key="audit_actions", placeholder="全部")
    text = c2.text_input("搜索（操作人、对象、内容、原因）", key="audit_text")
    if picked:
        log = log.filter(pl.col("操作").is_in(picked))
    if text.strip():
        t = text.strip()
        log = log.filter(pl.any_horizontal([pl.col(c).fill_null("").str.contains(t, literal=True)
                                            for c in ("操作人", "对象", "内容", "原因")]))
    _widgets.df(log, key="audit_table", height=520, download="操作日志", column_config={
        "时间": _widgets.when(), "编号": _widgets.number("编号", "%d"), "内容": st.column_config.TextColumn("内容", width="large")})
    st.caption("最近 1000 条操作记录：导入、撤销、更正、撤回、豁免、单位与设置的修改、规则版本的保存。")


def body() -> None:
    st.title("管理")
    msg = st.session_state.pop("admin_done", None)
    if msg:
        st.success(_widgets.text(msg), icon=":material/check_circle:")
    tabs = st.tabs(["单位", "豁免", "设置", "用户", "备份", "操作日志"], key="admin_tab", on_change="rerun")
    with tabs[0]:
        units_tab()
    with tabs[1]:
        waivers_tab()
    with tabs[2]:
        settings_tab()
    with tabs[3]:
        users_tab()
    with tabs[4]:
        backup_tab()
    with tabs[5]:
        audit_tab()


_session.run_page(body, page="admin")
