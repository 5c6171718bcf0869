"""Concurrency: several `python -m scoring import` processes started at the same
moment on one new file all land; a command that finds the file held waits its turn, or exits 1
naming the holder (never a traceback); readers and writers in one process do not disturb each other."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import AS_OF, submissions
from demo.dengkou import load_units
from scoring.intake.register_xlsx import COLUMNS, write_xlsx
from scoring.engine import Engine, rulebook_for
from scoring.intake.importer import import_file
from scoring.engine.periods import Period
from scoring.store import Store

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 6
ROWS_PER_FILE = 40

# Started with everything imported, each process waits for the gate file, then runs
# `python -m scoring …` exactly as the command line does (runpy), so all hit the file at once.
GATED = """
import os, runpy, sys, time
import scoring.cli, scoring.engine, scoring.intake.importer  # the slow part, before the gate
gate = sys.argv[1]
open(f"{gate}.ready.{os.getpid()}", "w").close()
while not os.path.exists(gate):
    time.sleep(0.002)
sys.argv = ["scoring", *sys.argv[2:]]
runpy.run_module("scoring", run_name="__main__")
"""
HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(float(sys.argv[2]))"


def env(timeout_s: str = "60") -> dict:
    return dict(os.environ, SCORING_LOCK_TIMEOUT=timeout_s)


def worker_rows(k: int) -> list[dict]:
    name = load_units()[k * 7][0]
    return submissions(name, f"2025-{k % 12 + 1:02d}", ROWS_PER_FILE, title=f"进程{k}的信息")


def write_file(rows: list[dict], path: Path) -> Path:
    """xlsx, UTF-8 csv and GB18030 csv in turn: every reader path under contention."""
    kind = int(path.stem.rsplit("-", 1)[1]) % 3
    if kind == 0:
        write_xlsx(rows, path.with_suffix(".xlsx"))
        return path.with_suffix(".xlsx")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({c: r.get(c, "") for c in COLUMNS} for r in rows)
    path = path.with_suffix(".csv")
    path.write_bytes(buf.getvalue().encode("utf-8-sig" if kind == 1 else "gb18030"))
    return path


def test_simultaneous_imports_on_a_new_file_all_land(tmp_path):
    # `import` refuses a missing file (contract: `init` first), so the race is on a freshly initialised one:
    # every writer's first transaction meets the others on an empty events table.
    db = tmp_path / "new.duckdb"
    made = subprocess.run([sys.executable, "-m", "scoring", "init", "--profile", str(ROOT / "data/profiles/磴口"), "--db", str(db)], cwd=ROOT, env=env(),
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    gate = tmp_path / "go"
    files = [write_file(worker_rows(k), tmp_path / f"f-{k}") for k in range(WORKERS)]
    procs = [subprocess.Popen([sys.executable, "-c", GATED, str(gate), "import", str(f), "--db", str(db)],
                              cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files]
    deadline = time.monotonic() + 120  # every process started and waiting at the gate
    while len(list(tmp_path.glob("go.ready.*"))) < WORKERS and time.monotonic() < deadline:
        assert all(p.poll() is None for p in procs)
        time.sleep(0.05)
    gate.touch()
    results = [(p.wait(timeout=180), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert "已导入，新增 40 行" in out
        assert "Traceback" not in err
    store = Store(db)
    assert store.event_count() == WORKERS * ROWS_PER_FILE
    assert store.scalar("SELECT count(*) FROM import_rows") == WORKERS * ROWS_PER_FILE
    imports = store.imports()
    assert imports.height == WORKERS and set(imports["rows_new"]) == {ROWS_PER_FILE}
    assert store.frame("SELECT count(*) AS n FROM units")["n"][0] == len(load_units())  # seeded once
    assert sorted(store.audit_log()["action"]) == ["导入"] * WORKERS


def hold(path: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_an_import_waits_its_turn(tmp_path):
    db = tmp_path / "s.duckdb"
    Store(db)
    f = write_file(worker_rows(1), tmp_path / "f-1")
    holder = hold(db, 2.0)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "scoring", "import", str(f), "--db", str(db)], cwd=ROOT,
                          env=env("60"), capture_output=True, text=True, timeout=120)
    holder.wait()
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started > 1.5
    assert Store(db).event_count() == ROWS_PER_FILE


def test_a_busy_file_gives_a_clear_message_not_a_traceback(tmp_path):
    db = tmp_path / "s.duckdb"
    Store(db)
    f = write_file(worker_rows(2), tmp_path / "f-2")
    holder = hold(db, 60)
    try:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "scoring", "import", str(f), "--db", str(db)], cwd=ROOT,
                              env=env("2"), capture_output=True, text=True, timeout=120)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    assert waited >= 2
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert f"被进程 {holder.pid}" in done.stderr and "占用" in done.stderr and "已等待 2 秒" in done.stderr
    assert Store(db).event_count() == 0


def _csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({c: r.get(c, "") for c in COLUMNS} for r in rows)
    return buf.getvalue().encode("utf-8")


def test_readers_and_writers_in_one_process(tmp_path):
    """Browser sessions in the dashboard: rankings read while two staff import at once."""
    db = tmp_path / "s.duckdb"
    shared = Store(db)
    rules = rulebook_for(shared)
    import_file(shared, _csv(worker_rows(0)), "底数.csv", "甲", rules)
    errors: list[BaseException] = []
    reads = [0]
    stop = threading.Event()

    def reader(own_store: bool):
        try:
            store = Store(db) if own_store else shared
            while not stop.is_set():
                frame = Engine.open(store, as_of=AS_OF).ranking(Period.year(2025))
                assert frame.height == len(load_units())
                reads[0] += 1
        except BaseException as e:  # noqa: BLE001 - collected and reported below
            errors.append(e)

    def writer(who: str, ks: range, own_store: bool):
        try:
            store = Store(db) if own_store else shared  # a second Store object on the same file too
            for k in ks:
                report = import_file(store, _csv(worker_rows(k)), f"{who}-{k}.csv", who, rules)
                assert report.ok and report.new == ROWS_PER_FILE, report.messages()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    readers = [threading.Thread(target=reader, args=(i % 2 == 0,)) for i in range(4)]
    writers = [threading.Thread(target=writer, args=("乙", range(1, 4), False)),
               threading.Thread(target=writer, args=("丙", range(4, 7), True))]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    stop.set()
    for t in readers:
        t.join(timeout=120)
    assert not errors, errors
    assert reads[0] >= 4
    assert shared.event_count() == 7 * ROWS_PER_FILE
