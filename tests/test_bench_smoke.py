"""The benchmark (bench/): it runs at the smallest size and reports every key, and the
speed-ups it drove keep behaviour — the column-wise import validation gives what the row-by-row
one gives, and the vectorised quota ladder what the plain loop gives (both references below are
the straightforward versions the fast ones replaced). No timing is asserted here."""
from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from scoring.engine import rulebook_for
from scoring.engine.policies import quota_ladder
from scoring.intake.importer import check_file, check_rows
from scoring.intake.normalize import clean_key, clean_text, parse_date
from scoring.intake.reader import HEADERS
from scoring.profile.match import match_item, weight_of
from scoring.profile.rules import MATCH_COLUMNS
from scoring.profile import default_profile
from scoring.profile.units import Unit, UnitBook, UnknownUnit
from scoring.intake.validate import MAX_CELL, TEXT_HEADERS, FIELD_OF, identity, normalise_authors, validate_rows

QUOTA = default_profile().quota_numbers(default_profile().quotas[0])

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"events", "units", "rank_year_s", "whatif_s", "import_xlsx_100k_s", "import_xlsx_100k_cpu_s", "bare_duckdb_s",
        "pandas_loop_s", "peak_rss_mib", "import_peak_rss_mib", "pages"}


def test_benchmark_runs_at_the_smallest_size_and_reports_every_key(tmp_path):
    out = tmp_path / "bench.json"
    # Its own cache folder: others running the suite in this tree at the same time must not
    # share (or lock) our store. pages: bench/page_times.py builds its own demo database and drives
    # every page (about a minute); its key is still reported (null here).
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--events", "10000", "--units", "54",
                           "--repeat", "1", "--skip", "pages", "--json", str(out), "--results", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) == KEYS
    assert json.loads(done.stdout.strip().splitlines()[-1]) == result
    assert (result["events"], result["units"]) == (10_000, 54)
    for key in ("rank_year_s", "whatif_s", "import_xlsx_100k_s", "import_xlsx_100k_cpu_s", "bare_duckdb_s",
                "pandas_loop_s", "peak_rss_mib", "import_peak_rss_mib"):
        assert isinstance(result[key], (int, float)) and result[key] > 0, key


# --------------------------------------------------------------------------------------------
# Column-wise validation == row by row
# --------------------------------------------------------------------------------------------
def reference_validate_row(values, units, rules):
    """validate.validate_row as it was written row by row (before the column-wise version)."""
    errors = []
    day = None
    try:
        day = parse_date(values.get("日期"))
        if not 2000 <= day.year <= 2099:
            raise ValueError(f"日期 {day.isoformat()} 超出合理范围")
    except ValueError as e:
        errors.append(("日期", str(e)))
    unit = None
    try:
        unit = units.resolve(clean_text(values.get("单位")))
        if day is not None and not unit.active_on(day):
            errors.append(("单位", f"{unit.name} 在 {day.isoformat()} 不在考评名单中（启用 {unit.active_from.isoformat()}"
                                   + (f"，停用于 {unit.active_to.isoformat()}）" if unit.active_to else "）")))
    except UnknownUnit as e:
        errors.append(("单位", str(e) if e.name else "单位为空"))
    keys = {h: clean_key(h, values.get(h), rules.latest().vocab.alias_map) for h in ("类型", *MATCH_COLUMNS)}
    text = {h: clean_text(values.get(h)) for h in TEXT_HEADERS}
    for h, v in text.items():
        if len(v) > MAX_CELL:
            errors.append((h, f"内容过长（{len(v)} 字），不超过 {MAX_CELL} 字"))
    if text["期号"].endswith(".0") and text["期号"][:-2].isdigit():
        text["期号"] = text["期号"][:-2]
    text["作者"] = normalise_authors(text["作者"])
    code = None
    if day is not None:
        code, match_errors = match_item(rules.version_for(day), keys)
        errors.extend(match_errors)
    if errors:
        return None, errors
    if keys["类型"] == "批示":
        keys["栏目"] = ""
    event = {"day": day, "unit_id": unit.id, "unit": unit.name, "code": code}
    event.update({FIELD_OF[h]: v for h, v in keys.items()})
    event.update({FIELD_OF[h]: v for h, v in text.items()})
    event["weight"] = weight_of(rules.version_for(day), code, keys)  # no 分值 column: pick stays empty
    event["pick"] = None
    event["identity"] = identity(event)
    return event, []


