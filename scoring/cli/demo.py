"""`python -m scoring demo [--db FILE] [--force] [--profile DIR]`: the generated demonstration database."""
from __future__ import annotations

import sys
from pathlib import Path

from scoring.cli.common import cli_user


def cmd_demo(args) -> int:
    from demo.build import DEMO_ACCOUNT, account_file, build_demo, create_demo_admin

    if Path(args.db).exists() and not args.force:
        print(f"{args.db} 已存在（加 --force 重新生成）", file=sys.stderr)
        return 0
    if args.profile:  # another office: demo registers made from its own profile
        from demo.generic import build_demo as build_for_profile

        if args.force:
            Path(args.db).unlink(missing_ok=True)
        store = build_for_profile(args.db, args.profile)
    else:
        store = build_demo(args.db, force=args.force)
    password = create_demo_admin(store, args.db, cli_user())
    print(f"演示数据库已生成: {args.db}")
    print(f"演示管理员账号: {DEMO_ACCOUNT}  密码: {password}（另存于 {account_file(args.db)}）")
    return 0


def register(sub) -> None:
    p = sub.add_parser("demo", help="生成演示数据库")
    p.add_argument("--db", default="data/demo.duckdb")
    p.add_argument("--force", action="store_true")
    p.add_argument("--profile", metavar="DIR", help="按该单位配置生成演示数据（默认为系统自带的配置）")
    p.set_defaults(func=cmd_demo)
