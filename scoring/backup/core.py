"""Backups and restores of the store, safe while the dashboard runs (SQL in store/snapshot.py).

Backup: within one store session (waiting for the file like every operation) the database is
copied into a new file: a consistent snapshot, sequences included. It is checked to open as a
store, and the backup is recorded in the audit trail when a `who` is given.

Restore: the backup file is first checked to be a store of this program. Then, holding the
target file like any operation, the current database is itself copied to PATH.bak-<timestamp>,
and every table is refilled from the backup in one transaction — so a process that waits for the
file sees either the old data or the restored data, never a swapped half. The data version moves
forward (caches notice), sequences never go backwards, and the restore is audited. Only when the
current file cannot be opened at all (damaged) is it moved aside and the backup copied in its place.

Before anything is replaced, the backup must also load here as every page and command loads a
database (check_loads): its office profile found and read on this machine, its saved rule
versions parsed, its unit list read. A backup that loads nowhere here would otherwise leave
every page and command broken, 管理 included; refused, the current database stays in service.

Both need the role 管理 in the dashboard: call auth.require(user, "backup") first.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

import duckdb

from scoring.profile import ProfileError, resolve
from scoring.profile.overrides import parse_overrides
from scoring.profile.rules import RuleError
from scoring.store.base import StoreBase, keep_files_private, make_private, release
from scoring.store.events import parse_changes
from scoring.store.reviews import check_review
from scoring.store.schema import SCHEMA_VERSION
from scoring.store.snapshot import REQUIRED_TABLES, RefillFailed, copy_database, describe_file, restore_tables


MAX_SEQUENCE = 100_000_000  # ids a store hands out in its life: a county's register makes thousands a year


class BackupError(ValueError):
    """A file that cannot be restored, or a backup that would not restore; Chinese message."""


def _timestamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _cleanup(*paths: Path) -> None:
    for path in paths:
        for leftover in (path, Path(f"{path}.wal")):
            leftover.unlink(missing_ok=True)


# -- backup -------------------------------------------------------------------------------------
def backup_to(store, out: str | Path, who: str | None = None) -> Path:
    """Write a consistent snapshot of the store to `out` (replaced atomically if it exists)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    keep_files_private()
    try:
        _snapshot(store, tmp)
        make_private(tmp)
        os.replace(tmp, out)
    finally:
        _cleanup(tmp)
    _audit(store, who, str(out))
    return out


def backup_bytes(store, who: str | None = None) -> bytes:
    """A snapshot as bytes (the dashboard's download button)."""
    with tempfile.TemporaryDirectory(prefix="scoring-backup-") as tmp:
        path = Path(tmp) / "backup.duckdb"
        _snapshot(store, path)
        data = path.read_bytes()
    _audit(store, who, "下载")
    return data


def _snapshot(store, target: Path) -> None:
    with store.session() as con:
        copy_database(con, target)
    check_store_file(target)  # a backup that would not restore is no backup


def _audit(store, who: str | None, where: str) -> None:
    if who:
        with store.transaction() as con:
            store.audit(con, who, "备份数据库", where, {"事件数": store.event_count()})


# -- checking a file ----------------------------------------------------------------------------
def check_store_file(path: Path) -> dict:
    """Confirm a file is a store of this program (and not of a newer one); BackupError otherwise."""
    try:
        info = describe_file(path)
    except duckdb.Error:
        raise BackupError("不是有效的数据库备份文件（无法作为 DuckDB 数据库打开，或版本不兼容）") from None
    missing = [t for t in REQUIRED_TABLES if t not in info["tables"]]
    if missing:
        raise BackupError(f"不是本系统的数据库备份（缺少数据表 {'、'.join(missing)}）")
    schema = info["meta"].get("schema")
    if schema is None:
        raise BackupError("不是本系统的数据库备份（缺少版本标记）")
    if _version_key(schema) > _version_key(SCHEMA_VERSION):
        raise BackupError(f"备份来自更新版本的程序（数据格式 {schema}，本程序为 {SCHEMA_VERSION}），请先升级程序")
    # A restore moves each sequence forward one step at a time (about 10 million a second) while
    # it holds the database: a number no real store reaches would stall everyone for hours.
    if any((last or 0) > MAX_SEQUENCE for last in info["sequences"].values()):
        raise BackupError("备份文件已被改动或损坏（编号计数异常），拒绝恢复")
    try:
        for correction in info["corrections"]:  # re-applied on every redo: checked before they get in
            parse_changes(*correction)
        for review in info["reviews"]:  # offered as the correction to apply
            check_review(*review)
        for trial_id, overrides in info["trials"]:
            if not isinstance(overrides, str) or not parse_overrides(overrides):
                raise ValueError(f"试算方案 {trial_id} 没有有效的分值调整")
    except ValueError as e:
        raise BackupError(f"备份文件已被改动或损坏（{e}），拒绝恢复") from None
    return info


