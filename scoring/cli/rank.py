"""`python -m scoring rank --db DB (--year Y [--quarter Q] | --from DATE --to DATE) [--format csv|json]
[--set CODE=POINTS]`."""
from __future__ import annotations

import csv
import json
import sys
from decimal import Decimal

from scoring.engine import Engine, numbers
from scoring.intake.normalize import parse_date
from scoring.profile.overrides import parse_overrides
from scoring.cli.common import BadInput, add_period, open_store, period_from


def rank_columns(profile) -> list[str]:
    """Counts, adoptions per tier, then points per score tier, as the profile lists its tiers."""
    return ["组别", "排名", "单位", "报送数", "得分", "采用数", *profile.adoption_tiers.values(), "批示数",
            *profile.score_tiers, "原始得分", "采用率", "累计得分", *(f.name for f in profile.flags)]


def __getattr__(name: str):
    """RANK_COLUMNS: the columns for the default profile (what the benchmark selects)."""
    if name == "RANK_COLUMNS":
        from scoring.profile import default_profile

        return rank_columns(default_profile())
    raise AttributeError(name)


def cmd_rank(args) -> int:
    try:
        overrides = parse_overrides(args.set or [])
    except ValueError as e:
        raise BadInput(f"--set {e}") from None
    as_of = parse_date(args.as_of) if args.as_of else None
    period = period_from(args)
    store = open_store(args.db)
    columns = rank_columns(store.profile)
    with store.session():  # one connection for all of it: opening one costs as much as a county ranking
        engine = Engine.open(store, as_of=as_of)
        if overrides:
            engine = engine.with_overrides(overrides)
        frame = engine.ranking(period).select(columns)
    # Points exactly as they are (whole numbers without decimals); the rate rounded by the setting.
    rows = [{k: numbers.fraction(v, engine.settings) if k == "采用率" else numbers.cell(v) for k, v in r.items()}
            for r in frame.iter_rows(named=True)]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1, default=_json_number)
        sys.stdout.write("\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0


def _json_number(value):
    """A decimal as a JSON number: its shortest float is written with the same digits (≤ 4 places)."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def register(sub) -> None:
    p = sub.add_parser("rank", help="输出各组排名")
    p.add_argument("--db", required=True)
    add_period(p)
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--set", action="append", metavar="CODE=POINTS", help="试算：临时修改某计分项分值")
    p.add_argument("--as-of", dest="as_of", help="以该日期判断月份是否结束（默认今天，北京时间）")
    p.set_defaults(func=cmd_rank)
