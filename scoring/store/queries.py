"""Reads the scoring engine and the pages need, each returning a Polars frame."""
from __future__ import annotations

from datetime import date

import polars as pl

_DETAIL_COLUMNS = """e.id, e.day, e.unit_id, e.kind, e.level, e.publication, e.col, e.leader, e.info_id,
    e.issue, e.title, e.author, e.note, e.code, e.withdrawn, e.import_id, i.file_name, e.src_row, e.weight, e.pick"""


def _version_index_sql(boundaries: list[date]) -> tuple[str, list]:
    """SQL for 'which rule version is in force on day': the number of boundaries passed."""
    if not boundaries:
        return "0", []
    return " + ".join("CASE WHEN day >= ? THEN 1 ELSE 0 END" for _ in boundaries), list(boundaries)


# Months as integers (year × 12 + month − 1): grouping on them costs about half what truncated dates do.
_MONTH_NUMBER = "year(day) * 12 + month(day) - 1"


def _month_date(number: pl.Expr) -> pl.Expr:
    return pl.date(number // 12, number % 12 + 1, 1)


class QueriesMixin:
    # 报送 rows are most of any register (about 85 %). Counting them per unit apart from the other
    # items keeps the big aggregation's groups few (unit × version rather than unit × item ×
    # version), which is what makes these scans fast on millions of events. `counted` is the
    # profile's item counted against the quota ("" when it has none).

    def code_counts(self, start: date, end: date, boundaries: list[date], counted: str = "") -> pl.DataFrame:
        """Live events per unit, item code and rule version in [start, end]: the engine's input.

        Aggregating before applying points keeps scoring (and what-if) independent of event
        count: points are applied to this small frame.
        """
        vidx, params = _version_index_sql(boundaries)
        return self.frame(f"""SELECT unit_id, CAST(? AS VARCHAR) AS code, CAST({vidx} AS INTEGER) AS vidx, count(*) AS n
            FROM events WHERE NOT withdrawn AND code = ? AND day BETWEEN ? AND ? GROUP BY ALL
            UNION ALL
            SELECT unit_id, code, CAST({vidx} AS INTEGER) AS vidx, count(*) AS n
            FROM events WHERE NOT withdrawn AND code <> ? AND day BETWEEN ? AND ? GROUP BY ALL""",
                          [counted, *params, counted, start, end, *params, counted, start, end])

    def monthly_submissions(self, until: date, counted: str = "") -> pl.DataFrame:
        """Counted rows per unit and month, all history up to `until` (quota runs may cross years)."""
        return self.frame(f"""SELECT unit_id, {_MONTH_NUMBER} AS month, count(*) AS n
            FROM events WHERE NOT withdrawn AND code = ? AND day <= ? GROUP BY ALL""",
                          [counted, until]).with_columns(_month_date(pl.col("month")).alias("month"))

    def counts_and_monthly(self, start: date, end: date, boundaries: list[date],
                           counted: str = "") -> tuple[pl.DataFrame, pl.DataFrame]:
        """code_counts(start, end, boundaries) and monthly_submissions(end), from one scan."""
        vidx, params = _version_index_sql(boundaries)
        found = self.frame(f"""SELECT unit_id, CAST(? AS VARCHAR) AS code, CAST({vidx} AS INTEGER) AS vidx,
                   {_MONTH_NUMBER} AS month, day >= ? AS in_period, count(*) AS n
            FROM events WHERE NOT withdrawn AND code = ? AND day <= ? GROUP BY ALL
            UNION ALL
            SELECT unit_id, code, CAST({vidx} AS INTEGER), NULL, true, count(*)
            FROM events WHERE NOT withdrawn AND code <> ? AND day BETWEEN ? AND ? GROUP BY ALL""",
                           [counted, *params, start, counted, end, *params, counted, start, end])
        submissions = found.filter(pl.col("month").is_not_null())
        monthly = (submissions.group_by("unit_id", "month").agg(pl.col("n").sum())
                   .with_columns(_month_date(pl.col("month")).alias("month")))
        counts = pl.concat([
            submissions.filter("in_period").group_by("unit_id", "code", "vidx").agg(pl.col("n").sum()),
            found.filter(pl.col("month").is_null()).select("unit_id", "code", "vidx", "n")])
        return counts, monthly

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

    def code_days(self, start: date, end: date, codes: list[str]) -> pl.DataFrame:
        """(unit_id, day, code) of the live events with these codes in [start, end], in day order:
        event_rows without the text columns, which cost ~50 MiB to scan at 1M events."""
        return self.frame("""SELECT unit_id, day, code FROM events
            WHERE day BETWEEN ? AND ? AND list_contains(?, code) AND NOT withdrawn ORDER BY day, id""",
                          [start, end, list(codes)])

    # Commendation needs event-level facts (authors, 信息编号) but never every event of a year: the
    # two reads below score the events in SQL with the engine's points, passed as bound lists, and
    # return per unit and author, or only the best items. `points` is (vidx, code, points_each) of
    # every rule version; `late` is (id, code): the code each 约稿逾期 row scores as.

    def _scored_events_sql(self, boundaries: list[date], points, late) -> tuple[str, list]:
        vidx, params = _version_index_sql(boundaries)
        sql = f"""WITH pts AS (SELECT unnest(?::VARCHAR[]) AS code, unnest(?::INTEGER[]) AS vidx,
                                  unnest(?::DECIMAL(38, 4)[]) AS points),
                 late AS (SELECT unnest(?::BIGINT[]) AS id, unnest(?::VARCHAR[]) AS late_code),
                 found AS (SELECT e.id, e.day, e.unit_id, e.kind, e.info_id, e.title, e.author, e.weight, e.pick,
                                  coalesce(late.late_code, e.code) AS code, CAST({vidx} AS INTEGER) AS vidx
                           FROM events e LEFT JOIN late ON late.id = e.id
                           WHERE NOT e.withdrawn AND e.day BETWEEN ? AND ? AND {{where}}),
                 scored AS (SELECT found.* EXCLUDE (weight, pick), CAST(coalesce(found.pick, pts.points) * found.weight AS DECIMAL(38, 4)) AS points
                            FROM found LEFT JOIN pts USING (code, vidx))"""
        return sql, [points["code"].to_list(), points["vidx"].to_list(), points["points_each"].to_list(),
                     late["id"].to_list(), late["code"].to_list(), *params]

    def author_points(self, start: date, end: date, unit_ids: list[int], boundaries: list[date],
                      points: pl.DataFrame, late: pl.DataFrame) -> pl.DataFrame:
        """(unit_id, author, points, n): live events of these units in [start, end] that score above
        zero, per unit and author field as typed (a list of names is split by the caller)."""
        head, params = self._scored_events_sql(boundaries, points, late)
        return self.frame(head.format(where="list_contains(?, e.unit_id) AND e.author <> ''") + """
            SELECT unit_id, author, sum(points) AS points, count(*) AS n FROM scored
            WHERE points > 0 GROUP BY unit_id, author""", [*params, start, end, list(unit_ids)])

    def best_items(self, start: date, end: date, adopted: str, instructed: str, limit: int,
                   boundaries: list[date], points: pl.DataFrame, late: pl.DataFrame) -> pl.DataFrame:
        """The `limit` (信息编号, unit) pairs whose `adopted` and `instructed` rows in [start, end]
        earned most: points, adoptions, instructions, the first author and the item's first
        adopted title (events in day order, across units for the title)."""
        head, params = self._scored_events_sql(boundaries, points, late)
        # Titles are looked up for the best items only: a title per scored item (the subquery
        # over every scored row it was before) took ~90 MiB at 1M events.
        return self.frame(head.format(where="list_contains(?, e.kind) AND e.info_id <> ''") + """,
            per AS (SELECT info_id, unit_id, coalesce(sum(points), 0) AS points,
                           count(*) FILTER (WHERE kind = ?) AS adopted, count(*) FILTER (WHERE kind = ?) AS instructed,
                           first(author ORDER BY day, id) AS author
                    FROM scored GROUP BY info_id, unit_id ORDER BY points DESC, info_id, unit_id LIMIT ?),
            titles AS (SELECT info_id, first(title ORDER BY day, unit_id, id) AS title FROM events
                       WHERE info_id IN (SELECT info_id FROM per) AND kind = ? AND NOT withdrawn
                             AND day BETWEEN ? AND ? GROUP BY info_id)
            SELECT per.*, titles.title FROM per LEFT JOIN titles USING (info_id)
            ORDER BY points DESC, info_id, unit_id""",
                          [*params, start, end, [adopted, instructed], adopted, instructed, int(limit), adopted,
                           start, end])

    def event_by_id(self, event_id: int) -> dict | None:
        found = self.frame(f"""SELECT {_DETAIL_COLUMNS} FROM events e JOIN imports i ON i.id = e.import_id
            WHERE e.id = ?""", [event_id])
        return found.row(0, named=True) if found.height else None

    def known_info_ids(self, info_ids: list[str]) -> dict[str, set[str]]:
        """Which 信息编号 already have a live 采用 row, with the levels adopted at (a 批示 without
        one, or at another level, is accepted with a warning)."""
        if not info_ids:
            return {}
        return {r[0]: set(r[1]) for r in self.rows("""SELECT info_id, list(DISTINCT level) FROM events
            WHERE kind = '采用' AND NOT withdrawn AND list_contains(?, info_id) GROUP BY info_id""",
                                                    [list(set(info_ids))])}

    def stored_copies(self, identities: list[str]) -> dict[str, int]:
        """How many copies of each row identity the events already hold: an import adds only the
        copies beyond these (store_import), so a file imported before adds nothing."""
        if not identities:
            return {}
        return dict(self.rows("""SELECT identity, max(copy_no) FROM events
            WHERE identity IN (SELECT unnest(?)) GROUP BY identity""", [list(set(identities))]))

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
