"""Importing, undoing, correcting and withdrawing events: every write to the event tables."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter

import duckdb
import polars as pl

from scoring.store.schema import EVENT_FIELDS

_INSERT_FIELDS = ", ".join(EVENT_FIELDS)
# validate.py speaks in contract terms (type, column); storage in SQL-friendly ones.
_STORAGE_NAME = {"type": "kind", "column": "col"}
# Corrections are stored as JSON and re-applied later (redo of an import, a re-import, after a
# restore), so their keys are data: each allowed key maps to a statement fixed here, and a key
# from the data is never formatted into SQL.
_SET_FIELD = {f: f"UPDATE events SET {f} = ? WHERE identity = ? AND copy_no = ?" for f in EVENT_FIELDS}
_WITHDRAWN = {"撤回": True, "恢复": False}
_DECIMAL_FIELDS = ("weight", "pick")  # stored as their decimal text; pick may be null (no 分值 chosen)


def parse_changes(correction_id: object, action: object, text: object, what: str = "更正记录") -> dict:
    """A stored correction's changes, checked against the event columns and their types.

    ValueError (Chinese, naming the correction, or `what` else holds the fields) for anything this
    program would not have written."""
    def bad(why: str) -> ValueError:
        return ValueError(f"{what} {correction_id} 无效：{why}")

    try:
        changes = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        changes = None
    if not isinstance(changes, dict):
        raise bad("更正内容的格式不对")
    if action in _WITHDRAWN:
        if changes:
            raise bad("撤回或恢复记录不应带有更正内容")
        return changes
    if action != "更正":
        raise bad(f"未知的操作“{action}”")
    if not changes:
        raise bad("更正内容为空")
    for key, value in changes.items():
        if key not in _SET_FIELD:
            raise bad(f"含有不能更正的字段“{str(key)[:40]}”")
        if key == "day":
            try:
                date.fromisoformat(value)
            except (TypeError, ValueError):
                raise bad(f"日期“{str(value)[:40]}”不是有效的日期") from None
        elif key == "unit_id":
            if type(value) is not int:
                raise bad("单位编号不是整数")
        elif key in _DECIMAL_FIELDS:
            if not (value is None and key == "pick") and not _decimal_text(value):
                raise bad(f"字段“{key}”的值不是数")
        elif not isinstance(value, str):
            raise bad(f"字段“{key}”的值不是文字")
    return changes


def _decimal_text(value: object) -> bool:
    try:
        return isinstance(value, str) and len(value) <= 40 and Decimal(value).is_finite()
    except ArithmeticError:
        return False


def _stored(value):
    """An event field as a correction's JSON holds it: a day as ISO text, a decimal as its text."""
    if isinstance(value, date):
        return value.isoformat()
    return format(value, "f") if isinstance(value, Decimal) else value


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def to_storage(event: dict) -> dict:
    return {_STORAGE_NAME.get(k, k): v for k, v in event.items()}


