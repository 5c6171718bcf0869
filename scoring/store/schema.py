"""Tables of the store. Every SQL statement of the project lives in scoring/store/."""
from __future__ import annotations

SCHEMA_VERSION = "1"

# Event fields in storage order; `kind` is 类型 and `col` is 栏目 (both SQL-friendly names). `weight`
# multiplies the row's points (the rule version's factors: 头版头条 ×2 …) and, like `code`, follows the
# rule set; `pick` is the points an editor chose in the register's 分值 column (items with choices).
EVENT_FIELDS = ("day", "unit_id", "kind", "level", "publication", "col", "leader",
                "info_id", "issue", "title", "author", "note", "code", "weight", "pick")

_EVENT_COLUMNS = """
    day DATE NOT NULL, unit_id INTEGER NOT NULL, kind VARCHAR NOT NULL, level VARCHAR NOT NULL,
    publication VARCHAR NOT NULL, col VARCHAR NOT NULL, leader VARCHAR NOT NULL,
    info_id VARCHAR NOT NULL, issue VARCHAR NOT NULL, title VARCHAR NOT NULL,
    author VARCHAR NOT NULL, note VARCHAR NOT NULL, code VARCHAR NOT NULL
"""

# The sign-ins of the people using this server now: left out of every copy (a backup, the copy a
# restore keeps), since a token issued before the copy would work on a server started on it, and
# left as they are by a restore (a backup's sessions could bring back one ended since; the
# restored accounts' credential versions decide which of today's stay valid).
LIVE_TABLES = ("sessions",)

