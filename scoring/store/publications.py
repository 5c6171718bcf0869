"""Published 通报 snapshots (publications table): a period's ranks and scores as issued.

A publication is never changed or deleted: issuing the same period again (a corrected 通报)
adds a new row, and the latest one is what later data is compared with.
"""
from __future__ import annotations

import polars as pl

from scoring.store.events import _now

_COLUMNS = "id, period_key, label, number, issued_at, issued_by, snapshot"


class PublicationsMixin:
    def add_publication(self, period_key: str, label: str, number: str | None, who: str,
                        snapshot: str) -> int:
        """Store one issued snapshot (JSON text); returns its id."""
        with self.transaction() as con:
            pub_id = con.execute("SELECT nextval('seq_publication')").fetchone()[0]
            con.execute(f"INSERT INTO publications ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [pub_id, period_key, label, number or None, _now(), who, snapshot])
            self.audit(con, who, "发布通报", f"{label}（{period_key}）",
                       {"期号": number or "", "发布编号": pub_id})
            self._bump(con)
        return int(pub_id)

    def publications(self, period_key: str | None = None) -> pl.DataFrame:
        """Publications without their snapshot text, newest first."""
        where, params = ("WHERE period_key = ?", [period_key]) if period_key else ("", [])
        return self.frame(f"""SELECT id, period_key, label, number, issued_at, issued_by FROM publications
            {where} ORDER BY issued_at DESC, id DESC""", params)

    def latest_publication(self, period_key: str) -> dict | None:
        """The latest publication of a period, snapshot text included."""
        found = self.frame(f"""SELECT {_COLUMNS} FROM publications WHERE period_key = ?
            ORDER BY issued_at DESC, id DESC LIMIT 1""", [period_key])
        return found.row(0, named=True) if found.height else None
