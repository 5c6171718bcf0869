"""`python -m scoring report …` and `python -m scoring reminders …` 

Bad input raises BadInput (exit 2). The report modules load only when a report is asked for.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scoring.cli.common import BadInput, add_period, open_store, period_from


def _as_of(args):
    from scoring.intake.normalize import parse_date

    if not args.as_of:
        return None
    try:
        return parse_date(args.as_of)
    except ValueError as e:
        raise BadInput(f"--as-of: {e}") from None


def _check_out_dir(path: Path) -> None:
    if not path.parent.is_dir():
        raise BadInput(f"输出目录 {path.parent} 不存在")


def _write(path: Path, data: bytes) -> None:
    """Write via a temporary file, so a failed run never leaves half a document."""
    _check_out_dir(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise BadInput(f"无法写入 {path}（{e.strerror or e}）") from None


def _attachments(args, period):
    """The 通报's attachments: the period's default, changed by the options given."""
    from dataclasses import replace

    from scoring.reports import Attachments

    chosen = {key: value for key, value in (("scores", args.scores), ("breakdown", args.breakdown),
                                            ("adopted", args.adopted)) if value is not None}
    return replace(Attachments.default(period), **chosen)


def _measure(args) -> str | None:
    from scoring.engine.commend import MEASURES

    if args.measure is not None and args.measure not in MEASURES:
        raise BadInput(f"--measure: 未知的进步衡量方法“{args.measure}”，可选："
                       + "、".join(f"{k}（{v}）" for k, v in MEASURES.items()))
    return args.measure


def cmd_report(args) -> int:
    from scoring.engine import Engine
    from scoring.reports import UnknownFormat, check_format, render

    out = Path(args.out)
    try:
        ext = check_format(out.suffix)
    except UnknownFormat as e:
        raise BadInput(str(e)) from None
    _check_out_dir(out)
    as_of = _as_of(args)
    period = period_from(args)
    attach, measure = _attachments(args, period), _measure(args)
    store = open_store(args.db)
    engine = Engine.open(store, as_of=as_of)
    data = render(engine, period, ext, number=args.number, measure=measure, attachments=attach)
    _write(out, data)
    print(f"已生成 {period.label}{'度' if period.kind == 'year' else ''}通报（{ext.lstrip('.')}）: {out}")
    return 0


def cmd_reminders(args) -> int:
    from scoring.engine import Engine
    from scoring.reports.reminders import MonthNotEnded, build_reminders_docx, collect

    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise BadInput(f"提醒函只能导出为 .docx，现为“{out.suffix or '（无扩展名）'}”")
    _check_out_dir(out)
    as_of = _as_of(args)
    store = open_store(args.db)
    engine = Engine.open(store, as_of=as_of)
    try:
        result = collect(engine, args.year, args.month)
        data = build_reminders_docx(engine, args.year, args.month, number=args.number, result=result)
    except MonthNotEnded as e:
        raise BadInput(str(e)) from None
    _write(out, data)
    if result.letters:
        print(f"已生成 {args.year}年{args.month}月提醒函 {len(result.letters)} 份: {out}")
    else:
        print(f"{args.year}年{args.month}月无需下发提醒函（已生成说明文档）: {out}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("report", help="生成季度、年度或任意期间的通报（.docx .pdf .xlsx .csv，按 --out 扩展名）")
    p.add_argument("--db", required=True)
    add_period(p)
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--as-of", dest="as_of", help="以该日期判断月份是否结束，并作为成文日期（默认今天，北京时间）")
    p.add_argument("--number", help="通报期号（如 3 或 〔2025〕第3期；默认留“第 X 期”待填）")
    p.add_argument("--scores", action=argparse.BooleanOptionalAction, default=None,
                   help="附各单位得分排名表（默认附；--no-scores 不附）")
    p.add_argument("--breakdown", action=argparse.BooleanOptionalAction, default=None,
                   help="附各单位得分明细（逐项列出条数和得分；默认不附）")
    p.add_argument("--adopted", choices=["all", "higher", "none"], default=None,
                   help="附采用信息：all 全部，higher 只列最低一级以上（如自治区级及以上），none 不附（默认季度 all、年度 higher）")
    p.add_argument("--measure", help="年度通报评定进步较大单位的衡量方法（默认用设置中的方法），如 rank_gain_yoy")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("reminders", help="生成某月的提醒函（.docx，一函一页）")
    p.add_argument("--db", required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--month", type=int, required=True, choices=range(1, 13), metavar="M")
    p.add_argument("--out", required=True, metavar="FILE.docx")
    p.add_argument("--as-of", dest="as_of", help="以该日期判断月份是否结束（默认今天，北京时间）")
    p.add_argument("--number", help="提醒函文号（默认留“第 X 号”待填）")
    p.set_defaults(func=cmd_reminders)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("请用 python -m scoring report / reminders")
