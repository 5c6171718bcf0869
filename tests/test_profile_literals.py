"""No office is welded into the code: county and office names, item codes and per-group tables
live in data/profiles/, never in scoring/, pages/ or app.py."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from scoring.profile import PROFILES_DIR, load_profile

ROOT = Path(__file__).resolve().parent.parent
NOT_DOMAIN: set[str] = set()  # every module of scoring/ is domain (the demo generators live in demo/)


def code_files() -> list[Path]:
    files = [p for p in (ROOT / "scoring").rglob("*.py") if p.name not in NOT_DOMAIN]
    return files + sorted((ROOT / "pages").rglob("*.py")) + [ROOT / "app.py"]


def office_words() -> set[str]:
    words = set()
    for folder in PROFILES_DIR.iterdir():
        if not (folder / "profile.yaml").exists():
            continue
        profile = load_profile(folder)
        words |= {profile.name, profile.office.issuer, profile.office.regulation.strip("《》"),
                  profile.office.phone, profile.office.mailbox}
        for source, text in profile.rule_files():
            words |= {item["code"] for item in yaml.safe_load(text).get("items") or []}
    return {w for w in words if w}


def test_no_office_name_or_item_code_in_code():
    words = office_words()
    assert "DED_QUOTA" in words and "磴口" in words  # the search looks for what matters
    pattern = re.compile("|".join(sorted((re.escape(w) for w in words), key=len, reverse=True)))
    found = []
    for path in code_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for m in pattern.finditer(line):
                # a code inside a longer identifier (e.g. FEEDBACK in FEEDBACK_FORM) is not a use
                before = line[m.start() - 1] if m.start() else " "
                after = line[m.end()] if m.end() < len(line) else " "
                if m.group(0).isascii() and (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                    continue
                found.append(f"{path.relative_to(ROOT)}:{n}: {m.group(0)}")
    assert found == []


def test_no_per_group_table_in_code():
    table = re.compile(r"""\{\s*["'][A-C]["']\s*:\s*[\d"']|\(\s*["']A["']\s*,\s*["']B["']""")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in code_files()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1) if table.search(line)]
    assert found == []
