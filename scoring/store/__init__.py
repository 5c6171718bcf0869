"""The event store: one DuckDB file. The only place in the project that writes SQL,
always with bound parameters."""
from __future__ import annotations

from pathlib import Path

from ..units import load_default_units
from .admin import AdminMixin
from .base import StoreBase, StoreBusy
from .events import EventsMixin
from .publications import PublicationsMixin
from .queries import QueriesMixin
from .schema import DDL, EVENT_FIELDS, SCHEMA_VERSION
from .users import UsersMixin

__all__ = ["Store", "StoreBusy", "EVENT_FIELDS"]


class Store(EventsMixin, AdminMixin, QueriesMixin, UsersMixin, PublicationsMixin, StoreBase):
    """Open (or create) a store. `created` tells whether this call made a new database."""

    def __init__(self, path: str | Path, lock_timeout: float | None = None):
        super().__init__(path, lock_timeout)
        self.created = self.memory or not Path(self.path).exists()
        if not self.memory and self.created:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with self.transaction() as con:
            for statement in DDL:
                con.execute(statement)
            if not con.execute("SELECT 1 FROM meta WHERE key = 'schema'").fetchall():
                con.execute("INSERT INTO meta VALUES ('schema', ?), ('data_version', '0')", [SCHEMA_VERSION])
                self.seed_units(con, load_default_units())