SPACES = [" ", "\u3000", "\t", "\n", "\xa0", "\x1c", "\u2003", ""]
POOLS = {
    "日期": ["2025-03-05", "2025/3/5", "2025年3月6日", "20250307", "２０２５-０３-０８", " 2025-03-10 ", "2025-03-05 00:00:00",
           date(2025, 4, 1), datetime(2025, 4, 2, 9, 30), 45750, 45750.0, "45751", "2025-02-30", "1999-05-01",
           "2023-06-01", "", None, "  ", "不是日期", True],
    "单位": ["发展和改革委员会", "发改委", " 教育局 ", "教育局\u3000", "财政局", "人社局", "不存在的局", "", None, "发改", 12],
    "类型": ["采用", "报送", "批示", "扣分", "约稿", " 采用 ", "采 用", "采用\t", "错类型", "", None],
    "层级": ["市", "市级", "自治区", "自治区级", "国家", "", None, " 市 ", "省"],
    "刊物": ["政务要情", "《政务要情》", "决策参考", "专报信息", "每日要情", "“专报信息”", "", None, "国务院办公厅"],
    "栏目": ["简讯", "重要信息", "问题", "问题类", "非问题类", "前瞻性", "合稿", "约稿逾期", "未完成报送任务", "", None, "简 讯"],
    "批示人": ["", None, "市领导", "市政府办公室领导", "自治区领导", " 市领导 "],
    "信息编号": ["", None, "DK2025-0001", " DK2025-0002 ", "DK\u30002025", 12, 12.0],
    "期号": ["", None, "12", "12.0", 12, 12.0, "１２.0", "²3.0", " 7 ", "3.5", float("nan")],
    "标题": ["", None, "标题", "  多余  空格\t标题 ", "换行\n标题", "x" * (MAX_CELL + 1), "\x1c分隔\x1f", "\xa0不换行空格\u3000"],
    "作者": ["", None, "张三", "张三、李四", "张三,李四；王五", " 张三 ， 李四 ", "、、", "李四;"],
    "备注": ["", None, "备注", "y" * (MAX_CELL + 5), "  ", 3.25],
}


