"""Which database the dashboard serves: the file SCORING_DB names, or the embedded demo database.
Named once here, for the server around the script (signin, warm) and for the pages alike."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def db_path() -> str:
    return os.environ.get("SCORING_DB") or str(ROOT / "data" / "demo.duckdb")
