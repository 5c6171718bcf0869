"""`python -m scoring …`: the command line of contract.md §2.

Exit codes: 0 done; 2 bad input (invalid row, unreadable file, bad argument); 1 anything else.
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from .engine import Engine, ranking_for
from .importer import import_file
from .normalize import parse_date
from .periods import Period
from .rules import RuleError
from .store import Store, StoreBusy

RANK_COLUMNS = ["组别", "排名", "单位", "报送数", "得分", "采用数", "市级采用", "自治区级采用", "国家级采用",
                "批示数", "市级", "自治区级", "国家级", "批示加分", "约稿·线索·调研", "扣分", "原始得分",
                "采用率", "累计得分"]


class BadInput(Exception):
    """Exit 2 with this message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 too; say it in Chinese first
        self.print_usage(sys.stderr)
        print(f"参数错误: {message}", file=sys.stderr)
        sys.exit(2)


def cli_user() -> str:
    try:
        return f"命令行:{getpass.getuser()}"
    except Exception:
        return "命令行:未知用户"


def open_store(path: str) -> Store:
    store = Store(path)
    if store.created:
        print(f"新建数据库 {path}（已载入默认单位名单与规则版本）", file=sys.stderr)
    return store


def fmt_number(value):
    """Whole numbers print without decimals (contract.md); others keep what they need."""
    if isinstance(value, float):
        if value != value:
            return None
        return int(value) if value.is_integer() else round(value, 4)
    return value


def parse_overrides(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items or []:
        code, sep, value = item.partition("=")
        if not sep:
            raise BadInput(f"--set 应写成 代码=分值，如 CITY_ZWYQ_BRIEF=4，现为“{item}”")
        try:
            out[code.strip()] = float(value)
        except ValueError:
            raise BadInput(f"--set {code}: 分值“{value}”不是数字") from None
    return out


def period_from(args) -> Period:
    if args.quarter is not None:
        return Period.quarter(args.year, args.quarter)
    return Period.year(args.year)


def cmd_import(args) -> int:
    store = open_store(args.db)
    engine = Engine.open(store)
    rejected = 0
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as e:
            print(f"文件 {name}: 无法读取（{e.strerror or e}）", file=sys.stderr)
            rejected += 1
            continue
        report = import_file(store, data, path.name, cli_user(), engine.book)
        if not report.ok:
            rejected += 1
            for line in report.messages():
                print(line, file=sys.stderr)
            print(f"{name}: 未导入（{len(report.errors) or 1} 处错误，本文件未存入任何记录）", file=sys.stderr)
            continue
        for w in report.warnings:
            print(f"提示 {w}", file=sys.stderr)
        print(f"{name}: 已导入，新增 {report.new} 行，已有 {report.known} 行（批次 {report.import_id}）")
    return 2 if rejected else 0


def cmd_rank(args) -> int:
    overrides = parse_overrides(args.set)
    as_of = parse_date(args.as_of) if args.as_of else None
    store = open_store(args.db)
    frame = ranking_for(store, period_from(args), as_of, overrides).select(RANK_COLUMNS)
    rows = [{k: fmt_number(v) for k, v in r.items()} for r in frame.iter_rows(named=True)]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=RANK_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0


def cmd_demo(args) -> int:
    from .demo_db import DEMO_ACCOUNT, account_file, build_demo, create_demo_admin

    if Path(args.db).exists() and not args.force:
        print(f"{args.db} 已存在（加 --force 重新生成）", file=sys.stderr)
        return 0
    store = build_demo(args.db, force=args.force)
    password = create_demo_admin(store, args.db, cli_user())
    print(f"演示数据库已生成: {args.db}")
    print(f"演示管理员账号: {DEMO_ACCOUNT}  密码: {password}（另存于 {account_file(args.db)}）")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m scoring", description="政务信息考评：导入、计分、排名、通报")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("import", help="导入事件登记表（.xlsx/.xls/.csv）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--db", required=True)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("rank", help="输出各组排名")
    p.add_argument("--db", required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--set", action="append", metavar="CODE=POINTS", help="试算：临时修改某计分项分值")
    p.add_argument("--as-of", dest="as_of", help="以该日期判断月份是否结束（默认今天，北京时间）")
    p.set_defaults(func=cmd_rank)

    p = sub.add_parser("demo", help="生成演示数据库")
    p.add_argument("--db", default="data/demo.duckdb")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_demo)

    for register in _extensions():
        register(sub)
    return parser


def _extensions():
    """Subcommands that live in their own modules (reports, users …), registered if present."""
    found = []
    for module in ("reports.cli", "auth_cli", "backup_cli"):
        try:
            mod = __import__(f"scoring.{module}", fromlist=["register"])
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith("scoring."):
                continue
            raise
        found.append(mod.register)
    return found


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (BadInput, RuleError, ValueError) as e:
        print(f"错误: {e}", file=sys.stderr)
        return 2
    except StoreBusy as e:
        print(f"错误: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 1
    except BrokenPipeError:  # `rank … | head`: the reader left, which is not an error
        sys.stderr.close()
        return 0
    except Exception as e:  # never a traceback for the user; the details on demand
        if os.environ.get("SCORING_DEBUG"):
            raise
        print(f"错误: 处理失败（{type(e).__name__}: {e}）。设置环境变量 SCORING_DEBUG=1 可查看详细信息。",
              file=sys.stderr)
        return 1
