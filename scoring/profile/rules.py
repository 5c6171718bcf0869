"""Rules as dated data: one YAML file per announced rule version (OpenFisca-style).

A version names its effective date; an event is scored by the version in force on its date,
and the earliest version also covers earlier events. A later version may list only the items
(and factors) it changes; the rest is inherited from the version before it. A what-if is an
overlay (`with_overrides`) on a copy, never a mutation. Reading a version lists every problem it
finds (RuleError.problems), each as `文件 X 键 Y: 说明`.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Iterable

from scoring.profile import fields as f
from scoring.profile.points import as_points, points_problem, sign_problem
from scoring.profile.yamlio import YamlError, loads

MATCH_COLUMNS = ("层级", "刊物", "栏目", "批示人")
_YAML_KEY = {"层级": "level", "刊物": "publication", "栏目": "column", "批示人": "leader"}
ITEM_KEYS = ("code", "name", "type", "level", "publication", "column", "leader", "points", "choices", "tier",
             "clause", "text", "note", "derived")
VERSION_KEYS = ("version", "effective", "title", "reason", "items", "drop", "factors")
FACTOR_KEYS = ("name", "when", "times", "items", "clause", "text")
FACTOR_COLUMNS = ("类型", *MATCH_COLUMNS)


@dataclass(frozen=True)
class Vocabulary:
    """What a profile allows rule items to use: its types and tiers, the items its policies derive
    (never matched from a row), rows refused because a policy derives them, and extra words for
    match errors. Hashable, so a parsed rule book can be cached by it."""
    types: tuple[str, ...]
    tiers: tuple[str, ...]
    derived: frozenset[str] = frozenset()
    # ((column, value), (derived item, counted item)): e.g. a typed-in quota deduction
    refuse: tuple = ()
    hints: tuple = ()  # (((类型, 列), words), …)
    aliases: tuple = ()  # ((column, ((long form, value), …)), …): tolerated long forms in a register

    @property
    def alias_map(self) -> dict[str, dict[str, str]]:
        return {column: dict(pairs) for column, pairs in self.aliases}


class RuleError(ValueError):
    """Rule versions or overrides that cannot be used; `problems` lists each as 文件 X 键 Y: 说明."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    type: str
    points: Decimal
    tier: str
    clause: str
    text: str
    note: str = ""
    derived: bool = False
    # column -> allowed cleaned values ("" = blank); None = the column is ignored ("*").
    accepts: dict[str, frozenset[str] | None] = field(default_factory=dict, compare=False)
    choices: tuple[Decimal, ...] = ()  # the editor picks one per row (register column 分值)

    def allows(self, column: str, value: str) -> bool:
        allowed = self.accepts.get(column, frozenset({""}))
        return allowed is None or value in allowed


@dataclass(frozen=True)
class Factor:
    """A multiplier of a row's points taken from the register (头版头条 ×2, 简讯 at half …)."""
    name: str
    when: dict[str, frozenset[str]]   # register column -> values
    times: Decimal
    items: frozenset[str] | None      # None: every item
    clause: str
    text: str

    def applies(self, code: str, row: dict[str, str]) -> bool:
        return (self.items is None or code in self.items) and all(row.get(c, "") in v for c, v in self.when.items())


@dataclass(frozen=True)
class RuleVersion:
    version: str
    effective: dt.date
    title: str
    reason: str
    items: dict[str, Item]
    source: str = ""  # file name, or 数据库 for a version saved from the dashboard
    vocab: Vocabulary | None = field(default=None, compare=False, repr=False)
    factors: tuple[Factor, ...] = ()


def _where(source: str) -> str:
    return source if source.startswith("数据库") else f"rules/{source}"


def _as_set(value: object, problems: f.Problems, file: str, key: str) -> frozenset[str] | None:
    if value is None:
        return frozenset({""})
    if value == "*":
        return None
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        return frozenset({str(value)})
    if isinstance(value, list) and all(isinstance(v, (str, int, Decimal)) and not isinstance(v, bool) for v in value):
        return frozenset(str(v) for v in value)
    problems.add(file, key, "取值应为文字或文字列表")
    return frozenset({""})


