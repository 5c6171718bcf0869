"""The benchmark: `python bench/run.py [--events N] [--units U] [--json FILE] [--repeat R]`.

Measures, warm and in this one process, the median of R runs (after one unmeasured warm-up):

  rank_year_s         Engine.open(store) + engine.ranking(Period.year(Y)), as `python -m scoring rank`
                      computes it: a fresh engine each run, so no memo is reused between runs
  whatif_s            the same with one override (`rank --set CITY_ZWYQ_BRIEF=4`)
  import_xlsx_100k_s  scoring.intake.importer.import_file of a 100,000-row register into a fresh store
                      (import_xlsx_100k_cpu_s: the CPU seconds of it, steadier on a shared machine)
  bare_duckdb_s       one hand-written DuckDB query over the same events table: join to points, sum
                      per unit, floor at zero, rank per group (no versions, no derived deductions);
                      it opens its own connection, as the engine does
  pandas_loop_s       the staff-script reference: read the events, then a pandas iterrows loop
                      applying a dict of points (measured once; skipped above 1M events)
  peak_rss_mib        peak RSS of a fresh process that opens the store and ranks the year (what
                      `python -m scoring rank` or one dashboard view needs; the runs above share
                      this process with pandas and the import, so their peak would measure those)
  import_peak_rss_mib peak RSS of a fresh process importing the 100,000-row register
  pages               {page: seconds} from bench/page_times.py (the dashboard's pages), when present

The event store comes from bench/generate.py (cached under bench/results/), built in a child
process so that its memory does not count here.
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

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import duckdb  # noqa: E402
import polars as pl  # noqa: E402

import generate  # noqa: E402
from report import emit  # noqa: E402
from scoring.cli.rank import RANK_COLUMNS  # noqa: E402
from scoring.engine import Engine, ranking_for  # noqa: E402
from scoring.intake.importer import import_file  # noqa: E402
from scoring.engine.periods import Period  # noqa: E402
from scoring.store import Store  # noqa: E402
from scoring.store.base import CONFIG  # noqa: E402

OVERRIDE = {"CITY_ZWYQ_BRIEF": 4.0}
PANDAS_MAX_EVENTS = 1_000_000
IMPORT_ROWS = 100_000
KEYS = ("events", "units", "rank_year_s", "whatif_s", "import_xlsx_100k_s", "import_xlsx_100k_cpu_s", "bare_duckdb_s",
        "pandas_loop_s", "peak_rss_mib", "import_peak_rss_mib", "pages")


def median_time(fn, repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run_child(args: list[str], timeout: float | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def ensure_inputs(events: int, units: int, results: Path) -> tuple[Path, Path]:
    db, xlsx = generate.db_path(events, units, results), generate.import_xlsx_path(IMPORT_ROWS, results)
    for path, args in ((db, ["--events", str(events), "--units", str(units)]),
                       (xlsx, ["--import-xlsx", str(IMPORT_ROWS)])):
        if not path.exists():
            print(f"building {path.name} …", file=sys.stderr, flush=True)
            done = run_child([str(BENCH / "generate.py"), *args, "--results", str(results)])
            if done.returncode != 0:
                sys.exit(f"bench/generate.py failed:\n{done.stderr}")
    return db, xlsx


# --------------------------------------------------------------------------------------------
# What is measured
# --------------------------------------------------------------------------------------------
def rank_year(store: Store, year: int) -> pl.DataFrame:
    return ranking_for(store, Period.year(year)).select(RANK_COLUMNS)


def whatif(store: Store, year: int) -> pl.DataFrame:
    return ranking_for(store, Period.year(year), overrides=OVERRIDE).select(RANK_COLUMNS)  # as cmd_rank with --set


def points_of(store: Store) -> dict[str, float]:
    """The latest version's points per code: the bare query's and the staff script's table."""
    return {code: float(item.points) for code, item in Engine.open(store).book.latest().items.items()}


def bare_duckdb(db: Path, year: int, points: dict[str, float]) -> pl.DataFrame:
    values = ", ".join(f"('{code}', {p!r})" for code, p in points.items())
    con = duckdb.connect(str(db), config=CONFIG)
    try:
        return con.sql(f"""
            WITH points(code, points) AS (VALUES {values}),
            scores AS (
                SELECT g.grp, e.unit_id, greatest(sum(p.points), 0) AS score
                FROM events e JOIN points p ON p.code = e.code JOIN unit_groups g ON g.unit_id = e.unit_id
                WHERE NOT e.withdrawn AND e.day BETWEEN ? AND ?
                GROUP BY g.grp, e.unit_id)
            SELECT grp, unit_id, score, rank() OVER (PARTITION BY grp ORDER BY score DESC) AS rank
            FROM scores ORDER BY grp, rank""", params=[date(year, 1, 1), date(year, 12, 31)]).pl()
    finally:
        con.close()


