"""The blank import template and the filled example that staff start from.

Both files share one layout: a title row, the 12 headers on row 2 (the importer looks for them
among the first ten rows), drop-down lists on the coded columns, a 「填写说明」 sheet and a
「单位名单」 sheet. The drop-down values and the table of scoring items come from the rule book, so
the template follows the rules in force when it is written.
"""
from __future__ import annotations

import datetime as dt

import xlsxwriter

from scoring.intake import register_xlsx as sheet_layout
from scoring.profile import Profile, default_profile
from scoring.profile.rules import MATCH_COLUMNS

FIRST_ROW, LAST_ROW = 3, 2000  # spreadsheet rows (1-based) that get drop-down lists

COLUMN_HELP = [  # (header, 是否必填, 说明)
    ("日期", "必填", "事件发生日期：报送日期、刊物采用（刊发）日期、批示日期等。可写 2024-03-05、2024/3/5、"
                  "2024年3月5日，或直接使用 Excel 日期格式。"),
    ("单位", "必填", "报送单位的规范名称或常用简称（如 发改委、人社局），见「单位名单」。未知单位导入时会报错并提示相近名称。"),
    ("类型", "必填", "报送、采用、批示、约稿、线索、调研、批示落实、扣分 之一。每报送一条信息登记一行“报送”，"
                  "用于统计每月报送任务完成情况。"),
    ("层级", "按类型", "市、自治区、国家。采用、批示须填写；约稿选用、线索、调研须填写；报送、批示落实、扣分、弃稿留空。"),
    ("刊物", "按类型", "采用、批示须填写：政务要情、决策参考、专报信息、微信公众号、舆情、每日要情、每日要情特刊、"
                    "国务院办公厅。批示行填写被批示信息所在的刊物。"),
    ("栏目", "按类型", "刊物的栏目或事项细分：重要信息、部门工作、旗县区动态、简讯、合稿、前瞻预警、问题、非问题、"
                    "盟市前沿、问题聚焦、选用、弃稿、承办、调研信息、约稿逾期、重大失误、严重失真 等。"
                    "可写“问题类”“前瞻性”等长称，导入时自动规范。"),
    ("批示人", "批示、重大失误必填", "市领导、市政府办公室领导、自治区领导、自治区政府办公厅领导、国务院领导、"
                              "国务院办公厅领导。多位领导批示同一条信息时，每位领导登记一行，累计加分。"),
    ("信息编号", "选填", "同一条信息的编号（如 DK2025-0012），把它的采用、批示、批示落实等行关联起来。"),
    ("期号", "选填", "刊物期号，只填数字（《政务要情》第12期 → 12），用于采用信息清单。"),
    ("标题", "选填", "信息标题，用于通报中的采用信息清单和优秀信息评选。"),
    ("作者", "选填", "撰稿人，多人用顿号、逗号分隔（如 张三、李四），用于推荐先进个人。"),
    ("备注", "选填", "其他说明，如批示领导职务、扣分原因。不参与计分。"),
]


def _dropdowns(profile: Profile) -> dict[str, list[str]]:
    """Values per coded column, in the rule book's order."""
    version = profile.rulebook().latest()
    lists: dict[str, list[str]] = {"类型": list(profile.types)}
    for column in MATCH_COLUMNS:
        values: list[str] = []
        for item in version.items.values():
            if item.derived:  # 未完成报送任务 is derived and must never be typed in
                continue
            values += [v for v in sorted(item.accepts.get(column) or ()) if v and v not in values]
        lists[column] = values
    return lists


def _add_dropdowns(sheet, unit_count: int, profile: Profile) -> None:
    first, last = FIRST_ROW - 1, LAST_ROW - 1
    for column, values in _dropdowns(profile).items():
        col = sheet_layout.COLUMNS.index(column)
        # A warning rather than a stop: the importer accepts tolerated variants (问题类, 市级 …).
        sheet.data_validation(first, col, last, col, {
            "validate": "list", "source": values, "error_type": "warning",
            "input_title": column, "input_message": "从下拉列表选择；不需要时留空",
            "error_title": "不在可选范围内", "error_message": "该值不在可选列表中，导入时可能被判为无效行。",
        })
    col = sheet_layout.COLUMNS.index("单位")
    # Information only: short names and aliases are valid too, so never block them.
    sheet.data_validation(first, col, last, col, {
        "validate": "list", "source": f"='单位名单'!$B$2:$B${unit_count + 1}", "error_type": "information",
        "error_title": "单位名称", "error_message": "不是规范名称；如为常用简称，导入时会自动对应，请核对「单位名单」。",
    })


