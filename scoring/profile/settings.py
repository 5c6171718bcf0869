"""The Readings of the rules as named settings (name, default, help).

考评办法 leaves several points open; each way we read one is a setting, so that a later
decision changes a value, not the code. Values are stored per database (table settings); the
defaults are the office profile's (profile.yaml `settings`, and the per-group numbers of
`groups`), else the ones below.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    label: str  # what a user reads (管理 → 设置, the rules document); `name` is the stored key


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "quota_improvement_share",
        1.0,
        "“经提醒后仍无较大改变”的界限：提醒之后的月份，报送数达到任务数的该比例即视为有较大改变，"
        "不再扣50分并结束连续计数。1.0 表示必须完成任务数（默认）。",
        "“较大改变”的比例",
    ),
    Setting(
        "error_disqualifies",
        False,
        "信息出现较大失误（重大失误扣分）是否也取消评先资格。考评办法六未列此项，默认否。",
        "重大失误是否取消评先资格",
    ),
    Setting(
        "advanced_count",
        {},  # per group: the profile's groups give it (profile_defaults)
        "每组评出的信息工作先进单位数量（考评办法未规定）。并列于名额边界的单位一并入选。",
        "先进单位名额",
    ),
    Setting(
        "improved_count",
        {},  # per group: the profile's groups give it (profile_defaults)
        "每组评出的进步较大单位数量（从未评为先进单位的单位中产生）。",
        "进步较大单位名额",
    ),
    Setting(
        "review_count",
        {},  # per group: the profile's groups give it (profile_defaults)
        "每组排名靠后、须由主要负责人书面检查的单位数量。",
        "书面检查单位数",
    ),
    Setting(
        "improvement_measure",
        "rank_gain_yoy",
        "进步较大的衡量方法：rank_gain_yoy（组内名次较上年提升）、growth_yoy（得分较上年增长）、"
        "growth_pct_yoy（得分较上年增长率）、rank_gain_qoq / growth_qoq / growth_pct_qoq（第四季度较第一季度）。",
        "进步较大的衡量方法",
    ),
    Setting(
        "session_idle_hours",
        8,
        "登录后多长时间（小时）无任何操作即自动退出，须重新登录。默认 8 小时；"
        "修改密码、停用账号或更改角色时，该账号的所有登录立即失效。",
        "登录有效时长（小时）",
    ),
    Setting(
        "rate_decimals",
        2,
        "采用率、增长率等比率显示为百分数时保留的小数位数（四舍五入，只影响显示，不影响计分和排名）；"
        "导出的排名文件中以小数表示，多保留两位（默认百分数保留 2 位，即 26.42% 在文件中为 0.2642）。",
        "比率显示的小数位数",
    ),
    Setting(
        "timezone",
        "Asia/Shanghai",
        "判断“月份已结束”所用的时区（未给出 --as-of 时以该时区的今天为准）。",
        "时区",
    ),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
GROUP_COUNTS = {"advanced_count": "advanced", "improved_count": "improved", "review_count": "review"}


def profile_defaults(profile=None) -> dict[str, Any]:
    """The defaults as an office's profile sets them."""
    if profile is None:
        from scoring.profile import default_profile

        profile = default_profile()
    out = dict(DEFAULTS)
    out.update({k: v for k, v in profile.settings.items() if k in BY_NAME})
    for name, attr in GROUP_COUNTS.items():
        out[name] = {g.code: getattr(g, attr) for g in profile.groups}
    return out


def merged(values: dict[str, Any] | None, profile=None) -> dict[str, Any]:
    """Defaults overlaid with stored values; unknown names are ignored (a removed setting)."""
    out = profile_defaults(profile)
    for k, v in (values or {}).items():
        if k in BY_NAME:
            out[k] = v
    return out
