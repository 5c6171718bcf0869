"""Accounts (users table) and the kiosk switch (meta table): the SQL behind scoring/auth.py.

Password checks and role rules live in auth.py; here only storage, each change in one
transaction together with its audit record.
"""
from __future__ import annotations

from datetime import datetime

import polars as pl

from .events import _now

_USER_COLUMNS = "name, password_hash, role, unit_id, failed, locked_until, disabled, created_at"


class UsersMixin:
    # -- reads ------------------------------------------------------------------------------
    def user_record(self, name: str) -> dict | None:
        found = self.rows(f"SELECT {_USER_COLUMNS} FROM users WHERE name = ?", [name])
        if not found:
            return None
        return dict(zip([c.strip() for c in _USER_COLUMNS.split(",")], found[0]))

    def user_count(self, role: str | None = None, enabled_only: bool = False) -> int:
        where, params = [], []
        if role is not None:
            where.append("role = ?")
            params.append(role)
        if enabled_only:
            where.append("NOT disabled")
        sql = "SELECT count(*) FROM users" + (" WHERE " + " AND ".join(where) if where else "")
        return self.scalar(sql, params)

    def users_frame(self) -> pl.DataFrame:
        """Every account without its hash, in Chinese column names, for the admin page."""
        return self.frame("""SELECT u.name AS 用户名, u.role AS 角色, u.unit_id AS 单位编号, n.name AS 单位,
                CASE WHEN u.disabled THEN '已停用'
                     WHEN u.locked_until IS NOT NULL AND u.locked_until > ? THEN '已锁定'
                     ELSE '正常' END AS 状态,
                u.failed AS 连续失败次数, u.locked_until AS 锁定至, u.created_at AS 创建时间
            FROM users u LEFT JOIN units n ON n.id = u.unit_id
            ORDER BY u.created_at, u.name""", [_now()])

    # -- writes -----------------------------------------------------------------------------
    def insert_user(self, name: str, password_hash: str, role: str, unit_id: int | None, who: str) -> None:
        with self.transaction() as con:
            if con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchall():
                raise ValueError(f"用户名“{name}”已存在")
            if unit_id is not None and not con.execute("SELECT 1 FROM units WHERE id = ?", [unit_id]).fetchall():
                raise ValueError(f"没有编号为 {unit_id} 的单位")
            con.execute(f"INSERT INTO users ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, 0, NULL, false, ?)",
                        [name, password_hash, role, unit_id, _now()])
            self.audit(con, who, "新增账号", name, {"角色": role, "单位编号": unit_id})

    def update_user(self, name: str, who: str, action: str, detail: dict, reason: str = "",
                    **fields) -> None:
        """Set some of password_hash, role, unit_id, failed, locked_until, disabled; audited."""
        allowed = {"password_hash", "role", "unit_id", "failed", "locked_until", "disabled"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"不能修改账号字段 {', '.join(sorted(unknown))}")
        with self.transaction() as con:
            if not con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchall():
                raise ValueError(f"没有账号“{name}”")
            if "unit_id" in fields and fields["unit_id"] is not None and not con.execute(
                    "SELECT 1 FROM units WHERE id = ?", [fields["unit_id"]]).fetchall():
                raise ValueError(f"没有编号为 {fields['unit_id']} 的单位")
            if fields:
                sets = ", ".join(f"{k} = ?" for k in fields)
                con.execute(f"UPDATE users SET {sets} WHERE name = ?", [*fields.values(), name])
            self.audit(con, who, action, name, detail, reason)

    def record_login(self, name: str, ok: bool, detail: str, password_hash: str | None = None) -> None:
        """A login that succeeded (counters reset) or was refused before any password check."""
        with self.transaction() as con:
            if ok:
                con.execute("UPDATE users SET failed = 0, locked_until = NULL WHERE name = ?", [name])
                if password_hash:  # the hash parameters were raised since this one was made
                    con.execute("UPDATE users SET password_hash = ? WHERE name = ?", [password_hash, name])
            self.audit(con, name, "登录成功" if ok else "登录失败", f"账号 {name}", detail)

    def login_failed(self, name: str, now: datetime, max_failures: int,
                     lock_until: datetime) -> tuple[int, datetime | None]:
        """A wrong password: count it (a fresh count once an old lock-out has run out) and lock
        the account at the limit; returns (consecutive failures, locked until or None)."""
        with self.transaction() as con:
            con.execute("""UPDATE users SET failed = 0, locked_until = NULL
                WHERE name = ? AND locked_until IS NOT NULL AND locked_until <= ?""", [name, now])
            con.execute("UPDATE users SET failed = failed + 1 WHERE name = ?", [name])
            con.execute("UPDATE users SET locked_until = ? WHERE name = ? AND failed >= ?",
                        [lock_until, name, max_failures])
            failed, locked = con.execute("SELECT failed, locked_until FROM users WHERE name = ?", [name]).fetchone()
            detail = f"密码错误（连续第 {failed} 次）" + (f"，账号锁定至 {locked:%Y-%m-%d %H:%M}" if locked else "")
            self.audit(con, name, "登录失败", f"账号 {name}", detail)
        return failed, locked

    # -- the kiosk switch (meta table) ------------------------------------------------------
    def meta_value(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    def set_meta_value(self, key: str, value: str, who: str, action: str, detail: object = "") -> None:
        with self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
            self.audit(con, who, action, key, detail)
            self._bump(con)
