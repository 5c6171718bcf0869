"""`python -m scoring import FILE… --db DB`: import registers, all-or-nothing per file."""
from __future__ import annotations

import sys
from pathlib import Path

from scoring.engine import Engine
from scoring.intake.importer import import_file
from scoring.cli.common import cli_user, open_store


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


def register(sub) -> None:
    p = sub.add_parser("import", help="导入事件登记表（.xlsx/.xls/.csv）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--db", required=True)
    p.set_defaults(func=cmd_import)
