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
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROFILES_DIR = Path(__file__).resolve().parent.parent / "data" / "profiles"
DEFAULT_FILE = PROFILES_DIR / "DEFAULT"  # the name of the shipped default profile's folder

TIE_RULES = ("min", "dense")  # 1-2-2-4 or 1-2-2-3
ADOPTION_MODES = ("sum", "highest")
QUOTA_PERIODS = ("week", "month", "quarter")
UNTRACKED = ("skip", "break")
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
    quota: dict[str, int]   # quota policy name -> items required per period
    advanced: int = 0       # 先进单位
    improved: int = 0       # 进步较大单位
    review: int = 0         # 书面检查


@dataclass(frozen=True)
class Tier:
    name: str
    column: bool = True     # a score column (breakdown, chart legend, 通报 headings)
    adoptions: str = ""     # also count the tier's 采用 rows in this column


@dataclass(frozen=True)
class QuotaPolicy:
    """Items of one kind required per month (or quarter) per group, and what missing it costs."""
    name: str
    counts: str                   # the item whose rows are counted
    period: str = "month"         # month | quarter
    first: str = ""               # deduction item of a first short period ("" = none)
    repeat: str = ""              # deduction item of each later short period of a run
    across_years: bool = True     # a run of short periods continues into the next year
    untracked: str = "skip"       # a period with no rows at all: skip (like a waived one) or break the run
    refuse_column: str = ""       # a typed-in row that would duplicate the derived deduction …
    refuse_value: str = ""        # … is refused: (扣分, 栏目 = this value)
    base: str = ""                # item earned for each met period (base points), "" = none
    base_cap: float | None = None # at most this many base points a year
    above: str = ""               # item earned for each counted row above the quota, "" = none

    @property
    def derived(self) -> tuple[str, ...]:
        return tuple(c for c in (self.first, self.repeat, self.base, self.above) if c)


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
    share: str | float = "full"


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
    floor: bool = True                  # a reported period's score is at least zero
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

    def adoption_phrase(self, tier: str) -> str:
        return self.adoption_phrases.get(tier, f"被{tier}采用")

    # -- derived views ------------------------------------------------------------------
    @property
    def group_codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.groups)

    @property
    def group_labels(self) -> dict[str, str]:
        return {g.code: g.label for g in self.groups}

    def quota_table(self, policy: QuotaPolicy) -> dict[str, int]:
        return {g.code: g.quota[policy.name] for g in self.groups if policy.name in g.quota}

    @property
    def score_tiers(self) -> list[str]:
        return [t.name for t in self.tiers if t.column]

    @property
    def adoption_tiers(self) -> dict[str, str]:
        return {t.name: t.adoptions for t in self.tiers if t.adoptions}

    @property
    def derived_codes(self) -> frozenset[str]:
        out = {c for q in self.quotas for c in q.derived}
        if self.late and self.late.repeat:
            out.add(self.late.repeat)
        return frozenset(out)

    @property
    def submission_code(self) -> str:
        """The item counted by the first quota policy (报送数), "" when there is none."""
        return self.quotas[0].counts if self.quotas else ""

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
    def vocabulary(self):
        from .rules import Vocabulary

        refuse = {(q.refuse_column, q.refuse_value): (q.first, q.counts) for q in self.quotas if q.refuse_value}
        return Vocabulary(types=self.types, tiers=tuple(t.name for t in self.tiers),
                          derived=self.derived_codes, refuse=tuple(sorted(refuse.items())),
                          hints=tuple(sorted(self.hints.items())),
                          aliases=tuple(sorted((c, tuple(sorted(m.items()))) for c, m in self.aliases.items())))

    def rule_files(self) -> list[tuple[str, str]]:
        return [(p.name, p.read_text(encoding="utf-8")) for p in sorted((self.root / "rules").glob("*.yaml"))]

    def rulebook(self):
        from .rules import build_rulebook

        return build_rulebook(self.rule_files(), self.vocabulary)

    def units_data(self) -> dict:
        return load_units_file(self.root / "units.yaml", self.group_codes)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def default_dir() -> Path:
    return PROFILES_DIR / DEFAULT_FILE.read_text(encoding="utf-8").strip()


def resolve(ref: str | Path | None) -> Path:
    """A profile folder from a reference: None (the default), a name under data/profiles, or a path."""
    if ref is None or str(ref) == "":
        return default_dir()
    path = Path(ref)
    if not path.is_absolute() and (PROFILES_DIR / path).is_dir() and len(path.parts) == 1:
        return PROFILES_DIR / path
    return path.resolve()


def reference(root: Path) -> str:
    """How a database records its profile: the folder name when shipped, else the full path."""
    root = root.resolve()
    return root.name if root.parent == PROFILES_DIR.resolve() else str(root)


def load_profile(ref: str | Path | None = None) -> Profile:
    root = resolve(ref)
    return _load_cached(str(root), _stamp(root))


def default_profile() -> Profile:
    return load_profile(None)


def _stamp(root: Path) -> tuple:
    """Changes whenever a file of the profile does, so an edited profile is read again."""
    try:
        return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(root.rglob("*.yaml")))
    except OSError:
        return ()


@functools.lru_cache(maxsize=16)
def _load_cached(root: str, _stamp: tuple) -> Profile:
    profile, problems = read_profile(Path(root))
    if problems:
        raise ProfileError(problems)
    return profile


def check_profile(ref: str | Path) -> list[str]:
    """Every problem of a profile folder (empty when it can be used); never raises."""
    root = resolve(ref)
    try:
        return read_profile(root)[1]
    except Exception as e:  # a shape no reader foresaw: still a message, not a traceback
        return [f"文件 {root.name} 键 （未知）: 无法读取（{type(e).__name__}: {e}）"]


def read_profile(root: Path) -> tuple[Profile | None, list[str]]:
    from .profile_read import read

    return read(root)


def load_units_file(path: Path, groups: tuple[str, ...]) -> dict:
    """A units.yaml as a plain dict for the store to seed a database; ValueError names the problem."""
    from .profile_read import units_problems

    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    problems = units_problems(data, path.name, groups)
    if problems:
        raise ValueError("；".join(problems))
    return data


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
