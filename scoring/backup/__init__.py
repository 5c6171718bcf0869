"""Backups and restores: a consistent copy of the database while it is in use, and a restore that
is checked before it replaces anything."""
from scoring.backup.core import BackupError, backup_bytes, backup_to, check_store_file, restore_from

__all__ = ["BackupError", "backup_bytes", "backup_to", "check_store_file", "restore_from"]
