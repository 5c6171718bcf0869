"""A what-if's points as written by a person: `CODE=POINTS`, the one syntax of the command line's
`--set`, the 规则试算 text box and a saved trial. The rule book applies them (RuleBook.with_overrides);
here they are only read and checked.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterable

from scoring.profile.points import parse_points


def parse_overrides(parts: Iterable[str] | str) -> dict[str, Decimal]:
    """What-if points written as `CODE=POINTS`, the command line's `--set` syntax and the 规则试算
    text box alike: several may be separated by commas, semicolons or spaces. ValueError in
    Chinese naming the part that is wrong. Codes are kept as written (checked against the rule
    set by the caller); points must be finite, at most 4 decimal places, within ±10000."""
    if isinstance(parts, str):
        parts = [parts]
    out: dict[str, Decimal] = {}
    for chunk in parts:
        for part in re.split(r"[,，;；\s]+", chunk or ""):
            if not part:
                continue
            code, sep, value = part.partition("=")
            if not sep or not code.strip():
                raise ValueError(f"应写成“计分项代码=分值”，现为“{part}”")
            try:
                out[code.strip()] = parse_points(value)
            except ValueError as e:
                raise ValueError(f"{code.strip()}: {e}") from None
    return out

