"""What a number of points may be, wherever it comes from: a rule file, a version saved in the
dashboard, the 规则试算 box or `--set`. Points are exact decimals with at most PLACES decimal places
and at most LIMIT in size (a real 办法's largest item is a few hundred points; `inf`, `nan` and
`1e308` once made every affected unit tie for first)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

PLACES = 4
LIMIT = Decimal(10000)
DEDUCTION_TYPE = "扣分"  # the register's word for a deduction row: its items score zero or less


def as_points(value):
    """A number handed in by code (a float from a data editor included) as the decimal it reads as."""
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return Decimal(repr(value))
    return value


def points_problem(value) -> str | None:
    """Why `value` cannot be a number of points (None when it can)."""
    value = as_points(value)
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return f"分值应为数字，现为 {value!r}" if not isinstance(value, str) else f"分值“{value}”不是数字"
    value = Decimal(value)
    if not value.is_finite():
        return "分值应为有限的数字"
    if abs(value) > LIMIT:
        return f"分值应在 −{LIMIT} 到 {LIMIT} 之间，现为 {value}"
    if value != value.quantize(Decimal(1).scaleb(-PLACES)):
        return f"分值最多 {PLACES} 位小数，现为 {value}"
    return None


def parse_points(text: str) -> Decimal:
    """Points typed as text (`--set`, the 规则试算 box): ValueError in Chinese."""
    try:
        value = Decimal(text.strip().replace("−", "-"))
    except (InvalidOperation, AttributeError):
        raise ValueError(f"分值“{text}”不是数字") from None
    problem = points_problem(value)
    if problem:
        raise ValueError(problem)
    return Decimal(int(value)) if value == value.to_integral_value() else value


def sign_problem(code: str, points: Decimal, kind: str) -> str | None:
    """Deduction items (type 扣分) score zero or less, every other item zero or more."""
    if kind == DEDUCTION_TYPE and points > 0:
        return f"{code} 是扣分项，分值应为负数或 0，现为 {points}"
    if kind != DEDUCTION_TYPE and points < 0:
        return f"{code} 是计分项，分值不能为负数，现为 {points}"
    return None
