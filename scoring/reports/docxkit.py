"""python-docx helpers for official-style documents (GB/T 9704 layout).

East Asian fonts are named explicitly on every run (rFonts w:eastAsia): Word and WPS use the
reader's 方正小标宋简体 / 仿宋_GB2312 / 楷体_GB2312 / 黑体 / 宋体, and the font table names a
commonly installed substitute (w:altName) for the first three.
"""
from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

TITLE_FONT = "方正小标宋简体"
HEI = "黑体"
KAI = "楷体_GB2312"
FANG = "仿宋_GB2312"
SONG = "宋体"
LATIN = "Times New Roman"
ALT_NAMES = {TITLE_FONT: HEI, FANG: "仿宋", KAI: "楷体"}  # substitutes where the first is missing
RED = RGBColor(0xE6, 0x00, 0x12)
BODY_SIZE = 16      # 三号
LINE = 28           # fixed line spacing of the body (22 lines a page)
_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def clean(text) -> str:
    """Text safe for XML (control characters a spreadsheet may carry are dropped)."""
    return _BAD_XML.sub("", "" if text is None else str(text))


def new_document(author: str = "") -> Document:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(BODY_SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANG)
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    _font_table(doc)
    set_page(doc.sections[0], landscape=False)
    add_page_number(doc.sections[0])
    doc.core_properties.author = author
    return doc


def _font_table(doc) -> None:
    """Declare the East Asian fonts (GB2312 charset) with the usual substitute as w:altName."""
    from lxml import etree

    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")), None)
    if part is None or not hasattr(part, "_blob"):
        return
    fonts_el = etree.fromstring(part.blob)
    existing = {f.get(qn("w:name")) for f in fonts_el.findall(qn("w:font"))}
    for name in (TITLE_FONT, FANG, KAI, HEI, SONG):
        if name in existing:
            continue
        alt = ALT_NAMES.get(name)
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
        fonts_el.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}">{alt_xml}<w:charset w:val="86"/>'
            f'<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'))
    part._blob = etree.tostring(fonts_el, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_page(section, landscape: bool) -> None:
    """A4 with the official margins (portrait); narrower margins for landscape tables."""
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
        section.left_margin = section.right_margin = Cm(2.0)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.0) if not landscape else Cm(1.2)


def text_width(section) -> int:
    """Usable width in twips."""
    return int((section.page_width - section.left_margin - section.right_margin) / 635)


def add_page_number(section) -> None:
    """— 1 — centred in the footer, 宋体 四号 (a PAGE field)."""
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run_font(p.add_run("— "), SONG, 14)
    run = p.add_run()
    run_font(run, SONG, 14)
    for tag, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    run_font(p.add_run(" —"), SONG, 14)


def run_font(run, east_asia: str, size: float | None = None, bold: bool | None = None,
             color: RGBColor | None = None, latin: str = LATIN):
    run.font.name = latin
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run


def paragraph(doc, text: str = "", font: str = FANG, size: float = BODY_SIZE, align: str = "justify",
              indent_chars: float = 0, line: float | None = LINE, before: float = 0, after: float = 0,
              bold: bool | None = None, color: RGBColor | None = None, left_chars: float = 0,
              right_chars: float = 0, keep_next: bool = False):
    p = doc.add_paragraph()
    pf = p.paragraph_format
    p.alignment = ALIGN[align]
    if indent_chars:
        pf.first_line_indent = Pt(size * indent_chars)
    if left_chars:
        pf.left_indent = Pt(size * left_chars)
    if right_chars:
        pf.right_indent = Pt(size * right_chars)
    if line:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line)
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.keep_with_next = keep_next
    if text:
        run_font(p.add_run(clean(text)), font, size, bold, color)
    return p


def red_rule(p, size_eighths: int = 18) -> None:
    """A red line under a paragraph (the masthead's 分隔线)."""
    pPr = p._p.get_or_add_pPr()
    pPr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="{size_eighths}" '
                         f'w:space="4" w:color="E60012"/></w:pBdr>'))


