"""The Readings of the rules as named settings (name, default, help).

考评办法 leaves several points open; each way we read one is a setting, so that a later
decision changes a value, not the code. Values are stored per database (table settings); the
defaults are the office profile's (profile.yaml `settings`, and the per-group numbers of
`groups`), else the ones below.

Every value is typed and bounded where it is read (`merged` clamps a number into its range and
falls back to the default for a value of the wrong kind: a stored 1e8 or NaN, from an older
version, a backup or a hand edit, must not break every sign-in), and checked where it is written
(`clean` refuses with a Chinese sentence naming the range).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from scoring.profile.fields import shown


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    label: str  # what a user reads (管理 → 设置, the rules document); `name` is the stored key
    low: float | None = None    # a number's range (each group's number for per-group counts)
    high: float | None = None
    step: float = 1             # the page's number input steps by this; 1 = whole numbers only


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "quota_improvement_share",
        1.0,
        "“经提醒后仍无较大改变”的界限：提醒之后的月份，报送数达到任务数的该比例即视为有较大改变，"
        "不再扣50分并结束连续计数。1.0 表示必须完成任务数（默认）。",
        "“较大改变”的比例",
        0.0, 1.0, 0.05,
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
        0, 50,
    ),
    Setting(
        "improved_count",
        {},  # per group: the profile's groups give it (profile_defaults)
        "每组评出的进步较大单位数量（从未评为先进单位的单位中产生）。",
        "进步较大单位名额",
        0, 50,
    ),
    Setting(
        "review_count",
        {},  # per group: the profile's groups give it (profile_defaults)
        "每组排名靠后、须由主要负责人书面检查的单位数量。",
        "书面检查单位数",
        0, 50,
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
        0.25, 168, 0.25,
    ),
    Setting(
        "session_max_days",
        7,
        "一次登录最长可用多少天（无论是否一直在操作），到期须重新登录。默认 7 天。",
        "登录最长天数",
        1, 90,
    ),
    Setting(
        "rate_decimals",
        2,
        "采用率、增长率等比率显示为百分数时保留的小数位数（四舍五入，只影响显示，不影响计分和排名）；"
        "导出的排名文件中以小数表示，多保留两位（默认百分数保留 2 位，即 26.42% 在文件中为 0.2642）。",
        "比率显示的小数位数",
        0, 6,
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
    """Defaults overlaid with stored values; unknown names are ignored (a removed setting). Every
    value comes out of `bounded`: the right kind and within its range."""
    out = {}
    for name, default in profile_defaults(profile).items():
        # a profile's default is read like a stored value, falling back to the code's
        fallback = bounded(name, default, {g: 0 for g in default} if isinstance(default, dict) else DEFAULTS[name])
        out[name] = bounded(name, (values or {}).get(name, fallback), fallback)
    return out


# -- the kind and range of each value -------------------------------------------------------------
@functools.cache
def choices(name: str) -> dict[str, str]:
    """The values a text setting may take, with what a user reads for each."""
    if name == "improvement_measure":
        from scoring.engine.commend import MEASURES

        return dict(MEASURES)
    if name == "timezone":
        from zoneinfo import available_timezones

        return {z: z for z in sorted(available_timezones())}
    raise KeyError(name)


def range_text(name: str) -> str:
    """What a setting may be set to, in words (messages, the command line, the rules document)."""
    s = BY_NAME[name]
    if isinstance(s.default, bool):
        return "是或否"
    if isinstance(s.default, str):
        return "时区名称，如 Asia/Shanghai" if name == "timezone" else "、".join(choices(name))
    span = f"{s.low:g} 至 {s.high:g}" + (" 的整数" if s.step == 1 else " 的数")
    return f"每组 {span}" if isinstance(s.default, dict) else span


def clean(name: str, value, groups: tuple[str, ...] | None = None) -> Any:
    """A value about to be stored, of the right kind and within range; ValueError (Chinese,
    naming the range) otherwise. `groups`: the profile's groups, for a per-group number."""
    if name not in BY_NAME:
        raise ValueError(f"未知设置 {name}")
    s = BY_NAME[name]
    wrong = ValueError(f"“{s.label}”的取值范围：{range_text(name)}；收到 {_shown(value)}")
    if isinstance(s.default, bool):
        if not isinstance(value, bool):
            raise wrong
        return value
    if isinstance(s.default, str):
        if not isinstance(value, str) or value not in choices(name):
            raise wrong
        return value
    if isinstance(s.default, dict):
        if not isinstance(value, dict) or (groups is not None and set(value) - set(groups)):
            raise wrong
        return {str(g): _number(s, v, wrong) for g, v in value.items()}
    return _number(s, value, wrong)


def _number(s: Setting, value, wrong: ValueError):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise wrong
    if not s.low <= value <= s.high or (s.step == 1 and value != int(value)):
        raise wrong
    return int(value) if s.step == 1 else float(value)


def _shown(value) -> str:
    """A refused value as the user gave it (fields.shown: never Python's repr), cut at 40 characters."""
    text = shown(value)
    return text if len(text) <= 40 else text[:40] + "…"


def bounded(name: str, value, fallback) -> Any:
    """A value as read: a number outside its range is moved to the nearest end; a value of the
    wrong kind (text where a number belongs, NaN, a list) becomes `fallback`."""
    s = BY_NAME[name]
    if isinstance(s.default, dict):
        if not isinstance(value, dict):
            return fallback
        return {g: _clamped(s, value.get(g), number) for g, number in fallback.items()}
    if isinstance(s.default, (bool, str)):
        try:
            return clean(name, value)
        except ValueError:
            return fallback
    return _clamped(s, value, fallback)


def _clamped(s: Setting, value, fallback):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return fallback
    value = min(max(value, s.low), s.high)
    return int(value) if s.step == 1 else float(value)


def parse(name: str, text: str, current: Any = None) -> Any:
    """A value typed on the command line (`setting set KEY VALUE`), checked by `clean`:
    是/否 (or true/false, 1/0) for a yes-or-no, a number, a choice, and for per-group numbers
    `A=3,B=2` (groups not named keep `current`'s number)."""
    if name not in BY_NAME:
        raise ValueError(f"未知设置 {name}，可用：{'、'.join(BY_NAME)}")
    s = BY_NAME[name]
    text = text.strip()
    if isinstance(s.default, bool):
        yes, no = {"是", "true", "1", "on", "yes"}, {"否", "false", "0", "off", "no"}
        if text.lower() not in yes | no:
            raise ValueError(f"“{s.label}”的取值范围：是或否；收到“{text}”")
        return text.lower() in yes
    if isinstance(s.default, str):
        return text
    if isinstance(s.default, dict):
        out = dict(current or {})
        for part in filter(None, (p.strip() for p in text.replace("，", ",").split(","))):
            group, sep, number = part.partition("=")
            if not sep:
                raise ValueError(f"“{s.label}”应写成 组别=数量，多组用逗号分开（如 A=3,B=2），收到“{part}”")
            out[group.strip()] = _typed_number(s, number.strip())
        return out
    return _typed_number(s, text)


def _typed_number(s: Setting, text: str):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"“{s.label}”的取值范围：{range_text(s.name)}；收到“{text}”") from None
    return int(value) if s.step == 1 and value.is_integer() else value
