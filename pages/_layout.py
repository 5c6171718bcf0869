"""How the ranking, overview and unit pages fit a phone and the printed page: the CSS that switches
between wide and narrow variants and makes the print view, the script that fits charts to A4
landscape, table heights that show every row, and plain HTML tables for print.
"""
from __future__ import annotations

from html import escape

import polars as pl
import streamlit as st

from ._widgets import fmt_num

NARROW_PX = 640  # below this width (a phone held upright) pages show their compact variants
PHONE_ROW = 66  # a phone table's row height: the grid wraps a long name onto a second line only in rows over 4 rem

PAGE_CSS = f"""<style>
@media (max-width: {NARROW_PX}px) {{ [class*="st-key-wide_"] {{ display: none !important; }} }}
@media (min-width: {NARROW_PX + 1}px) {{ [class*="st-key-narrow_"] {{ display: none !important; }} }}
@media screen {{ [class*="st-key-print_"] {{ display: none !important; }} }}
@media print {{
  @page {{ size: A4 landscape; margin: 10mm; }}
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stElementToolbar"], [class*="st-key-screen_"], [class*="st-key-narrow_"], [class*="st-key-wide_"],
  [data-testid="stTabs"] [role="tablist"] {{ display: none !important; }}
  html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"], section.main {{
    height: auto !important; min-height: 0 !important; overflow: visible !important;
    position: static !important; }}
  [data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: 100% !important; }}
  [data-testid="stPlotlyChart"] {{ break-inside: avoid; max-width: 100%; overflow: hidden; }}
  h1 {{ font-size: 20pt !important; padding: 0 !important; }}
  .print-table {{ width: auto; min-width: 40%; max-width: 100%; border-collapse: collapse; font-size: 9pt;
    margin-bottom: 4mm; }}
  .print-table.keep {{ break-inside: avoid; }}
  .print-table caption {{ text-align: left; font-weight: bold; font-size: 11pt; padding: 2mm 0; }}
  .print-table th, .print-table td {{ border: 0.5pt solid #999; padding: 0.6mm 1.2mm; }}
  .print-table th {{ background: #eee; white-space: nowrap; }}
  .print-table td.num {{ text-align: right; white-space: nowrap; }}
  .print-table thead {{ display: table-header-group; }}
  .print-table tr {{ break-inside: avoid; }}
}}
</style>"""


# A chart keeps the pixel size it had on screen when printed; before printing, each one is zoomed
# to fit the printable area of an A4 landscape page (277 × 190 mm at 96 px per inch), and reset
# afterwards. Ctrl+P fires beforeprint; a print-media switch (as in a PDF printer) fires the query.
FIT_CHARTS_JS = """<script>
(() => {
  if (window.__fitChartsForPrint) return;
  const W = 1040, H = 600;
  const fit = (on) => document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach(chart => {
    const el = chart.closest('[data-testid="stElementContainer"]') || chart;
    el.style.zoom = '';
    if (!on) return;
    const svg = chart.querySelector('.main-svg');
    if (!svg) return;
    // the box can be taller than the drawing (Streamlit's frame around it): fit the taller
    const w = svg.width.baseVal.value, h = Math.max(svg.height.baseVal.value, el.offsetHeight);
    const z = Math.min(1, W / w, H / h);
    if (z < 1) el.style.zoom = String(z);
  });
  window.__fitChartsForPrint = fit;
  window.addEventListener('beforeprint', () => fit(true));
  window.addEventListener('afterprint', () => fit(false));
  // With print media switched on in a window (a PDF printer), the charts redraw at the wider
  // width the hidden sidebar leaves: fit again once they have.
  window.matchMedia('print').addEventListener('change', e => {
    fit(e.matches);
    if (e.matches) [400, 1200].forEach(ms => setTimeout(() => fit(window.matchMedia('print').matches), ms));
  });
})();
</script>"""


def page_css() -> None:
    """The rules that switch between a page's wide and narrow (phone) variants and make its print
    view: containers keyed wide_… show on a screen wider than a phone, narrow_… on a phone,
    print_… only on paper, screen_… only on screen; when printed the sidebar, header and
    toolbars go, the page is unboxed (no scroll area cuts it) and fits A4 landscape. Call once
    per page run."""
    st.html(PAGE_CSS)
    st.html(FIT_CHARTS_JS, unsafe_allow_javascript=True)


def full_height(rows: int, row_height: int = 35) -> int:
    """The pixel height of a table that shows every row, so no scroll box hides some of them
    (header, rows of 35 px or `row_height`, borders, and room for a sideways scroll bar)."""
    return 38 + row_height * rows + 14


def capped_height(rows: int, at_most: int) -> int:
    """The pixel height of a table of `rows` rows up to `at_most`: a long list (events, requests,
    a what-if group) scrolls inside its box instead of pushing the page down."""
    return min(38 + 35 * rows, at_most)


def print_table(frame: pl.DataFrame, caption: str = "", formats: dict[str, str] | None = None) -> str:
    """A plain HTML table for the print view (a canvas table prints only its visible part). Every
    cell is escaped: unit names are text typed by users. `formats` gives a printf format per
    numeric column, otherwise numbers use fmt_num."""
    formats = formats or {}

    def cell(col: str, value) -> str:
        if value is None:
            return '<td class="num">—</td>' if frame.schema[col].is_numeric() else "<td></td>"
        if frame.schema[col].is_numeric():
            text = formats[col] % value if col in formats else fmt_num(value)
            return f'<td class="num">{escape(text)}</td>'
        return f"<td>{escape(str(value))}</td>"

    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(cell(c, v) for c, v in zip(frame.columns, row)) + "</tr>"
                   for row in frame.iter_rows())
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    keep = " keep" if frame.height <= 20 else ""  # a short table is not split over two sheets
    return f'<table class="print-table{keep}">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
