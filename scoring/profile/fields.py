"""Reading one value of a profile file: each reader takes the raw YAML value, records what is wrong
as `文件 X 键 Y: 说明` in a `Problems` list and returns what it could make of the value (a default
where it could not), so that one pass over a folder lists every problem, never only the first.

A newcomer's typical slips are answered here once for every file: an unknown key names the
nearest known one (`flor` → floor), and a number written where text is expected (`clause: 2`) is
taken as that text.
"""
from __future__ import annotations

import difflib
import math
from decimal import Decimal
from typing import Iterable


class Problems(list):
    def add(self, file: str, key: str, text: str) -> None:
        self.append(f"文件 {file} 键 {key}: {text}")


def nearest(word: str, known: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(str(word), [str(k) for k in known], n=1, cutoff=0.5)
    return found[0] if found else None


def check_keys(raw: dict, known: Iterable[str], problems: Problems, file: str, prefix: str = "") -> None:
    """Every key of `raw` is one of `known`; an unknown one is reported with the nearest known key."""
    known = list(known)
    for key in raw:
        if key in known:
            continue
        guess = nearest(key, known)
        hint = f"，是否应为 {guess}？" if guess else ""
        problems.add(file, f"{prefix}{key}", f"未知的键{hint}（可用：{'、'.join(known)}）")


def mapping(value, problems: Problems, file: str, key: str, what: str = "键值表") -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(file, key, f"应为{what}，现为 {shown(value)}")
        return {}
    return value


def listing(value, problems: Problems, file: str, key: str, what: str = "列表") -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(file, key, f"应为{what}（每项以“- ”开头，或写成 [甲, 乙]），现为 {shown(value)}")
        return []
    return value


def text(value, problems: Problems, file: str, key: str, default: str = "", required: bool = False) -> str:
    """Text; a number written where text is expected is that text (`clause: 2` is “2”)."""
    if value is None or value == "":
        if required:
            problems.add(file, key, "必须填写")
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        problems.add(file, key, f"应为文字，现为 {shown(value)}")
        return default
    return str(value)


def words(value, problems: Problems, file: str, key: str) -> tuple[str, ...]:
    """One word or a list of words (`counts: A` or `counts: [A, B]`)."""
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(text(v, problems, file, f"{key}[{i}]") for i, v in enumerate(value))
    return (text(value, problems, file, key),)


def count(value, problems: Problems, file: str, key: str, default: int = 0) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.add(file, key, f"应为不小于 0 的整数，现为 {shown(value)}")
        return default
    return value


def number(value, problems: Problems, file: str, key: str, default: Decimal | None = None,
           low: Decimal | None = None, high: Decimal | None = None) -> Decimal | None:
    """A decimal number (YAML numbers are read as decimals from their text), within [low, high]."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        problems.add(file, key, f"应为数字，现为 {shown(value)}")
        return default
    value = Decimal(value)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (f"应在 {low} 到 {high} 之间" if low is not None and high is not None
                  else f"应不小于 {low}" if low is not None else f"应不大于 {high}")
        problems.add(file, key, f"{bounds}，现为 {value}")
        return default
    return value


def flag(value, problems: Problems, file: str, key: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        problems.add(file, key, f"应为 true 或 false，现为 {shown(value)}")
        return default
    return value


def choice(value, options: Iterable, problems: Problems, file: str, key: str, default):
    options = tuple(options)
    if value is None:
        return default
    if value not in options:
        guess = nearest(value, options)
        hint = f"（是否应为 {guess}？）" if guess else ""
        problems.add(file, key, f"取值 {shown(value)} 无效{hint}，可选：{'、'.join(map(str, options))}")
        return default
    return value


def shown(value) -> str:
    """A raw value as a newcomer wrote it (not Python's repr of a Decimal or a dict)."""
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "键值表"
    if isinstance(value, list):
        return "列表"
    if value is None:
        return "空"
    if isinstance(value, float):
        if math.isnan(value):
            return "非数值"
        if math.isinf(value):
            return "无穷大" if value > 0 else "负无穷大"
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)