def _help_sheet(workbook, bold, wrap, profile: Profile) -> None:
    sheet = workbook.add_worksheet("填写说明")
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 90, wrap)
    sheet.write_row(0, 0, ["列名", "是否必填", "填写说明"], bold)
    for i, row in enumerate(COLUMN_HELP, start=1):
        sheet.write_row(i, 0, row)
    at = len(COLUMN_HELP) + 2
    sheet.write_string(at, 0, "注意事项", bold)
    notes = profile.template_notes
    for i, note in enumerate(notes, start=at + 1):
        sheet.write_string(i, 0, f"{i - at}.")
        sheet.merge_range(i, 1, i, 2, note, wrap)
    at += len(notes) + 2
    _items_table(sheet, at, bold, profile)


def _items_table(sheet, at: int, bold, profile: Profile) -> None:
    """Every typed-in scoring item with the exact values to enter, so staff can copy a combination."""
    version = profile.rulebook().latest()
    sheet.write_string(at, 0, f"计分事项与填写组合（规则版本 {version.version}）", bold)
    head = ["类型", "事项", "层级", "刊物", "栏目", "批示人", "分值", "依据"]
    sheet.write_row(at + 1, 0, head, bold)
    row = at + 2
    for item in version.items.values():
        if item.derived:
            continue
        cells = [item.type, item.name] + [_accepted(item, c) for c in MATCH_COLUMNS]
        sheet.write_row(row, 0, cells)
        sheet.write_number(row, 6, item.points)
        sheet.write_string(row, 7, item.clause)
        row += 1
    sheet.set_column(3, 7, 14)


def _accepted(item, column: str) -> str:
    values = item.accepts.get(column)
    if values is None:
        return "（不填）"
    shown = [v or "留空" for v in sorted(values, key=lambda v: (v == "", v))]
    return " 或 ".join(shown)


def _units_sheet(workbook, units: list[dict], bold, profile: Profile) -> None:
    sheet = workbook.add_worksheet("单位名单")
    quotas = profile.quota_numbers(profile.quotas[0]) if profile.quotas else {}
    sheet.write_row(0, 0, ["序号", "单位名称", "组别", "每月报送任务（条）", "简称 / 别名"], bold)
    for i, unit in enumerate(units, start=1):
        sheet.write_number(i, 0, i)
        sheet.write_row(i, 1, [unit["name"], profile.group_labels[unit["group"]]])
        sheet.write_number(i, 3, quotas.get(unit["group"], 0))
        sheet.write_string(i, 4, "、".join(unit.get("aliases") or []))
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 3, 16)
    sheet.set_column(4, 4, 50)
    sheet.freeze_panes(1, 0)


def write_register(path, rows: list[dict[str, object]], title: str, profile: Profile) -> None:
    """Rows in the template's layout: title, headers, drop-downs, 填写说明 and 单位名单 sheets."""
    units = profile.units_data()["units"]
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    # A fixed creation time keeps the committed files byte-identical when nothing else changed.
    workbook.set_properties({"title": title, "created": dt.datetime(2025, 1, 1)})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet("事件登记")  # first sheet: the one the importer reads
    sheet_layout.write_sheet(workbook, sheet, rows, title)
    text = workbook.add_format({"num_format": "@"})  # typed 期号 stay text ("012" keeps its zero)
    sheet.set_column(sheet_layout.COLUMNS.index("期号"), sheet_layout.COLUMNS.index("期号"), sheet_layout.COLUMN_WIDTHS["期号"], text)
    _add_dropdowns(sheet, len(units), profile)
    _help_sheet(workbook, bold, wrap, profile)
    _units_sheet(workbook, units, bold, profile)
    workbook.close()


def write_template(path, profile: Profile | None = None) -> None:
    """The blank import template: title row, headers, drop-down lists, 填写说明, 单位名单."""
    profile = profile or default_profile()
    write_register(path, [], profile.office.register_title, profile)
