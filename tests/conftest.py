"""Shared fixtures: an in-memory store, a way to put register rows into it the way an import
does (validation included), the demo database built once per run, and the test markers.

Markers (pytest.ini): `pytest` alone runs the fast set; `bash scripts/test.sh` (the README's
command, and CI) runs everything. Which tests are slow, drive a browser or start processes is
decided here, in one place, by module, and for browser tests also by their fixtures; a single
test in an otherwise fast module carries its own mark (e.g. the PDF renderings in test_reports)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scoring.engine import Engine, rulebook_for  # noqa: E402
from scoring.intake.importer import check_rows, store_report  # noqa: E402
from scoring.intake.reader import READ  # noqa: E402
from scoring.store import Store  # noqa: E402

AS_OF = date(2026, 6, 30)  # every month of 2024-2025 has ended


def row(day, unit, kind, level="", publication="", column="", leader="", **extra) -> dict:
    """A register row in the register's headers."""
    values = {"日期": day, "单位": unit, "类型": kind, "层级": level, "刊物": publication,
              "栏目": column, "批示人": leader}
    names = {"info_id": "信息编号", "issue": "期号", "title": "标题", "author": "作者", "note": "备注"}
    values.update({names[k]: v for k, v in extra.items()})
    return values


def submissions(unit: str, month: str, n: int, title: str = "报送信息") -> list[dict]:
    """n 报送 rows for a unit in a month ('2025-01'), distinct titles so none is a duplicate."""
    return [row(f"{month}-{1 + i % 28:02d}", unit, "报送", title=f"{title}{month}-{i}") for i in range(n)]


def load(store: Store, rows: list[dict], name: str = "登记表.xlsx", who: str = "测试"):
    numbered = [(i + 2, {h: r.get(h, "") for h in READ}) for i, r in enumerate(rows)]
    report = check_rows(numbered, name, store.unit_book(), rulebook_for(store), store.known_info_ids)
    assert report.ok, report.messages()
    return store_report(store, report, repr(rows).encode(), who)


def ranking(store: Store, period, as_of: date = AS_OF, overrides=None):
    return Engine.open(store, as_of=as_of, overrides=overrides).ranking(period)


def unit_row(store: Store, unit: str, period, as_of: date = AS_OF, overrides=None) -> dict:
    frame = ranking(store, period, as_of, overrides)
    return frame.filter(frame["单位"] == unit).row(0, named=True)


def task_period(store: Store, task: str, first_day: date, as_of: date = AS_OF) -> dict[str, dict]:
    """Unit name -> its status row (n, quota, top, status) for the task period beginning on `first_day`."""
    engine = Engine.open(store, as_of=as_of)
    policy = next(t for t in engine.profile.quotas if t.name == task)
    frame = engine.task_status(policy, as_of)
    frame = frame.filter(frame["month"] == first_day)
    names = dict(engine.units.table.select("unit_id", "单位").iter_rows())
    return {names[r["unit_id"]]: r for r in frame.iter_rows(named=True)}


def fast_xlsx(rows: list[dict], path: Path) -> Path:
    """A large register written quickly (constant memory, every cell as text)."""
    import xlsxwriter

    from scoring.intake.register_xlsx import COLUMNS

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("事件登记")
    sheet.write_row(0, 0, COLUMNS)
    for i, r in enumerate(rows, start=1):
        sheet.write_row(i, 0, [str(r.get(c, "")) for c in COLUMNS])
    book.close()
    return path


@pytest.fixture
def store() -> Store:
    return Store(":memory:")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The generated demo database (two years, every unit), built once per run. Read it only;
    copy it to write."""
    from demo.build import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    return path


# module name -> markers; browser tests are also found by the fixtures they use
MODULE_MARKS = {
    "test_cli": ("subprocess",), "test_concurrency": ("subprocess",), "test_crash": ("subprocess",),
    "test_offline_install": ("subprocess", "slow"),
    "test_hostile": ("slow",), "test_hostile_large": ("slow",), "test_bench_smoke": ("slow", "subprocess"),
    "test_profile_pages": ("slow",),  # every page on each example profile's demo database
    "test_server_guards": ("subprocess",),  # server.py on a free port
}
BROWSER_FIXTURES = {"browser", "chromium", "server"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rpartition(".")[2]
        for mark in MODULE_MARKS.get(module, ()):
            item.add_marker(mark)
        if module.startswith("test_browser") or BROWSER_FIXTURES & set(item.fixturenames):
            item.add_marker("browser")
