"""The settings table of docs/规则说明.md, written from scoring.profile.settings (datasette-style: a test
fails when a setting is added, renamed or re-explained without the document following).

`python -m scoring.profile.settings_doc` rewrites the block between the two markers in place.
"""
from __future__ import annotations

import sys
from pathlib import Path

from scoring.profile.settings import SETTINGS, profile_defaults, range_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "规则说明.md"
BEGIN = "<!-- 设置一览：由 python -m scoring.profile.settings_doc 生成，请勿手改 -->"
END = "<!-- 设置一览结束 -->"


def _value(v) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dict):
        return "，".join(f"{k} 组 {x}" for k, x in v.items())
    return str(v)


def table() -> str:
    rows = ["| 设置 | 键名 | 默认值 | 取值范围 | 说明 |", "|---|---|---|---|---|"]
    defaults = profile_defaults()  # the default office's (per-group numbers come from its groups)
    for s in SETTINGS:
        label = getattr(s, "label", "") or s.name
        rows.append(f"| {label} | `{s.name}` | {_value(defaults[s.name])} | {range_text(s.name)} "
                    f"| {s.help.replace('|', '｜')} |")
    return "\n".join([BEGIN, *rows, END])


def block_of(text: str) -> str | None:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0:
        return None
    return text[start:end + len(END)]


def write(path: Path = DOC) -> bool:
    """Rewrite the block; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    old = block_of(text)
    if old is None:
        raise SystemExit(f"{path}: 没有找到设置一览的标记行")
    new = text.replace(old, table())
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    print("已更新" if write() else "无变化", file=sys.stderr)
