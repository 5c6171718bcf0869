"""Render time of each dashboard page on the demo database, after the first load.

    python bench/page_times.py [--db PATH] [--runs N]

Builds the demo database in a temporary folder unless --db is given, signs in as an
administrator, loads every page once (that run fills the caches), then times N more runs of
each page with Streamlit's AppTest and prints JSON {page: seconds (median)}. Target: < 0.5 s.
AppTest runs the script in-process without a browser, so the figures are the server-side time
of a rerun (what a user waits for after a click), not the browser's drawing time.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

PAGES = ("home", "rank", "unit", "commend", "upload", "review", "rules", "export", "admin")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing database (default: a fresh demo database)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "demo.duckdb"
        if not args.db:
            from demo.build import build_demo

            build_demo(db)
        os.environ["SCORING_DB"] = str(db)
        user = None
        try:
            from scoring.accounts import auth
        except ImportError:
            auth = None
        if auth is not None:
            from scoring.store import Store

            store = Store(db)
            if args.db:  # someone's database: sign in as one of its administrators, add nobody
                admins = auth.list_users(store).filter((pl.col("角色") == "管理") & (pl.col("状态") == "正常"))
                if admins.height == 0:
                    raise SystemExit("该数据库没有可用的管理账号，无法以管理员身份打开全部页面")
                user = auth.User(admins["用户名"][0], "管理", None)
            else:
                user = auth.User("性能测试", "管理", None)
                auth.add_user(store, "性能测试", user.name, "bench-password-1", "管理")
        results, first = {}, {}
        for key in PAGES:
            path = ROOT / "pages" / f"{key}.py"
            if not path.exists():
                continue
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            if user is not None:
                at.session_state["user"] = user
            started = time.perf_counter()
            at.run()
            first.setdefault("(启动后首页)", time.perf_counter() - started)
            started = time.perf_counter()
            at.switch_page(f"pages/{key}.py").run()
            first[key] = time.perf_counter() - started
            if at.exception:
                raise SystemExit(f"{key}: {at.exception[0].value}")
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - started)
            results[key] = round(statistics.median(times), 3)
        print(json.dumps(results, ensure_ascii=False))
        print(json.dumps({"first_load": {k: round(v, 3) for k, v in first.items()}}, ensure_ascii=False),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
