"""Unit names are plain text: what a name (or an alias) may contain, checked wherever one is
saved (管理 → 单位, the store's bulk add) or loaded (units.yaml); visible() for text saved before."""
from __future__ import annotations

import re
import unicodedata

MAX_NAME = 40  # a unit's name or alias, in characters
# Markup a renderer could act on: HTML and Plotly tags and entities, Markdown links, emphasis and
# headings, quotes that end an attribute.
MARKUP = "<>&\"'`[]()\\{}|*_#"
# Cc control, Cf format (bidi overrides and isolates, zero-width space/joiners, BOM), Zl/Zp line
# and paragraph separators: a right-to-left override reverses what follows; a zero-width space
# makes a name look like another one.
INVISIBLE = ("Cc", "Cf", "Zl", "Zp")
_SPACES = re.compile("[ \u3000]+")


def name_problem(name: str) -> str | None:
    """Why a unit name (or alias) cannot be used: markup, invisible or direction-changing
    characters (they made a name a link in charts, or read backwards), or excessive length."""
    if len(name) > MAX_NAME:
        return f"名称过长（{len(name)} 字，上限 {MAX_NAME} 字）"
    if any(ch in MARKUP for ch in name):
        return f"名称中不能含有 {' '.join(MARKUP)} 等符号（可用全角括号（））"
    if any(unicodedata.category(ch) in INVISIBLE for ch in name):
        return "名称中含有不可见的控制字符或文字方向字符"
    return None


def check_name(name: str) -> str:
    """A unit name or alias about to be saved, trimmed; ValueError saying why it cannot be."""
    name = _SPACES.sub(" ", str(name)).strip(" ")  # ordinary and full-width spaces, as typed
    problem = "名称不能为空" if not name else name_problem(name)
    if problem:
        raise ValueError(f"单位{problem}")
    return name


def visible(text: str) -> str:
    """Text without the characters a name may not have that change how other text looks (bidi
    overrides, zero-width characters, controls): for showing text saved before names were checked."""
    return "".join(ch for ch in text if ch.isascii() and ch.isprintable() or unicodedata.category(ch) not in INVISIBLE)
