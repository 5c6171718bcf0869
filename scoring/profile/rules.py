"""Rules as dated data: one YAML file per announced rule version (OpenFisca-style).

A version names its effective date; an event is scored by the version in force on its date,
and the earliest version also covers earlier events. A later version may list only the items
it changes; the rest is inherited from the version before it. A what-if is an overlay
(`with_overrides`) on a copy, never a mutation.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

import yaml

MATCH_COLUMNS = ("层级", "刊物", "栏目", "批示人")
_YAML_KEY = {"层级": "level", "刊物": "publication", "栏目": "column", "批示人": "leader"}
DEDUCTION_TYPE = "扣分"  # the register's word for a deduction row: its items score zero or less


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
    """A rule file or override that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    type: str
    points: float
    tier: str
    clause: str
    text: str
    note: str = ""
    derived: bool = False
    # column -> allowed cleaned values ("" = blank); None = the column is ignored ("*").
    accepts: dict[str, frozenset[str] | None] = field(default_factory=dict, compare=False)

    def allows(self, column: str, value: str) -> bool:
        allowed = self.accepts.get(column, frozenset({""}))
        return allowed is None or value in allowed


@dataclass(frozen=True)
class RuleVersion:
    version: str
    effective: dt.date
    title: str
    reason: str
    items: dict[str, Item]
    source: str = ""  # file name, or 数据库 for a version saved from the dashboard
    vocab: Vocabulary | None = field(default=None, compare=False, repr=False)


def _as_set(value: object, where: str) -> frozenset[str] | None:
    if value is None:
        return frozenset({""})
    if value == "*":
        return None
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise RuleError(f"{where}: 取值应为文字或文字列表")


# libyaml's C loader when present (about ten times faster); same semantics.
class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML silently keeps the last of two equal keys; a rule file must not."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise RuleError(f"第 {key_node.start_mark.line + 1} 行: 键 {key} 重复")
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_version(text: str, source: str, previous: RuleVersion | None,
                  vocab: Vocabulary | None = None) -> RuleVersion:
    """One version. The first defines every item; a later one lists the items it adds or changes
    and may `drop` items by code (they score nothing from its date on)."""
    vocab = vocab or (previous.vocab if previous else None)
    if vocab is None:
        raise RuleError(f"{source}: 缺少单位配置的类型和分类")
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except RuleError as e:
        raise RuleError(f"{source}: {e}") from None
    except yaml.YAMLError as e:
        raise RuleError(f"{source}: 不是有效的 YAML（{e}）") from None
    except ValueError as e:
        raise RuleError(f"{source}: effective 应为日期（如 2024-02-23）：{e}") from None
    if not isinstance(data, dict):
        raise RuleError(f"{source}: 内容应为键值表")
    effective = _effective(data.get("effective"), source)
    items = dict(previous.items) if previous else {}
    for code in data.get("drop") or []:
        if code not in items:
            raise RuleError(f"{source}: drop 中的 {code!r} 不是此前版本的计分项")
        if code in vocab.derived:
            raise RuleError(f"{source}: {code} 由 profile.yaml 的规则推导，不能删除")
        del items[code]
    seen: set[str] = set()
    for i, raw in enumerate(data.get("items") or []):
        code = raw.get("code") if isinstance(raw, dict) else None
        where = f"{source}: items[{i}] {code or ''}".rstrip()
        if not isinstance(code, str) or not code or any(ch.isspace() for ch in code):
            raise RuleError(f"{where}: 代码 {code!r} 无效（应为不含空格的文字，如 CITY_NEWS）")
        if code in seen:
            raise RuleError(f"{where}: 代码 {code} 重复")
        seen.add(code)
        items[code] = _parse_item(raw, items.get(code), where, vocab)
    missing = sorted(c for c in vocab.derived if c not in items)
    if missing:
        raise RuleError(f"{source}: 缺少 profile.yaml 规则所需的计分项 {', '.join(missing)}")
    _check_keys_disjoint(items.values(), source)
    return RuleVersion(
        version=str(data.get("version") or effective.isoformat()),
        effective=effective,
        title=str(data.get("title") or (previous.title if previous else "")),
        reason=str(data.get("reason") or ""),
        items=items,
        source=source,
        vocab=vocab,
    )


