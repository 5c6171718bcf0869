"""What every command shares: the Chinese argument parser, the exit-2 error, the recorded user
and opening the database file."""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from scoring.store import Store


class BadInput(Exception):
    """Exit 2 with this message."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 too; say it in Chinese first
        self.print_usage(sys.stderr)
        print(f"参数错误: {message}", file=sys.stderr)
        sys.exit(2)


def add_period(parser) -> None:
    """--year Y [--quarter Q], or --from DATE --to DATE (any period, as the dashboard's 自定义)."""
    parser.add_argument("--year", type=int, help="年度，如 2025")
    parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="季度（与 --year 同用）")
    parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="自定义期间的第一天（与 --to 同用）")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="自定义期间的最后一天")


def period_from(args):
    """The period the options name; BadInput when they do not name exactly one."""
    from scoring.engine.periods import Period
    from scoring.intake.normalize import parse_date

    ranged = args.start is not None or args.end is not None
    if ranged and (args.year is not None or args.quarter is not None):
        raise BadInput("--from/--to 与 --year/--quarter 只能选一种")
    if ranged:
        if args.start is None or args.end is None:
            raise BadInput("--from 与 --to 须同时给出")
        try:
            return Period.between(parse_date(args.start), parse_date(args.end))
        except ValueError as e:
            raise BadInput(f"--from/--to: {e}") from None
    if args.year is None:
        raise BadInput("请给出 --year（可加 --quarter），或 --from 和 --to")
    return Period.quarter(args.year, args.quarter) if args.quarter else Period.year(args.year)


def cli_user() -> str:
    try:
        return f"命令行:{getpass.getuser()}"
    except Exception:
        return "命令行:未知用户"


def open_store(path: str) -> Store:
    """An existing database. A missing file is an error, never quietly a new database of the
    default office: a mistyped path or a failed `init` must be noticed."""
    if path != ":memory:" and not Path(path).exists():
        from scoring.profile import default_dir

        raise BadInput(f"数据库文件 {path} 不存在。新建数据库请先运行：python -m scoring init --profile 单位配置文件夹 "
                       f"--db {path}（默认单位配置为 data/profiles/{default_dir().name}）；"
                       f"生成演示数据库：python -m scoring demo --db {path}")
    return Store(path)
