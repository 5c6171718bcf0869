"""The event store: one DuckDB file. The only place in the project that writes SQL,
always with bound parameters."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from scoring.profile import Profile, load_profile, reference
from scoring.store.admin import AdminMixin
from scoring.store.base import CONFIG, StoreBase, StoreBusy
from scoring.store.events import EventsMixin
from scoring.store.publications import PublicationsMixin
from scoring.store.measures import MeasuresMixin
from scoring.store.queries import QueriesMixin
from scoring.store.reviews import ReviewsMixin
from scoring.store.trials import TrialsMixin
from scoring.store.schema import DDL, EVENT_FIELDS, SCHEMA_VERSION
from scoring.store.users import UsersMixin

__all__ = ["Store", "StoreBusy", "EVENT_FIELDS"]


class Store(EventsMixin, AdminMixin, QueriesMixin, MeasuresMixin, UsersMixin, PublicationsMixin, ReviewsMixin,
            TrialsMixin, StoreBase):
    """Open (or create) a store. `created` tells whether this call made a new database."""

    def __init__(self, path: str | Path, lock_timeout: float | None = None, profile: str | Path | None = None):
        """`profile` (a folder or a name under data/profiles) is used only when the database is
        new; an existing database keeps the profile it was made with (the default when unset)."""
        super().__init__(path, lock_timeout)
        self._profile_ref = profile
        self._profile: Profile | None = None
        self.created = self.memory or not Path(self.path).exists()
        if not self.memory and self.created:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.created = self._create_file()
        with self.transaction() as con:
            self._initialise(con)

    def _initialise(self, con) -> None:
        for statement in DDL:
            con.execute(statement)
        if not con.execute("SELECT 1 FROM meta WHERE key = 'schema'").fetchall():
            new = load_profile(self._profile_ref)  # read only when a database is made
            con.execute("INSERT INTO meta VALUES ('schema', ?), ('data_version', '0'), ('profile', ?)",
                        [SCHEMA_VERSION, reference(new.root)])
            self.seed_units(con, new.units_data())
            # nothing stored yet: the codes follow the profile's rule set from the start
            con.execute("INSERT INTO meta VALUES ('rules_fingerprint', ?)", [new.rulebook().fingerprint])

    @property
    def profile(self) -> Profile:
        """The office profile this database scores by."""
        if self._profile is None:
            found = self.rows("SELECT value FROM meta WHERE key = 'profile'")
            self._profile = load_profile(found[0][0] if found else None)
        return self._profile

    def _create_file(self) -> bool:
        """Make the new database under a temporary name, then link it into place.

        DuckDB creates a file before it locks it: processes that start at once on a missing file
        could see (and leave) an empty, invalid one. Linking never overwrites, so a racing process
        sees either no file or a complete one. False when another process made it first.
        """
        tmp = Path(f"{self.path}.{os.getpid()}-{uuid.uuid4().hex[:8]}.new")
        try:
            con = duckdb.connect(str(tmp), config=CONFIG)
            try:
                con.execute("BEGIN TRANSACTION")
                self._initialise(con)
                con.execute("COMMIT")
            finally:
                con.close()
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                return False
            except OSError:  # no hard links here (e.g. FAT): Windows' rename never overwrites either
                if os.name != "nt":
                    raise
                try:
                    os.rename(tmp, self.path)
                except FileExistsError:
                    return False
            return True
        finally:
            for leftover in (tmp, Path(f"{tmp}.wal")):
                leftover.unlink(missing_ok=True)