def check_loads(path: Path, info: dict) -> None:
    """Open a checked backup file the way every page and command opens a database; BackupError
    saying what would not load (the file is a private copy: opening it adds no more than the
    current schema's empty tables and columns, which a restore fills by name anyway)."""
    from scoring.engine import rulebook_for
    from scoring.store import Store

    ref = info["meta"].get("profile")
    kept = "未恢复，当前数据库照常使用"
    if not (resolve(ref) / "profile.yaml").is_file():
        raise BackupError(f"备份使用的单位配置“{ref or '默认'}”在本机找不到，{kept}。"
                          "请先把该单位配置文件夹放到本机的相同位置，再恢复")
    try:
        store = Store(path)
        with store.session():
            rulebook_for(store)  # the profile's rule files and the versions saved in the backup
            store.unit_book()
    except ProfileError as e:
        raise BackupError(f"备份使用的单位配置“{ref or '默认'}”在本机无法读取（{e}），{kept}") from None
    except RuleError as e:
        raise BackupError(f"备份中保存的规则版本无法读取（{e}），{kept}") from None
    except (duckdb.Error, ValueError, TypeError, KeyError) as e:
        raise BackupError(f"备份中的数据无法读取（{type(e).__name__}），{kept}") from None
    finally:
        release(path)


def _version_key(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in str(text).split("."))


# -- restore ------------------------------------------------------------------------------------
def restore_from(store_path: str | Path, data: bytes, who: str = "系统",
                 lock_timeout: float | None = None) -> Path | None:
    """Replace the store's contents with a backup given as bytes.

    Returns where the previous database was kept (PATH.bak-<timestamp>), or None when there was
    no previous file. BackupError (saying why, in Chinese) when `data` is not a store of this
    program or refilling fails — then the database is as it was and no copy is left behind;
    StoreBusy when the file stays busy.
    """
    store_path = Path(store_path)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    keep_files_private()
    candidate = store_path.with_name(f".{store_path.name}.restore-{uuid.uuid4().hex[:8]}.tmp")
    try:
        candidate.write_bytes(data)
        make_private(candidate)
        info = check_store_file(candidate)
        check_loads(candidate, info)
        if not store_path.exists():
            os.replace(candidate, store_path)
            return None
        keep = _free_name(store_path.with_name(f"{store_path.name}.bak-{_timestamp()}"))
        opened = False
        try:
            # Holding the file (waiting for other processes like every operation) and no other
            # write of this process meanwhile: the previous state is copied aside, then the
            # tables are refilled in one transaction (all or nothing).
            base = StoreBase(store_path, lock_timeout)
            with base.exclusive() as con:
                opened = True
                copy_database(con, keep)
                make_private(keep)
                with base.transaction() as tx:
                    restore_tables(tx, candidate, keep, who, info)
        except (duckdb.Error, RefillFailed) as e:
            if opened:  # rolled back: the database is as it was, so its copy is no longer needed
                _cleanup(keep)
                raise BackupError(f"恢复失败，数据库保持原样：{_why(e)}") from None
            if "lock" in str(e).lower():
                raise
            # The current file is damaged beyond opening: keep it aside, put the backup in place.
            os.replace(store_path, keep)
            wal = Path(f"{store_path}.wal")
            if wal.exists():
                os.replace(wal, Path(f"{keep}.wal"))
            shutil.copyfile(candidate, store_path)
            make_private(store_path)
        return keep
    finally:
        _cleanup(candidate)


_TABLE_NAMES = {"events": "事件", "import_rows": "导入明细", "imports": "导入批次", "corrections": "更正记录",
                "audit": "操作日志", "users": "账号", "units": "单位", "unit_groups": "单位分组",
                "unit_aliases": "单位别名", "rule_versions": "规则版本", "settings": "设置", "meta": "版本信息",
                "waivers": "豁免", "publications": "通报", "reviews": "更正申请", "trials": "试算方案"}


def _why(e: Exception) -> str:
    """The real reason of a failed restore, in words an administrator can act on."""
    where = ""
    if isinstance(e, RefillFailed):
        where = f"备份中的“{_TABLE_NAMES.get(e.table, '其他')}”数据"
        e = e.cause
    if isinstance(e, duckdb.ConstraintException):
        what = "有重复或缺失的必填内容，与本程序的数据规则不符（备份文件可能被改动过）"
    elif isinstance(e, (duckdb.ConversionException, duckdb.BinderException, duckdb.CatalogException)):
        what = "的格式与本程序不符（备份可能来自不兼容的版本，或被改动过）"
    elif isinstance(e, duckdb.OutOfMemoryException):
        what = "过大，服务器内存不足"
    elif isinstance(e, duckdb.IOException):
        what = "无法写入（磁盘空间不足或没有写权限）"
    else:
        what = "无法写入数据库"
    return f"{where}{what}" if where else f"数据库{what}"


def _free_name(path: Path) -> Path:
    n, candidate = 1, path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate
