"""Stored events follow the rule set: when it changes, each stored row is matched again.

An event's item code is fixed when it is imported. A later rule version may split an item, move
a value to another item or change match keys, so a database remembers which rule set its codes
follow (a fingerprint of the rule sources) and, when the profile's rule files or the versions
saved in the dashboard change, matches every distinct combination of 类型/层级/刊物/栏目/批示人
again under the version in force on its dates. Rows that no longer match any item keep their
code (they stay visible and score by it while that code exists) and are counted in the result.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from scoring.profile.match import match_item, weight_of
from scoring.profile.rules import RuleBook


@dataclass
class Rematch:
    changed_rows: int = 0
    unmatched_rows: int = 0


def version_span(book: RuleBook, index: int) -> tuple[date, date]:
    """The days version `index` scores: the earliest also covers every day before it."""
    start = date.min if index == 0 else book.versions[index].effective
    end = book.versions[index + 1].effective - timedelta(days=1) if index + 1 < len(book.versions) else date.max
    return start, end


def rematch(store, book: RuleBook, who: str = "系统") -> Rematch:
    """Match stored rows again under `book` and record that their codes now follow it."""
    result = Rematch()
    changes = []
    for vidx, kind, level, publication, col, leader, code, weight, n in store.match_keys(book.boundaries).iter_rows():
        row = {"类型": kind, "层级": level, "刊物": publication, "栏目": col, "批示人": leader}
        new, _errors = match_item(book.versions[vidx], row)
        if new is None:
            result.unmatched_rows += n
            continue
        new_weight = weight_of(book.versions[vidx], new, row)
        if new != code or new_weight != weight:
            result.changed_rows += n
            changes.append((*version_span(book, vidx), kind, level, publication, col, leader, code, weight,
                            new, new_weight))
    store.recode(changes, book.fingerprint, who)
    return result


def ensure_matched(store, book: RuleBook) -> Rematch | None:
    """Rematch when the stored codes follow another rule set than `book` (None when they do not).
    A store remembers the rule set it last found matched, which spares the query on every open:
    another process can change the rule set only through files or saved versions, and then
    `book` differs too."""
    if not book.fingerprint or getattr(store, "_matched_rules", None) == book.fingerprint:
        return None
    result = None if store.rules_fingerprint() == book.fingerprint else rematch(store, book)
    store._matched_rules = book.fingerprint
    return result
