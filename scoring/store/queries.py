"""Reads the scoring engine and the pages need, each returning a Polars frame."""
from __future__ import annotations

from datetime import date

import polars as pl

_DETAIL_COLUMNS = """e.id, e.day, e.unit_id, e.kind, e.level, e.publication, e.col, e.leader, e.info_id,
    e.issue, e.title, e.author, e.note, e.code, e.withdrawn, e.import_id, i.file_name, e.src_row"""


def _version_index_sql(boundaries: list[date]) -> tuple[str, list]:
    """SQL for 'which rule version is in force on day': the number of boundaries passed."""
    if not boundaries:
        return "0", []
    return " + ".join("CASE WHEN day >= ? THEN 1 ELSE 0 END" for _ in boundaries), list(boundaries)


class QueriesMixin:
    def code_counts(self, start: date, end: date, boundaries: list[date]) -> pl.DataFrame:
        """Live events per unit, item code and rule version in [start, end]: the engine's input.

        Aggregating before applying points keeps scoring (and what-if) independent of event
        count: points are applied to this small frame.
        """
        vidx, params = _version_index_sql(boundaries)
        return self.frame(f"""SELECT unit_id, code, CAST({vidx} AS INTEGER) AS vidx, count(*) AS n
            FROM events WHERE NOT withdrawn AND day BETWEEN ? AND ? GROUP BY ALL""",
                          [*params, start, end])

    def monthly_submissions(self, until: date) -> pl.DataFrame:
        """报送 rows per unit and month, all history up to `until` (quota runs may cross years)."""
        return self.frame("""SELECT unit_id, CAST(date_trunc('month', day) AS DATE) AS month, count(*) AS n
            FROM events WHERE NOT withdrawn AND code = 'SUBMISSION' AND day <= ? GROUP BY ALL""", [until])

    def code_rows(self, code: str, start: date, end: date) -> pl.DataFrame:
        """Individual live events of one code (e.g. 约稿逾期, whose order within a year matters)."""
        return self.frame("""SELECT id, unit_id, day FROM events
            WHERE NOT withdrawn AND code = ? AND day BETWEEN ? AND ? ORDER BY day, id""", [code, start, end])

    def event_rows(self, start: date, end: date, unit_ids: list[int] | None = None,
                   include_withdrawn: bool = False, codes: list[str] | None = None) -> pl.DataFrame:
        """Whole events with the file and row they came from, for explanations and exports."""
        where, params = ["e.day BETWEEN ? AND ?"], [start, end]
        if unit_ids is not None:
            where.append("list_contains(?, e.unit_id)")
            params.append(list(unit_ids))
        if codes is not None:
            where.append("list_contains(?, e.code)")
            params.append(list(codes))
        if not include_withdrawn:
            where.append("NOT e.withdrawn")
        return self.frame(f"""SELECT {_DETAIL_COLUMNS} FROM events e JOIN imports i ON i.id = e.import_id
            WHERE {' AND '.join(where)} ORDER BY e.day, e.id""", params)

    def event_by_id(self, event_id: int) -> dict | None:
        found = self.frame(f"""SELECT {_DETAIL_COLUMNS} FROM events e JOIN imports i ON i.id = e.import_id
            WHERE e.id = ?""", [event_id])
        return found.row(0, named=True) if found.height else None

    def known_info_ids(self, info_ids: list[str]) -> set[str]:
        """Which 信息编号 already have a live 采用 row (a 批示 without one is accepted, with a warning)."""
        if not info_ids:
            return set()
        return {r[0] for r in self.rows("""SELECT DISTINCT info_id FROM events
            WHERE kind = '采用' AND NOT withdrawn AND list_contains(?, info_id)""", [list(set(info_ids))])}

    def event_span(self) -> tuple[date | None, date | None]:
        return self.rows("SELECT min(day), max(day) FROM events WHERE NOT withdrawn")[0]

    def event_count(self) -> int:
        return self.scalar("SELECT count(*) FROM events")

    def imports(self) -> pl.DataFrame:
        return self.frame("""SELECT id, file_name, imported_at, user_name, rows_total, rows_new, rows_known,
            undone_at, undone_by, undo_reason FROM imports ORDER BY id DESC""")

    def corrections(self, event_id: int | None = None) -> pl.DataFrame:
        if event_id is None:
            return self.frame("SELECT * FROM corrections ORDER BY id DESC")
        return self.frame("""SELECT c.* FROM corrections c JOIN events e
            ON e.identity = c.identity AND e.copy_no = c.copy_no WHERE e.id = ? ORDER BY c.id""", [event_id])

    def audit_log(self, limit: int | None = None) -> pl.DataFrame:
        limit_sql = f"LIMIT {int(limit)}" if limit else ""
        return self.frame(f"SELECT id, made_at, who, action, target, detail, reason FROM audit ORDER BY id DESC {limit_sql}")
