"""The expressions of a profile: the score formula (`score.formula`) and the conditions of
`policies.conditions[].when` and `flags[].when`.

A small language, parsed here into a tree (never Python's eval) that the engine turns into Polars
expressions: decimal numbers, names (tiers, measures, 得分 …), + − × ÷, parentheses, max(…) and
min(…), comparisons < <= > >= == !=, and / or / not. Full-width forms staff type in Chinese text
(（）， ＜＞ ≤ ≥ × ÷ 且 或) are accepted too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

FUNCTIONS = ("max", "min")
_TRANSLATE = str.maketrans({"（": "(", "）": ")", "，": ",", "＜": "<", "＞": ">", "≤": "<=", "≥": ">=", "×": "*",
                            "÷": "/", "＋": "+", "－": "-", "−": "-", "＝": "=", "≠": "!="})
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<op><=|>=|==|!=|[-+*/(),<>])|(?P<name>[^\s\d\-+*/(),<>=!][^\s\-+*/(),<>=!]*))")
_KEYWORDS = {"and": "and", "且": "and", "or": "or", "或": "or", "not": "not"}
MAX_LENGTH = 500


class FormulaError(ValueError):
    pass


@dataclass(frozen=True)
class Node:
    kind: str          # num | name | neg | op | cmp | and | or | not | call
    value: object = None
    args: tuple = ()

    @property
    def names(self) -> set[str]:
        own = {self.value} if self.kind == "name" else set()
        return own.union(*(a.names for a in self.args)) if self.args else own

    @property
    def boolean(self) -> bool:
        return self.kind in ("cmp", "and", "or", "not")


def _tokens(text: str) -> list[tuple[str, str]]:
    text = text.translate(_TRANSLATE)
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise FormulaError(f"无法识别“{text[pos:].strip()[:10]}”")
        pos = m.end()
        if m.group("num"):
            out.append(("num", m.group("num")))
        elif m.group("op"):
            out.append(("op", m.group("op")))
        else:
            word = m.group("name")
            out.append(("kw", _KEYWORDS[word]) if word in _KEYWORDS else ("name", word))
    return out


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self, *values) -> bool:
        return self.i < len(self.tokens) and self.tokens[self.i][1] in values

    def take(self):
        if self.i >= len(self.tokens):
            raise FormulaError("式子不完整")
        self.i += 1
        return self.tokens[self.i - 1]

    def expect(self, value: str):
        if not self.peek(value):
            found = self.tokens[self.i][1] if self.i < len(self.tokens) else "结尾"
            raise FormulaError(f"此处应为“{value}”，现为“{found}”")
        self.i += 1

    def logic(self, word: str, lower) -> Node:
        node = lower()
        while self.peek(word) and self.tokens[self.i][0] == "kw":
            self.take()
            node = Node(word, args=(_boolean(node), _boolean(lower())))
        return node

    def either(self) -> Node:
        return self.logic("or", self.both)

    def both(self) -> Node:
        return self.logic("and", self.negation)

    def negation(self) -> Node:
        if self.peek("not") and self.tokens[self.i][0] == "kw":
            self.take()
            return Node("not", args=(_boolean(self.negation()),))
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        if self.peek("<", "<=", ">", ">=", "==", "!=", "="):
            op = self.take()[1]
            node = Node("cmp", "==" if op == "=" else op, (_number(node), _number(self.sum())))
        return node

    def sum(self) -> Node:
        node = self.term()
        while self.peek("+", "-"):
            node = Node("op", self.take()[1], (_number(node), _number(self.term())))
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek("*", "/"):
            node = Node("op", self.take()[1], (_number(node), _number(self.unary())))
        return node

    def unary(self) -> Node:
        if self.peek("-"):
            self.take()
            return Node("neg", args=(_number(self.unary()),))
        return self.atom()

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Node("num", Decimal(value))
        if value == "(":
            node = self.either()
            self.expect(")")
            return node
        if kind == "name" and self.peek("("):
            if value not in FUNCTIONS:
                raise FormulaError(f"没有函数“{value}”，可用：{'、'.join(FUNCTIONS)}")
            self.take()
            args = [_number(self.sum())]
            while self.peek(","):
                self.take()
                args.append(_number(self.sum()))
            self.expect(")")
            return Node("call", value, tuple(args))
        if kind == "name":
            return Node("name", value)
        raise FormulaError(f"此处不能是“{value}”")


def _number(node: Node) -> Node:
    if node.boolean:
        raise FormulaError("比较或 and/or/not 的结果不能参与计算")
    return node


def _boolean(node: Node) -> Node:
    if not node.boolean:
        raise FormulaError("and、or、not 的两边应为比较（如 录用率 < 0.3）")
    return node


def parse(text: str, names: set[str], condition: bool) -> Node:
    """The tree of an expression whose names are all in `names`; a condition must compare, a
    formula must compute a number. FormulaError in Chinese otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("不能为空")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"过长（超过 {MAX_LENGTH} 字）")
    parser = _Parser(_tokens(text))
    node = parser.either()
    if parser.i < len(parser.tokens):
        raise FormulaError(f"“{parser.tokens[parser.i][1]}”之前的式子已完整，多出了后面的部分")
    if condition and not node.boolean:
        raise FormulaError("应为一个条件（比较），如 录用率 < 0.3")
    if not condition and node.boolean:
        raise FormulaError("应为一个算式（得出分数），不能是比较")
    unknown = sorted(node.names - names)
    if unknown:
        raise FormulaError(f"“{'、'.join(unknown)}”不是得分分类或指标的名称（可用：{'、'.join(sorted(names))}）")
    return node