DDL = [
    "CREATE SEQUENCE IF NOT EXISTS seq_import START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_event START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_correction START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_audit START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_publication START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_review START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_trial START 1",
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS units (
        id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, sort_order INTEGER NOT NULL,
        active_from DATE NOT NULL, active_to DATE,
        head VARCHAR DEFAULT '', contact VARCHAR DEFAULT '', phone VARCHAR DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS unit_groups (
        unit_id INTEGER NOT NULL, grp VARCHAR NOT NULL, valid_from DATE NOT NULL,
        PRIMARY KEY (unit_id, valid_from))""",
    "CREATE TABLE IF NOT EXISTS unit_aliases (alias VARCHAR PRIMARY KEY, unit_id INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS rule_versions (
        effective DATE PRIMARY KEY, body VARCHAR NOT NULL, reason VARCHAR,
        created_by VARCHAR, created_at TIMESTAMP)""",
    "CREATE TABLE IF NOT EXISTS settings (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    """CREATE TABLE IF NOT EXISTS imports (
        id INTEGER PRIMARY KEY, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        imported_at TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL,
        rows_total INTEGER NOT NULL, rows_new INTEGER NOT NULL, rows_known INTEGER NOT NULL,
        undone_at TIMESTAMP, undone_by VARCHAR, undo_reason VARCHAR)""",
    # Every row of every import, never deleted: the raw material the live events are made from.
    f"""CREATE TABLE IF NOT EXISTS import_rows (
        import_id INTEGER NOT NULL, src_row INTEGER NOT NULL, identity VARCHAR NOT NULL,
        copy_no INTEGER NOT NULL, {_EVENT_COLUMNS})""",
    # The live events: for each identity, copies 1..n where n is the most copies any live
    # import holds. (identity, copy_no) is an event's lasting key; corrections attach to it.
    f"""CREATE TABLE IF NOT EXISTS events (
        id BIGINT NOT NULL DEFAULT nextval('seq_event'), identity VARCHAR NOT NULL,
        copy_no INTEGER NOT NULL, import_id INTEGER NOT NULL, src_row INTEGER NOT NULL,
        {_EVENT_COLUMNS}, withdrawn BOOLEAN NOT NULL DEFAULT false)""",
    """CREATE TABLE IF NOT EXISTS corrections (
        id INTEGER PRIMARY KEY, identity VARCHAR NOT NULL, copy_no INTEGER NOT NULL,
        made_at TIMESTAMP NOT NULL, who VARCHAR NOT NULL, action VARCHAR NOT NULL,
        changes VARCHAR NOT NULL, reason VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS waivers (
        unit_id INTEGER NOT NULL, month DATE NOT NULL, reason VARCHAR NOT NULL,
        who VARCHAR NOT NULL, made_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP, revoked_by VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY, made_at TIMESTAMP NOT NULL, who VARCHAR NOT NULL,
        action VARCHAR NOT NULL, target VARCHAR NOT NULL, detail VARCHAR NOT NULL,
        reason VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS users (
        name VARCHAR PRIMARY KEY, password_hash VARCHAR NOT NULL, role VARCHAR NOT NULL,
        unit_id INTEGER, failed INTEGER NOT NULL DEFAULT 0, locked_until TIMESTAMP,
        disabled BOOLEAN NOT NULL DEFAULT false, created_at TIMESTAMP NOT NULL)""",
    # Added later (a database made before gets them on its next open): `guessing` counts the
    # password checks under way for the account (reserved before argon2 runs, so parallel logins
    # cannot get more guesses than the lock-out allows), `guessing_since` lets a reservation left
    # by a crashed process lapse, and `cred_version` moves on every password reset, disable and
    # role change, ending every session made before.
    "ALTER TABLE users ADD COLUMN IF NOT EXISTS guessing INTEGER DEFAULT 0",
    "ALTER TABLE users ADD COLUMN IF NOT EXISTS guessing_since TIMESTAMP",
    "ALTER TABLE users ADD COLUMN IF NOT EXISTS cred_version INTEGER DEFAULT 0",
    # Weights and chosen points of register rows (older databases get them with their neutral values).
    "ALTER TABLE import_rows ADD COLUMN IF NOT EXISTS weight DECIMAL(18, 4) DEFAULT 1",
    "ALTER TABLE import_rows ADD COLUMN IF NOT EXISTS pick DECIMAL(18, 4)",
    "ALTER TABLE events ADD COLUMN IF NOT EXISTS weight DECIMAL(18, 4) DEFAULT 1",
    "ALTER TABLE events ADD COLUMN IF NOT EXISTS pick DECIMAL(18, 4)",
    # Dashboard sign-ins: only the sha256 of the random token the browser keeps is stored.
    """CREATE TABLE IF NOT EXISTS sessions (
        token_hash VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, cred_version INTEGER NOT NULL,
        created_at TIMESTAMP NOT NULL, last_seen TIMESTAMP NOT NULL, client VARCHAR NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS publications (
        id INTEGER PRIMARY KEY, period_key VARCHAR NOT NULL, label VARCHAR NOT NULL,
        number VARCHAR, issued_at TIMESTAMP NOT NULL, issued_by VARCHAR NOT NULL,
        snapshot VARCHAR NOT NULL)""",
    # 核对与更正申请 (store/reviews.py): a unit confirms its records of a period, or asks for one
    # to be corrected (`wanted`: the changed fields, like corrections.changes; `was`: their values
    # then), withdrawn, or added (`wanted`: the whole record). An event is named by its lasting key
    # (identity, copy_no); event_id is the id it had when asked. `outcome`: what accepting did.
    """CREATE TABLE IF NOT EXISTS reviews (
        id INTEGER PRIMARY KEY, unit_id INTEGER NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
        kind VARCHAR NOT NULL, identity VARCHAR, copy_no INTEGER, event_id BIGINT, wanted VARCHAR NOT NULL,
        was VARCHAR NOT NULL,
        reason VARCHAR NOT NULL, made_by VARCHAR NOT NULL, made_at TIMESTAMP NOT NULL, status VARCHAR NOT NULL,
        decided_by VARCHAR, decided_at TIMESTAMP, answer VARCHAR, outcome VARCHAR)""",
    # 试算方案 (store/trials.py): a saved what-if, never changed once saved (a shared link shows
    # what was shared). `overrides` is `CODE=POINTS` text, the --set syntax; `period` the picker's
    # period code (views/common.period_code).
    """CREATE TABLE IF NOT EXISTS trials (
        id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, overrides VARCHAR NOT NULL, period VARCHAR NOT NULL,
        made_by VARCHAR NOT NULL, made_at TIMESTAMP NOT NULL)""",
]