class EventsMixin:
    def audit(self, con: duckdb.DuckDBPyConnection, who: str, action: str, target: str,
              detail: object = "", reason: str = "") -> None:
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False, default=str)
        con.execute("INSERT INTO audit VALUES (nextval('seq_audit'), ?, ?, ?, ?, ?, ?)",
                    [_now(), who, action, target, text, reason])

    def store_import(self, file_name: str, sha256: str, events: list[dict], who: str) -> dict:
        """One file's validated events in one transaction: all stored, or nothing.

        Rows already live (same identity, as many copies) are known, not stored twice.
        """
        batch = _batch_frame(events)
        with self.transaction() as con:
            import_id = con.execute("SELECT nextval('seq_import')").fetchone()[0]
            con.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, 0, 0, NULL, NULL, NULL)",
                        [import_id, file_name, sha256, _now(), who, len(events)])
            con.register("incoming_rows", batch)
            try:
                con.execute(f"""INSERT INTO import_rows (import_id, src_row, identity, copy_no, {_INSERT_FIELDS})
                    SELECT ?, src_row, identity,
                           row_number() OVER (PARTITION BY identity ORDER BY src_row), {_INSERT_FIELDS}
                    FROM incoming_rows""", [import_id])
            finally:
                con.unregister("incoming_rows")
            new = self._add_missing_copies(con, import_id)
            con.execute("UPDATE imports SET rows_new = ?, rows_known = ? WHERE id = ?",
                        [new, len(events) - new, import_id])
            self.audit(con, who, "导入", f"导入批次 {import_id}",
                       {"文件": file_name, "行数": len(events), "新增": new, "已有": len(events) - new})
            self._bump(con)
        return {"import_id": import_id, "new": new, "known": len(events) - new}

    def _add_missing_copies(self, con: duckdb.DuckDBPyConnection, import_id: int) -> int:
        """Insert this import's copies beyond what is live for each identity; re-apply corrections."""
        con.execute("""CREATE OR REPLACE TEMP TABLE added AS
            SELECT r.* FROM import_rows r
            LEFT JOIN (SELECT identity, max(copy_no) AS live FROM events
                       WHERE identity IN (SELECT identity FROM import_rows WHERE import_id = ?)
                       GROUP BY identity) l USING (identity)
            WHERE r.import_id = ? AND r.copy_no > coalesce(l.live, 0)""", [import_id, import_id])
        con.execute(f"""INSERT INTO events (identity, copy_no, import_id, src_row, {_INSERT_FIELDS})
            SELECT identity, copy_no, import_id, src_row, {_INSERT_FIELDS} FROM added""")
        new = con.execute("SELECT count(*) FROM added").fetchone()[0]
        # A key that was live before (undone, then imported again) gets its corrections back.
        pending = con.execute("""SELECT c.id, c.identity, c.copy_no, c.action, c.changes FROM corrections c
            JOIN added a ON a.identity = c.identity AND a.copy_no = c.copy_no ORDER BY c.id""").fetchall()
        for cid, identity, copy_no, action, changes in pending:
            self._apply_correction(con, identity, copy_no, action, parse_changes(cid, action, changes))
        con.execute("DROP TABLE added")
        return new

    def _apply_correction(self, con, identity: str, copy_no: int, action: str, changes: dict) -> None:
        if action in _WITHDRAWN:
            con.execute("UPDATE events SET withdrawn = ? WHERE identity = ? AND copy_no = ?",
                        [_WITHDRAWN[action], identity, copy_no])
            return
        for k, v in changes.items():
            value = date.fromisoformat(v) if k == "day" else Decimal(v) if k in _DECIMAL_FIELDS and v is not None else v
            con.execute(_SET_FIELD[k], [value, identity, copy_no])

    def undo_import(self, import_id: int, who: str, reason: str) -> int:
        """Undo a whole import: its rows stay in import_rows; live copies shrink to what others hold."""
        with self.transaction() as con:
            found = con.execute("SELECT undone_at FROM imports WHERE id = ?", [import_id]).fetchall()
            if not found:
                raise ValueError(f"没有导入批次 {import_id}")
            if found[0][0] is not None:
                raise ValueError(f"导入批次 {import_id} 已撤销")
            con.execute("UPDATE imports SET undone_at = ?, undone_by = ?, undo_reason = ? WHERE id = ?",
                        [_now(), who, reason, import_id])
            before = con.execute("SELECT count(*) FROM events").fetchone()[0]
            con.execute("""CREATE OR REPLACE TEMP TABLE holders AS
                SELECT r.identity, r.copy_no, min(r.import_id) AS import_id,
                       arg_min(r.src_row, r.import_id) AS src_row
                FROM import_rows r JOIN imports i ON i.id = r.import_id AND i.undone_at IS NULL
                WHERE r.identity IN (SELECT identity FROM import_rows WHERE import_id = ?)
                GROUP BY r.identity, r.copy_no""", [import_id])
            con.execute("""DELETE FROM events WHERE identity IN (SELECT identity FROM import_rows WHERE import_id = ?)
                AND NOT EXISTS (SELECT 1 FROM holders h WHERE h.identity = events.identity
                                AND h.copy_no = events.copy_no)""", [import_id])
            # Events that stay were also in another live import: point them at that file's row.
            con.execute("""UPDATE events SET import_id = h.import_id, src_row = h.src_row FROM holders h
                WHERE events.import_id = ? AND h.identity = events.identity AND h.copy_no = events.copy_no""",
                        [import_id])
            con.execute("DROP TABLE holders")
            removed = before - con.execute("SELECT count(*) FROM events").fetchone()[0]
            self.audit(con, who, "撤销导入", f"导入批次 {import_id}", {"移除事件": removed}, reason)
            self._bump(con)
        return removed

    def redo_import(self, import_id: int, who: str, reason: str) -> int:
        """Reverse an undo: the import's rows count again (corrections come back with them)."""
        with self.transaction() as con:
            found = con.execute("SELECT undone_at FROM imports WHERE id = ?", [import_id]).fetchall()
            if not found or found[0][0] is None:
                raise ValueError(f"导入批次 {import_id} 未被撤销")
            con.execute("UPDATE imports SET undone_at = NULL, undone_by = NULL, undo_reason = NULL WHERE id = ?",
                        [import_id])
            added = self._add_missing_copies(con, import_id)
            self.audit(con, who, "恢复导入", f"导入批次 {import_id}", {"恢复事件": added}, reason)
            self._bump(con)
        return added

    def _event_key(self, con, event_id: int) -> tuple[str, int, dict]:
        found = con.execute(f"SELECT identity, copy_no, {_INSERT_FIELDS}, withdrawn FROM events WHERE id = ?",
                            [event_id]).fetchall()
        if not found:
            raise ValueError(f"没有编号为 {event_id} 的事件")
        row = found[0]
        return row[0], row[1], dict(zip((*EVENT_FIELDS, "withdrawn"), row[2:]))

    def correct_event(self, event_id: int, event: dict, who: str, reason: str) -> dict:
        """Replace an event's fields with a validated corrected version; kept in the audit trail.
        Returns what changed: {"原值": {field: old}, "新值": {field: new}}."""
        if not reason.strip():
            raise ValueError("更正须填写原因")
        new = {k: v for k, v in to_storage(event).items() if k in EVENT_FIELDS}
        with self.transaction() as con:
            identity, copy_no, old = self._event_key(con, event_id)
            changes = {k: _stored(v) for k, v in new.items() if old[k] != v}
            if not changes:
                raise ValueError("更正内容与原记录相同")
            con.execute("INSERT INTO corrections VALUES (nextval('seq_correction'), ?, ?, ?, ?, '更正', ?, ?)",
                        [identity, copy_no, _now(), who, json.dumps(changes, ensure_ascii=False), reason])
            self._apply_correction(con, identity, copy_no, "更正", changes)
            before = {k: _stored(old[k]) for k in changes}
            self.audit(con, who, "更正事件", f"事件 {event_id}", {"原值": before, "新值": changes}, reason)
            self._bump(con)
        return {"原值": before, "新值": changes}

    def set_withdrawn(self, event_id: int, withdrawn: bool, who: str, reason: str) -> None:
        """Withdraw an event (or restore it): a reversible record, the row itself stays."""
        if not reason.strip():
            raise ValueError("撤回或恢复须填写原因")
        action = "撤回" if withdrawn else "恢复"
        with self.transaction() as con:
            identity, copy_no, old = self._event_key(con, event_id)
            if old["withdrawn"] == withdrawn:
                raise ValueError(f"事件 {event_id} 已是{action}状态")
            con.execute("INSERT INTO corrections VALUES (nextval('seq_correction'), ?, ?, ?, ?, ?, '{}', ?)",
                        [identity, copy_no, _now(), who, action, reason])
            self._apply_correction(con, identity, copy_no, action, {})
            self.audit(con, who, f"{action}事件", f"事件 {event_id}", {"单位编号": old["unit_id"],
                       "日期": old["day"].isoformat(), "代码": old["code"], "标题": old["title"]}, reason)
            self._bump(con)

    def bulk_load_events(self, frame: pl.DataFrame, file_name: str = "批量载入", who: str = "系统") -> int:
        """Load pre-validated events fast (demo and benchmark data); same tables as an import. Rows
        without weights or chosen points take the neutral ones."""
        neutral = {"weight": pl.lit(Decimal(1), pl.Decimal(18, 4)), "pick": pl.lit(None, pl.Decimal(18, 4))}
        frame = frame.with_columns([value.alias(name) for name, value in neutral.items() if name not in frame.columns])
        batch = frame.select(["src_row", "identity", *EVENT_FIELDS])
        with self.transaction() as con:
            import_id = con.execute("SELECT nextval('seq_import')").fetchone()[0]
            con.execute("INSERT INTO imports VALUES (?, ?, '', ?, ?, ?, ?, 0, NULL, NULL, NULL)",
                        [import_id, file_name, _now(), who, batch.height, batch.height])
            con.register("incoming_rows", batch)
            try:
                for table in ("import_rows", "events"):
                    con.execute(f"""INSERT INTO {table} (import_id, src_row, identity, copy_no, {_INSERT_FIELDS})
                        SELECT ?, src_row, identity, row_number() OVER (PARTITION BY identity ORDER BY src_row),
                        {_INSERT_FIELDS} FROM incoming_rows""", [import_id])
            finally:
                con.unregister("incoming_rows")
            self.audit(con, who, "批量载入", f"导入批次 {import_id}", {"行数": batch.height})
            self._bump(con)
        return import_id


def _batch_frame(events: list[dict]) -> pl.DataFrame:
    """The validated events as one frame in storage names, built column by column (a register of
    100k rows as 100k per-row dicts in storage names cost seconds)."""
    schema = {"src_row": pl.Int32, "identity": pl.Utf8, "day": pl.Date, "unit_id": pl.Int32,
              "weight": pl.Decimal(18, 4), "pick": pl.Decimal(18, 4)}
    schema |= {f: pl.Utf8 for f in EVENT_FIELDS if f not in schema}
    contract = {v: k for k, v in _STORAGE_NAME.items()}
    neutral = {"weight": Decimal(1), "pick": None}  # rows validated before weights existed (tests, demo)
    return pl.DataFrame({f: [e.get(contract.get(f, f), neutral[f]) for e in events] if f in neutral
                         else list(map(itemgetter(contract.get(f, f)), events)) for f in schema}, schema=schema)
