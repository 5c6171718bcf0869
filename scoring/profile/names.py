"""Unit names are plain text: what a name (or an alias) may contain, checked wherever one is
saved (管理 → 单位, the store's bulk add) or loaded (units.yaml, a backup before it is restored)."""
from __future__ import annotations

import re
import unicodedata

MAX_NAME = 60  # characters of a unit's name or alias; the longest real 单位 has about 30
# No markup a renderer could act on (HTML and Plotly tags, Markdown links and images, entities).
_MARKUP = set("<>[]{}`\\|&")
_SPACES = re.compile("[ \u3000]+")


def name_problem(name: object) -> str | None:
    """Why a unit name or alias cannot be used, or None. A name is shown on every page, in charts
    and in documents, so it is plain text: no markup characters, no control, bidi or zero-width
    characters (a right-to-left override reverses what follows; a zero-width space makes a name
    look like another one), one line, at most MAX_NAME characters."""
    if not isinstance(name, str) or not name.strip():
        return "单位名称不能为空"
    if len(name) > MAX_NAME:
        return f"单位名称不超过 {MAX_NAME} 个字（现有 {len(name)} 个）"
    bad = sorted({ch for ch in name if ch in _MARKUP})
    if bad:
        return f"单位名称不能包含符号 {' '.join(bad)}"
    if any(unicodedata.category(ch) in _INVISIBLE for ch in name):
        return "单位名称不能包含控制字符、换行或不可见字符（如从右到左、零宽字符）"
    return None


# Cc control, Cf format (bidi overrides and isolates, zero-width space/joiners, BOM), Co/Cs/Cn
# private, surrogate and unassigned, Zl/Zp line and paragraph separators.
_INVISIBLE = frozenset(("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"))


def visible(text: str) -> str:
    """Text without the characters a name may not have that change how others look (bidi
    overrides, zero-width characters, controls): for showing text saved before names were checked."""
    return "".join(ch for ch in text if ch.isascii() and ch.isprintable() or unicodedata.category(ch) not in _INVISIBLE)


def check_name(name: str) -> str:
    """A unit name or alias about to be saved, trimmed; ValueError saying why it cannot be."""
    name = _SPACES.sub(" ", str(name)).strip(" ")  # ordinary and full-width spaces, as typed
    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    return name
