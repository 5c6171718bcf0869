"""One spreadsheet row -> one normalised event, or the errors that name its columns."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

import polars as pl

from scoring.intake.normalize import clean_key, clean_text, parse_date
from scoring.intake.reader import PICK
from scoring.profile.match import match_item, pick_of, weight_of
from scoring.profile.rules import MATCH_COLUMNS, RuleBook
from scoring.profile.units import Unit, UnitBook, UnknownUnit

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
    return validate_rows([values], units, rules)[0]


KEY_HEADERS = ("类型", *MATCH_COLUMNS)
COLUMNS = ("日期", "单位", *KEY_HEADERS, *TEXT_HEADERS)  # the cells a row is validated from
_WHITESPACE = r"[\s\x1c-\x1f]+"  # exactly the characters Python's \s (str.isspace) matches


def validate_rows(rows: list[dict[str, object]], units: UnitBook, rules: RuleBook,
                  ) -> list[tuple[dict | None, list[tuple[str, str]]]]:
    """validate_row for each of many rows (a whole file)."""
    try:  # rows holding every header (the usual): transposed in C
        cells = list(zip(*map(itemgetter(*COLUMNS), rows)))
        columns = {h: list(c) for h, c in zip(COLUMNS, cells)} if rows else {h: [] for h in COLUMNS}
    except KeyError:
        columns = {h: [r.get(h) for r in rows] for h in COLUMNS}
    if any(r.get(PICK) not in (None, "") for r in rows):
        columns[PICK] = [r.get(PICK) for r in rows]
    return validate_columns(columns, units, rules)


def validate_columns(columns: dict[str, list], units: UnitBook, rules: RuleBook,
                     ) -> list[tuple[dict | None, list[tuple[str, str]]]]:
    """validate_row for each row of a table given as columns (header -> cells, every header of
    COLUMNS, and PICK when the register has it), worked column by column.

    A register repeats the same few dates, unit names, row shapes and authors thousands of
    times: each distinct value is parsed, resolved or matched once. Free text is cleaned for
    the whole column at once. The result for every row is what validate_row says of it alone.
    """
    days = _per_distinct(columns["日期"], _parse_day)
    found_units = _per_distinct(columns["单位"], lambda raw: _resolve_unit(units, raw))
    aliases = (rules.latest().vocab.alias_map if rules.latest().vocab else None)  # the profile's long forms
    keys = list(zip(*(_per_distinct(columns[h], lambda raw, h=h: clean_key(h, raw, aliases)) for h in KEY_HEADERS)))
    text = {h: _clean_texts(columns[h]) for h in TEXT_HEADERS}
    long_rows = {i for h in TEXT_HEADERS if max(map(len, text[h]), default=0) > MAX_CELL
                 for i, v in enumerate(text[h]) if len(v) > MAX_CELL}
    too_long = {i: [(h, f"内容过长（{len(text[h][i])} 字），不超过 {MAX_CELL} 字") for h in TEXT_HEADERS
                    if len(text[h][i]) > MAX_CELL] for i in long_rows}
    text["期号"] = _per_distinct(text["期号"], _issue_text)
    text["作者"] = _per_distinct(text["作者"], normalise_authors)
    versions = _Memo(rules.index_for)
    matches = _Memo(lambda key: match_item(rules.versions[key[0]], dict(zip(KEY_HEADERS, key[1]))))
    weights = _Memo(lambda key: weight_of(rules.versions[key[0]], key[1], dict(zip(KEY_HEADERS, key[2]))))
    isodays = _Memo(date.isoformat)
    picks = _clean_texts(columns.get(PICK) or [None] * len(days))

    results = []
    rows = zip(days, found_units, keys, picks, *(text[h] for h in TEXT_HEADERS))
    for i, ((day, day_problem), (unit, unit_problem), row_keys, raw_pick, info_id, issue, title, author,
            note) in enumerate(rows):
        errors: list[tuple[str, str]] = []
        if day_problem:
            errors.append(("日期", day_problem))
        if unit_problem:
            errors.append(("单位", unit_problem))
        elif day is not None and not unit.active_on(day):
            errors.append(("单位", f"{unit.name} 在 {day.isoformat()} 不在考评名单中（启用 {unit.active_from.isoformat()}"
                                   + (f"，停用于 {unit.active_to.isoformat()}）" if unit.active_to else "）")))
        if i in too_long:
            errors.extend(too_long[i])
        code, pick = None, None
        if day is not None:
            code, match_errors = matches[(versions[day], row_keys)]
            errors.extend(match_errors)
            item = rules.versions[versions[day]].items.get(code) if code else None
            if item is not None and (item.choices or raw_pick):
                pick, pick_problem = pick_of(item, raw_pick)
                if pick_problem and item.choices:
                    errors.append((PICK, pick_problem))
        if errors:
            results.append((None, errors))
            continue
        kind, level, publication, col, leader = row_keys
        if kind == "批示":
            col = ""  # the column means nothing on 批示 rows, so it does not split identities
        fields = (isodays[day], str(unit.id), kind, level, publication, col, leader, info_id, issue, title, author, note)
        if pick is not None:  # a chosen 分值 is part of what the row says (absent, identities stay as they were)
            fields += (format(pick, "f"),)
        results.append(({"day": day, "unit_id": unit.id, "unit": unit.name, "code": code, "type": kind,
                         "level": level, "publication": publication, "column": col, "leader": leader,
                         "info_id": info_id, "issue": issue, "title": title, "author": author, "note": note,
                         "weight": weights[(versions[day], code, row_keys)], "pick": pick,
                         "identity": _digest(fields)}, []))
    return results


class _Memo(dict):
    """f(key), computed on first use."""

    def __init__(self, f):
        super().__init__()
        self.f = f

    def __missing__(self, key):
        value = self[key] = self.f(key)
        return value


def _per_distinct(values: list, f) -> list:
    """[f(v) for v in values], calling f once per distinct value."""
    if _only_text(values):  # the usual column: plain dict keys
        memo = {v: f(v) for v in set(values)}
        return [memo[v] for v in values]
    memo = {}  # cells of several types: keep 1, 1.0 and True apart
    out = []
    for v in values:
        try:
            key = (v.__class__, v)
            found = memo[key]
        except KeyError:
            found = memo[key] = f(v)
        except TypeError:  # unhashable: nothing to remember
            found = f(v)
        out.append(found)
    return out


def _clean_texts(values: list) -> list[str]:
    """[clean_text(v) for v in values]; a column of text (the usual) is cleaned in one go."""
    if _only_text(values):
        try:
            return (pl.Series(values, dtype=pl.Utf8).str.replace_all(_WHITESPACE, " ")
                    .str.strip_chars(" ").fill_null("").to_list())
        except UnicodeEncodeError:  # a lone surrogate: not UTF-8, so not for Polars
            pass
    return [clean_text(v) for v in values]


def _only_text(values: list) -> bool:
    return set(map(type, values)) <= {str, type(None)}


def _parse_day(raw: object) -> tuple[date | None, str | None]:
    """The day and the problem with it; a day out of range is still used to check the rest."""
    try:
        day = parse_date(raw)
    except ValueError as e:
        return None, str(e)
    if not 2000 <= day.year <= 2099:
        return day, f"日期 {day.isoformat()} 超出合理范围"
    return day, None


def _resolve_unit(units: UnitBook, raw: object) -> tuple[Unit | None, str | None]:
    try:
        return units.resolve(clean_text(raw)), None
    except UnknownUnit as e:
        return None, str(e) if e.name else "单位为空"


def _issue_text(text: str) -> str:
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text  # 12 read from a number cell


IDENTITY_FIELDS = ("day", "unit_id", "type", "level", "publication", "column", "leader",
                   "info_id", "issue", "title", "author", "note")


def identity(event: dict) -> str:
    """A row's content as imported, normalised: equal rows are the same event (idempotent import).

    Keyed by unit id, not name, so renaming a unit does not make old registers look new.
    """
    pick = (format(event["pick"], "f"),) if event.get("pick") is not None else ()
    return _digest((event["day"].isoformat(), str(event["unit_id"]), *(event[f] for f in IDENTITY_FIELDS[2:]), *pick))


def _digest(parts) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()