def _effective(value: object, source: str) -> dt.date:
    """A version's effective date, written as a YAML date or an ISO string."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RuleError(f"{source}: effective 应为日期（如 2024-02-23），现为 {value!r}")
    return value


def _parse_item(raw: dict, base: Item | None, where: str, vocab: Vocabulary) -> Item:
    code = raw["code"]
    points = raw.get("points", base.points if base else None)
    if isinstance(points, bool) or not isinstance(points, (int, float)):
        raise RuleError(f"{where}: points 应为数字，现为 {points!r}")
    check_sign(code, points, where, raw.get("type", base.type if base else ""))
    if base is not None and not (set(raw) - {"code", "points", "text", "note", "name"}):
        # A later version changing points (or wording) only: keep the match keys.
        return replace(base, points=points, text=raw.get("text", base.text),
                       note=raw.get("note", base.note), name=raw.get("name", base.name))
    for key in ("type", "tier", "clause", "text", "name"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            raise RuleError(f"{where}: 缺少 {key}")
    if raw["type"] not in vocab.types:
        raise RuleError(f"{where}: type {raw['type']!r} 不是有效类型（profile.yaml types：{'、'.join(vocab.types)}）")
    if raw["tier"] not in vocab.tiers:
        raise RuleError(f"{where}: tier {raw['tier']!r} 不是有效分类（profile.yaml tiers：{'、'.join(vocab.tiers)}）")
    derived = bool(raw.get("derived", False))
    if derived != (code in vocab.derived):
        raise RuleError(f"{where}: derived 应为 {code in vocab.derived}"
                        + ("（由 profile.yaml 的规则推导）" if code in vocab.derived else "（profile.yaml 的规则未推导此项）"))
    accepts = {col: _as_set(raw.get(key), f"{where} {key}") for col, key in _YAML_KEY.items()}
    return Item(code=code, name=raw["name"], type=raw["type"], points=points, tier=raw["tier"],
                clause=raw["clause"], text=raw["text"], note=raw.get("note") or "",
                derived=derived, accepts=accepts)


def check_sign(code: str, points: float, where: str, kind: str) -> None:
    """Deduction items (type 扣分) score zero or less, every other item zero or more."""
    if kind == DEDUCTION_TYPE and points > 0:
        raise RuleError(f"{where}: {code} 是扣分项，分值应为负数或 0，现为 {points:g}")
    if kind != DEDUCTION_TYPE and points < 0:
        raise RuleError(f"{where}: {code} 是计分项，分值不能为负数，现为 {points:g}")


def _check_keys_disjoint(items: Iterable[Item], source: str) -> None:
    """Two matchable items accepting one same row would make the row's item ambiguous."""
    live = [i for i in items if not i.derived]
    for a_i, a in enumerate(live):
        for b in live[a_i + 1:]:
            if a.type != b.type:
                continue
            if all(_overlap(a.accepts.get(c, frozenset({""})), b.accepts.get(c, frozenset({""})))
                   for c in MATCH_COLUMNS):
                raise RuleError(f"{source}: {a.code} 与 {b.code} 的匹配条件重叠")


def _overlap(x: frozenset[str] | None, y: frozenset[str] | None) -> bool:
    return x is None or y is None or bool(x & y)


class RuleBook:
    """All rule versions in force over time, oldest first."""

    def __init__(self, versions: list[RuleVersion]):
        if not versions:
            raise RuleError("没有任何规则版本")
        self.versions = sorted(versions, key=lambda v: v.effective)
        dates = [v.effective for v in self.versions]
        if len(set(dates)) != len(dates):
            raise RuleError("两个规则版本的生效日期相同")
        self.overrides: dict[str, float] = {}
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

    def with_overrides(self, overrides: dict[str, float]) -> "RuleBook":
        """A what-if copy: the given items' points changed in every version; nothing stored."""
        known = {c: it for v in self.versions for c, it in v.items.items()}
        for code, points in overrides.items():
            if code not in known:
                raise RuleError(f"试算: 未知代码 {code}")
            check_sign(code, points, "试算", known[code].type)
        versions = [
            replace(v, items={c: replace(it, points=float(overrides[c])) if c in overrides else it
                              for c, it in v.items.items()})
            for v in self.versions
        ]
        book = RuleBook(versions)
        book.overrides = {**self.overrides, **{c: float(p) for c, p in overrides.items()}}
        return book

    def match(self, day: dt.date, row: dict[str, str]) -> tuple[str | None, list[tuple[str, str]]]:
        return match_item(self.version_for(day), row)

