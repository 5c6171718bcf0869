"""Backup and restore: a consistent snapshot while the file is in use, a restore that
keeps the previous database, refuses what is not a store, and leaves a working store behind."""
from __future__ import annotations

import json
import re
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from conftest import load, ranking, submissions
from scoring.accounts import auth
from scoring.backup import BackupError, backup_bytes, backup_to, restore_from
from scoring.cli import main
from scoring.engine.periods import Period
from scoring.store import Store

ROOT = Path(__file__).resolve().parent.parent
Q1 = Period.quarter(2025, 1)


def filled(path) -> Store:
    store = Store(path)
    load(store, submissions("教育局", "2025-01", 16) + submissions("公安局", "2025-02", 9), "一月.xlsx")
    return store


def snapshot(store) -> tuple:
    return (store.event_count(), store.scalar("SELECT count(*) FROM import_rows"),
            store.scalar("SELECT count(*) FROM imports"), ranking(store, Q1)["得分"].to_list())


def test_backup_bytes_is_a_complete_store(tmp_path):
    store = filled(tmp_path / "a.duckdb")
    data = backup_bytes(store)
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(data)
    assert snapshot(Store(copy)) == snapshot(store)
    assert store.audit_log(1)["action"].to_list() == ["导入"]  # no actor given: not audited
    backup_bytes(store, who="管理员")
    assert store.audit_log(1).select("who", "action", "target").row(0) == ("管理员", "备份数据库", "下载")


def test_backup_of_a_memory_store(store):
    load(store, submissions("教育局", "2025-01", 3))
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"mem-{os.getpid()}.duckdb"
    try:
        path.write_bytes(backup_bytes(store))
        assert Store(path).event_count() == 3
    finally:
        path.unlink(missing_ok=True)


def test_restore_keeps_the_previous_database_and_continues_ids(tmp_path):
    db = tmp_path / "s.duckdb"
    store = filled(db)
    before = snapshot(store)
    data = backup_bytes(store)
    auth.add_user(store, "命令行:测试", "admin", "password-1", "管理")
    load(store, submissions("教育局", "2025-03", 20, "三月"), "三月.xlsx")
    store.undo_import(1, "命令行:测试", "试验")
    after_changes = snapshot(store)
    version = int(store.data_version())

    kept = restore_from(db, data, who="命令行:测试")
    assert kept.name.startswith("s.duckdb.bak-") and kept.exists()
    assert snapshot(Store(kept)) == after_changes          # nothing lost: the old state is kept
    restored = Store(db)
    assert snapshot(restored) == before
    assert int(restored.data_version()) > version            # caches notice
    assert restored.audit_log(1)["action"].to_list() == ["恢复备份"]
    assert restored.user_count() == 1                        # no admin in the backup: accounts kept
    # Ids never go backwards: importing after a restore works and does not collide.
    load(restored, submissions("教育局", "2025-03", 20, "三月"), "三月.xlsx")
    ids = restored.frame("SELECT id FROM imports")["id"].to_list()
    assert len(ids) == len(set(ids)) == 2 and max(ids) > 2


