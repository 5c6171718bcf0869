"""The units under evaluation (考评对象, 附件): names, aliases and dated group membership.

Group membership is dated like the rules: a unit can move group, be created or retired.
A month's quota follows the membership on the month's first day; a period's ranking group
follows the membership on the period's last day (docs/规则说明.md).
"""
from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass, field
from datetime import date

from .normalize import clean_text


def __getattr__(name: str):
    """QUOTA: the default profile's first quota per group (for the benchmark's generator)."""
    from .profile import default_profile

    profile = default_profile()
    if name == "QUOTA":
        return profile.quota_table(profile.quotas[0]) if profile.quotas else {}
    raise AttributeError(name)


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    order: int
    active_from: date
    active_to: date | None = None  # last active day; None = still active
    contact: str = ""
    phone: str = ""
    head: str = ""

    def active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)

    def active_between(self, start: date, end: date) -> bool:
        return self.active_from <= end and (self.active_to is None or start <= self.active_to)


class UnknownUnit(ValueError):
    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f"，是否为：{'、'.join(suggestions)}？" if suggestions else "，请核对单位名单。"
        super().__init__(f"未知单位“{name}”{hint}")


@dataclass
class UnitBook:
    units: list[Unit]
    aliases: dict[str, int] = field(default_factory=dict)
    # unit id -> sorted [(valid_from, group)]
    memberships: dict[int, list[tuple[date, str]]] = field(default_factory=dict)
    # group -> items a period of the first quota policy requires (the profile's table)
    quotas: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.units = sorted(self.units, key=lambda u: u.order)
        self._by_id = {u.id: u for u in self.units}
        self._by_name = {u.name: u for u in self.units}
        for spans in self.memberships.values():
            spans.sort()

    def __len__(self) -> int:
        return len(self.units)

    def get(self, unit_id: int) -> Unit:
        return self._by_id[unit_id]

    def by_name(self, name: str) -> Unit | None:
        return self._by_name.get(name)

    def resolve(self, raw: str) -> Unit:
        """Canonical unit for a name as staff write it; UnknownUnit suggests the closest names."""
        name = clean_text(raw)
        unit = self._by_name.get(name)
        if unit is None and name in self.aliases:
            unit = self._by_id[self.aliases[name]]
        if unit is None:
            raise UnknownUnit(name, self.suggest(name))
        return unit

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        candidates: dict[str, str] = {u.name: u.name for u in self.units}
        candidates.update({a: self._by_id[i].name for a, i in self.aliases.items()})
        found: list[str] = []
        # Substrings first: "发改" should find 发展和改革委员会 via its alias 发改委.
        for text, canonical in candidates.items():
            if name and (name in text or text in name) and canonical not in found:
                found.append(canonical)
        for text in difflib.get_close_matches(name, list(candidates), n=limit * 2, cutoff=0.4):
            if candidates[text] not in found:
                found.append(candidates[text])
        return found[:limit]

    def group_on(self, unit_id: int, day: date) -> str | None:
        spans = self.memberships.get(unit_id, [])
        i = bisect.bisect_right(spans, (day, "\uffff")) - 1
        return spans[i][1] if i >= 0 else None

    def ranking_group(self, unit: Unit, end: date) -> str | None:
        """Group on the period's last day, or on the unit's last active day if it retired before."""
        day = min(end, unit.active_to) if unit.active_to else end
        return self.group_on(unit.id, day)

    def active_between(self, start: date, end: date) -> list[Unit]:
        return [u for u in self.units if u.active_between(start, end)]

    def quota_on(self, unit_id: int, month_start: date) -> int | None:
        group = self.group_on(unit_id, month_start)
        return self.quotas.get(group) if group else None


def load_default_units() -> dict:
    """The default profile's unit list, as a plain dict for the store to seed a new database."""
    from .profile import default_profile

    return default_profile().units_data()
