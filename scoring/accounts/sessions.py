"""Dashboard sign-ins kept on the server, so that a refresh or a new tab stays signed in.

The browser keeps a random token (a cookie); the database keeps only its sha256, with the account,
when it was made and last used, and the account's credential version at sign-in. A password reset,
disabling the account or a role change moves that version on (store.update_user), which ends every
session of the account; so do logout, going unused longer than the setting session_idle_hours and
being older than session_max_days, however busy. Each of these takes effect at the next click: a
check answers from the database as it is now (the store repeats its read only after the file has
changed, in any process: scoring/store/base.py `unchanged`).
No streamlit here: the dashboard's server sets the cookie (web/signin.py), its pages read it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from scoring.accounts.auth import ROLES, User

_TOUCH_EVERY = timedelta(minutes=5)  # last_seen is rewritten at most this often, not on every click


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def idle_limit(store) -> timedelta:
    """How long a session may go unused (the setting session_idle_hours)."""
    return limits(store)[0]


def limits(store) -> tuple[timedelta, timedelta]:
    """How long a session may go unused, and how long it may live at all (the settings
    session_idle_hours and session_max_days, bounded where settings are read)."""
    conf = store.settings()
    return timedelta(hours=conf["session_idle_hours"]), timedelta(days=conf["session_max_days"])


def start(store, user: User, client: str = "") -> str:
    """A new session for a user login() returned; the token for the browser (only its hash is kept)."""
    if not isinstance(user, User):
        raise PermissionError("请先登录")
    token = secrets.token_urlsafe(32)
    now = datetime.now().replace(microsecond=0)
    idle, lifetime = limits(store)
    store.insert_session(_token_hash(token), user.name, now, client or "", now - idle, now - lifetime)
    return token


def resume(store, token: str | None) -> User | None:
    """The account a session token stands for now; None (and the session removed) when the token
    is unknown, has been idle too long, is older than its lifetime, or the account was reset,
    disabled or changed since.
    One indexed read of the database (every page run asks), none while the file is unchanged, and
    a write only when something changes."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    key = _token_hash(token)
    record = store.session_record(key)
    if record is None:
        return None
    idle, lifetime = limits(store)
    now = datetime.now().replace(microsecond=0)
    if (not record["exists"] or record["disabled"] or record["role"] not in ROLES
            or record["session_version"] != record["cred_version"]
            or record["last_seen"] < now - idle or record["created_at"] < now - lifetime):
        store.delete_session(key)
        return None
    if now - record["last_seen"] >= _TOUCH_EVERY:
        store.touch_session(key, now)
    return User(record["name"], record["role"], record["unit_id"])


def end(store, token: str | None) -> None:
    """Sign out: the session is gone from the database, whatever the browser still holds."""
    if token and isinstance(token, str):
        store.delete_session(_token_hash(token), "退出登录")


def discard(store, token: str) -> None:
    """Remove a session the server made for itself (the start-up warm-up): no logout to audit."""
    store.delete_session(_token_hash(token))
