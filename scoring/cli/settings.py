"""`python -m scoring setting list|set|reset …`: every setting of 管理 → 设置 from the command line,
so that a value which locks everyone out of the dashboard can always be put right on the server.
Values are checked as in the dashboard (kind and range); each change is audited as 命令行:<user>.
"""
from __future__ import annotations

import csv
import sys

from scoring.cli.common import BadInput, cli_user, open_store
from scoring.profile import settings
from scoring.views.admin import setting_value_text


def _name(text: str) -> str:
    """A setting by its key or by its label as 管理 → 设置 shows it."""
    for s in settings.SETTINGS:
        if text in (s.name, s.label):
            return s.name
    raise BadInput(f"没有设置“{text}”，可用：{'、'.join(settings.BY_NAME)}（python -m scoring setting list 列出全部）")


def cmd_list(args) -> int:
    store = open_store(args.db)
    stored, now = store.stored_settings(), store.settings()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["键名", "设置", "当前值", "已修改", "取值范围"])
    for s in settings.SETTINGS:
        writer.writerow([s.name, s.label, setting_value_text(s.name, now[s.name]),
                         "是" if s.name in stored else "否（默认）", settings.range_text(s.name)])
    return 0


def cmd_set(args) -> int:
    store = open_store(args.db)
    name = _name(args.name)
    value = settings.parse(name, args.value, store.settings()[name])
    store.set_setting(name, value, cli_user())  # ValueError (exit 2) names the range
    print(f"已将“{settings.BY_NAME[name].label}”设为 {setting_value_text(name, store.settings()[name])}")
    return 0


def cmd_reset(args) -> int:
    store = open_store(args.db)
    name = _name(args.name)
    store.reset_setting(name, cli_user())
    print(f"“{settings.BY_NAME[name].label}”已恢复默认值：{setting_value_text(name, store.settings()[name])}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("setting", help="查看、修改、恢复设置（与仪表盘“管理 → 设置”相同）")
    cmds = p.add_subparsers(dest="setting_command", required=True, parser_class=type(p))

    q = cmds.add_parser("list", help="列出全部设置：当前值、是否修改过、取值范围")
    q.add_argument("--db", required=True)
    q.set_defaults(func=cmd_list)

    q = cmds.add_parser("set", help="修改一项设置，如 setting set session_idle_hours 8")
    q.add_argument("name", metavar="KEY", help="键名（或设置的中文名称）")
    q.add_argument("value", metavar="VALUE", help="是/否、数字、选项；分组名额写成 A=3,B=2")
    q.add_argument("--db", required=True)
    q.set_defaults(func=cmd_set)

    q = cmds.add_parser("reset", help="恢复一项设置的默认值")
    q.add_argument("name", metavar="KEY")
    q.add_argument("--db", required=True)
    q.set_defaults(func=cmd_reset)
