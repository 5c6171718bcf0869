"""The 通报 as an editable .docx (Word / WPS), from the shared blocks of document.py."""
from __future__ import annotations

from scoring.reports import docxkit as k
from scoring.reports.attachments import Attachments
from scoring.reports.common import ReportData
from scoring.reports.blocks import Masthead, PageBreak, Para, SpanRow, Table
from scoring.reports.document import build_blocks

# style -> paragraph options (font, size, align, first-line indent in characters, …)
STYLES = {
    "title": dict(font=k.TITLE_FONT, size=22, align="center", line=36, before=12, after=12),
    "subtitle": dict(font=k.KAI, size=16, align="center", after=6),
    "addressee": dict(font=k.FANG, size=16, align="justify"),
    "body": dict(font=k.FANG, size=16, align="justify", indent_chars=2),
    "h1": dict(font=k.HEI, size=16, align="justify", indent_chars=2, keep_next=True),
    "attach_list": dict(font=k.FANG, size=16, align="left", indent_chars=2, before=28),
    "attach_list_more": dict(font=k.FANG, size=16, align="left", left_chars=5),
    "signature": dict(font=k.FANG, size=16, align="right", right_chars=2),
    "attach_label": dict(font=k.HEI, size=16, align="left"),
    "attach_title": dict(font=k.TITLE_FONT, size=18, align="center", line=32, before=6, after=10),
    "caption": dict(font=k.HEI, size=14, align="left", line=24, before=8, after=4, keep_next=True),
    "note": dict(font=k.FANG, size=12, align="justify", line=20, before=4),
    "note_more": dict(font=k.FANG, size=12, align="justify", line=20, left_chars=2),
    "list_head": dict(font=k.HEI, size=12, align="left", line=20, before=6, keep_next=True),
    "list_item": dict(font=k.FANG, size=12, align="justify", line=20, left_chars=2.5, indent_chars=-2.5),
    "list_text": dict(font=k.FANG, size=12, align="justify", line=20, indent_chars=2),
}


def _masthead(doc, m: Masthead) -> None:
    k.paragraph(doc, m.name, k.TITLE_FONT, 40, "center", line=None, before=18, after=6, color=k.RED)
    k.paragraph(doc, m.number, k.FANG, 16, "center", after=6)
    p = k.paragraph(doc, "", k.FANG, 16, "left")
    k.right_tab(p, doc.sections[-1])
    k.run_font(p.add_run(k.clean(m.issuer) + "\t" + k.clean(m.date)), k.FANG, 16)
    k.red_rule(p)


def _para(doc, block: Para, first_signature: list[bool]) -> None:
    opts = dict(STYLES.get(block.style, STYLES["body"]))
    if block.style == "signature" and first_signature[0]:
        opts["before"] = 2 * k.LINE
        first_signature[0] = False
    if block.lead:
        p = k.paragraph(doc, "", **opts)
        k.run_font(p.add_run(k.clean(block.lead)), k.KAI, opts["size"])
        k.run_font(p.add_run(k.clean(block.text)), opts["font"], opts["size"])
    else:
        k.paragraph(doc, block.text, **opts)


def _table(doc, t: Table) -> None:
    header = [[(c.text, c.colspan, c.rowspan) for c in row] for row in t.header]
    rows = [r.text if isinstance(r, SpanRow) else r for r in t.rows]
    k.table(doc, header, rows, t.widths, t.align, size=10.5)


def render_blocks(blocks) -> bytes:
    doc = k.new_document(next((b.issuer for b in blocks if isinstance(b, Masthead)), ""))
    first_signature = [True]
    for block in blocks:
        if isinstance(block, Masthead):
            _masthead(doc, block)
        elif isinstance(block, Para):
            _para(doc, block, first_signature)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, PageBreak):
            if block.landscape is None:
                k.page_break(doc)
            else:
                k.new_section(doc, block.landscape)
    return k.to_bytes(doc)


def build_docx(data: ReportData, attach: Attachments | None = None) -> bytes:
    return render_blocks(build_blocks(data, attach))
