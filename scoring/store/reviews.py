"""核对与更正申请: a unit confirms its records of a period before it is published, or asks for one
record to be corrected, withdrawn or added; 录入/管理 accept a request — the change goes through
the audited correction path of store/events.py in the same transaction — or reject it with a reason.
"""
from __future__ import annotations

import json
from datetime import date

import polars as pl

from scoring.store.events import _now, _stored, parse_changes, to_storage
from scoring.store.schema import EVENT_FIELDS

CONFIRM, CORRECT, WITHDRAW, ADD = "确认", "更正", "撤回", "补录"
KINDS = (CONFIRM, CORRECT, WITHDRAW, ADD)
OPEN, ACCEPTED, REJECTED, CONFIRMED = "待处理", "已采纳", "未采纳", "已确认"
STATES = (OPEN, ACCEPTED, REJECTED, CONFIRMED)
_COLUMNS = ("id, unit_id, period_start, period_end, kind, identity, copy_no, event_id, wanted, was, reason, "
            "made_by, made_at, status, decided_by, decided_at, answer, outcome")


def check_review(review_id: object, kind: object, status: object, wanted: object, was: object) -> dict:
    """A stored request's wanted fields, checked like a stored correction (they are shown, and
    offered as the correction to apply), and their values when asked. ValueError (Chinese, naming
    the request) otherwise; a restore refuses a backup holding such a request."""
    if kind not in KINDS or status not in STATES or (kind == CONFIRM) != (status == CONFIRMED):
        raise ValueError(f"更正申请 {review_id} 无效：申请类别或状态不对")
    parse_changes(review_id, "更正" if kind == CORRECT else "撤回", was, what="更正申请")
    return parse_changes(review_id, "更正" if kind in (CORRECT, ADD) else "撤回", wanted, what="更正申请")


# What a request holds of a record: the register's fields and the item they match. Not the weight,
# which the rule set derives, nor a chosen 分值 (the request form has none): accepting re-validates
# the record, which brings both.
ASKED_FIELDS = tuple(f for f in EVENT_FIELDS if f not in ("weight", "pick"))


def _plain(fields: dict) -> dict:
    """A record's asked-about fields in storage names as a correction stores them (the day as ISO text)."""
    return {k: _stored(v) for k, v in fields.items() if k in ASKED_FIELDS}


