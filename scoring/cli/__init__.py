"""`python -m scoring …`: one module per command, each with `register(subparsers)`.

Exit codes: 0 done; 2 bad input (invalid row, unreadable file, bad argument); 1 anything else
(e.g. the database held by another program for over a minute).
"""
from __future__ import annotations

import argparse
import os
import sys

from scoring.profile.rules import RuleError
from scoring.store import StoreBusy
from scoring.cli import backup, demo, importing, profile, rank, report, settings, users
from scoring.cli.common import BadInput, Parser, cli_user  # noqa: F401 - cli_user: the name scripts record

COMMANDS = (importing, rank, demo, report, users, settings, backup, profile)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m scoring", description="政务信息考评：导入、计分、排名、通报")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


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
