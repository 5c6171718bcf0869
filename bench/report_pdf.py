"""How long the 通报 PDF takes, and how many pages it has, on the demo database.

    python bench/report_pdf.py [--db PATH] [--repeat N] [--json FILE]

Builds the demo database in a temporary folder unless --db is given, then times
`scoring.reports.render(engine, period, ".pdf", attachments=…)` — gathering the figures, laying
out the blocks, weasyprint — for the demo's second quarter (issued 8 July 2025) and year (issued
8 January 2026): the year with its default attachments, and with every attachment (all adopted
items and the per-unit breakdown). Each case runs once unmeasured, then N times; the median is
printed as one line of JSON: for each of `q2_pdf annual_pdf annual_full_pdf annual_docx` the
wall-clock seconds (`…_s`) and the process's CPU seconds (`…_cpu_s`), and the PDFs' page counts
(`q2_pages annual_pages annual_full_pages`). Target: annual_pdf_s < 8 on 2 cores.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from report import emit  # noqa: E402


def pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def timed(fn, repeat: int) -> tuple[float, float, bytes]:
    """Median wall-clock and CPU seconds of `repeat` runs after one unmeasured run. The work is
    single-threaded, so on an idle machine the two agree; on a shared one the CPU time is the
    steadier figure (it does not count time spent waiting for a core)."""
    out = fn()
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return round(statistics.median(wall), 2), round(statistics.median(cpu), 2), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing database (default: a fresh demo database)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args()

    from scoring import reports
    from scoring.engine import Engine
    from scoring.engine.periods import Period
    from scoring.store import Store

    full = reports.Attachments(scores=True, breakdown=True, adopted="all")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "demo.duckdb"
        if not args.db:
            from demo.build import build_demo

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
            seconds, cpu, data = timed(lambda: reports.render(engine, period, ext, attachments=attach), args.repeat)
            result[f"{key}_s"] = seconds
            result[f"{key}_cpu_s"] = cpu
            if ext == ".pdf":
                result[f"{key.removesuffix('_pdf')}_pages"] = pages(data)
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
