"""`python -m scoring user …` and `python -m scoring kiosk …`: accounts from the command line.

The command line acts as an administrator, recorded as 命令行:<operating-system user>.
Passwords: --password, else the environment variable SCORING_PASSWORD (for scripts), else asked
twice on the terminal (never echoed).
"""
from __future__ import annotations

import getpass
import os
import sys

from scoring.accounts import auth
from scoring.cli.common import BadInput, cli_user, open_store


def _password(args, prompt: str = "密码") -> str:
    if getattr(args, "password", None):
        return args.password
    env = os.environ.get("SCORING_PASSWORD")
    if env:
        return env
    if not sys.stdin or not sys.stdin.isatty():
        raise BadInput("未提供密码：请在终端中运行以便输入密码，或设置环境变量 SCORING_PASSWORD，或使用 --password")
    first = getpass.getpass(f"{prompt}（至少 {auth.MIN_PASSWORD} 位）: ")
    second = getpass.getpass(f"再次输入{prompt}: ")
    if first != second:
        raise BadInput("两次输入的密码不一致")
    return first


def _unit_id(store, text: str | None) -> int | None:
    if not text:
        return None
    book = store.unit_book()
    if text.strip().isdigit() and int(text) in {u.id for u in book.units}:
        return int(text)
    try:
        return book.resolve(text).id
    except Exception as e:  # UnknownUnit carries suggestions in its message
        raise BadInput(f"单位“{text}”无法识别：{e}") from None


def _run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (auth.AuthError, PermissionError) as e:
        raise BadInput(str(e)) from None


def cmd_user_add(args) -> int:
    store = open_store(args.db)
    unit_id = _unit_id(store, args.unit)
    if args.role == "单位" and unit_id is None:
        raise BadInput("角色为“单位”的账号须用 --unit 指定所属单位")
    password = _password(args)
    user = _run(auth.add_user, store, cli_user(), args.name, password, args.role, unit_id)
    print(f"已新增账号 {user.name}（角色：{user.role}{'，单位编号 ' + str(user.unit_id) if user.unit_id else ''}）")
    return 0


def cmd_user_list(args) -> int:
    store = open_store(args.db)
    frame = auth.list_users(store)
    if frame.height == 0:
        print("尚无账号。新增管理员：python -m scoring user add 用户名 --role 管理 --db " + args.db)
        return 0
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.iter_rows():
        writer.writerow(["" if v is None else v for v in row])
    return 0


def cmd_user_passwd(args) -> int:
    store = open_store(args.db)
    password = _password(args, "新密码")
    _run(auth.set_password, store, cli_user(), args.name, password)
    print(f"已重置账号 {args.name} 的密码（如已锁定，同时解除锁定）")
    return 0


def cmd_user_disable(args) -> int:
    store = open_store(args.db)
    _run(auth.set_disabled, store, cli_user(), args.name, not args.enable)
    print(f"账号 {args.name} 已{'启用' if args.enable else '停用'}")
    return 0


def cmd_user_role(args) -> int:
    store = open_store(args.db)
    unit_id = _unit_id(store, args.unit)
    _run(auth.set_role, store, cli_user(), args.name, args.role, unit_id)
    print(f"账号 {args.name} 的角色已改为 {args.role}")
    return 0


def cmd_kiosk(args) -> int:
    store = open_store(args.db)
    if args.state != "status":
        _run(auth.set_kiosk, store, cli_user(), args.state == "on")
    on = auth.kiosk_enabled(store)
    print("免登录只读模式：" + ("已开启（任何人无需登录即可只读浏览）" if on else "已关闭（须登录）"))
    return 0


def register(sub) -> None:
    p = sub.add_parser("user", help="账号管理：新增、列出、重置密码、停用")
    users = p.add_subparsers(dest="user_command", required=True, parser_class=type(p))

    q = users.add_parser("add", help="新增账号（首次使用时用它创建管理员）")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--role", required=True, choices=auth.ROLES)
    q.add_argument("--unit", help="角色为“单位”时：所属单位（名称、简称或编号）")
    q.add_argument("--password", help="密码（不建议：会留在命令历史中；可改用环境变量 SCORING_PASSWORD）")
    q.add_argument("--db", required=True)
    q.set_defaults(func=cmd_user_add)

    q = users.add_parser("list", help="列出账号（不含密码）")
    q.add_argument("--db", required=True)
    q.set_defaults(func=cmd_user_list)

    q = users.add_parser("passwd", help="重置密码（同时解除锁定）")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--password")
    q.add_argument("--db", required=True)
    q.set_defaults(func=cmd_user_passwd)

    q = users.add_parser("disable", help="停用账号（加 --enable 重新启用）")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--enable", action="store_true")
    q.add_argument("--db", required=True)
    q.set_defaults(func=cmd_user_disable)

    q = users.add_parser("role", help="修改账号角色")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--role", required=True, choices=auth.ROLES)
    q.add_argument("--unit", help="角色为“单位”时：所属单位")
    q.add_argument("--db", required=True)
    q.set_defaults(func=cmd_user_role)

    p = sub.add_parser("kiosk", help="免登录只读模式（大屏展示）：on / off / status")
    p.add_argument("state", choices=["on", "off", "status"])
    p.add_argument("--db", required=True)
    p.set_defaults(func=cmd_kiosk)