def match_item(version: RuleVersion, row: dict[str, str]) -> tuple[str | None, list[tuple[str, str]]]:
    """The item code of a row (cleaned 类型/层级/刊物/栏目/批示人), or errors as (column, message).

    Narrowing column by column lets the message say which value is wrong and what would fit.
    """
    kind = row.get("类型", "")
    vocab = version.vocab
    types = vocab.types
    if kind not in types:
        return None, [("类型", f"类型“{kind}”无效，可选：{'、'.join(types)}" if kind else
                       f"缺少类型，可选：{'、'.join(types)}")]
    if kind == DEDUCTION_TYPE:
        for (col, value), (derived, counted) in vocab.refuse:
            if row.get(col) == value and derived in version.items and counted in version.items:
                return None, [(col, f"{value}的扣分由系统按各月报送数自动计算（考评办法{version.items[derived].clause}），"
                                    f"请不要录入此行，只需录入每条“{version.items[counted].type}”记录")]
    hints = dict(vocab.hints)
    candidates = [i for i in version.items.values() if i.type == kind and not i.derived]
    context = [f"类型={kind}"]
    for col in MATCH_COLUMNS:
        value = row.get(col, "")
        fitting = [i for i in candidates if i.allows(col, value)]
        if not fitting:
            options = sorted({v for i in candidates for v in (i.accepts.get(col) or ()) if v})
            blank_ok = any(i.allows(col, "") for i in candidates)
            where = "、".join(context)
            if value and not options:
                msg = f"{where} 的行不填写{col}，请留空（现为“{value}”）"
            elif value:
                msg = f"{where} 时{col}“{value}”无效，可选：{'、'.join(options)}" + ("，或留空" if blank_ok else "")
            else:
                msg = f"{where} 时须填写{col}，可选：{'、'.join(options)}"
            if (kind, col) in hints and value:
                msg += f"（{hints[kind, col]}）"
            return None, [(col, msg)]
        candidates = fitting
        if value:
            context.append(f"{col}={value}")
    return candidates[0].code, []


def build_rulebook(sources: list[tuple[str, str]], vocab: Vocabulary) -> RuleBook:
    """Parse versions in effective-date order, each inheriting from the one before it.

    Versions pair by the effective date they state, whatever their file name. Cached by
    content: parsing YAML costs more than a whole county ranking, and a RuleBook is never
    mutated (what-ifs are copies).
    """
    return _build_rulebook(tuple(sources), vocab)


@functools.lru_cache(maxsize=32)
def _build_rulebook(sources: tuple[tuple[str, str], ...], vocab: Vocabulary) -> RuleBook:
    versions: list[RuleVersion] = []
    for eff, source, text in sorted(effective_dates(sources), key=lambda t: t[0]):
        if versions and versions[-1].effective == eff:
            raise RuleError(f"{source}: 与 {versions[-1].source} 的生效日期相同")
        versions.append(parse_version(text, source, versions[-1] if versions else None, vocab))
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
        head = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as e:
        raise RuleError(f"{source}: 不是有效的 YAML（{e}）") from None
    except ValueError as e:  # PyYAML builds dates itself: 2024-02-30 fails here
        raise RuleError(f"{source}: effective 应为日期（如 2024-02-23）：{e}") from None
    return _effective(head.get("effective") if isinstance(head, dict) else None, source)


def parse_overrides(parts: Iterable[str] | str) -> dict[str, float]:
    """What-if points written as `CODE=POINTS`, the command line's `--set` syntax and the 规则试算
    text box alike: several may be separated by commas, semicolons or spaces. ValueError in
    Chinese naming the part that is wrong. Codes are kept as written (checked against the rule
    set by the caller)."""
    if isinstance(parts, str):
        parts = [parts]
    out: dict[str, float] = {}
    for chunk in parts:
        for part in re.split(r"[,，;；\s]+", chunk or ""):
            if not part:
                continue
            code, sep, value = part.partition("=")
            if not sep or not code.strip():
                raise ValueError(f"应写成“计分项代码=分值”，现为“{part}”")
            try:
                out[code.strip()] = float(value)
            except ValueError:
                raise ValueError(f"{code.strip()}: 分值“{value}”不是数字") from None
    return out
