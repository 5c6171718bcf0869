"""Accounts (users table) and the kiosk switch (meta table): the SQL behind scoring/accounts/auth.py.

Password checks and role rules live in auth.py; here only storage, each change in one
transaction together with its audit record.
"""
from __future__ import annotations

from datetime import datetime

import polars as pl

from scoring.store.events import _now

_USER_COLUMNS = "name, password_hash, role, unit_id, failed, locked_until, disabled, created_at"
_CREDENTIALS = {"password_hash", "role", "unit_id", "disabled"}  # a change ends the account's sessions


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
            if _CREDENTIALS & set(fields):  # every session of the account ends
                con.execute("UPDATE users SET cred_version = coalesce(cred_version, 0) + 1 WHERE name = ?", [name])
                con.execute("DELETE FROM sessions WHERE name = ?", [name])
                self._bump(con)  # dashboards re-check their sessions when the data version moves
            self.audit(con, who, action, name, detail, reason)

    def record_login(self, name: str, detail: str) -> None:
        """Audit a login refused without a check of the account's password (counters untouched)."""
        with self.transaction() as con:
            self.audit(con, name, "登录失败", f"账号 {name}", detail)

    def login_begin(self, name: str, now: datetime, max_failures: int, stale_before: datetime) -> dict:
        """Reserve one password check for an account, in one transaction with the checks.

        Returns {"status": "none"} (no such account), {"status": "locked", "until": …} (a lock-out
        in force: audited), {"status": "busy"} (the checks under way plus the failures already
        counted reach the limit: audited) or {"status": "ok", "record": …}. A lock-out that has run
        out starts a fresh count; reservations older than `stale_before` (a crashed process) lapse.
        """
        with self.transaction() as con:
            if not con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchall():
                return {"status": "none"}
            con.execute("""UPDATE users SET failed = 0, locked_until = NULL
                WHERE name = ? AND locked_until IS NOT NULL AND locked_until <= ?""", [name, now])
            con.execute("""UPDATE users SET guessing = 0
                WHERE name = ? AND (guessing_since IS NULL OR guessing_since < ?)""", [name, stale_before])
            locked, failed, guessing = con.execute(
                "SELECT locked_until, failed, coalesce(guessing, 0) FROM users WHERE name = ?", [name]).fetchone()
            if locked is not None:
                self.audit(con, name, "登录失败", f"账号 {name}", "账号锁定中")
                return {"status": "locked", "until": locked}
            if failed + guessing >= max_failures:
                self.audit(con, name, "登录失败", f"账号 {name}", "同时尝试过多，未核对密码")
                return {"status": "busy"}
            con.execute("UPDATE users SET guessing = coalesce(guessing, 0) + 1, guessing_since = ? WHERE name = ?",
                        [now, name])
            found = con.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE name = ?", [name]).fetchone()
        return {"status": "ok", "record": dict(zip([c.strip() for c in _USER_COLUMNS.split(",")], found))}

    def login_end(self, name: str, outcome: str, detail: str, now: datetime, max_failures: int,
                  lock_until: datetime, password_hash: str | None = None) -> dict:
        """Settle a check that login_begin reserved, in one transaction.

        outcome "wrong": count the failure and lock the account at the limit; "refused" (right
        password, account unusable): only release the reservation; "ok": clear the count unless a
        lock-out is in force (a success never lifts a lock), store a stronger hash if given.
        Returns {"ok": bool, "failed": n, "locked_until": datetime | None}.
        """
        with self.transaction() as con:
            con.execute("UPDATE users SET guessing = greatest(coalesce(guessing, 0) - 1, 0) WHERE name = ?", [name])
            if outcome == "wrong":
                con.execute("UPDATE users SET failed = failed + 1 WHERE name = ?", [name])
                con.execute("""UPDATE users SET locked_until = ?
                    WHERE name = ? AND failed >= ? AND (locked_until IS NULL OR locked_until <= ?)""",
                            [lock_until, name, max_failures, now])
            row = con.execute("SELECT failed, locked_until FROM users WHERE name = ?", [name]).fetchone()
            if row is None:  # deleted meanwhile
                return {"ok": False, "failed": 0, "locked_until": None}
            failed, locked = row
            in_force = locked is not None and locked > now
            ok = outcome == "ok" and not in_force
            if outcome == "wrong":
                detail = f"密码错误（连续第 {failed} 次）" + (f"，账号锁定至 {locked:%Y-%m-%d %H:%M}" if in_force else "")
            elif outcome == "ok" and in_force:
                detail = "账号锁定中"
            if ok:
                con.execute("UPDATE users SET failed = 0, locked_until = NULL WHERE name = ?", [name])
                if password_hash:  # the hash parameters were raised since this one was made
                    con.execute("UPDATE users SET password_hash = ? WHERE name = ?", [password_hash, name])
            self.audit(con, name, "登录成功" if ok else "登录失败", f"账号 {name}", detail)
        return {"ok": ok, "failed": 0 if ok else failed, "locked_until": locked if in_force else None}

    # -- dashboard sessions (the token itself is never stored, only its sha256) ----------------
    def insert_session(self, token_hash: str, name: str, now: datetime, client: str,
                       idle_before: datetime, made_before: datetime) -> None:
        """A new session at the account's current credential version; sessions idle since before
        `idle_before` or made before `made_before` are removed on the way."""
        with self.transaction() as con:
            con.execute("DELETE FROM sessions WHERE last_seen < ? OR created_at < ?", [idle_before, made_before])
            con.execute("""INSERT INTO sessions SELECT ?, name, coalesce(cred_version, 0), ?, ?, ?
                FROM users WHERE name = ?""", [token_hash, now, now, client[:100], name])

    def session_record(self, token_hash: str) -> dict | None:
        """The session with its account as stored now (None: no such session), in one indexed
        read, repeated only after the file has changed (`unchanged`): every page run checks its
        session."""
        record = self.unchanged(("session", token_hash), lambda: self._session_record(token_hash))
        return None if record is None else dict(record)

    def _session_record(self, token_hash: str) -> dict | None:
        found = self.rows("""SELECT s.name, s.cred_version, s.created_at, s.last_seen, coalesce(u.cred_version, 0),
                u.role, u.unit_id, u.disabled, u.name IS NOT NULL
            FROM sessions s LEFT JOIN users u ON u.name = s.name WHERE s.token_hash = ?""", [token_hash])
        if not found:
            return None
        keys = ("name", "session_version", "created_at", "last_seen", "cred_version", "role", "unit_id",
                "disabled", "exists")
        return dict(zip(keys, found[0]))

    def touch_session(self, token_hash: str, now: datetime) -> None:
        with self.transaction() as con:
            con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [now, token_hash])

    def delete_session(self, token_hash: str, audit_action: str | None = None) -> str | None:
        """Remove a session; its account's name, or None when there was none. Audited when an
        action name is given (a logout, not an expiry noticed on the way)."""
        with self.transaction() as con:
            found = con.execute("DELETE FROM sessions WHERE token_hash = ? RETURNING name", [token_hash]).fetchall()
            if found and audit_action:
                self.audit(con, found[0][0], audit_action, f"账号 {found[0][0]}")
        return found[0][0] if found else None

    # -- the kiosk switch (meta table) ------------------------------------------------------
    def meta_value(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    def set_meta_value(self, key: str, value: str, who: str, action: str, detail: object = "") -> None:
        with self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
            self.audit(con, who, action, key, detail)
            self._bump(con)
