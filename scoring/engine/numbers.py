"""How numbers are written, everywhere: screens, documents, spreadsheets and the command line.

Points are often whole (6, 30, −50) and sometimes fractional (0.5): whole numbers never show a
trailing ".0", fractions keep what they need.
"""
from __future__ import annotations


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def cell(value, digits: int | None = None):
    """A number for a spreadsheet cell or CSV/JSON field: int when whole, None when missing,
    otherwise the float (rounded to `digits` places when given)."""
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            return int(value)
        return round(value, digits) if digits is not None else value
    return value


def text(value, grouping: bool = False, empty: str = "") -> str:
    """A number as text: at most two decimal places, trailing zeros dropped; `grouping` adds
    thousands separators; `empty` stands for a missing value."""
    if _missing(value):
        return empty
    value = cell(value)
    if isinstance(value, int):
        return f"{value:,}" if grouping else str(value)
    if isinstance(value, float):
        return (f"{value:,.2f}" if grouping else f"{value:.2f}").rstrip("0").rstrip(".")
    return str(value)
