"""An office's 考评办法 as data: one folder holding everything that differs between offices.

    data/profiles/<name>/profile.yaml   identity, groups and quotas, tiers, types, policies
    data/profiles/<name>/units.yaml     the units, their groups and aliases, the list's start date
    data/profiles/<name>/rules/*.yaml   the dated rule versions (items and their points)

The engine, the reports and the pages know no office: they ask the profile. Reading a profile
collects every problem it finds (never only the first) as `文件 X 键 Y: 说明`, so that
`python -m scoring profile check DIR` can list them all; `load_profile` raises them together.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from scoring.profile.constructs import (Condition, Flag, LatePolicy, Measure, MergedPolicy, QuotaPolicy, Score,
                                        Target)
from scoring.profile.rules import RuleBook, Vocabulary, build_rulebook

PROFILES_DIR = Path(__file__).resolve().parents[2] / "data" / "profiles"
DEFAULT_FILE = PROFILES_DIR / "DEFAULT"  # the name of the shipped default profile's folder

TIE_RULES = ("min", "dense")  # 1-2-2-4 or 1-2-2-3
ADOPTION_MODES = ("sum", "highest")
MEASURES = ("rank_gain_yoy", "growth_yoy", "growth_pct_yoy", "rank_gain_qoq", "growth_qoq", "growth_pct_qoq")


class ProfileError(ValueError):
    """A profile that cannot be used; `problems` lists every one as 文件 X 键 Y: 说明."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Office:
    issuer: str             # 通报、提醒函落款，导出文件作者
    short: str              # 文中简称，如“县政府办公室”
    regulation: str         # 《……考评办法》
    masthead: str           # 通报报头
    number_pattern: str     # 期号，{year} {n}
    addressee: str          # 通报主送
    phone: str
    mailbox: str
    register_title: str     # 登记表模板标题
    area: str               # 通报标题中的范围，如“全县”


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    quota: dict[str, Target]  # task name -> what a period requires
    advanced: int = 0       # 先进单位
    improved: int = 0       # 进步较大单位
    review: int = 0         # 书面检查


@dataclass(frozen=True)
class Tier:
    name: str
    column: bool = True     # a score column (breakdown, chart legend, 通报 headings)
    adoptions: str = ""     # also count the tier's 采用 rows in this column


@dataclass(frozen=True)
class Profile:
    name: str
    root: Path
    office: Office
    groups: tuple[Group, ...]
    tiers: tuple[Tier, ...]
    types: tuple[str, ...]
    quotas: tuple[QuotaPolicy, ...]
    late: LatePolicy | None
    disqualify: dict[str, str]          # item -> reason: no commendation that year
    error_items: dict[str, str]         # item -> reason, disqualifying when error_disqualifies is on
    min_items: int                      # fewer counted items (报送数) in the year: no commendation
    solicited: dict[str, str]           # 通报 phrase -> item (约稿 outcomes, e.g. 被市政府办公室选用)
    ties: str = "min"
    adoption: str = "sum"               # one item adopted at several places: sum | highest
    praise_top: int = 3
    merged: MergedPolicy | None = None
    settings: dict = field(default_factory=dict)
    template_notes: tuple[str, ...] = ()
    hints: dict = field(default_factory=dict)   # (类型, 列) -> extra words in a match error
    aliases: dict = field(default_factory=dict)  # column -> {long form staff write: the value items use}
    adoption_phrases: dict = field(default_factory=dict)     # tier -> 通报 phrase (被…采用)
    instruction_phrases: dict = field(default_factory=dict)  # 层级 -> 通报 phrase (…领导同志批示)
    unit_list: dict = field(default_factory=dict, compare=False, repr=False)  # units.yaml as read
    measures: tuple[Measure, ...] = ()
    conditions: tuple[Condition, ...] = ()
    score: Score = Score()
    flags: tuple[Flag, ...] = ()
    unit_targets: dict = field(default_factory=dict)    # unit name -> {task: Target} (units.yaml quota)
    unranked: frozenset[str] = frozenset()              # unit names listed but not ranked

    @property
    def floor(self) -> bool:
        """A reported period's score is at least zero."""
        return self.score.floor

    def adoption_phrase(self, tier: str) -> str:
        return self.adoption_phrases.get(tier, f"被{tier}采用")

    # -- derived views ------------------------------------------------------------------
    @property
    def group_codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.groups)

    @property
    def group_labels(self) -> dict[str, str]:
        return {g.code: g.label for g in self.groups}

    def quota_table(self, policy: QuotaPolicy) -> dict[str, Target]:
        return {g.code: g.quota[policy.name] for g in self.groups if policy.name in g.quota}

    def quota_numbers(self, policy: QuotaPolicy) -> dict[str, int | Decimal]:
        """group -> the lower end of its target, as a plain number."""
        return {g: t.number for g, t in self.quota_table(policy).items()}

    def unit_quota_table(self, policy: QuotaPolicy) -> dict[str, Target]:
        """unit name -> its own target for the task, where units.yaml gives one."""
        return {name: targets[policy.name] for name, targets in self.unit_targets.items() if policy.name in targets}

    def measure(self, name: str) -> Measure | None:
        return next((m for m in self.measures if m.name == name), None)

    @property
    def score_tiers(self) -> list[str]:
        return [t.name for t in self.tiers if t.column]

    @property
    def adoption_tiers(self) -> dict[str, str]:
        return {t.name: t.adoptions for t in self.tiers if t.adoptions}

    @property
    def derived_codes(self) -> frozenset[str]:
        out = {c for q in self.quotas for c in q.derived} | {c.item for c in self.conditions}
        if self.late and self.late.repeat:
            out.add(self.late.repeat)
        return frozenset(out)

    @property
    def submission_code(self) -> str:
        """The single item the first task counts, "" when there is no such task (the engine then
        counts 报送数 over every 报送 item)."""
        return self.quotas[0].counts_code if self.quotas else ""

    @property
    def late_codes(self) -> tuple[str, ...]:
        return tuple(c for c in (self.late.item, self.late.repeat) if c) if self.late else ()

    @property
    def first_repeat(self) -> dict[str, str]:
        """Deduction item -> "first" | "repeat", over every ladder policy."""
        out = {}
        for q in self.quotas:
            out.update({q.first: "first", q.repeat: "repeat"})
        if self.late:
            out.update({self.late.item: "first", self.late.repeat: "repeat"})
        return {k: v for k, v in out.items() if k}

    @property
    def vocabulary(self) -> Vocabulary:
        refuse = {(q.refuse_column, q.refuse_value): (q.first or q.missing, q.counts[0] if q.counts else "")
                  for q in self.quotas if q.refuse_value}
        return Vocabulary(types=self.types, tiers=tuple(t.name for t in self.tiers),
                          derived=self.derived_codes, refuse=tuple(sorted(refuse.items())),
                          hints=tuple(sorted(self.hints.items())),
                          aliases=tuple(sorted((c, tuple(sorted(m.items()))) for c, m in self.aliases.items())))

    def rule_files(self) -> list[tuple[str, str]]:
        return [(p.name, p.read_text(encoding="utf-8")) for p in sorted((self.root / "rules").glob("*.yaml"))]

    def rulebook(self) -> RuleBook:
        return build_rulebook(self.rule_files(), self.vocabulary)

    def units_data(self) -> dict:
        """units.yaml as read and checked with the profile (since, units)."""
        return self.unit_list


def as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None