def test_restore_refuses_what_is_not_a_store(tmp_path):
    db = tmp_path / "s.duckdb"
    before = snapshot(filled(db))
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INTEGER)").close()
    for data, words in [(b"not a database at all", "不是有效的数据库备份文件"),
                        (other.read_bytes(), "不是本系统的数据库备份"),
                        (b"", "不是有效的数据库备份文件")]:
        with pytest.raises(BackupError, match=words):
            restore_from(db, data)
    assert snapshot(Store(db)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.duckdb", "s.duckdb"]  # no leftovers


def test_restore_into_a_missing_path_creates_it(tmp_path):
    data = backup_bytes(filled(tmp_path / "a.duckdb"))
    assert restore_from(tmp_path / "new" / "b.duckdb", data) is None
    assert Store(tmp_path / "new" / "b.duckdb").event_count() == 25


def test_restore_over_a_damaged_file(tmp_path):
    data = backup_bytes(filled(tmp_path / "a.duckdb"))
    db = tmp_path / "broken.duckdb"
    db.write_bytes(b"\x00garbage" * 1000)
    kept = restore_from(db, data)
    assert kept.read_bytes() == b"\x00garbage" * 1000
    assert Store(db).event_count() == 25


HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(float(sys.argv[2]))"


def hold(path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def run_cli(*args, timeout_s: str = "30") -> subprocess.CompletedProcess:
    env = dict(os.environ, SCORING_LOCK_TIMEOUT=timeout_s)
    return subprocess.run([sys.executable, "-m", "scoring", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.subprocess
def test_backup_and_restore_commands_wait_for_the_file(tmp_path):
    db = tmp_path / "s.duckdb"
    before = snapshot(filled(db))
    holder = hold(db, 1.5)  # the dashboard (or another command) in the middle of an operation
    started = time.monotonic()
    done = run_cli("backup", "--db", db, "--out", tmp_path / "bk" / "nightly.duckdb")
    holder.wait()
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started > 1.0 and "已备份到" in done.stdout
    assert snapshot(Store(tmp_path / "bk" / "nightly.duckdb")) == before
    assert Store(db).audit_log(1)["who"][0].startswith("命令行:")

    load(Store(db), submissions("教育局", "2025-03", 5, "三月"), "三月.xlsx")
    holder = hold(db, 1.0)
    done = run_cli("restore", "--db", db, "--from", tmp_path / "bk" / "nightly.duckdb")
    holder.wait()
    assert done.returncode == 0, done.stderr
    assert snapshot(Store(db)) == before
    assert "恢复前的数据库已另存为" in done.stderr


@pytest.mark.subprocess
def test_backup_command_names_the_holder_when_it_stays_busy(tmp_path):
    db = tmp_path / "s.duckdb"
    filled(db)
    holder = hold(db, 30)
    try:
        done = run_cli("backup", "--db", db, "--out", tmp_path / "x.duckdb", timeout_s="1")
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    assert f"进程 {holder.pid}" in done.stderr and "占用" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_cli_argument_errors(tmp_path, capsys):
    assert main(["backup", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x.duckdb")]) == 2
    assert "不存在" in capsys.readouterr().err
    db = tmp_path / "s.duckdb"
    filled(db)
    (tmp_path / "junk.duckdb").write_bytes(b"junk")
    assert main(["restore", "--db", str(db), "--from", str(tmp_path / "junk.duckdb")]) == 2
    assert "不是有效的数据库备份文件" in capsys.readouterr().err
    assert main(["backup", "--db", str(db), "--out", str(db)]) == 2


def test_backup_to_replaces_atomically(tmp_path):
    store = filled(tmp_path / "s.duckdb")
    out = tmp_path / "b.duckdb"
    backup_to(store, out)
    load(store, submissions("教育局", "2025-03", 5, "三月"), "三月.xlsx")
    backup_to(store, out)
    assert Store(out).event_count() == 30
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.duckdb", "s.duckdb"]


# -- a backup is untrusted input ------------------------------------------------------------------
def crafted_backup(tmp_path, changes: str, action: str = "更正") -> tuple[Path, bytes]:
    """A store whose only import is undone, and a backup of it carrying one crafted correction for
    a row of that import: redoing the import after a restore re-applies the correction."""
    db = tmp_path / "s.duckdb"
    store = filled(db)
    store.undo_import(1, "测试", "试验")
    bk = tmp_path / "crafted.duckdb"
    bk.write_bytes(backup_bytes(store))
    con = duckdb.connect(str(bk))
    identity = con.execute("SELECT identity FROM import_rows WHERE import_id = 1 LIMIT 1").fetchone()[0]
    con.execute("INSERT INTO corrections VALUES (99, ?, 1, now(), '攻击者', ?, ?, '')", [identity, action, changes])
    con.close()
    return db, bk.read_bytes()


def test_a_crafted_correction_in_a_backup_cannot_run_sql(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:秘密", encoding="utf-8")
    injected = f"title = (SELECT content FROM read_text('{secret}')), note"
    db, data = crafted_backup(tmp_path, json.dumps({injected: "x"}))
    before = Store(db).event_count()
    with pytest.raises(BackupError, match="更正记录 99"):
        restore_from(db, data, who="管理员")
    store = Store(db)
    assert store.event_count() == before == 0                  # nothing restored
    store.redo_import(1, "测试", "试验")
    titles = store.frame("SELECT title FROM events")["title"].to_list()
    assert titles and not any("秘密" in t for t in titles)


@pytest.mark.parametrize("changes, words", [
    ('{"withdrawn": true}', "不能更正的字段"),
    ('{"day": "2025-13-45"}', "日期"),
    ('{"unit_id": "教育局"}', "单位编号"),
    ('{"title": 3}', "文字"),
    ('["title"]', "格式"),
    ("not json", "格式"),
])
def test_every_stored_correction_is_checked_on_restore(tmp_path, changes, words):
    db, data = crafted_backup(tmp_path, changes)
    with pytest.raises(BackupError, match=words):
        restore_from(db, data)


def test_a_backup_with_a_runaway_sequence_is_refused(tmp_path):
    """Restoring moves sequences forward one by one, holding the database: 2**62 would never end."""
    db = tmp_path / "s.duckdb"
    store = filled(db)
    bk = tmp_path / "seq.duckdb"
    bk.write_bytes(backup_bytes(store))
    con = duckdb.connect(str(bk))
    con.execute("DROP SEQUENCE seq_publication")
    con.execute("CREATE SEQUENCE seq_publication START 4611686018427387904")
    con.execute("SELECT nextval('seq_publication')").fetchall()
    con.close()
    with pytest.raises(BackupError, match="编号计数异常"):
        restore_from(db, bk.read_bytes())


def test_a_correction_with_a_bad_key_is_refused_when_applied(tmp_path):
    """Even in a live store (say one restored by an older version): the key is never SQL."""
    db = tmp_path / "s.duckdb"
    store = filled(db)
    store.undo_import(1, "测试", "试验")
    identity = store.scalar("SELECT identity FROM import_rows WHERE import_id = 1 LIMIT 1")
    with store.transaction() as con:
        con.execute("INSERT INTO corrections VALUES (99, ?, 1, now(), '攻击者', '更正', ?, '')",
                    [identity, json.dumps({"title = 'x', note": "y"})])
    with pytest.raises(ValueError, match="更正记录 99"):
        store.redo_import(1, "测试", "试验")
    assert store.event_count() == 0  # the redo rolled back whole


def altered_backup(tmp_path, *statements: tuple[str, list]) -> tuple[Path, bytes, tuple]:
    """A filled store, its snapshot, and a backup of it changed by SQL statements."""
    db = tmp_path / "s.duckdb"
    before = snapshot(filled(db))
    bk = tmp_path / "altered.duckdb"
    bk.write_bytes(backup_bytes(Store(db)))
    con = duckdb.connect(str(bk))
    for sql, params in statements:
        con.execute(sql, params)
    con.close()
    return db, bk.read_bytes(), before


def broken_profile(tmp_path) -> str:
    """A profile folder that exists on this machine but does not load."""
    folder = tmp_path / "坏配置"
    folder.mkdir()
    (folder / "profile.yaml").write_text("name: 坏配置\ngroups: 不是列表\n", encoding="utf-8")
    return str(folder)


PROFILE = "UPDATE meta SET value = ? WHERE key = 'profile'"
RULES = "INSERT INTO rule_versions VALUES (DATE '2025-06-01', ?, '试验', '攻击者', now())"


UNLOADABLE = {  # what a backup carries -> (statement, value, words of the refusal)
    "another server's profile": (PROFILE, "/srv/另一台服务器/profiles/某县", "在本机找不到"),
    "a profile name not shipped here": (PROFILE, "某县", "在本机找不到"),
    "a profile that does not load": (PROFILE, None, "无法读取"),
    "a saved rule version that does not parse": (RULES, "effective: 2025-06-01\nitems: [1, 2", "规则版本无法读取"),
}


@pytest.mark.parametrize("case", list(UNLOADABLE))
def test_a_backup_that_would_not_load_here_is_refused_before_anything_changes(tmp_path, capsys, case):
    """Found by a security probe: a backup whose stored profile location does not load on this machine (a
    crafted one, or an honest one from another server) was restored, and then every page and
    command failed, 管理 included. It is now opened the way they open a database first; refused,
    the current database stays as it was and in service (and no .bak- copy is left)."""
    statement, value, words = UNLOADABLE[case]
    if value is None:
        value = broken_profile(tmp_path)
    db, data, before = altered_backup(tmp_path, (statement, [value]))
    with pytest.raises(BackupError, match=words) as refused:
        restore_from(db, data, who="管理员")
    assert "未恢复，当前数据库照常使用" in str(refused.value)
    assert snapshot(Store(db)) == before  # the engine opens and ranks as before
    assert not list(tmp_path.glob("s.duckdb.bak-*"))
    if case == "another server's profile":  # the command line refuses it too (same function)
        assert main(["restore", "--db", str(db), "--from", str(tmp_path / "altered.duckdb")]) == 2
        assert words in capsys.readouterr().err
        assert snapshot(Store(db)) == before


def test_a_backup_holds_no_sign_ins(tmp_path):
    """Found by a security probe: a token issued before a backup worked on a server started on the backup
    file. No copy of the database carries the sessions table's rows: a download, a backup file, or
    the copy of the previous database a restore keeps."""
    from scoring.accounts import sessions

    db = tmp_path / "s.duckdb"
    store = filled(db)
    admin = auth.add_user(store, "命令行:测试", "管理员", "password-1", "管理")
    token = sessions.start(store, admin)
    data = backup_bytes(store)
    copies = {"download": data, "backup file": backup_to(store, tmp_path / "b.duckdb").read_bytes()}
    copies["copy kept by a restore"] = restore_from(db, data).read_bytes()
    for made, content in copies.items():
        copy = tmp_path / f"{made}.duckdb"
        copy.write_bytes(content)
        started_on_it = Store(copy)  # a server started on the copy
        assert started_on_it.rows("SELECT count(*) FROM sessions") == [(0,)], made
        assert sessions.resume(started_on_it, token) is None, made
        assert started_on_it.user_record("管理员") is not None, made  # the accounts are all there
    assert sessions.resume(Store(db), token) == admin  # this server's own sign-in goes on


# -- failed restores, audit history, file modes -----------------------------------------------------
def test_a_failed_restore_says_why_and_leaves_no_copy(tmp_path):
    """A backup that passes the checks but cannot be refilled (two units with one id)."""
    db = tmp_path / "s.duckdb"
    before = snapshot(filled(db))
    bk = tmp_path / "dup.duckdb"
    bk.write_bytes(backup_bytes(Store(db)))
    con = duckdb.connect(str(bk))
    con.execute("CREATE TABLE units2 AS SELECT * FROM units UNION ALL SELECT * FROM units")
    con.execute("DROP TABLE units")
    con.execute("ALTER TABLE units2 RENAME TO units")
    con.close()
    with pytest.raises(BackupError) as failed:
        restore_from(db, bk.read_bytes(), who="管理员")
    message = str(failed.value)
    assert message.startswith("恢复失败，数据库保持原样") and "单位" in message and "重复" in message
    assert not re.search(r"[A-Za-z]{3,}", message), message  # no English from the database engine
    assert snapshot(Store(db)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dup.duckdb", "s.duckdb"]  # no .bak-* left


def test_restoring_an_older_backup_keeps_the_newer_audit_history(tmp_path):
    db = tmp_path / "s.duckdb"
    store = filled(db)
    old = backup_bytes(store)
    backed_up = store.audit_log()["id"].to_list()
    load(store, submissions("教育局", "2025-03", 5, "三月"), "三月.xlsx")
    store.undo_import(2, "乙", "文件有误")
    newer = store.audit_log().filter(~pl.col("id").is_in(backed_up)).select("who", "action", "target", "reason")
    assert newer.height == 2

    restore_from(db, old, who="管理员")
    restored = Store(db)
    assert restored.event_count() == 25                                   # the data is the backup's
    log = restored.audit_log()
    assert log["action"][0] == "恢复备份" and '"保留的备份之外的操作记录": 2' in log["detail"][0]
    kept = log.select("who", "action", "target", "reason").join(newer, on=list(newer.columns), how="semi")
    assert kept.height == 2                                               # … the history is not
    assert log["id"].n_unique() == log.height


def test_restoring_a_backup_of_another_lineage_keeps_both_histories(tmp_path):
    """Same audit ids, different entries: the current ones get new ids rather than vanish."""
    other = filled(tmp_path / "other.duckdb")
    data = backup_bytes(other)
    db = tmp_path / "s.duckdb"
    store = Store(db)
    load(store, submissions("公安局", "2025-01", 2), "另一份.xlsx", who="另一位")
    mine = store.audit_log().select("who", "action", "target", "detail").rows()
    restore_from(db, data)
    log = Store(db).audit_log()
    assert set(mine) <= set(log.select("who", "action", "target", "detail").rows())
    assert log.filter(pl.col("who") == "另一位")["id"].to_list() != [1]  # a new id: 1 is the backup's
    assert log["id"].n_unique() == log.height


def mode(path) -> int:
    return os.stat(path).st_mode & 0o777


def test_files_are_created_owner_only(tmp_path):
    from demo.build import account_file, create_demo_admin

    previous = os.umask(0o022)  # what a login shell usually has: files 0644
    try:
        os.umask(0o022)
        db = tmp_path / "s.duckdb"
        store = filled(db)
        assert mode(db) == 0o600
        backup_to(store, tmp_path / "bk" / "b.duckdb")
        assert mode(tmp_path / "bk" / "b.duckdb") == 0o600
        os.umask(0o022)
        kept = restore_from(db, (tmp_path / "bk" / "b.duckdb").read_bytes())
        assert mode(kept) == 0o600 and mode(db) == 0o600
        os.umask(0o022)
        create_demo_admin(Store(db), db, "测试")
        assert mode(account_file(db)) == 0o600
        # A database made 0644 by an older version is made private when opened.
        os.chmod(db, 0o644)
        Store(db)
        assert mode(db) == 0o600
    finally:
        os.umask(previous)


def test_the_service_units_set_a_private_umask():
    for unit in (ROOT / "deploy").glob("*.service"):
        assert re.search(r"^UMask=0077$", unit.read_text(encoding="utf-8"), re.M), unit.name
