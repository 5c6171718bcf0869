"""`python -m scoring import` and `rank` as documented in README.md (run as processes)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAD = "日期,单位,类型,层级,刊物,栏目,批示人,信息编号,期号,标题,作者,备注"


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCORING_LOCK_TIMEOUT": "5"}
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=env)


def write(path: Path, *lines: str) -> str:
    path.write_text("\n".join([HEAD, *lines]) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "kp.duckdb")
    made = run("init", "--profile", "磴口", "--db", path)
    assert made.returncode == 0 and "已新建数据库" in made.stdout, made.stderr
    return path


def test_import_then_rank_csv(tmp_path, db):
    good = write(tmp_path / "a.csv", "2025-03-05,发改委,采用,市,政务要情,简讯,,,,标题,,",
                 "2025-03-06,教育局,采用,市,决策参考,,,,,标题2,,")
    done = run("import", good, "--db", db)
    assert done.returncode == 0, done.stderr
    assert "新增 2 行" in done.stdout
    again = run("import", good, "--db", db)
    assert again.returncode == 0 and "新增 0 行，已有 2 行" in again.stdout
    ranked = run("rank", "--db", db, "--year", "2025", "--quarter", "1")
    assert ranked.returncode == 0, ranked.stderr
    assert not ranked.stdout.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(ranked.stdout)))
    assert rows[0][:5] == ["组别", "排名", "单位", "报送数", "得分"]
    assert len(rows) == 1 + 54
    assert rows[1][:5] == ["A", "1", "教育局", "0", "18"]   # whole numbers without decimals
    assert rows[2][:5] == ["A", "2", "发展和改革委员会", "0", "3"]
    assert rows[3][:2] == ["A", "3"]
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])


def test_rank_json_and_what_if(tmp_path, db):
    run("import", write(tmp_path / "a.csv", "2025-03-05,发改委,采用,市,政务要情,简讯,,,,,,"), "--db", db)
    plain = json.loads(run("rank", "--db", db, "--year", "2025", "--format", "json").stdout)
    assert plain[0] == {**plain[0], "组别": "A", "排名": 1, "单位": "发展和改革委员会", "报送数": 0, "得分": 3}
    assert isinstance(plain[0]["得分"], int)
    what = run("rank", "--db", db, "--year", "2025", "--format", "json", "--set", "CITY_ZWYQ_BRIEF=4.5")
    assert json.loads(what.stdout)[0]["得分"] == 4.5
    # Stored nothing: the plain ranking is unchanged.
    assert json.loads(run("rank", "--db", db, "--year", "2025", "--format", "json").stdout) == plain


@pytest.mark.parametrize("setting", ["NO_SUCH=1", "DED_QUOTA=10", "CITY_JCCK=-1", "CITY_JCCK=abc", "CITY_JCCK"])
def test_bad_what_if_exits_2(db, setting):
    done = run("rank", "--db", db, "--year", "2025", "--set", setting)
    assert done.returncode == 2 and "错误" in done.stderr and "Traceback" not in done.stderr


def test_rejected_file_stores_nothing_and_does_not_stop_the_others(tmp_path, db):
    bad = write(tmp_path / "bad.csv", "2025-03-05,发改委,采用,市,政务要情,简讯,,,,,,",
                "2025-03-06,不存在的局,采用,市,决策参考,,,,,,,")
    good = write(tmp_path / "good.csv", "2025-03-07,教育局,线索,市,,,,,,,,")
    done = run("import", bad, str(tmp_path / "missing.csv"), good, "--db", db)
    assert done.returncode == 2
    assert "行 3 列 单位: 未知单位“不存在的局”" in done.stderr
    assert "文件 " in done.stderr and "missing.csv" in done.stderr
    assert "good.csv: 已导入，新增 1 行" in done.stdout
    ranked = list(csv.DictReader(io.StringIO(run("rank", "--db", db, "--year", "2025").stdout)))
    scores = {r["单位"]: r["得分"] for r in ranked}
    assert scores["发展和改革委员会"] == "0" and scores["教育局"] == "15"


def test_as_of_decides_which_months_have_ended(tmp_path, db):
    run("import", write(tmp_path / "a.csv", "2025-03-05,发改委,报送,,,,,,,,,"), "--db", db)
    def deduction(as_of):
        out = run("rank", "--db", db, "--year", "2025", "--format", "json", "--as-of", as_of).stdout
        return {r["单位"]: r["扣分"] for r in json.loads(out)}["发展和改革委员会"]
    assert deduction("2025-03-31") == 0
    assert deduction("2025-04-01") == -30


def test_bad_arguments_exit_2(db):
    assert run("rank", "--db", db).returncode == 2
    assert run("rank", "--db", db, "--year", "2025", "--quarter", "5").returncode == 2
    assert run("rank", "--db", db, "--year", "2025", "--as-of", "昨天").returncode == 2


def test_rank_any_period_from_to(tmp_path, db):
    """--from/--to ranks any period (a real 通报 covered 1–2月) with the numbers the dashboard's 自定义
    period shows: the engine's ranking of that range."""
    run("import", write(tmp_path / "a.csv", "2025-01-05,发改委,采用,市,政务要情,简讯,,,,,,",
                        "2025-02-06,教育局,采用,市,决策参考,,,,,,,", "2025-03-06,教育局,采用,市,决策参考,,,,,,,"), "--db", db)
    done = run("rank", "--db", db, "--from", "2025-01-01", "--to", "2025-02-28", "--as-of", "2025-06-30")
    assert done.returncode == 0, done.stderr
    shown = {r["单位"]: r["得分"] for r in csv.DictReader(io.StringIO(done.stdout))}
    from datetime import date

    from scoring.engine import Engine
    from scoring.engine.periods import Period
    from scoring.store import Store

    frame = Engine.open(Store(db), as_of=date(2025, 6, 30)).ranking(Period.between(date(2025, 1, 1), date(2025, 2, 28)))
    assert shown == {u: str(int(s)) for u, s in frame.select("单位", "得分").iter_rows()}
    assert (shown["发展和改革委员会"], shown["教育局"]) == ("3", "18")
    assert run("rank", "--db", db, "--from", "2025-01-01").returncode == 2
    assert run("rank", "--db", db, "--from", "2025-03-01", "--to", "2025-01-01").returncode == 2
