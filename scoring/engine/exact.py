"""Points and scores as exact decimals: the one dtype every frame of points uses.

Binary floats broke real ties (0.1 + 0.2 ranked below 0.3), so points are `pl.Decimal(38, 4)` from
the rule file to every output; rates (a ÷ b) keep 12 places so that comparing one with a threshold
of at most 4 places is exact for any count a county has. Floats appear only at a chart's edge.
"""
from __future__ import annotations

from decimal import Decimal

import polars as pl

POINTS = pl.Decimal(38, 4)
RATE = pl.Decimal(38, 12)


def lit(value) -> pl.Expr:
    """A literal number of points (an int, Decimal or decimal text; never a float)."""
    return pl.lit(Decimal(value) if not isinstance(value, Decimal) else value, POINTS)


def zero() -> pl.Expr:
    return lit(0)


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator ÷ denominator as an exact rate; null where the denominator is 0 or null (Polars
    raises on a decimal division by zero, even in a branch not taken)."""
    safe = pl.when(denominator == 0).then(None).otherwise(denominator).cast(RATE)
    return numerator.cast(RATE) / safe
