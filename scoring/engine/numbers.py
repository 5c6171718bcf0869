"""How numbers are written, everywhere: screens, documents, spreadsheets and the command line.

Points and scores are exact decimals: whole numbers never show a trailing ".0", fractions show the
digits they have (0.25 stays 0.25, never 0.2500 or 0.25000000000000003). Rates (采用率, growth) are
exact until shown, and rounded only here, to the places the setting `rate_decimals` gives: a
percentage for a reader half up (四舍五入: 348.25% → 348.3% at one place); a fraction in a ranking file
two places more, a tie to the even digit (0.15625 → 0.1562), as every `rank` output has done.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

RATE_DECIMALS = 2  # places of a percentage unless the setting says otherwise


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or \
        (isinstance(value, Decimal) and not value.is_finite())


def _plain(value: Decimal):
    """A decimal as an int when whole, else without trailing zeros."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def rounded(value, places: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """`value` rounded to `places` decimal places (a tie to the even digit unless told)."""
    return Decimal(str(value) if isinstance(value, float) else value).quantize(Decimal(1).scaleb(-places),
                                                                              rounding=rounding)


def cell(value, digits: int | None = None):
    """A number for a spreadsheet cell or CSV/JSON field: int when whole, None when missing, else
    the exact decimal (rounded to `digits` places when given; floats likewise)."""
    if _missing(value):
        return None
    if isinstance(value, Decimal):
        return _plain(rounded(value, digits) if digits is not None else value)
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        return _plain(rounded(value, digits)) if digits is not None else value
    return value


def text(value, grouping: bool = False, empty: str = "") -> str:
    """A number as text: exact decimals with the digits they have, floats at most two places,
    trailing zeros dropped; `grouping` adds thousands separators; `empty` stands for a missing value."""
    if _missing(value):
        return empty
    if isinstance(value, float) and not value.is_integer():
        value = rounded(value, 2)
    value = cell(value)
    if isinstance(value, int):
        return f"{value:,}" if grouping else str(value)
    if isinstance(value, Decimal):
        whole, _, frac = format(value, "f").partition(".")
        return (f"{int(whole):,}" if grouping and whole not in ("-0",) else whole) + (f".{frac}" if frac else "")
    return str(value)


def rate_places(settings: dict | None = None) -> int:
    """Decimal places of a percentage (the setting rate_decimals)."""
    try:
        return max(0, min(6, int((settings or {}).get("rate_decimals", RATE_DECIMALS))))
    except (TypeError, ValueError):
        return RATE_DECIMALS


def fraction(value, settings: dict | None = None):
    """A rate as a fraction for a file (0.2642), rounded to the setting's places + 2; None when missing."""
    return None if _missing(value) else _plain(rounded(value, rate_places(settings) + 2))


def percent(value, settings: dict | None = None, empty: str = "—") -> str:
    """A rate as a percentage for a reader (26.42%), rounded to the setting's places."""
    if _missing(value):
        return empty
    exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return f"{format(rounded(exact * 100, rate_places(settings), ROUND_HALF_UP), 'f')}%"
