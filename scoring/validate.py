"""One spreadsheet row -> one normalised event, or the errors that name its columns."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from .normalize import clean_key, clean_text, parse_date
from .rules import MATCH_COLUMNS, RuleBook
from .units import UnitBook, UnknownUnit

# Contract header -> event field. Matching fields are cleaned as keys, the rest as text.
FIELD_OF = {"类型": "type", "层级": "level", "刊物": "publication", "栏目": "column", "批示人": "leader",
            "信息编号": "info_id", "期号": "issue", "标题": "title", "作者": "author", "备注": "note"}
TEXT_HEADERS = ("信息编号", "期号", "标题", "作者", "备注")
MAX_CELL = 2000
_AUTHOR_SPLIT = re.compile(r"[、，,;；]+")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"行 {self.row} 列 {self.column}: {self.message}"


def normalise_authors(text: str) -> str:
    return "、".join(a.strip() for a in _AUTHOR_SPLIT.split(text) if a.strip())


def validate_row(values: dict[str, object], units: UnitBook, rules: RuleBook,
                 ) -> tuple[dict | None, list[tuple[str, str]]]:
    """Returns (event, []) or (None, [(column, message), ...]) with every problem of the row."""
    errors: list[tuple[str, str]] = []
    day: date | None = None
    try:
        day = parse_date(values.get("日期"))
        if not 2000 <= day.year <= 2099:
            raise ValueError(f"日期 {day.isoformat()} 超出合理范围")
    except ValueError as e:
        errors.append(("日期", str(e)))
    unit = None
    try:
        unit = units.resolve(clean_text(values.get("单位")))
        if day is not None and not unit.active_on(day):
            errors.append(("单位", f"{unit.name} 在 {day.isoformat()} 不在考评名单中（启用 {unit.active_from.isoformat()}"
                                   + (f"，停用于 {unit.active_to.isoformat()}）" if unit.active_to else "）")))
    except UnknownUnit as e:
        errors.append(("单位", str(e) if e.name else "单位为空"))
    keys = {h: clean_key(h, values.get(h)) for h in ("类型", *MATCH_COLUMNS)}
    text = {h: clean_text(values.get(h)) for h in TEXT_HEADERS}
    for h, v in text.items():
        if len(v) > MAX_CELL:
            errors.append((h, f"内容过长（{len(v)} 字），不超过 {MAX_CELL} 字"))
    if text["期号"].endswith(".0") and text["期号"][:-2].isdigit():
        text["期号"] = text["期号"][:-2]  # 12 read from a number cell
    text["作者"] = normalise_authors(text["作者"])
    code = None
    if day is not None:
        code, match_errors = rules.match(day, keys)
        errors.extend(match_errors)
    if errors:
        return None, errors
    if keys["类型"] == "批示":
        keys["栏目"] = ""  # ignored on 批示 rows (contract.md), so it does not split identities
    event = {"day": day, "unit_id": unit.id, "unit": unit.name, "code": code}
    event.update({FIELD_OF[h]: v for h, v in keys.items()})
    event.update({FIELD_OF[h]: v for h, v in text.items()})
    event["identity"] = identity(event)
    return event, []


IDENTITY_FIELDS = ("day", "unit_id", "type", "level", "publication", "column", "leader",
                   "info_id", "issue", "title", "author", "note")


def identity(event: dict) -> str:
    """A row's content as imported, normalised: equal rows are the same event (idempotent import).

    Keyed by unit id, not name, so renaming a unit does not make old registers look new.
    """
    parts = [event["day"].isoformat(), str(event["unit_id"])]
    parts += [event[f] for f in IDENTITY_FIELDS[2:]]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()
