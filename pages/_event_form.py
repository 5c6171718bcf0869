"""One event as form widgets, the register's columns prefilled: entering a record by hand and
correcting one (数据导入), and a unit's 更正申请 and its acceptance (核对与更正). What is typed goes
through validate_row wherever it is saved."""
import streamlit as st

from pages import _data
from scoring.views import upload as upload_views


def _pick(label: str, options: list[str], value: str, key: str):
    choices = [""] + [o for o in options if o]
    if value and value not in choices:
        choices.append(value)
    return st.selectbox(label, choices, index=choices.index(value or ""), key=key,
                        format_func=lambda v: v or "（空）")


def event_fields(prefix: str, values: dict, units: list[str] | None = None) -> dict:
    """The register's columns as form widgets, prefilled from `values`; `units` limits the unit
    to choose (a 单位 account: its own)."""
    opts = _data.view(upload_views.field_options)
    names = units or list(_data.unit_options().values())
    c = st.columns(4)
    out = {}
    day = values.get("日期") or _data.today()
    out["日期"] = c[0].date_input("日期", value=day, key=f"{prefix}_day", format="YYYY-MM-DD")
    unit = values.get("单位") or names[0]
    out["单位"] = c[1].selectbox("单位", names, index=names.index(unit) if unit in names else 0, key=f"{prefix}_unit")
    kinds = opts["类型"]
    kind = values.get("类型") or "报送"
    out["类型"] = c[2].selectbox("类型", kinds, index=kinds.index(kind) if kind in kinds else 0, key=f"{prefix}_kind")
    with c[3]:
        out["层级"] = _pick("层级", opts["层级"], values.get("层级", ""), f"{prefix}_level")
    c = st.columns(4)
    with c[0]:
        out["刊物"] = _pick("刊物", opts["刊物"], values.get("刊物", ""), f"{prefix}_pub")
    with c[1]:
        out["栏目"] = _pick("栏目", opts["栏目"], values.get("栏目", ""), f"{prefix}_col")
    with c[2]:
        out["批示人"] = _pick("批示人", opts["批示人"], values.get("批示人", ""), f"{prefix}_leader")
    out["信息编号"] = c[3].text_input("信息编号", value=values.get("信息编号", ""), key=f"{prefix}_info")
    out["标题"] = st.text_input("标题", value=values.get("标题", ""), key=f"{prefix}_title")
    c = st.columns([1, 2, 3])
    out["期号"] = c[0].text_input("期号", value=values.get("期号", ""), key=f"{prefix}_issue")
    out["作者"] = c[1].text_input("作者（多人用顿号分隔）", value=values.get("作者", ""), key=f"{prefix}_author")
    out["备注"] = c[2].text_input("备注", value=values.get("备注", ""), key=f"{prefix}_note")
    return out
