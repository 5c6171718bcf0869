"""Imports that cannot half-happen: `kill -9` in the middle of an import leaves the
store as before and usable; undo and withdrawal are audited, reversible, and lose no row."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import fast_xlsx, load, row, submissions
from demo.dengkou import load_units
from scoring.engine import rulebook_for
from scoring.intake.importer import import_file
from scoring.store import Store

ROOT = Path(__file__).resolve().parent.parent
BIG = 50_000

# Runs `python -m scoring import …` with one hook: when the import's transaction has written all
# its rows (events and import_rows, not yet committed) a marker file appears; in "hang" mode the
# process then sleeps inside the open transaction, waiting for the kill.
WRAPPED = """
import runpy, sys, time
from scoring.store import events
marker, mode = sys.argv[1], sys.argv[2]
original = events.EventsMixin._add_missing_copies
store_import = events.EventsMixin.store_import

def add_missing_copies(self, con, import_id):
    n = original(self, con, import_id)
    open(marker, "w").write(str(n))
    if mode == "hang":
        time.sleep(600)
    return n

def started(self, *args, **kwargs):
    open(marker + ".started", "w").close()
    return store_import(self, *args, **kwargs)

events.EventsMixin._add_missing_copies = add_missing_copies
events.EventsMixin.store_import = started
sys.argv = ["scoring", *sys.argv[3:]]
runpy.run_module("scoring", run_name="__main__")
"""


def big_rows(n: int) -> list[dict]:
    """n distinct valid 报送 rows spread over every unit and 24 months."""
    units = [name for name, _ in load_units()]
    rows = []
    i = 0
    while len(rows) < n:
        unit, month = units[i % len(units)], f"{2024 + (i // len(units)) % 2}-{(i // (2 * len(units))) % 12 + 1:02d}"
        rows.append(row(f"{month}-{1 + i % 28:02d}", unit, "报送", title=f"大批量信息{i}"))
        i += 1
    return rows


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    return fast_xlsx(big_rows(BIG), tmp_path_factory.mktemp("big") / "五万行.xlsx")


def state(db: Path) -> dict:
    con = duckdb.connect(str(db))
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("events", "import_rows", "imports", "audit", "corrections")}
    finally:
        con.close()


def start_wrapped(db: Path, file: Path, marker: Path, mode: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRAPPED, str(marker), mode, "import", str(file), "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the import never reached its transaction"
        time.sleep(0.01)


def seeded(db: Path) -> Store:
    store = Store(db)
    load(store, submissions("教育局", "2025-01", 16) + submissions("公安局", "2025-02", 9), "已有.xlsx")
    return store


def test_kill_inside_the_transaction_leaves_the_store_as_before(tmp_path, big_file):
    db = tmp_path / "s.duckdb"
    seeded(db)
    before = state(db)
    marker = tmp_path / "in-transaction"
    proc = start_wrapped(db, big_file, marker, "hang")
    wait_for(marker, proc)
    assert int(marker.read_text()) == BIG  # all 50,000 rows written, not committed
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL

    assert state(db) == before  # reopens cleanly (WAL replay), nothing of the killed import
    store = Store(db)
    assert store.event_count() == before["events"] == 25
    report = import_file(store, big_file.read_bytes(), big_file.name, "命令行:测试", rulebook_for(store))
    assert report.ok and report.new == BIG
    assert store.event_count() == 25 + BIG


def test_kill_at_an_arbitrary_moment_is_all_or_nothing(tmp_path, big_file):
    db = tmp_path / "s.duckdb"
    seeded(db)
    before = state(db)
    marker = tmp_path / "m"
    proc = start_wrapped(db, big_file, marker, "run")
    wait_for(Path(f"{marker}.started"), proc)
    time.sleep(0.1)  # somewhere in the transaction or its commit
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    after = state(db)
    landed = after["events"] != before["events"]
    print(f"\n[crash] killed 0.1 s into the import: {'committed whole' if landed else 'nothing stored'}")
    if not landed:
        assert after == before
    else:  # the commit had finished: then all of it, exactly once
        assert after["events"] == before["events"] + BIG and after["import_rows"] == before["import_rows"] + BIG
        assert after["imports"] == before["imports"] + 1
    # Whatever happened, the store works and a second run of the same file lands it exactly once.
    done = subprocess.run([sys.executable, "-m", "scoring", "import", str(big_file), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert Store(db).event_count() == before["events"] + BIG


def test_undo_and_withdrawal_are_audited_reversible_and_lose_nothing(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    first = load(store, submissions("教育局", "2025-01", 16), "一月.xlsx")
    second = load(store, submissions("教育局", "2025-01", 16) + submissions("教育局", "2025-02", 4), "一二月.xlsx")
    raw = store.scalar("SELECT count(*) FROM import_rows")
    assert (store.event_count(), raw) == (20, 36)

    assert store.undo_import(second.import_id, "甲", "文件有误") == 4  # the January rows stay: import 1 holds them
    assert store.event_count() == 16 and store.scalar("SELECT count(*) FROM import_rows") == raw
    assert store.redo_import(second.import_id, "甲", "核实无误") == 4
    assert store.event_count() == 20

    event_id = store.scalar("SELECT min(id) FROM events WHERE import_id = ?", [first.import_id])
    store.set_withdrawn(event_id, True, "乙", "采用被撤销")
    assert store.event_by_id(event_id)["withdrawn"] is True and store.event_count() == 20  # kept, flagged
    store.set_withdrawn(event_id, False, "乙", "误操作")
    assert store.event_by_id(event_id)["withdrawn"] is False

    # Undoing the import that holds a withdrawn event, then redoing it, brings the withdrawal back.
    store.set_withdrawn(event_id, True, "乙", "再次撤回")
    store.undo_import(first.import_id, "甲", "重导")
    store.undo_import(second.import_id, "甲", "重导")
    assert store.event_count() == 0 and store.scalar("SELECT count(*) FROM import_rows") == raw
    store.redo_import(first.import_id, "甲", "恢复")
    assert store.event_count() == 16
    assert store.scalar("SELECT count(*) FROM events WHERE withdrawn") == 1

    log = store.audit_log()
    assert list(zip(log["who"], log["action"]))[::-1] == [
        ("测试", "导入"), ("测试", "导入"), ("甲", "撤销导入"), ("甲", "恢复导入"), ("乙", "撤回事件"),
        ("乙", "恢复事件"), ("乙", "撤回事件"), ("甲", "撤销导入"), ("甲", "撤销导入"), ("甲", "恢复导入")]
    assert set(log.filter(log["action"] != "导入")["reason"]) == {"文件有误", "核实无误", "采用被撤销", "误操作",
                                                                  "再次撤回", "重导", "恢复"}
    assert store.corrections().height == 3  # the withdrawals themselves are kept as records
