"""Sample 通报 pages for the documentation: `python -m scoring.reports.samples [--db PATH] [--out DIR]`.

Builds the PDFs of a demo quarter (2025 Q2, as issued on 8 July) and year (2025, as issued on
8 January 2026) and renders chosen pages to PNG with pdftoppm (poppler-utils).
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from scoring.engine import Engine
from scoring.engine.periods import Period
from scoring.store import Store
from scoring.reports.attachments import Attachments
from scoring.reports.common import assemble
from scoring.reports.pdf import build_pdf

SAMPLES = [
    # (file stem, period, as-of = issue date, attachments (None: the period's default), pages to render)
    ("2025Q2", Period.quarter(2025, 2), date(2025, 7, 8), None, [1, 2, 3, 4, 5, 8]),
    ("2025", Period.year(2025), date(2026, 1, 8), None, [1, 2, 3, 5, 6, 9, 11]),
    ("2025-明细", Period.year(2025), date(2026, 1, 8), Attachments(scores=False, breakdown=True, adopted="none"), [8]),
]


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def render_pages(pdf: Path, out_dir: Path, stem: str, pages: list[int], dpi: int = 72) -> list[Path]:
    done = []
    last = page_count(pdf)
    for page in pages:
        if page > last:
            continue
        target = out_dir / f"{stem}-p{page:02d}"
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                        str(pdf), str(target)], check=True)
        png = target.with_suffix(".png")
        _shrink(png)
        done.append(png)
    return done


def _shrink(png: Path) -> None:
    """A page is black text, grey rules and a red masthead: 32 colours keep it sharp and small."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(png) as im:
        small = im.convert("RGB").quantize(colors=32)
    small.save(png, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成演示通报的 PDF 页面图片")
    parser.add_argument("--db", default="data/demo.duckdb")
    parser.add_argument("--out", default="docs/reports")
    parser.add_argument("--keep-pdf", action="store_true", help="同时保存 PDF 文件")
    args = parser.parse_args(argv)
    store = Store(args.db)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for stem, period, as_of, attach, pages in SAMPLES:
        engine = Engine.open(store, as_of=as_of)
        pdf_bytes = build_pdf(assemble(engine, period), attach)
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / f"{stem}.pdf"
            pdf.write_bytes(pdf_bytes)
            if args.keep_pdf:
                (out / f"通报-{stem}.pdf").write_bytes(pdf_bytes)
            for png in render_pages(pdf, out, f"通报-{stem}", pages):
                print(png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
