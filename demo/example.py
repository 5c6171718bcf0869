"""The filled example register (data/示例.xlsx): a few weeks of the demo data, one row of each kind
of event, in the import template's layout."""
from __future__ import annotations

import datetime as dt

from scoring.profile import Profile, default_profile
from scoring.intake.template import write_register

from .dengkou import generate_rows

EXAMPLE_MONTHS = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
EXAMPLE_SIZE = 40


def example_rows(size: int = EXAMPLE_SIZE, submissions: int = 8, profile: Profile | None = None) -> list[dict[str, object]]:
    """About `size` demo rows from 2025 Q1: one of each kind of event, a few 报送 to fill up.

    A 批示 (one per kind of leader) is taken, where possible, on an adoption already shown, so the
    example shows how 信息编号 links the two; otherwise its adoption is added beside it.
    """
    start, end = EXAMPLE_MONTHS
    window = [r for r in generate_rows(profile=profile) if start <= r["日期"] <= end]
    chosen: list[dict] = []
    seen: set[tuple] = set()
    for row in window:
        kind = _variety(row)
        if row["类型"] not in ("报送", "批示", "批示落实") and kind not in seen:
            seen.add(kind)
            chosen.append(row)
    adoptions = [r for r in window if r["类型"] == "采用"]
    for follow_up in ("批示", "批示落实"):
        # Prefer a follow-up on an adoption already shown, then one whose adoption is in the window.
        candidates = sorted((r for r in window if r["类型"] == follow_up),
                            key=lambda r: (not any(_refers(r, a) for a in chosen),
                                           not any(_refers(r, a) for a in adoptions)))
        for row in candidates:
            if _variety(row) not in seen:
                seen.add(_variety(row))
                if not any(_refers(row, a) for a in chosen):
                    chosen += [a for a in adoptions if _refers(row, a)][:1]
                chosen.append(row)
    plain = [r for r in window if r["类型"] == "报送"]
    want = max(submissions, size - len(chosen))
    chosen += plain[:: max(1, len(plain) // want)][:want]
    order = {id(r): i for i, r in enumerate(window)}
    return sorted(chosen, key=lambda r: order[id(r)])


def _refers(follow_up: dict[str, object], row: dict[str, object]) -> bool:
    """A 批示 refers to the adoption in its own 层级 and 刊物; a 批示落实 to any row of the item."""
    if row["类型"] != "采用" or row["信息编号"] != follow_up["信息编号"]:
        return False
    return follow_up["类型"] != "批示" or all(row[c] == follow_up[c] for c in ("层级", "刊物"))


def _variety(row: dict[str, object]) -> tuple:
    """What makes two rows different kinds of example: the scoring item, or the leader for a 批示."""
    if row["类型"] == "批示":
        return ("批示", row["批示人"])
    return tuple(row[c] for c in ("类型", "层级", "刊物", "栏目", "批示人"))


def write_example(path, profile: Profile | None = None) -> None:
    """A filled example in the template's layout (2025年1—3月, drawn from the demo data)."""
    profile = profile or default_profile()
    write_register(path, example_rows(profile=profile), f"{profile.office.register_title}（示例：2025年1—3月）", profile)