def parse_version(text: str, source: str, previous: RuleVersion | None,
                  vocab: Vocabulary | None = None) -> RuleVersion:
    """One version. The first defines every item; a later one lists the items it adds or changes
    and may `drop` items by code (they score nothing from its date on). RuleError lists every problem."""
    vocab = vocab or (previous.vocab if previous else None)
    file = _where(source)
    if vocab is None:
        raise RuleError(f"文件 {file} 键 （整个文件）: 缺少单位配置的类型和分类")
    problems = f.Problems()
    try:
        data = loads(text)
    except YamlError as e:
        raise RuleError(f"文件 {file} 键 {f'第 {e.line} 行' if e.line else '（整个文件）'}: {e}") from None
    if not isinstance(data, dict):
        raise RuleError(f"文件 {file} 键 （整个文件）: 内容应为键值表（effective、items 等）")
    f.check_keys(data, VERSION_KEYS, problems, file)
    effective = _effective(data.get("effective"))
    if effective is None:
        problems.add(file, "effective", f"应为日期（如 2024-02-23），现为 {f.shown(data.get('effective'))}")
        effective = dt.date.min
    items = dict(previous.items) if previous else {}
    for i, code in enumerate(f.listing(data.get("drop"), problems, file, "drop")):
        if code not in items:
            problems.add(file, f"drop[{i}]", f"{code!r} 不是此前版本的计分项")
        elif code in vocab.derived:
            problems.add(file, f"drop[{i}]", f"{code} 由 profile.yaml 的规则推导，不能删除")
        else:
            del items[code]
    seen: set[str] = set()
    for i, raw in enumerate(f.listing(data.get("items"), problems, file, "items")):
        code = raw.get("code") if isinstance(raw, dict) else None
        code = str(code) if isinstance(code, (int, Decimal)) and not isinstance(code, bool) else code
        key = f"items[{i}]" + (f" {code}" if isinstance(code, str) else "")
        if not isinstance(code, str) or not code or any(ch.isspace() for ch in code):
            problems.add(file, key, f"代码 {code!r} 无效（应为不含空格的文字，如 CITY_NEWS）")
            continue
        if code in seen:
            problems.add(file, key, f"代码 {code} 重复")
            continue
        seen.add(code)
        item = _parse_item(raw, items.get(code), problems, file, key, vocab)
        if item is not None:
            items[code] = item
    missing = sorted(c for c in vocab.derived if c not in items)
    if missing:
        problems.add(file, "items", f"缺少 profile.yaml 规则所需的计分项 {', '.join(missing)}")
    factors = _parse_factors(data.get("factors"), previous.factors if previous else (), items, problems, file)
    problems.extend(_overlaps(items.values(), file))
    if problems:
        raise RuleError(problems)
    return RuleVersion(
        version=str(data.get("version") or effective.isoformat()), effective=effective,
        title=str(data.get("title") or (previous.title if previous else "")), reason=str(data.get("reason") or ""),
        items=items, source=source, vocab=vocab, factors=factors)


