"""A parsed profile expression (scoring/profile/formula.py) as a Polars expression over named
columns: the score formula over tier sums, conditions and flags over measures."""
from __future__ import annotations

import operator
from typing import Callable

import polars as pl

from scoring.engine.exact import POINTS, ratio
from scoring.profile.formula import Node

_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_COMPARE = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__", "==": "__eq__", "!=": "__ne__"}


def to_polars(node: Node, column: Callable[[str], pl.Expr] = pl.col) -> pl.Expr:
    """The expression of a tree; `column` gives each name's column."""
    def walk(n: Node) -> pl.Expr:
        args = [walk(a) for a in n.args]
        if n.kind == "num":
            return pl.lit(n.value, POINTS)
        if n.kind == "name":
            return column(n.value)
        if n.kind == "neg":
            return -args[0]
        if n.kind == "op":
            return ratio(*args) if n.value == "/" else _ARITHMETIC[n.value](*args)
        if n.kind == "call":
            return pl.max_horizontal(*args) if n.value == "max" else pl.min_horizontal(*args)
        if n.kind == "cmp":
            return getattr(args[0], _COMPARE[n.value])(args[1])
        if n.kind == "and":
            return args[0] & args[1]
        if n.kind == "or":
            return args[0] | args[1]
        if n.kind == "not":
            return ~args[0]
        raise ValueError(n.kind)
    return walk(node)
