"""What every command shares: the Chinese argument parser, the exit-2 error, the recorded user
and opening the database file."""
from __future__ import annotations

import argparse
import getpass
import sys

from scoring.store import Store


class BadInput(Exception):
    """Exit 2 with this message."""


class Parser(argparse.ArgumentParser):
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
