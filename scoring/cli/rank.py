"""`python -m scoring rank --db DB --year Y [--quarter Q] [--format csv|json] [--set CODE=POINTS]`."""
from __future__ import annotations

import csv
import json
import sys

from scoring.engine import numbers
from scoring.engine import ranking_for
from scoring.intake.normalize import parse_date
from scoring.engine.periods import Period
from scoring.profile.rules import parse_overrides
from scoring.cli.common import BadInput, open_store



def rank_columns(profile) -> list[str]:
    """Counts, adoptions per tier, then points per score tier, as the profile lists its tiers."""
    return ["组别", "排名", "单位", "报送数", "得分", "采用数", *profile.adoption_tiers.values(), "批示数",
            *profile.score_tiers, "原始得分", "采用率", "累计得分"]


def __getattr__(name: str):
    """RANK_COLUMNS: the columns for the default profile (what the benchmark selects)."""
    if name == "RANK_COLUMNS":
        from scoring.profile import default_profile

        return rank_columns(default_profile())
    raise AttributeError(name)


def period_from(args) -> Period:
    if args.quarter is not None:
        return Period.quarter(args.year, args.quarter)
    return Period.year(args.year)


def cmd_rank(args) -> int:
    try:
        overrides = parse_overrides(args.set or [])
    except ValueError as e:
        raise BadInput(f"--set {e}") from None
    as_of = parse_date(args.as_of) if args.as_of else None
    store = open_store(args.db)
    columns = rank_columns(store.profile)
    frame = ranking_for(store, period_from(args), as_of, overrides).select(columns)
    # Whole numbers print without decimals; fractions at most four places.
    rows = [{k: numbers.cell(v, 4) for k, v in r.items()} for r in frame.iter_rows(named=True)]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0


def register(sub) -> None:
    p = sub.add_parser("rank", help="输出各组排名")
    p.add_argument("--db", required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--set", action="append", metavar="CODE=POINTS", help="试算：临时修改某计分项分值")
    p.add_argument("--as-of", dest="as_of", help="以该日期判断月份是否结束（默认今天，北京时间）")
    p.set_defaults(func=cmd_rank)
