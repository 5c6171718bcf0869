"""The Readings of the rules as named settings (name, default, help).

考评办法 leaves several points open; each way we read one is a setting, so that a later
decision changes a value, not the code. Values are stored per database (table settings);
these are the defaults.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "quota_improvement_share",
        1.0,
        "“经提醒后仍无较大改变”的界限：提醒之后的月份，报送数达到任务数的该比例即视为有较大改变，"
        "不再扣50分并结束连续计数。1.0 表示必须完成任务数（默认）。",
    ),
    Setting(
        "error_disqualifies",
        False,
        "信息出现较大失误（重大失误扣分）是否也取消评先资格。考评办法六未列此项，默认否。",
    ),
    Setting(
        "advanced_count",
        {"A": 5, "B": 2, "C": 2},
        "每组评出的信息工作先进单位数量（考评办法未规定）。并列于名额边界的单位一并入选。",
    ),
    Setting(
        "improved_count",
        {"A": 3, "B": 1, "C": 1},
        "每组评出的进步较大单位数量（从未评为先进单位的单位中产生）。",
    ),
    Setting(
        "review_count",
        {"A": 2, "B": 1, "C": 1},
        "每组排名靠后、须由主要负责人书面检查的单位数量。",
    ),
    Setting(
        "improvement_measure",
        "rank_gain_yoy",
        "进步较大的衡量方法：rank_gain_yoy（组内名次较上年提升）、growth_yoy（得分较上年增长）、"
        "growth_pct_yoy（得分较上年增长率）、rank_gain_qoq / growth_qoq / growth_pct_qoq（第四季度较第一季度）。",
    ),
    Setting(
        "session_idle_hours",
        8,
        "登录后多长时间（小时）无任何操作即自动退出，须重新登录。默认 8 小时；"
        "修改密码、停用账号或更改角色时，该账号的所有登录立即失效。",
    ),
    Setting(
        "timezone",
        "Asia/Shanghai",
        "判断“月份已结束”所用的时区（未给出 --as-of 时以该时区的今天为准）。",
    ),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def merged(values: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults overlaid with stored values; unknown names are ignored (a removed setting)."""
    out = dict(DEFAULTS)
    for k, v in (values or {}).items():
        if k in BY_NAME:
            out[k] = v
    return out