class ReviewsMixin:
    def add_review(self, unit_id: int, start: date, end: date, kind: str, who: str, reason: str = "",
                   event_id: int | None = None, event: dict | None = None) -> int:
        """A unit's confirmation of [start, end], or its request about one of its records
        (`event_id`) or a missing one; `event` is the record as the unit says it should be
        (validate_row's output). Returns the request's id."""
        if kind not in KINDS:
            raise ValueError(f"未知的申请类别“{kind}”")
        if kind != CONFIRM and not reason.strip():
            raise ValueError("请填写理由")
        with self.transaction() as con:
            identity = copy_no = None
            wanted: dict = {}
            was: dict = {}
            if kind == CONFIRM:
                if con.execute("""SELECT 1 FROM reviews WHERE unit_id = ? AND period_start = ? AND period_end = ?
                        AND kind = ?""", [unit_id, start, end, CONFIRM]).fetchall():
                    raise ValueError("本期记录已确认")
            elif kind == ADD:
                wanted = _plain(to_storage(event or {}))
                if wanted.get("unit_id") != unit_id or not start <= date.fromisoformat(wanted["day"]) <= end:
                    raise ValueError("补录的记录须是本单位本期的记录")
            else:
                if event_id is None:
                    raise ValueError("请选择要申请更正或撤回的记录")
                identity, copy_no, old = self._event_key(con, event_id)
                if old["unit_id"] != unit_id or not start <= old["day"] <= end:
                    raise ValueError(f"事件 {event_id} 不是本单位本期的记录")
                if con.execute("SELECT 1 FROM reviews WHERE identity = ? AND copy_no = ? AND status = ?",
                               [identity, copy_no, OPEN]).fetchall():
                    raise ValueError("该记录已有待处理的申请，请等待处理结果")
                if kind == CORRECT:
                    then = _plain(old)
                    wanted = {k: v for k, v in _plain(to_storage(event or {})).items() if v != then[k]}
                    if not wanted:
                        raise ValueError("申请的内容与原记录相同")
                    was = {k: then[k] for k in wanted}
            review_id = con.execute("SELECT nextval('seq_review')").fetchone()[0]
            con.execute(f"INSERT INTO reviews ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)",
                        [review_id, unit_id, start, end, kind, identity, copy_no, event_id,
                         json.dumps(wanted, ensure_ascii=False), json.dumps(was, ensure_ascii=False),
                         reason.strip(), who, _now(),
                         CONFIRMED if kind == CONFIRM else OPEN])
            detail = {"申请": kind, "期间": f"{start.isoformat()} 至 {end.isoformat()}"}
            if event_id is not None:
                detail["事件"] = event_id
            self.audit(con, who, "确认本期记录" if kind == CONFIRM else "提交更正申请", f"单位 {unit_id}",
                       detail, reason.strip())
            self._bump(con)
        return int(review_id)

    def reviews(self, unit_id: int | None = None, start: date | None = None, end: date | None = None,
                status: str | None = None) -> pl.DataFrame:
        """Requests (and confirmations), newest first, with the live id of the event each names
        (null when the event is no longer live); optionally of one unit, of requests whose period
        overlaps [start, end], of one status."""
        where, params = ["true"], []
        if unit_id is not None:
            where.append("r.unit_id = ?")
            params.append(unit_id)
        if start is not None and end is not None:
            where.append("r.period_start <= ? AND r.period_end >= ?")
            params += [end, start]
        if status is not None:
            where.append("r.status = ?")
            params.append(status)
        columns = ", ".join(f"r.{c}" for c in _COLUMNS.split(", "))
        return self.frame(f"""SELECT {columns}, e.id AS live_id FROM reviews r
            LEFT JOIN events e ON e.identity = r.identity AND e.copy_no = r.copy_no
            WHERE {' AND '.join(where)} ORDER BY r.id DESC""", params)

    def review(self, review_id: int) -> dict | None:
        found = self.reviews().filter(pl.col("id") == review_id)
        return found.row(0, named=True) if found.height else None

    def open_review_count(self) -> int:
        return int(self.scalar("SELECT count(*) FROM reviews WHERE status = ?", [OPEN]))

    # -- deciding ----------------------------------------------------------------------------
    def _open_request(self, con, review_id: int, kinds: tuple[str, ...]) -> tuple:
        found = con.execute("SELECT kind, status, identity, copy_no FROM reviews WHERE id = ?", [review_id]).fetchall()
        if not found:
            raise ValueError(f"没有编号为 {review_id} 的申请")
        kind, status, identity, copy_no = found[0]
        if status != OPEN:
            raise ValueError(f"申请 {review_id} 已处理（{status}）")
        if kind not in kinds:
            raise ValueError(f"申请 {review_id} 是{kind}申请")
        return identity, copy_no

    def _live_event(self, con, identity: str, copy_no: int) -> int:
        found = con.execute("SELECT id FROM events WHERE identity = ? AND copy_no = ?", [identity, copy_no]).fetchall()
        if not found:
            raise ValueError("申请所指的记录已不在库中（其导入可能已撤销），请先恢复该记录或不采纳")
        return found[0][0]

    def _close(self, con, review_id: int, status: str, who: str, answer: str, outcome: dict) -> None:
        con.execute("""UPDATE reviews SET status = ?, decided_by = ?, decided_at = ?, answer = ?, outcome = ?
            WHERE id = ?""", [status, who, _now(), answer, json.dumps(outcome, ensure_ascii=False), review_id])
        self.audit(con, who, "采纳更正申请" if status == ACCEPTED else "不采纳更正申请", f"申请 {review_id}",
                   outcome, answer)
        self._bump(con)

    def accept_correction(self, review_id: int, event: dict, who: str, answer: str = "") -> dict:
        """Correct the request's record to `event` (validate_row's output: what the unit asked,
        as 录入 checked it) through correct_event, and close the request; one transaction."""
        with self.transaction() as con:
            event_id = self._live_event(con, *self._open_request(con, review_id, (CORRECT,)))
            change = self.correct_event(event_id, event, who, f"采纳更正申请 {review_id}" + (f"：{answer}" if answer else ""))
            outcome = {"事件": event_id, **change}
            self._close(con, review_id, ACCEPTED, who, answer, outcome)
        return outcome

    def accept_withdrawal(self, review_id: int, who: str, answer: str = "") -> dict:
        with self.transaction() as con:
            event_id = self._live_event(con, *self._open_request(con, review_id, (WITHDRAW,)))
            self.set_withdrawn(event_id, True, who, f"采纳更正申请 {review_id}" + (f"：{answer}" if answer else ""))
            outcome = {"事件": event_id, "撤回": True}
            self._close(con, review_id, ACCEPTED, who, answer, outcome)
        return outcome

    def accept_addition(self, review_id: int, file_name: str, sha256: str, events: list[dict], who: str,
                        answer: str = "") -> dict:
        """Store the missing record (checked like a manual entry) as an import, and close the request."""
        with self.transaction() as con:
            self._open_request(con, review_id, (ADD,))
            result = self.store_import(file_name, sha256, events, who)
            outcome = {"导入批次": result["import_id"], "新增": result["new"]}
            self._close(con, review_id, ACCEPTED, who, answer, outcome)
        return outcome

    def reject_review(self, review_id: int, who: str, answer: str) -> None:
        if not answer.strip():
            raise ValueError("不采纳须说明理由")
        with self.transaction() as con:
            self._open_request(con, review_id, (CORRECT, WITHDRAW, ADD))
            self._close(con, review_id, REJECTED, who, answer.strip(), {})
