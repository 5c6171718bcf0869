"""The fixture every account test uses: cheap argon2 parameters and fresh login throttles.
Import it into a test module with `from auth_fixtures import cheap_hashes  # noqa: F401`."""
from __future__ import annotations

from datetime import datetime

import pytest
from argon2 import PasswordHasher

from scoring.accounts import auth, throttle


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """argon2 with small parameters, so the suite stays fast (the real ones are tested once in
    test_auth.py); fresh in-memory throttles for each test."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(auth, "_dummy_hash", None)
    monkeypatch.setattr(auth, "CLIENTS", throttle.ClientThrottle())
    monkeypatch.setattr(auth, "FLOOD", throttle.GlobalThrottle())
    monkeypatch.setattr(auth, "PHANTOMS", throttle.PhantomLocks())


def freeze(monkeypatch, module, moment: datetime) -> None:
    """`module`'s datetime.now() returns `moment` (the clock of the lock-out and the sessions)."""
    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment

    monkeypatch.setattr(module, "datetime", Clock)
