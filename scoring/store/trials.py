"""试算方案: saved what-ifs. A saved trial is never changed (a shared link keeps showing what was
shared); its author or an administrator may delete it.

Saving or deleting one changes no score, so the data version is left alone (moving it would make
every cached ranking of every viewer stale); the 规则试算 page reads the list afresh instead."""
from __future__ import annotations

import polars as pl

from scoring.store.events import _now

MAX_NAME = 60


class TrialsMixin:
    def add_trial(self, name: str, overrides: str, period: str, who: str) -> int:
        """Store a named what-if: `overrides` as `CODE=POINTS` text, `period` as a period code."""
        name = " ".join((name or "").split())
        if not name:
            raise ValueError("请为试算方案命名")
        if len(name) > MAX_NAME:
            raise ValueError(f"方案名称不超过 {MAX_NAME} 个字")
        if not overrides.strip():
            raise ValueError("尚未修改任何分值，无需保存")
        with self.transaction() as con:
            trial_id = con.execute("SELECT nextval('seq_trial')").fetchone()[0]
            con.execute("INSERT INTO trials VALUES (?, ?, ?, ?, ?, ?)", [trial_id, name, overrides, period, who, _now()])
            self.audit(con, who, "保存试算方案", name, {"方案": trial_id, "调整": overrides, "期间": period})
        return int(trial_id)

    def trials(self) -> pl.DataFrame:
        """Every saved trial, newest first: id, name, overrides, period, made_by, made_at."""
        return self.frame("SELECT id, name, overrides, period, made_by, made_at FROM trials ORDER BY id DESC")

    def trial(self, trial_id: int) -> dict | None:
        found = self.frame("SELECT id, name, overrides, period, made_by, made_at FROM trials WHERE id = ?", [trial_id])
        return found.row(0, named=True) if found.height else None

    def delete_trial(self, trial_id: int, who: str, any_author: bool = False) -> None:
        """Delete a trial: its author's right, or anyone's with `any_author` (an administrator)."""
        with self.transaction() as con:
            found = con.execute("SELECT name, overrides, period, made_by FROM trials WHERE id = ?", [trial_id]).fetchall()
            if not found:
                raise ValueError(f"没有编号为 {trial_id} 的试算方案")
            name, overrides, period, author = found[0]
            if author != who and not any_author:
                raise PermissionError(f"只有方案的保存人（{author}）或管理员可以删除")
            con.execute("DELETE FROM trials WHERE id = ?", [trial_id])
            self.audit(con, who, "删除试算方案", name, {"方案": trial_id, "调整": overrides, "期间": period})
