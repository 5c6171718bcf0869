"""The units under evaluation (考评对象, 附件): names, aliases and dated group membership.

Group membership is dated like the rules: a unit can move group, be created or retired.
A month's quota follows the membership on the month's first day; a period's ranking group
follows the membership on the period's last day (docs/规则说明.md).
"""
from __future__ import annotations

import bisect
import difflib
import functools
from dataclasses import dataclass
from datetime import date

import polars as pl

from scoring.intake.normalize import clean_text


def __getattr__(name: str):
    """QUOTA: the default profile's first quota per group (for the benchmark's generator)."""
    from scoring.profile import default_profile

    profile = default_profile()
    if name == "QUOTA":
        return profile.quota_numbers(profile.quotas[0]) if profile.quotas else {}
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


# The unit list and dated memberships as frames, for whole-column work (a province has thousands
# of units: ranking groups and quota grids are joins, not loops over Unit objects).
TABLE_SCHEMA = {"unit_id": pl.Int32, "单位": pl.Utf8, "序号": pl.Int64, "_from": pl.Date, "_to": pl.Date,
                "contact": pl.Utf8, "phone": pl.Utf8, "head": pl.Utf8}
SPANS_SCHEMA = {"unit_id": pl.Int32, "_since": pl.Date, "_group": pl.Utf8}


class UnitBook:
    """The units in official order, their aliases, dated memberships and the first quota's table.

    Made from Unit objects and a membership dict, or (by the store) from two frames: then the
    Unit objects and the dict are built only when something asks for them.
    """

    def __init__(self, units: list[Unit] | None = None, aliases: dict[str, int] | None = None,
                 memberships: dict[int, list[tuple[date, str]]] | None = None, quotas: dict[str, int] | None = None,
                 table: pl.DataFrame | None = None, spans: pl.DataFrame | None = None):
        self.aliases = aliases or {}
        # group -> items a period of the first quota policy requires (the profile's table)
        self.quotas = quotas or {}
        if table is None:
            self._units = sorted(units or [], key=lambda u: u.order)
            table = pl.DataFrame([(u.id, u.name, u.order, u.active_from, u.active_to, u.contact, u.phone, u.head)
                                  for u in self._units], schema=TABLE_SCHEMA, orient="row")
        else:
            self._units = None
            table = table.cast(TABLE_SCHEMA).sort("序号", maintain_order=True)
        if spans is None:
            spans = pl.DataFrame([(uid, since, grp) for uid, found in (memberships or {}).items() for since, grp in found],
                                 schema=SPANS_SCHEMA, orient="row")
        self.table = table
        # one group per unit and day (the last of two given the same day, as group_on reads it),
        # sorted by day as join_asof needs
        self.spans = (spans.cast(SPANS_SCHEMA).group_by("unit_id", "_since").agg(pl.col("_group").max())
                      .sort("_since", "unit_id"))
        self._memberships = {uid: sorted(found) for uid, found in memberships.items()} if memberships else None

    @property
    def units(self) -> list[Unit]:
        if self._units is None:
            self._units = [Unit(*r) for r in self.table.iter_rows()]
        return self._units

    @property
    def memberships(self) -> dict[int, list[tuple[date, str]]]:
        """unit id -> sorted [(valid_from, group)]"""
        if self._memberships is None:
            found: dict[int, list[tuple[date, str]]] = {}
            for uid, since, grp in self.spans.sort("unit_id", "_since").iter_rows():
                found.setdefault(uid, []).append((since, grp))
            self._memberships = found
        return self._memberships

    @functools.cached_property
    def _by_id(self) -> dict[int, Unit]:
        return {u.id: u for u in self.units}

    @functools.cached_property
    def _by_name(self) -> dict[str, Unit]:
        return {u.name: u for u in self.units}

    def active_frame(self, start: date, end: date) -> pl.DataFrame:
        """(unit_id, 单位, 序号, _from, _to) of the units active at some day of [start, end], in order."""
        return self.table.filter((pl.col("_from") <= end) & (pl.col("_to").is_null() | (pl.col("_to") >= start)))

    def groups_on(self, frame: pl.DataFrame, day: str, group: str = "组别") -> pl.DataFrame:
        """`frame` (with unit_id and a date column `day`) plus each unit's group on that day, in
        the frame's order (null where the unit had no group yet)."""
        return (frame.with_row_index("_row").sort(day)
                .join_asof(self.spans, left_on=day, right_on="_since", by="unit_id", strategy="backward",
                           check_sortedness=False)
                .sort("_row").drop("_row", "_since").rename({"_group": group}))

    def ranking_frame(self, start: date, end: date) -> pl.DataFrame:
        """(unit_id, 单位, 组别, 序号) of every unit active in [start, end], its group that of the last
        day (or of the unit's last active day when it retired before), in official order."""
        active = self.active_frame(start, end).with_columns(
            pl.min_horizontal(pl.col("_to"), pl.lit(end, pl.Date)).alias("_day"))
        return self.groups_on(active, "_day").select("unit_id", "单位", "组别", "序号")

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
    from scoring.profile import default_profile

    return default_profile().units_data()
