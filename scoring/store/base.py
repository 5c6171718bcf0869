"""Connections to the DuckDB file: held only for one operation, waiting politely when busy.

DuckDB lets one process hold a file. The dashboard and the command line share it, so nobody
keeps it open between operations; whoever finds it busy retries for up to a minute, then raises
StoreBusy naming the process that holds it.

Opening the file with duckdb.connect builds a whole database instance (its function catalogue:
20–30 ms) each time. Instead each process keeps one in-memory instance per file and ATTACHes
the file while at least one operation of the process runs (2–5 ms), DETACHing it — which
releases the lock — when the last one ends. Threads work on cursors of that instance.

A read that every page run makes (the session check, the data version) costs that attach and a
query, 5–6 ms of CPU, although the answer rarely changes. `unchanged` repeats such a read only
after the file has changed: every committed write, from any process, appends to the write-ahead
log or (at a checkpoint) rewrites the file, which moves their size or modification time; writes
of this process are counted besides. Two whole write cycles (attach, write, checkpoint: 20 ms and
more) cannot both end within one tick of the file system's clock (4 ms on ext4), so no write goes
unseen.
"""
from __future__ import annotations

import os
import random
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import polars as pl

CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
MEMO_ENTRIES = 4096  # reads kept by `unchanged` per file (one per signed-in browser tab, about)
DEFAULT_LOCK_TIMEOUT = float(os.environ.get("SCORING_LOCK_TIMEOUT", "60"))
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


# One write lock per database file for the whole process: two Store objects on the same file
# (say the dashboard's and a restore's) must not run write transactions at once, or DuckDB
# refuses the second with "Conflict on update".
_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock_for(path: str) -> threading.RLock:
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(os.path.realpath(path), threading.RLock())


def keep_files_private() -> None:
    """Every file this process creates from now on is readable by its owner only.

    The database, its write-ahead log, backups, the copies a restore keeps and exports all hold
    the register or the accounts; DuckDB creates its files with the process umask, so that is
    where they are made private (the service unit sets UMask=0077 as well)."""
    current = os.umask(0o077)
    os.umask(current | 0o077)


def make_private(path: str | Path) -> None:
    """0600 for a file made before the umask applied (or by an older version of the program)."""
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
    except (FileNotFoundError, PermissionError):  # not there, or someone else's: leave it
        pass


ALIAS = "store"  # the attached file's catalogue name (current_database() inside a session)


