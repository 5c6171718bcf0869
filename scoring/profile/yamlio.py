"""The one way a profile's files (profile.yaml, units.yaml, rules/*.yaml, and rule versions saved in
the dashboard) are read as YAML: bounded, strict and exact.

- Size: a file over MAX_BYTES is refused before it is parsed (a 200 MB profile.yaml once timed
  both commands out).
- No anchors or aliases (`&a`, `*a`): a 1 KB "billion laughs" file expanded to gigabytes. They are
  refused from the event stream, before anything is built, so parsing stays linear in the size.
- A key written twice is an error (PyYAML silently keeps the last one).
- Numbers with a decimal point become `Decimal` from the text as written (0.1 stays 0.1, never the
  binary float 0.1000000000000000055…); `.inf` and `.nan` are refused.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

MAX_BYTES = 2_000_000  # the largest shipped file is ~25 KB; a province's 5,000-unit list is ~400 KB

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C loader when present (~10× faster)


class YamlError(ValueError):
    """A file that cannot be read; `line` is 1-based when known."""

    def __init__(self, text: str, line: int | None = None):
        self.line = line
        super().__init__(text)


class _Loader(_Base):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise YamlError(f"键 {key} 重复", key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep)


def _decimal(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text.lower().replace(".inf", "inf").replace(".nan", "nan"))
    except InvalidOperation:
        raise YamlError(f"“{text}”不是数字", node.start_mark.line + 1) from None
    if not value.is_finite():
        raise YamlError(f"“{text}”不是有限的数字（不能用无穷大或非数字）", node.start_mark.line + 1)
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)


def loads(text: str):
    """Parse one YAML document under the rules above; YamlError in Chinese."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise YamlError(f"文件过大（超过 {MAX_BYTES // 1_000_000} MB），请检查是否误放了其他内容")
    try:
        for event in yaml.parse(text, Loader=_Base):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise YamlError("不能使用锚点和别名（& 和 *），请把内容直接写出", event.start_mark.line + 1)
        return yaml.load(text, Loader=_Loader)
    except YamlError:
        raise
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise YamlError(f"不是有效的 YAML（{getattr(e, 'problem', None) or e}）",
                        mark.line + 1 if mark else None) from None
    except ValueError as e:  # PyYAML builds dates itself: 2024-02-30 fails here
        raise YamlError(f"含有无效的日期（{e}）") from None


def read(path: Path):
    """A file's YAML, its size checked before it is read."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise YamlError("文件不存在") from None
    if size > MAX_BYTES:
        raise YamlError(f"文件过大（{size // 1_000_000} MB，上限 {MAX_BYTES // 1_000_000} MB），请检查是否误放了其他内容")
    try:
        return loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise YamlError("不是 UTF-8 编码的文字文件") from None
