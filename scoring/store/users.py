"""Accounts (users table): filled in by the trust work (issue 5)."""
from __future__ import annotations


class UsersMixin:
    pass
