"""The 通报 (and any block document) as HTML, and as PDF through weasyprint.

Every piece of text from the data — unit names, titles, authors — goes through html.escape.
Fonts: the official names first (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体), as a machine with
the office's fonts has them; then the free Fandol faces of the same styles, which the project's
install step puts on every machine (scripts/install-fonts.sh); the Noto CJK fonts last, so a
machine without either still embeds a real CJK font.
"""
from __future__ import annotations

from html import escape as _escape

from scoring.reports.attachments import Attachments
from scoring.reports.common import ReportData
from scoring.reports.docxkit import clean
from scoring.reports.blocks import Masthead, PageBreak, Para, SpanRow, Table
from scoring.reports.document import build_blocks

SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", serif'
SANS = '"Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
SONG = f'"宋体", "SimSun", "FandolSong", {SERIF}'
TITLE = f'"方正小标宋简体", "FZXiaoBiaoSong-B05S", {SONG}'  # bold: 小标宋 is a heavy 宋
FANG = f'"仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "FandolFang", {SERIF}'
KAI = f'"楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "FandolKai", {SERIF}'
HEI = f'"黑体", "SimHei", "FandolHei", {SANS}'

CSS = f"""
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm;
  @bottom-center {{ content: "— " counter(page) " —"; font-family: {SONG}; font-size: 14pt; }} }}
@page landscape {{ size: A4 landscape; margin: 25mm 20mm 22mm 20mm;
  @bottom-center {{ content: "— " counter(page) " —"; font-family: {SONG}; font-size: 12pt; }} }}
html {{ font-family: {FANG}; font-size: 16pt; line-height: 28pt; color: #000; }}
body {{ margin: 0; }}
section.landscape {{ page: landscape; break-before: page; }}
section.portrait {{ break-before: page; }}
section.first {{ break-before: auto; }}
/* a page is filled to its last line, as a printed 公文 is: a paragraph may leave one line at the
   foot of a page or carry one over (the default two left a fifth of a page blank before a
   heading with a three-line paragraph); a heading still never ends a page (break-after) */
p {{ margin: 0; text-align: justify; orphans: 1; widows: 1; }}
.masthead .name {{ font-family: {TITLE}; font-weight: bold; color: #e60012; font-size: 40pt; line-height: 56pt;
  text-align: center; letter-spacing: 4pt; margin-top: 12pt; }}
.masthead .number {{ text-align: center; margin: 6pt 0; }}
.masthead .issuer {{ border-bottom: 2.5pt solid #e60012; padding-bottom: 4pt; margin-bottom: 18pt; text-align: left; }}
.masthead .issuer .date {{ float: right; }}
.title {{ font-family: {TITLE}; font-weight: bold; font-size: 22pt; line-height: 36pt; text-align: center;
  margin: 12pt 0 16pt; }}
.subtitle {{ font-family: {KAI}; text-align: center; margin-bottom: 6pt; }}
.addressee {{ text-indent: 0; }}
.body {{ text-indent: 2em; }}
.body .lead {{ font-family: {KAI}; }}
.h1 {{ font-family: {HEI}; text-indent: 2em; break-after: avoid; }}
.attach_list {{ text-indent: 2em; margin-top: 28pt; }}
.attach_list_more {{ padding-left: 5em; }}
.signature {{ text-align: right; padding-right: 2em; }}
.signature.first {{ margin-top: 56pt; }}
.attach_label {{ font-family: {HEI}; }}
.attach_title {{ font-family: {TITLE}; font-weight: bold; font-size: 18pt; line-height: 32pt; text-align: center;
  margin: 6pt 0 10pt; }}
.caption {{ font-family: {HEI}; font-size: 14pt; line-height: 24pt; margin: 8pt 0 4pt; break-after: avoid; }}
.note, .note_more, .list_head, .list_item, .list_text {{ font-size: 12pt; line-height: 20pt; }}
.list_head {{ font-family: {HEI}; margin-top: 6pt; break-after: avoid; }}
.list_item {{ padding-left: 2.5em; text-indent: -2.5em; }}
.list_text {{ text-indent: 2em; }}
.note {{ margin-top: 4pt; }}
.note_more {{ padding-left: 2em; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; font-family: {SONG}; font-size: 10.5pt; line-height: 13pt;
  margin-bottom: 6pt; }}
th, td {{ border: 0.6pt solid #000; padding: 1.5pt 3pt; vertical-align: middle; }}
th {{ font-family: {HEI}; font-weight: normal; text-align: center; }}
td.left {{ text-align: left; }} td.center {{ text-align: center; }} td.right {{ text-align: right; }}
tr.span td {{ font-family: {HEI}; background: #f2f2f2; break-after: avoid; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
"""


def escape(text) -> str:
    """html.escape, after dropping control characters a spreadsheet cell may carry."""
    return _escape(clean(text))


def _para(block: Para, state: dict) -> str:
    cls = block.style
    if cls == "signature" and not state.get("signed"):
        cls, state["signed"] = "signature first", True
    lead = f'<span class="lead">{escape(block.lead)}</span>' if block.lead else ""
    return f'<p class="{cls}">{lead}{escape(block.text)}</p>'


def _table(t: Table) -> str:
    total = sum(t.widths)
    cols = "".join(f'<col style="width:{w / total * 100:.2f}%">' for w in t.widths)
    head = "".join("<tr>" + "".join(
        f'<th colspan="{c.colspan}" rowspan="{c.rowspan}">{escape(c.text)}</th>' for c in row) + "</tr>"
        for row in t.header)
    align = t.align or ["center"] * len(t.widths)
    n = len(t.widths)
    body = "".join(
        f'<tr class="span"><td colspan="{n}">{escape(row.text)}</td></tr>' if isinstance(row, SpanRow) else
        "<tr>" + "".join(f'<td class="{align[i]}">{escape(v)}</td>' for i, v in enumerate(row)) + "</tr>"
        for row in t.rows)
    return f'<table class="{escape(t.kind)}"><colgroup>{cols}</colgroup><thead>{head}</thead><tbody>{body}</tbody></table>'


def blocks_html(blocks, title: str = "") -> str:
    parts = ['<section class="portrait first">']
    state: dict = {}
    kind = "portrait"
    for block in blocks:
        if isinstance(block, Masthead):
            parts.append(f'<div class="masthead"><p class="name">{escape(block.name)}</p>'
                         f'<p class="number">{escape(block.number)}</p>'
                         f'<p class="issuer">{escape(block.issuer)}<span class="date">{escape(block.date)}</span></p></div>')
        elif isinstance(block, Para):
            parts.append(_para(block, state))
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, PageBreak):
            if block.landscape is not None:
                kind = "landscape" if block.landscape else "portrait"
            parts.append(f'</section><section class="{kind}">')
    parts.append("</section>")
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def build_html(data: ReportData, attach: Attachments | None = None) -> str:
    return blocks_html(build_blocks(data, attach), data.title)


def build_pdf(data: ReportData, attach: Attachments | None = None) -> bytes:
    return html_to_pdf(build_html(data, attach))
