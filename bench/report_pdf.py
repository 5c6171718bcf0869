"""How long the 通报 PDF takes, and how many pages it has, on the demo database.

    python bench/report_pdf.py [--db PATH] [--repeat N]

Builds the demo database in a temporary folder unless --db is given, then times
`scoring.reports.render(engine, period, ".pdf", attachments=…)` — gathering the figures, laying
out the blocks, weasyprint — for the demo's second quarter (issued 8 July 2025) and year (issued
8 January 2026): the year with its default attachments, and with every attachment (all adopted
items and the per-unit breakdown). Each case runs once unmeasured, then N times; the median is
printed as one line of JSON:
`q2_pdf_s q2_pages annual_pdf_s annual_pages annual_full_pdf_s annual_full_pages annual_docx_s`.
Target: annual_pdf_s < 8 on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def timed(fn, repeat: int) -> tuple[float, bytes]:
    out = fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t)
    return round(statistics.median(runs), 2), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing database (default: a fresh demo database)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from scoring import reports
    from scoring.engine import Engine
    from scoring.periods import Period
    from scoring.store import Store

    full = reports.Attachments(scores=True, breakdown=True, adopted="all")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "demo.duckdb"
        if not args.db:
            from scoring.demo_db import build_demo

            build_demo(db)
        store = Store(db)
        quarter = Engine.open(store, as_of=date(2025, 7, 8))
        year = Engine.open(store, as_of=date(2026, 1, 8))
        q2 = Period.quarter(2025, 2)
        y = Period.year(2025)
        result = {}
        for key, engine, period, ext, attach in (
                ("q2_pdf", quarter, q2, ".pdf", None),
                ("annual_pdf", year, y, ".pdf", None),
                ("annual_full_pdf", year, y, ".pdf", full),
                ("annual_docx", year, y, ".docx", None)):
            seconds, data = timed(lambda: reports.render(engine, period, ext, attachments=attach), args.repeat)
            result[f"{key}_s"] = seconds
            if ext == ".pdf":
                result[f"{key.removesuffix('_pdf')}_pages"] = pages(data)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
