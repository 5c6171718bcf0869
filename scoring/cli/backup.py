"""`python -m scoring backup …` and `python -m scoring restore …`.

Both wait for the database file like every other command (up to a minute, then exit 1 naming
the process that holds it), so they can run while the dashboard is up, e.g. from cron.
"""
from __future__ import annotations

import sys
from pathlib import Path

from scoring.backup import BackupError, backup_to, restore_from
from scoring.cli.common import BadInput, cli_user, open_store


def cmd_backup(args) -> int:
    out = Path(args.out)
    if out.resolve() == Path(args.db).resolve():
        raise BadInput("备份文件不能与数据库文件相同")
    store = open_store(args.db)
    try:
        backup_to(store, out, who=cli_user())
    except BackupError as e:
        raise BadInput(str(e)) from None
    print(f"已备份到 {out}（{out.stat().st_size / 1048576:.1f} MB）")
    return 0


def cmd_restore(args) -> int:
    source = Path(args.source)
    try:
        data = source.read_bytes()
    except OSError as e:
        raise BadInput(f"无法读取备份文件 {source}（{e.strerror or e}）") from None
    if source.resolve() == Path(args.db).resolve():
        raise BadInput("备份文件不能与数据库文件相同")
    try:
        kept = restore_from(args.db, data, who=cli_user())
    except BackupError as e:
        raise BadInput(str(e)) from None
    print(f"已从 {source} 恢复数据库 {args.db}")
    if kept is not None:
        print(f"恢复前的数据库已另存为 {kept}", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("backup", help="备份数据库（可在仪表盘运行时进行）")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True, metavar="FILE.duckdb")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份文件恢复数据库（原数据库另存为 PATH.bak-时间）")
    p.add_argument("--db", required=True)
    p.add_argument("--from", dest="source", required=True, metavar="FILE")
    p.set_defaults(func=cmd_restore)
