"""`python -m scoring init --profile DIR --db FILE` and `python -m scoring profile check DIR`:
start a database for an office's profile, and check a profile folder before using it."""
from __future__ import annotations

import sys
from pathlib import Path

from scoring.profile import check_profile, load_profile, resolve
from scoring.cli.common import BadInput, Parser


def _problems_or_none(ref: str) -> list[str]:
    problems = check_profile(ref)
    for line in problems:
        print(line, file=sys.stderr)
    return problems


def cmd_check(args) -> int:
    if _problems_or_none(args.dir):
        print(f"{args.dir}: 配置有误（见上，共 {len(check_profile(args.dir))} 处）", file=sys.stderr)
        return 2
    profile = load_profile(args.dir)
    book = profile.rulebook()
    units = profile.units_data()["units"]
    print(f"{profile.name}: 检查通过（{len(profile.groups)} 个组别，{len(units)} 个单位，"
          f"{len(book.versions)} 个规则版本，现行计分项 {len(book.latest().items)} 个）")
    return 0


def cmd_init(args) -> int:
    from scoring.store import Store

    if Path(args.db).exists():
        raise BadInput(f"{args.db} 已存在：新的单位配置只用于新建数据库，请换一个文件名")
    if _problems_or_none(args.profile):
        print(f"{args.profile}: 配置有误，未新建数据库", file=sys.stderr)
        return 2
    store = Store(args.db, profile=resolve(args.profile))
    profile = store.profile
    print(f"已新建数据库 {args.db}（{profile.office.issuer}，{len(store.unit_book())} 个单位，"
          f"规则自 {profile.rulebook().versions[0].effective.isoformat()} 起）")
    return 0


def register(sub) -> None:
    p = sub.add_parser("init", help="按单位配置（profile）新建数据库")
    p.add_argument("--profile", required=True, metavar="DIR", help="单位配置文件夹，或 data/profiles 下的名称")
    p.add_argument("--db", required=True)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("profile", help="单位配置（profile）工具")
    tools = p.add_subparsers(dest="tool", required=True, parser_class=Parser)
    c = tools.add_parser("check", help="检查单位配置文件夹，列出全部问题")
    c.add_argument("dir", metavar="DIR")
    c.set_defaults(func=cmd_check)