def _sql_path(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


class _Host:
    """One process's in-memory DuckDB instance for one file, with the file attached while in use."""

    def __init__(self, path: str):
        self.path = path
        self.con = duckdb.connect(":memory:", config=CONFIG)
        self.guard = threading.Lock()  # the host connection is used only under it
        self.users = 0
        self.writes = 0  # write transactions of this process committed to the file so far
        self.memo: dict = {}  # key -> (file state, value): see StoreBase.unchanged

    def enter(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the attached file; raises duckdb.IOException when another process holds it."""
        with self.guard:
            if self.users == 0:
                self.con.execute(f"ATTACH {_sql_path(self.path)} AS {ALIAS}")
            self.users += 1
        try:
            cur = self.con.cursor()
            cur.execute(f"USE {ALIAS}")
            return cur
        except BaseException:
            self._leave()
            raise

    def exit(self, cur: duckdb.DuckDBPyConnection) -> None:
        try:
            cur.close()
        finally:
            self._leave()

    def _leave(self) -> None:
        with self.guard:
            self.users -= 1
            if self.users == 0:
                self.con.execute(f"DETACH {ALIAS}")


_HOSTS: dict[str, _Host] = {}


def _host_for(path: str) -> _Host:
    with _WRITE_LOCKS_GUARD:
        key = os.path.realpath(path)
        if key not in _HOSTS:
            _HOSTS[key] = _Host(path)
        return _HOSTS[key]


def release(path: str | Path) -> None:
    """Forget this process's instance for a file no operation uses any more (a restore's
    candidate, checked by opening it as a store and then deleted)."""
    key = os.path.realpath(path)
    with _WRITE_LOCKS_GUARD:
        host = _HOSTS.get(key)
        if host is not None and host.users == 0:
            del _HOSTS[key]
            host.con.close()
            _WRITE_LOCKS.pop(key, None)


class StoreBusy(RuntimeError):
    """The database file stayed locked by another process for the whole wait."""


def describe_holder(message: str) -> str:
    m = _LOCK_HOLDER.search(message)
    if not m:
        return "另一个进程"
    exe, pid = m.group(1), m.group(2)
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmd = exe
    return f"进程 {pid}（{cmd[:200]}）"


class StoreBase:
    def __init__(self, path: str | Path, lock_timeout: float | None = None):
        self.path = str(path)
        self.memory = self.path == ":memory:"
        self.lock_timeout = DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout
        self._local = threading.local()
        self._write_lock = threading.RLock() if self.memory else _write_lock_for(self.path)
        self._memory_con = duckdb.connect(":memory:", config=CONFIG) if self.memory else None
        if not self.memory:
            keep_files_private()
            make_private(self.path)
        self._host = None if self.memory else _host_for(self.path)
        self.version = 0  # bumped after every write in this process: a cache key for readers

    # -- connections ---------------------------------------------------------------------
    def _open(self) -> duckdb.DuckDBPyConnection:
        if self._memory_con is not None:
            return self._memory_con.cursor()
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return self._host.enter()
            except duckdb.IOException as e:
                if "lock" not in str(e).lower():
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusy(f"数据库文件 {self.path} 被{describe_holder(str(e))}占用，"
                                    f"已等待 {self.lock_timeout:g} 秒，请稍后重试") from None
                time.sleep(random.uniform(0.02, 0.2))

    @contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One connection for a group of reads (nested sessions reuse it)."""
        held = getattr(self._local, "con", None)
        if held is not None:
            yield held
            return
        con = self._open()
        self._local.con = con
        try:
            yield con
        finally:
            self._local.con = None
            if self._memory_con is not None:
                con.close()
            else:
                self._host.exit(con)

    @contextmanager
    def exclusive(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One connection, and no write of this process to the file meanwhile (backup, restore)."""
        try:
            with self._write_lock, self.session() as con:
                yield con
        finally:
            self._wrote()

    def _wrote(self) -> None:
        if self._host is not None:
            self._host.writes += 1

    def file_state(self) -> tuple | None:
        """What changes whenever anyone writes to the file (None in memory): this process's write
        count, and the inode, size and times of the file and of its write-ahead log."""
        if self._host is None:
            return None
        state = [self._host.writes]
        for path in (self.path, self.path + ".wal"):
            try:
                st = os.stat(path)
                state.append((st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
            except FileNotFoundError:
                state.append(None)
        return tuple(state)

    def unchanged(self, key, read: Callable[[], object]):
        """read(), or what it returned last time for this key if the file has not changed since.
        The state is taken before reading: a write that lands meanwhile makes the next call read
        again. Callers must not change what they get (it is handed out again)."""
        state = self.file_state()
        if state is None:
            return read()
        memo = self._host.memo
        hit = memo.get(key)
        if hit is not None and hit[0] == state:
            return hit[1]
        value = read()
        if len(memo) >= MEMO_ENTRIES:
            memo.clear()
        memo[key] = (state, value)
        return value

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing writes, serialised within the process."""
        with self._write_lock, self.session() as con:
            if getattr(self._local, "in_tx", False):
                yield con
                return
            con.execute("BEGIN TRANSACTION")
            self._local.in_tx = True
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                self._local.in_tx = False
                self._wrote()
            self.version += 1

    # -- helpers ---------------------------------------------------------------------------
    def frame(self, sql: str, params: list | None = None) -> pl.DataFrame:
        with self.session() as con:
            return con.sql(sql, params=params or []).pl()

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with self.session() as con:
            return con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | None = None):
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def data_version(self) -> str:
        """Changes whenever any process writes: lets the dashboard's cache notice CLI imports."""
        return self.unchanged("data_version",
                              lambda: str(self.scalar("SELECT value FROM meta WHERE key = 'data_version'")))

    def _bump(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                    "WHERE key = 'data_version'")
