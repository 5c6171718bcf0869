"""The rule constructs a profile combines (profile.yaml `policies`, `measures`, `score`, `flags`).

Each is general: a task (报送任务) counts chosen items, or a measure, per period of any length,
against a target per group or per unit, and turns the result into points through derived items
(a ladder, per missing item, on met, on missed, above); a condition adds an item's points when an
expression over measures holds (or always: a base score); the score formula combines the tiers
with floors and caps. Their points always come from items of the rule files (derived: true), so
they are dated, explained by their clause and sentence, and open to what-ifs like any item.
docs/配置说明.md explains each, with the 办法 sentences it says.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Period lengths, in months (a week is apart): tasks and conditions are checked per such period.
PERIOD_MONTHS = {"month": 1, "two_months": 2, "quarter": 3, "half": 6, "year": 12}
PERIODS = ("week", *PERIOD_MONTHS)
PERIOD_WORDS = {"week": "周", "month": "月", "two_months": "双月", "quarter": "季度", "half": "半年", "year": "年"}
UNTRACKED = ("skip", "break")
CHARGES = ("period", "year")
YEAR_MODES = ("whole", "quarters")


@dataclass(frozen=True)
class Target:
    """What a task requires per period: at least `low`; with a range ("1–2篇") `high` is its upper end
    (what counts as above)."""
    low: Decimal
    high: Decimal | None = None

    @property
    def top(self) -> Decimal:
        return self.high if self.high is not None else self.low

    @property
    def text(self) -> str:
        """As staff write it: 15, 2.5 or 1–2."""
        return _plain(self.low) + (f"–{_plain(self.high)}" if self.high is not None else "")

    @property
    def number(self) -> int | Decimal:
        """The lower end as a plain number (an int when whole)."""
        return int(self.low) if self.low == self.low.to_integral_value() else self.low


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


@dataclass(frozen=True)
class QuotaPolicy:
    """A task (报送任务): what is counted, per which period, and what meeting it or not earns.

    Targets live with the groups (`groups[].quota`) and may be overridden per unit (units.yaml).
    Every outcome names a derived item whose points apply per unit of its count `n`."""
    name: str
    counts: tuple[str, ...] = ()   # items whose rows are counted …
    measure: str = ""              # … or a measure (e.g. points of chosen tiers)
    period: str = "month"          # the period of groups without their own
    periods: dict[str, str] = field(default_factory=dict)  # group -> period
    first: str = ""               # ladder: a first short period of a run ("" = none)
    repeat: str = ""              # ladder: each later short period of the run
    missing: str = ""             # n = the shortfall below the target
    base: str = ""                # n = 1 for a met period (at most base_cap points a year)
    base_cap: Decimal | None = None
    missed: str = ""              # n = 1 for a period not met
    above: str = ""               # n = the amount above the target (its top with a range)
    charge: str = "period"        # period | year: outcomes count in the year's score only
    across_years: bool = True     # a run of short periods continues into the next year
    untracked: str = "skip"       # a period with no rows at all: skip (like a waived one) or break the run
    refuse_column: str = ""       # a typed-in row that would duplicate the derived deduction …
    refuse_value: str = ""        # … is refused: (扣分, 栏目 = this value)

    @property
    def derived(self) -> tuple[str, ...]:
        return tuple(c for c in (self.first, self.repeat, self.missing, self.base, self.missed, self.above) if c)

    @property
    def counts_code(self) -> str:
        """The single item counted (the legacy form), "" when the task counts several or a measure."""
        return self.counts[0] if len(self.counts) == 1 and not self.measure else ""

    def period_of(self, group: str) -> str:
        return self.periods.get(group, self.period)

    @property
    def all_periods(self) -> tuple[str, ...]:
        return tuple(sorted({self.period, *self.periods.values()}, key=PERIODS.index))


@dataclass(frozen=True)
class LatePolicy:
    """约稿逾期: the first in a year costs `item`'s points, each later one `repeat`'s; after
    `zero_after` misses in a year (0 = never) the unit's year is scored zero."""
    item: str
    repeat: str = ""
    zero_after: int = 0


@dataclass(frozen=True)
class MergedPolicy:
    """合稿: one item written with several units' material, each unit recording its own row (same
    信息编号). `share` of the item's points goes to each unit: "full" (each the whole), "even"
    (split evenly among the units of the 信息编号), or a fixed fraction such as 0.5."""
    item: str
    share: str | Decimal = "full"


@dataclass(frozen=True)
class Measure:
    """A named per-unit value over a period: rows counted (of types, items or tiers; distinct
    信息编号 when `distinct`), points of (non-derived) items of tiers, or a ratio of two measures."""
    name: str
    kind: str                                   # count | points | ratio
    types: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    distinct: bool = False
    parts: tuple[str, ...] = ()                 # ratio: numerator, denominator


@dataclass(frozen=True)
class Condition:
    """An item's points once per period where `when` holds; without `when`, every period that has
    begun (an unconditional base score)."""
    item: str
    when: str = ""
    period: str = "quarter"
    periods: dict[str, str] = field(default_factory=dict)
    undefined: bool = False                     # a measure that cannot be computed: the condition holds?

    def period_of(self, group: str) -> str:
        return self.periods.get(group, self.period)

    @property
    def all_periods(self) -> tuple[str, ...]:
        return tuple(sorted({self.period, *self.periods.values()}, key=PERIODS.index))


@dataclass(frozen=True)
class Score:
    """How a period's score is made of its tiers: `formula` ("" = their sum), floored at 0 when
    `floor`; the year scored whole or as the sum of its quarters' scores."""
    formula: str = ""
    floor: bool = True
    year: str = "whole"


@dataclass(frozen=True)
class Flag:
    """A column marking the units for which `when` holds (e.g. 不达标: 得分 < 基础分)."""
    name: str
    when: str