def pandas_loop(db: Path, year: int, points: dict[str, float]):
    import pandas as pd

    con = duckdb.connect(str(db), config=CONFIG)
    try:
        events = con.sql("""SELECT e.unit_id, e.code, g.grp FROM events e JOIN unit_groups g USING (unit_id)
            WHERE NOT e.withdrawn AND e.day BETWEEN ? AND ?""", params=[date(year, 1, 1), date(year, 12, 31)]).df()
    finally:
        con.close()
    totals: dict[int, float] = {}
    groups: dict[int, str] = {}
    for _, row in events.iterrows():
        unit = row["unit_id"]
        totals[unit] = totals.get(unit, 0.0) + points.get(row["code"], 0.0)
        groups[unit] = row["grp"]
    result = pd.DataFrame({"unit_id": list(totals), "score": [max(v, 0.0) for v in totals.values()],
                           "grp": [groups[u] for u in totals]})
    result["rank"] = result.groupby("grp")["score"].rank(method="min", ascending=False).astype(int)
    return result


def import_100k(xlsx: Path, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds (all threads of this process) of importing the register."""
    data = xlsx.read_bytes()
    times, cpu = [], []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        for i in range(repeat + 1):  # the first is the warm-up
            store = Store(Path(tmp) / f"import_{i}.duckdb")
            book = Engine.open(store).book  # as cmd_import does, before the timed import
            t0, c0 = time.perf_counter(), time.process_time()
            report = import_file(store, data, xlsx.name, "基准测试", book)
            elapsed, used = time.perf_counter() - t0, time.process_time() - c0
            if not report.ok:
                sys.exit("import benchmark: the register did not pass validation: " + "; ".join(report.messages()[:3]))
            if i:
                times.append(elapsed)
                cpu.append(used)
    return statistics.median(times), statistics.median(cpu)


def peak_of(what: str, db: Path, xlsx: Path) -> float:
    """Peak RSS (MiB) of a fresh process doing one measure once: `bench/run.py --peak WHAT`."""
    done = run_child([str(BENCH / "run.py"), "--peak", what, "--db", str(db), "--xlsx", str(xlsx)])
    if done.returncode != 0:
        sys.exit(f"bench/run.py --peak {what} failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.split()[-1])


def run_for_peak(what: str, db: Path, xlsx: Path) -> int:
    if what == "rank":
        rank_year(Store(db), generate.YEAR)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
            store = Store(Path(tmp) / "import.duckdb")
            import_file(store, xlsx.read_bytes(), xlsx.name, "基准测试", Engine.open(store).book)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent.
    hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    print(round(int(hwm.split()[1]) / 1024, 1))
    return 0


def pages(timeout: float) -> dict | None:
    script = BENCH / "page_times.py"
    if not script.exists():
        return None
    try:
        done = run_child([str(script)], timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"bench/page_times.py took longer than {timeout:g} s: pages not measured", file=sys.stderr)
        return None
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    for text in (done.stdout, lines[-1] if lines else ""):
        try:
            found = json.loads(text)
            if isinstance(found, dict):
                return found
        except ValueError:
            continue
    print(f"bench/page_times.py gave no JSON (exit {done.returncode}): {done.stderr[-500:]}", file=sys.stderr)
    return None


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------
def targets(result: dict) -> list[tuple[str, str, bool]]:
    """(what, target, met) for the targets of this size (bench/README.md); skipped measures are left out."""
    n, units, out = result["events"], result["units"], []
    rank, bare, whatif_s, pandas = (result[k] for k in ("rank_year_s", "bare_duckdb_s", "whatif_s", "pandas_loop_s"))

    def check(label, target, *values, ok):
        if None not in values:
            out.append((label, target(*values) if callable(target) else target, bool(ok(*values))))

    if n <= 10_000:
        check("rank_year_s", "< 0.05", rank, ok=lambda r: r < 0.05)
        check("whatif_s", "< 0.1", whatif_s, ok=lambda w: w < 0.1)
        check("pages", "each < 0.5 s", result.get("pages") or None, ok=lambda p: all(v < 0.5 for v in p.values()))
    if n >= 1_000_000:
        limit = 0.5 if n < 10_000_000 else 1.5
        check("rank_year_s", f"< {limit}", rank, ok=lambda r: r < limit)
        check("rank_year_s / bare_duckdb_s", lambda r, b: f"≤ 3 (now {r / b:.2f})", rank, bare, ok=lambda r, b: r / b <= 3)
    if n == 1_000_000:
        check("pandas_loop_s / rank_year_s", lambda p, r: f"≥ 100 (now {p / r:.0f})", pandas, rank,
              ok=lambda p, r: p / r >= 100)
        if units <= 54:
            check("peak_rss_mib", "< 400", result["peak_rss_mib"], ok=lambda m: m < 400)
    if n >= 10_000_000:
        check("peak_rss_mib", "< 1024", result["peak_rss_mib"], ok=lambda m: m < 1024)
    check("import_xlsx_100k_s", "< 3", result["import_xlsx_100k_s"], ok=lambda s: s < 3)
    return out


def table(result: dict) -> str:
    def fmt(v):
        return "—" if v is None else (f"{v:,.4f}" if isinstance(v, float) else f"{v:,}")

    lines = [f"{'measure':<22} {'value':>12}"]
    lines += [f"{k:<22} {fmt(result[k]):>12}" for k in KEYS if k != "pages"]
    for page, seconds in (result.get("pages") or {}).items():
        lines.append(f"{'page ' + page:<22} {fmt(float(seconds)):>12}")
    lines.append("")
    for what, target, met in targets(result):
        lines.append(f"{'met' if met else 'NOT met':<8} {what} {target}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="政务信息考评 benchmark")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=54)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the JSON here")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measure (median); default 5")
    parser.add_argument("--skip", default="", help="comma list of measures not to run (their value is null)")
    parser.add_argument("--pages-timeout", type=float, default=300.0)
    parser.add_argument("--results", type=Path, default=generate.RESULTS,
                        help="where generated stores and the import register are cached (default bench/results)")
    parser.add_argument("--peak", choices=("rank", "import"), help=argparse.SUPPRESS)  # the child of peak_of
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--xlsx", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peak:
        return run_for_peak(args.peak, args.db, args.xlsx)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    db, xlsx = ensure_inputs(args.events, args.units, args.results)
    store = Store(db)
    year = generate.YEAR
    result: dict = {k: None for k in KEYS}
    result["events"] = store.event_count()
    result["units"] = len(store.unit_book())
    points = points_of(store)

    if "rank_year_s" not in skip:
        result["rank_year_s"] = median_time(lambda: rank_year(store, year), args.repeat)
    if "whatif_s" not in skip:
        result["whatif_s"] = median_time(lambda: whatif(store, year), args.repeat)
    if "bare_duckdb_s" not in skip:
        result["bare_duckdb_s"] = median_time(lambda: bare_duckdb(db, year, points), args.repeat)
    if "pandas_loop_s" not in skip and result["events"] <= PANDAS_MAX_EVENTS:
        t0 = time.perf_counter()
        staff = pandas_loop(db, year, points)
        result["pandas_loop_s"] = time.perf_counter() - t0
        bare = bare_duckdb(db, year, points).sort("unit_id")
        if sorted(staff["score"].tolist()) != sorted(bare["score"].to_list()):
            print("warning: the pandas loop and the bare query disagree on scores", file=sys.stderr)
    if "import_xlsx_100k_s" not in skip:
        result["import_xlsx_100k_s"], result["import_xlsx_100k_cpu_s"] = import_100k(xlsx, args.repeat)
    if "peak_rss_mib" not in skip:
        result["peak_rss_mib"] = peak_of("rank", db, xlsx)
    if "import_peak_rss_mib" not in skip:
        result["import_peak_rss_mib"] = peak_of("import", db, xlsx)
    if "pages" not in skip:
        result["pages"] = pages(args.pages_timeout)

    for k in ("rank_year_s", "whatif_s", "import_xlsx_100k_s", "import_xlsx_100k_cpu_s", "bare_duckdb_s",
              "pandas_loop_s"):
        if result[k] is not None:
            result[k] = round(result[k], 4)
    print(table(result))
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
