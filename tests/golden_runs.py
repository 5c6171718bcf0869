"""The `rank` runs whose output tests/golden/ keeps: the demo database, each year and quarter,
with and without a what-if. Shared by the golden test and by whoever regenerates the files
(which should only ever happen when a scoring change is intended and explained)."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
AS_OF = "2026-01-15"  # every month of the demo's two years has ended
WHAT_IF = ["--set", "CITY_ZWYQ_BRIEF=4", "--set", "DED_QUOTA=-10"]


def runs() -> list[tuple[str, list[str]]]:
    """(file name, rank arguments) of every golden run."""
    out = []
    for year in (2024, 2025):
        for quarter in (None, 1, 2, 3, 4):
            period = ["--year", str(year)] + (["--quarter", str(quarter)] if quarter else [])
            stem = f"rank-{year}" + (f"Q{quarter}" if quarter else "")
            out.append((f"{stem}.csv", period))
            out.append((f"{stem}-set.csv", period + WHAT_IF))
    return out


def rank_output(db: Path, args: list[str]) -> str:
    from scoring.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["rank", "--db", str(db), "--as-of", AS_OF, *args])
    assert code == 0, f"rank {args} exited {code}"
    return buf.getvalue()


def build(db: Path) -> None:
    from demo.build import build_demo

    build_demo(db)


if __name__ == "__main__":  # regenerate: .venv/bin/python tests/golden_runs.py
    import sys
    import tempfile

    sys.path.insert(0, str(GOLDEN.parent.parent))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        build(db)
        for name, args in runs():
            (GOLDEN / name).write_text(rank_output(db, args), encoding="utf-8", newline="")