def _effective(value: object) -> dt.date | None:
    """A version's effective date, written as a YAML date or an ISO string."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return None
    return value


def _parse_item(raw: dict, base: Item | None, problems: f.Problems, file: str, key: str,
                vocab: Vocabulary) -> Item | None:
    code = raw["code"]
    before = len(problems)
    f.check_keys(raw, ITEM_KEYS, problems, file, f"{key}.")
    choices = tuple(_points(c, problems, file, f"{key}.choices") for c in f.listing(raw.get("choices"), problems, file,
                                                                                     f"{key}.choices"))
    points = raw.get("points")
    if points is None:  # an item whose points the editor chooses may leave them out
        points = base.points if base else (min(choices) if choices else None)
    points = _points(points, problems, file, f"{key}.points")
    kind = raw.get("type", base.type if base else "")
    for value in (points, *choices):
        problem = sign_problem(code, value, kind)
        if problem:
            problems.add(file, f"{key}.points", problem)
    if base is not None and not (set(raw) - {"code", "points", "text", "note", "name"}):
        # A later version changing points (or wording) only: keep the match keys.
        return replace(base, points=points, text=f.text(raw.get("text"), problems, file, f"{key}.text", base.text),
                       note=f.text(raw.get("note"), problems, file, f"{key}.note", base.note),
                       name=f.text(raw.get("name"), problems, file, f"{key}.name", base.name))
    values = {k: f.text(raw.get(k), problems, file, f"{key}.{k}", required=True)
              for k in ("type", "tier", "clause", "text", "name")}
    if values["type"] and values["type"] not in vocab.types:
        problems.add(file, f"{key}.type", f"“{values['type']}”不是有效类型（profile.yaml types：{'、'.join(vocab.types)}）")
    if values["tier"] and values["tier"] not in vocab.tiers:
        problems.add(file, f"{key}.tier", f"“{values['tier']}”不是有效分类（profile.yaml tiers：{'、'.join(vocab.tiers)}）")
    derived = f.flag(raw.get("derived"), problems, file, f"{key}.derived", False)
    if derived != (code in vocab.derived):
        problems.add(file, f"{key}.derived", f"应为 {'true' if code in vocab.derived else 'false'}"
                     + ("（由 profile.yaml 的规则推导）" if code in vocab.derived else "（profile.yaml 的规则未推导此项）"))
    if choices and derived:
        problems.add(file, f"{key}.choices", "由系统推导的事项不能由登记人选择分值")
    accepts = {col: _as_set(raw.get(k), problems, file, f"{key}.{k}") for col, k in _YAML_KEY.items()}
    if len(problems) > before:
        return None
    return Item(code=code, name=values["name"], type=values["type"], points=points, tier=values["tier"],
                clause=values["clause"], text=values["text"], note=f.text(raw.get("note"), problems, file, f"{key}.note"),
                derived=derived, accepts=accepts, choices=tuple(sorted(set(choices))))


def _points(value, problems: f.Problems, file: str, key: str) -> Decimal:
    if value is None:
        problems.add(file, key, "缺少分值")
        return Decimal(0)
    problem = points_problem(value)
    if problem:
        problems.add(file, key, problem)
        return Decimal(0)
    return Decimal(value)


def _parse_factors(raw, inherited: tuple[Factor, ...], items: dict[str, Item], problems: f.Problems,
                   file: str) -> tuple[Factor, ...]:
    """A version's factors: inherited ones, each restated by name replacing the one before."""
    out = {x.name: x for x in inherited}
    for i, entry in enumerate(f.listing(raw, problems, file, "factors")):
        key = f"factors[{i}]"
        if not isinstance(entry, dict):
            problems.add(file, key, "应写成 {name: …, when: {列名: 值}, times: 倍数, clause: …, text: …}")
            continue
        f.check_keys(entry, FACTOR_KEYS, problems, file, f"{key}.")
        name = f.text(entry.get("name"), problems, file, f"{key}.name", required=True)
        when = {}
        for column, value in f.mapping(entry.get("when"), problems, file, f"{key}.when").items():
            if column not in FACTOR_COLUMNS:
                problems.add(file, f"{key}.when.{column}", f"只能是 {'、'.join(FACTOR_COLUMNS)} 之一")
            when[column] = _as_set(value, problems, file, f"{key}.when.{column}") or frozenset()
        if not when:
            problems.add(file, f"{key}.when", "须写明登记表哪一栏为何值时乘以倍数，如 {栏目: 头版头条}")
        times = f.number(entry.get("times"), problems, file, f"{key}.times", None, Decimal(0), Decimal(100))
        if times is None:
            problems.add(file, f"{key}.times", "须写倍数（如 2 或 0.5）")
        codes = f.words(entry.get("items"), problems, file, f"{key}.items")
        for code in codes:
            if code not in items:
                problems.add(file, f"{key}.items", f"计分项 {code} 不存在")
        out[name] = Factor(name, when, times or Decimal(1), frozenset(codes) if codes else None,
                           f.text(entry.get("clause"), problems, file, f"{key}.clause", required=True),
                           f.text(entry.get("text"), problems, file, f"{key}.text", required=True))
    return tuple(out.values())


def _overlaps(items: Iterable[Item], file: str) -> list[str]:
    """Two matchable items accepting one same row would make the row's item ambiguous."""
    live, found = [i for i in items if not i.derived], f.Problems()
    for a_i, a in enumerate(live):
        for b in live[a_i + 1:]:
            if a.type == b.type and all(_overlap(a.accepts.get(c, frozenset({""})), b.accepts.get(c, frozenset({""})))
                                        for c in MATCH_COLUMNS):
                found.add(file, f"items {a.code}", f"{a.code} 与 {b.code} 的匹配条件重叠")
    return found


def _overlap(x: frozenset[str] | None, y: frozenset[str] | None) -> bool:
    return x is None or y is None or bool(x & y)


