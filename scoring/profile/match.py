"""Which rule item a register row is, and what its points are multiplied by.

A row is matched on its cleaned (类型, 层级, 刊物, 栏目, 批示人) against the items of the rule version in
force on its date; then the version's factors that apply to it (头版头条 ×2 …) give its weight, and
an item whose points the editor chooses takes them from the row's 分值 column.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from scoring.profile.points import DEDUCTION_TYPE
from scoring.profile.rules import MATCH_COLUMNS, Item, RuleVersion

PICK_COLUMN = "分值"  # the register column where the editor gives an item's points (items with choices)


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


def weight_of(version: RuleVersion, code: str, row: dict[str, str]) -> Decimal:
    """The product of the version's factors that apply to a row matched as `code` (1 when none)."""
    weight = Decimal(1)
    for factor in version.factors:
        if factor.applies(code, row):
            weight *= factor.times
    return weight


def pick_of(item: Item, raw: str) -> tuple[Decimal | None, str | None]:
    """The points an editor chose for a row of an item with choices: (points, error message)."""
    if not item.choices:
        return (None, f"{item.name}的分值由规则确定，{PICK_COLUMN}栏请留空（现为“{raw}”）") if raw else (None, None)
    options = "、".join(_plain(c) for c in item.choices)
    if not raw:
        return None, f"{item.name}须在{PICK_COLUMN}栏填写分值，可选：{options}"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, f"{PICK_COLUMN}“{raw}”不是数字，可选：{options}"
    if value not in item.choices:
        return None, f"{item.name}的{PICK_COLUMN}“{raw}”无效，可选：{options}"
    return value, None


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