def tricky_rows(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        row = {h: rng.choice(values) for h, values in POOLS.items()}
        for h, v in row.items():  # stray spaces of every kind around text
            if isinstance(v, str) and rng.random() < 0.2:
                row[h] = rng.choice(SPACES) + v + rng.choice(SPACES)
        rows.append(row)
    return rows


def test_column_wise_validation_gives_what_row_by_row_gives(store):
    units, rules = store.unit_book(), rulebook_for(store)
    rows = tricky_rows(1, 3000)
    rows[7]["标题"] = "坏\udcff字 "  # not UTF-8: cleaned without Polars
    assert validate_rows(rows, units, rules) == [reference_validate_row(r, units, rules) for r in rows]
    # rows missing some headers (a caller's partial dict) and the one-row path
    partial = [{k: v for k, v in r.items() if k not in ("备注", "批示人")} for r in rows[:200]]
    assert validate_rows(partial, units, rules) == [reference_validate_row(r, units, rules) for r in partial]


def test_check_file_gives_what_check_rows_gives(store):
    """check_file works on columns; check_rows on {header: value} rows: one report either way."""
    units, rules = store.unit_book(), rulebook_for(store)
    valid = [{**r, "日期": f"2025-03-{1 + i % 28:02d}", "单位": "  财政局", "类型": "采用", "层级": "市级",
              "刊物": "《政务要情》", "栏目": "简讯", "批示人": None} for i, r in enumerate(tricky_rows(3, 100))]
    rows = tricky_rows(2, 600) + valid + [{h: None for h in HEADERS}, {h: " " for h in HEADERS}]
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("登记")
    header = ["序号", *HEADERS[::-1]]  # any order, an extra column
    sheet.write_row(0, 0, header)
    for i, r in enumerate(rows, start=1):
        sheet.write(i, 0, i)
        for j, h in enumerate(header[1:], start=1):
            v = r[h]
            if isinstance(v, datetime | date):
                sheet.write_datetime(i, j, datetime(v.year, v.month, v.day), book.add_format({"num_format": "yyyy-mm-dd"}))
            elif isinstance(v, float) and v != v:
                continue
            elif v is not None:
                sheet.write(i, j, v)
    book.close()
    data = buf.getvalue()
    by_columns = check_file(data, "登记.xlsx", units, rules, store.known_info_ids)

    from scoring.intake.reader import read_table

    table = read_table(data, "登记.xlsx")
    by_rows = check_rows([(n, {h: table.value(cells, h) for h in HEADERS}) for n, cells in table.rows],
                         "登记.xlsx", units, rules, store.known_info_ids)
    assert by_columns.rows_read == by_rows.rows_read == len(rows) - 2
    assert (by_columns.errors, by_columns.warnings, by_columns.events, by_columns.file_error) == \
        (by_rows.errors, by_rows.warnings, by_rows.events, by_rows.file_error)
    assert len([e for e, _ in validate_rows(rows, units, rules) if e]) > 20  # valid rows were compared too


# --------------------------------------------------------------------------------------------
# Vectorised quota grid + ladder == the plain loop
# --------------------------------------------------------------------------------------------
def reference_quota_ladder(monthly, months, units, waived, improvement_share=1.0):
    counts = {(r[0], r[1]): r[2] for r in monthly.select("unit_id", "month", "n").iter_rows()}
    out = []
    for unit in units.units:
        in_run = False
        for month in months:
            if not unit.active_on(month):
                continue
            quota = units.quota_on(unit.id, month)
            if quota is None:
                continue
            n = counts.get((unit.id, month), 0)
            row = {"unit_id": unit.id, "month": month, "quota": quota, "n": n, "code": None}
            if (unit.id, month) in waived:
                row["status"] = "豁免"
            elif n >= quota:
                row["status"], in_run = "达标", False
            elif in_run and n >= improvement_share * quota:
                row["status"], in_run = "较大改变", False
            elif in_run:
                row["status"], row["code"] = "未达标（经提醒仍未改变）", "DED_QUOTA_REPEAT"
            else:
                row["status"], row["code"], in_run = "未达标", "DED_QUOTA", True
            out.append(row)
    return pl.DataFrame(out, schema={"unit_id": pl.Int32, "month": pl.Date, "quota": pl.Int64,
                                     "n": pl.Int64, "code": pl.Utf8, "status": pl.Utf8})


def test_quota_ladder_gives_what_the_plain_loop_gives():
    rng = random.Random(3)
    months = [date(y, m, 1) for y in (2024, 2025) for m in range(1, 13)]
    for _ in range(300):
        units, memberships = [], {}
        for i in range(1, rng.randint(1, 12)):
            start = rng.choice([*months, date(2024, 3, 15)])
            end = rng.choice([None, None, rng.choice(months), date(2025, 5, 20)])
            units.append(Unit(i, f"单位{i}", rng.randint(0, 100), start, end))
            if rng.random() < 0.9:
                spans = {d: (d, g) for d, g in ((rng.choice([*months, date(2024, 2, 10)]), rng.choice("ABC"))
                                                for _ in range(rng.randint(1, 3)))}
                memberships[i] = list(spans.values())
        book = UnitBook(units, {}, memberships, QUOTA)
        tracked = sorted(rng.sample(months, rng.randint(0, 24)))
        monthly = pl.DataFrame([(u.id, m, rng.choice([0, 1, 3, 4, 5, 7, 8, 10, 12, 15, 20]))
                                for u in units for m in months if rng.random() < 0.8],
                               schema={"unit_id": pl.Int32, "month": pl.Date, "n": pl.Int64}, orient="row")
        waived = {(u.id, m) for u in units for m in months if rng.random() < 0.1}
        share = rng.choice([1.0, 0.75, 0.5, 0.0, 1.2])
        expected = reference_quota_ladder(monthly, tracked, book, waived, share)
        assert quota_ladder(monthly, tracked, book, waived, share).equals(expected)


# --------------------------------------------------------------------------------------------
# Many viewers: bench/load.py drives real websocket sessions against a server it starts
# --------------------------------------------------------------------------------------------
LOAD_KEYS = {"sessions", "p50_s", "p95_s", "max_s", "errors", "server_peak_rss_mib", "cpu_s"}


def _nginx() -> bool:
    from web.deployment import nginx_binary

    try:
        return bool(nginx_binary())
    except SystemExit:
        return False


@pytest.mark.parametrize("processes", [None, pytest.param(2, marks=pytest.mark.skipif(not _nginx(), reason="no nginx"))])
def test_load_benchmark_signs_in_and_switches_pages_without_errors(tmp_path, processes):
    # with --processes: the deploy/serve.sh deployment, measured through nginx
    out = tmp_path / "load.json"
    extra = ["--processes", str(processes)] if processes else []
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--sessions", "2", "--seconds", "5",
                           "--rounds", "1", "--json", str(out), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert LOAD_KEYS <= set(result)
    assert result["sessions"] == 2 and result["processes"] == (processes or 1)
    assert result["errors"] == 0, done.stderr[-2000:]
    assert result["switches"] > 0  # signed in (the menu appeared) and timed at least one switch
    assert result["p50_s"] <= result["p95_s"] <= result["max_s"]
    assert result["server_peak_rss_mib"] > 0 and result["cpu_s"] >= 0


def test_load_benchmark_counts_exceptions_and_error_alerts_and_reads_widgets():
    """A page that fails shows an exception element (or the page guard's st.error): load.py must
    count it, or a broken dashboard would pass as fast."""
    import importlib.util

    from streamlit.proto.Delta_pb2 import Delta

    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    load = sys.modules["bench_load"] = importlib.util.module_from_spec(spec)  # dataclasses look it up there
    spec.loader.exec_module(load)
    session = load.Session("ws://unused")
    failed, alert, fine, widget = Delta(), Delta(), Delta(), Delta()
    failed.new_element.exception.type = "KeyError"
    failed.new_element.exception.message = "x"
    alert.new_element.alert.format = alert.new_element.alert.ERROR
    alert.new_element.alert.body = "页面出错"
    fine.new_element.alert.format = fine.new_element.alert.INFO
    widget.new_element.text_input.id = "$$ID-abc-None"
    widget.new_element.text_input.label = "用户名"
    for delta in (failed, alert, fine, widget):
        session._element(delta)
    assert len(session.errors) == 2 and "KeyError" in session.errors[0] and "页面出错" in session.errors[1]
    assert session.widget("用户名").id == "$$ID-abc-None"