class RuleBook:
    """All rule versions in force over time, oldest first."""

    def __init__(self, versions: list[RuleVersion]):
        if not versions:
            raise RuleError("文件 rules/ 键 （文件夹）: 没有任何规则版本")
        self.versions = sorted(versions, key=lambda v: v.effective)
        dates = [v.effective for v in self.versions]
        if len(set(dates)) != len(dates):
            raise RuleError("文件 rules/ 键 effective: 两个规则版本的生效日期相同")
        self.overrides: dict[str, Decimal] = {}
        self.fingerprint = ""  # of the sources it was built from (which rule set stored codes follow)

    @property
    def boundaries(self) -> list[dt.date]:
        """Effective dates of every version after the first: version index = dates passed."""
        return [v.effective for v in self.versions[1:]]

    def index_for(self, day: dt.date) -> int:
        i = 0
        for j, v in enumerate(self.versions):
            if v.effective <= day:
                i = j
        return i

    def version_for(self, day: dt.date) -> RuleVersion:
        return self.versions[self.index_for(day)]

    def latest(self) -> RuleVersion:
        return self.versions[-1]

    def indexes_between(self, start: dt.date, end: dt.date) -> range:
        return range(self.index_for(start), self.index_for(end) + 1)

    @property
    def weighted(self) -> bool:
        """Whether any version has factors or items whose points the editor chooses per row."""
        return any(v.factors or any(i.choices for i in v.items.values()) for v in self.versions)

    def with_overrides(self, overrides: dict[str, Decimal]) -> "RuleBook":
        """A what-if copy: the given items' points changed in every version; nothing stored."""
        known = {c: it for v in self.versions for c, it in v.items.items()}
        overrides = {c: as_points(p) for c, p in overrides.items()}
        problems = []
        for code, points in overrides.items():
            if code not in known:
                problems.append(f"试算: 未知代码 {code}")
                continue
            problem = points_problem(points) or sign_problem(code, Decimal(points), known[code].type)
            if known[code].choices:
                problem = f"{known[code].name}的分值由登记人在“分值”栏选择，不能试算"
            if problem:
                problems.append(f"试算: {problem}")
        if problems:
            raise RuleError(problems)
        versions = [
            replace(v, items={c: replace(it, points=Decimal(overrides[c])) if c in overrides else it
                              for c, it in v.items.items()})
            for v in self.versions
        ]
        book = RuleBook(versions)
        book.overrides = {**self.overrides, **{c: Decimal(p) for c, p in overrides.items()}}
        return book


def build_rulebook(sources: list[tuple[str, str]], vocab: Vocabulary) -> RuleBook:
    """Parse versions in effective-date order, each inheriting from the one before it.

    Versions pair by the effective date they state, whatever their file name. Cached by
    content: parsing YAML costs more than a whole county ranking, and a RuleBook is never
    mutated (what-ifs are copies). RuleError lists the problems of every version.
    """
    return _build_rulebook(tuple(sources), vocab)


@functools.lru_cache(maxsize=32)
def _build_rulebook(sources: tuple[tuple[str, str], ...], vocab: Vocabulary) -> RuleBook:
    versions: list[RuleVersion] = []
    problems: list[str] = []
    for eff, source, text in sorted(effective_dates(sources), key=lambda t: t[0]):
        if versions and versions[-1].effective == eff:
            problems.append(f"文件 {_where(source)} 键 effective: 与 {versions[-1].source} 的生效日期相同")
            continue
        try:
            versions.append(parse_version(text, source, versions[-1] if versions else None, vocab))
        except RuleError as e:
            problems.extend(e.problems)
    if problems:
        raise RuleError(problems)
    book = RuleBook(versions)
    digest = hashlib.blake2b(digest_size=12)
    for _, source, text in sorted(effective_dates(sources), key=lambda t: t[0]):
        digest.update(f"{source}\x1f{text}\x1e".encode())
    book.fingerprint = digest.hexdigest()
    return book


def effective_dates(sources) -> list[tuple[dt.date, str, str]]:
    """(effective date, source, text) of each version, read from the text (not the file name)."""
    return [(_effective_of(source, text), source, text) for source, text in sources]


@functools.lru_cache(maxsize=128)
def _effective_of(source: str, text: str) -> dt.date:
    try:
        head = loads(text)
    except YamlError as e:
        raise RuleError(f"文件 {_where(source)} 键 {f'第 {e.line} 行' if e.line else '（整个文件）'}: {e}") from None
    found = _effective(head.get("effective") if isinstance(head, dict) else None)
    if found is None:
        raise RuleError(f"文件 {_where(source)} 键 effective: 应为日期（如 2024-02-23）")
    return found
