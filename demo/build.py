"""The demo database: generated registers for 2024 and 2025, imported through the real path."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from scoring.engine import rulebook_for
from scoring.intake.importer import check_rows
from scoring.intake.reader import HEADERS
from scoring.store import Store

DEMO_USER = "演示数据"
DEMO_ACCOUNT = "demo"


def account_file(db_path: str | Path) -> Path:
    """Where the demo admin's password is kept beside the demo database (never committed)."""
    return Path(f"{db_path}.账号.txt")


def create_demo_admin(store: Store, db_path: str | Path, actor: str) -> str:
    """A demo administrator with a fresh random password: no default password anywhere."""
    import secrets

    from scoring.accounts import auth

    password = secrets.token_urlsafe(9)
    auth.add_user(store, actor, DEMO_ACCOUNT, password, "管理")
    path = account_file(db_path)
    path.unlink(missing_ok=True)  # a new file, so that it is created owner-only whatever was there
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"演示账号: {DEMO_ACCOUNT}\n密码: {password}\n")
    return password


def build_demo(path: str | Path, force: bool = False, seed: int = 2024) -> Store:
    from .dengkou import generate_rows

    path = Path(path)
    if force and path.exists():
        path.unlink()
    store = Store(path)
    book = rulebook_for(store)
    units = store.unit_book()
    rows = generate_rows(seed=seed)
    for year in (2024, 2025):
        numbered = [(i + 2, {h: r.get(h, "") for h in HEADERS})
                    for i, r in enumerate(r for r in rows if r["日期"].year == year)]
        report = check_rows(numbered, f"{year}年信息登记表.xlsx", units, book, store.known_info_ids)
        if not report.ok:
            raise RuntimeError("演示数据未通过校验：" + "；".join(report.messages()[:5]))
        store.store_import(report.file_name, f"demo-{year}", report.events, DEMO_USER)
    for unit in units.units[:12]:
        store.set_unit_contact(unit.id, f"{unit.name}主要负责人", "信息员", "0478-42" + f"{unit.id:05d}", DEMO_USER)
    # One waived month, so the 豁免 path shows in the demo.
    store.add_waiver(units.units[-1].id, date(2024, 8, 1), "单位搬迁，经县政府办公室同意当月免报", DEMO_USER)
    return store
