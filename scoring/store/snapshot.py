"""The SQL of backups and restores (scoring/backup/core.py has the files and the flow around it).

A backup is ATTACH + COPY FROM DATABASE inside one store session: one statement, so one
consistent snapshot, sequences included. A restore refills every table of the open target from
an attached backup in one transaction.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import duckdb

from scoring.store.base import CONFIG
from scoring.store.schema import LIVE_TABLES

REQUIRED_TABLES = ("meta", "units", "events", "import_rows", "imports", "audit")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_path(path: str | Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def copy_database(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """The database `con` is connected to, copied into a new file `target`: whole, except the
    live sign-ins (schema.LIVE_TABLES), which the copy holds empty."""
    alias = f"bk_{uuid.uuid4().hex[:12]}"  # attachments are shared by the process: a unique name
    source = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"ATTACH {_sql_path(target)} AS {alias}")
    try:
        con.execute(f"COPY FROM DATABASE {_quote(source)} TO {alias}")
        live = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ?",
                                          [alias]).fetchall()}
        for table in LIVE_TABLES:
            if table in live:
                con.execute(f"DELETE FROM {alias}.main.{_quote(table)}")
    finally:
        con.execute(f"DETACH {alias}")


def describe_file(path: Path) -> dict:
    """Open a candidate file read-only: its tables, meta values, event count, corrections
    (id, action, changes), 更正申请 (id, kind, status, wanted, was), 试算方案 (id, overrides) and
    sequences (name -> last value): checked before a restore, since a backup file is untrusted input.

    Raises duckdb.Error when it is no DuckDB database (of this version)."""
    con = duckdb.connect(str(path), read_only=True, config=CONFIG)
    try:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall()) if "meta" in tables else {}
        events = con.execute("SELECT count(*) FROM events").fetchone()[0] if "events" in tables else 0
        corrections = (con.execute("SELECT id, action, changes FROM corrections ORDER BY id").fetchall()
                       if "corrections" in tables else [])
        reviews = (con.execute("SELECT id, kind, status, wanted, was FROM reviews ORDER BY id").fetchall()
                   if "reviews" in tables else [])
        trials = con.execute("SELECT id, overrides FROM trials ORDER BY id").fetchall() if "trials" in tables else []
        sequences = dict(con.execute("""SELECT sequence_name, last_value FROM duckdb_sequences()
            WHERE database_name = current_database()""").fetchall())
        return {"tables": tables, "meta": meta, "events": events, "corrections": corrections,
                "reviews": reviews, "trials": trials, "sequences": sequences}
    finally:
        con.close()


class RefillFailed(Exception):
    """Refilling one table from the backup failed (the caller's transaction is rolled back)."""

    def __init__(self, table: str, cause: duckdb.Error):
        super().__init__(table, cause)
        self.table, self.cause = table, cause


def restore_tables(con: duckdb.DuckDBPyConnection, candidate: Path, keep: Path, who: str, info: dict) -> bool:
    """Within the caller's transaction, refill every table from `candidate` (the previous state
    was kept at `keep` beforehand). Returns whether the current accounts were kept (when the
    backup has no usable admin account: a backup from before accounts existed would lock everyone out).

    The audit trail is not taken back in time: entries the backup lacks (made after it was taken,
    or in another lineage) are kept, so a restore never hides what was done before it."""
    current = con.execute("SELECT current_database()").fetchone()[0]
    src = f"src_{uuid.uuid4().hex[:10]}"
    con.execute(f"ATTACH {_sql_path(candidate)} AS {src} (READ_ONLY)")
    try:
        old_version = int(con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0] or 0)
        tables = [r[0] for r in con.execute("""SELECT table_name FROM duckdb_tables()
            WHERE database_name = ? AND schema_name = 'main' AND NOT temporary ORDER BY table_name""",
                                            [current]).fetchall()]
        sequences = con.execute("""SELECT sequence_name, last_value FROM duckdb_sequences()
            WHERE database_name = ? AND schema_name = 'main'""", [src]).fetchall()
        keep_users = "users" not in info["tables"] or not con.execute(
            f"SELECT count(*) FROM {src}.main.users WHERE role = '管理' AND NOT disabled").fetchone()[0]
        con.execute("CREATE OR REPLACE TEMP TABLE audit_before AS SELECT * FROM main.audit")
        for table in tables:
            if table in LIVE_TABLES or (table == "users" and keep_users):
                continue
            try:
                con.execute(f"DELETE FROM main.{_quote(table)}")
                if table in info["tables"]:
                    con.execute(f"INSERT INTO main.{_quote(table)} BY NAME SELECT * FROM {src}.main.{_quote(table)}")
            except duckdb.Error as e:
                raise RefillFailed(table, e) from e
        for name, last in sequences:
            _advance_sequence(con, name, last)
        kept_audit = _keep_newer_audit(con)
        restored = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        new_version = max(old_version, int(restored[0]) if restored and restored[0] else 0) + 1
        con.execute("INSERT OR REPLACE INTO meta VALUES ('data_version', ?)", [str(new_version)])
        detail = {"恢复前的数据库另存为": keep.name, "备份中的事件数": info["events"],
                  "账号": "保留现有账号（备份中没有可用的管理账号）" if keep_users else "按备份恢复",
                  "保留的备份之外的操作记录": kept_audit}
        con.execute("INSERT INTO audit VALUES (nextval('seq_audit'), ?, ?, '恢复备份', ?, ?, '')",
                    [datetime.now().replace(microsecond=0), who, keep.name, json.dumps(detail, ensure_ascii=False)])
    finally:
        try:
            con.execute(f"DETACH {src}")
        except duckdb.TransactionException:  # a failed refill aborted the transaction: the caller
            pass                              # rolls back and closes this connection
    return keep_users


def _keep_newer_audit(con) -> int:
    """Put back the audit entries of before the restore that the backup does not hold; an entry
    whose id the backup uses for something else gets a new id. Returns how many were kept."""
    before = con.execute("SELECT count(*) FROM main.audit").fetchone()[0]
    con.execute("""INSERT INTO main.audit SELECT * FROM audit_before b
        WHERE NOT EXISTS (SELECT 1 FROM main.audit a WHERE a.id = b.id)""")
    con.execute("""INSERT INTO main.audit
        SELECT nextval('seq_audit'), made_at, who, action, target, detail, reason FROM audit_before b
        WHERE EXISTS (SELECT 1 FROM main.audit a WHERE a.id = b.id)
          AND NOT EXISTS (SELECT 1 FROM main.audit a WHERE a.id = b.id AND a.made_at = b.made_at
                          AND a.who = b.who AND a.action = b.action AND a.target = b.target)
        ORDER BY b.id""")
    con.execute("DROP TABLE audit_before")
    return con.execute("SELECT count(*) FROM main.audit").fetchone()[0] - before


def _advance_sequence(con, name: str, last: int | None) -> None:
    """Never move a sequence backwards (ids stay unique); move it forward to the backup's."""
    if last is None:
        return
    found = con.execute("""SELECT last_value FROM duckdb_sequences()
        WHERE database_name = current_database() AND sequence_name = ?""", [name]).fetchall()
    if not found:
        return
    now = found[0][0] or 0
    if last > now:
        con.execute(f"SELECT max(nextval({_sql_path(name)})) FROM range(?)", [last - now]).fetchall()