def right_tab(p, section) -> None:
    p.paragraph_format.tab_stops.add_tab_stop(Pt(text_width(section) / 20), WD_TAB_ALIGNMENT.RIGHT)


def page_break(doc) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    p.add_run().add_break(WD_BREAK.PAGE)


def new_section(doc, landscape: bool):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    set_page(section, landscape)
    return section


# --------------------------------------------------------------------------------------------
# Tables: header rows through python-docx (merges), body rows as XML (fast for long lists)
# --------------------------------------------------------------------------------------------
_JC = {"left": "left", "center": "center", "right": "right"}


def _cell_xml(text: str, width: int, align: str, size_half_pts: int, font: str, bold: bool = False) -> str:
    b = "<w:b/>" if bold else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="auto"/>'
            f'<w:jc w:val="{_JC.get(align, "center")}"/></w:pPr>'
            f'<w:r><w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{font}"/>{b}'
            f'<w:sz w:val="{size_half_pts}"/><w:szCs w:val="{size_half_pts}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r></w:p></w:tc>')


def table(doc, header: list[list[tuple[str, int, int]]], rows: list[list[str] | str], widths: list[float],
          align: list[str] | None = None, total_width: int | None = None, size: float = 10.5,
          header_font: str = HEI):
    """A bordered table; header cells are (text, colspan, rowspan); header rows repeat on each page.
    A row given as a plain string spans the whole width (a group line)."""
    ncols = len(widths)
    total = total_width or text_width(doc.sections[-1])
    scale = total / sum(widths)
    tw = [int(w * scale) for w in widths]
    align = align or ["center"] * ncols
    half = int(round(size * 2))
    t = doc.add_table(rows=len(header), cols=ncols)
    t.style = doc.styles["Table Grid"]
    t.alignment = 1  # centre
    tbl = t._tbl
    tblPr = tbl.tblPr
    tblPr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    for child in tblPr.findall(qn("w:tblW")):
        tblPr.remove(child)
    tblPr.append(parse_xml(f'<w:tblW {nsdecls("w")} w:w="{sum(tw)}" w:type="dxa"/>'))
    for gc, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), tw):
        gc.set(qn("w:w"), str(w))
    # header: place cells on the grid, honouring rowspans from rows above
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(header):
        row = t.rows[r]
        trPr = row._tr.get_or_add_trPr()
        trPr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
        trPr.append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        c = 0
        for text, colspan, rowspan in cells:
            while (r, c) in taken:
                c += 1
            first = t.cell(r, c)
            last = t.cell(r + rowspan - 1, c + colspan - 1)
            cell = first.merge(last) if (colspan > 1 or rowspan > 1) else first
            for rr in range(r, r + rowspan):
                for cc in range(c, c + colspan):
                    taken.add((rr, cc))
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.line_spacing = 1.0
            run_font(p.add_run(clean(text)), header_font, size)
            cell.vertical_alignment = 1
            c += colspan
    for row in t.rows:
        for i, cell in enumerate(row.cells):
            cell.width = tw[min(i, ncols - 1)] * 635
    body = []
    for values in rows:
        if isinstance(values, str):  # a full-width row
            cell = _cell_xml(values, sum(tw), "left", half, HEI).replace(
                "<w:tcPr>", f'<w:tcPr><w:gridSpan w:val="{ncols}"/><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>', 1)
            body.append(f'<w:tr {nsdecls("w")}><w:trPr><w:cantSplit/></w:trPr>{cell}</w:tr>')
            continue
        cells = "".join(_cell_xml(v, tw[i], align[i], half, SONG) for i, v in enumerate(values))
        body.append(f'<w:tr {nsdecls("w")}><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>')
    for xml in body:
        tbl.append(parse_xml(xml))
    return t


def to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
