"""The pieces a document is made of (paragraphs, tables, page breaks). document.py and
attachments.py produce them; tongbao_docx.py and pdf.py draw them, so both formats say the same."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Masthead:
    name: str
    number: str
    issuer: str
    date: str


@dataclass
class Para:
    text: str
    # title subtitle addressee body h1 signature attach_list attach_list_more attach_label attach_title
    # caption note note_more; in attachment lists: list_head (a unit's line) and list_item (an entry)
    style: str = "body"
    lead: str = ""       # an inline 楷体 heading before the text (（一）…。)


@dataclass
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class SpanRow:
    """A full-width row inside a table (e.g. a unit's name above its items)."""
    text: str


@dataclass
class Table:
    header: list[list[HeaderCell]]
    rows: list[list[str] | SpanRow]
    widths: list[float]               # relative column widths
    align: list[str] = field(default_factory=list)  # per column: left / center / right
    kind: str = "table"               # css class / role


@dataclass
class PageBreak:
    landscape: bool | None = None     # None: same orientation; True/False: new section


Block = Masthead | Para | Table | PageBreak
