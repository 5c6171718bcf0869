"""Published 通报 snapshots (publications table): filled in by the reports work (issue 4)."""
from __future__ import annotations


class PublicationsMixin:
    pass
