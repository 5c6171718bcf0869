"""How the dashboard's native allocators give memory back; imported before duckdb and polars are.

The dashboard is one long-lived process whose views are computed once per data version. DuckDB's
and polars' allocators (each its own jemalloc) keep the pages a big query freed for ten seconds
by default: at 1M events that held ~40 MiB more at the browsing peak (412–426 → 379 MiB,
bench/README.md). Give them back at once (a query then costs a little more CPU, once per data
version). Each reads its setting when its library is first loaded, so server.py and app.py
import this first, and pages/_data (a page run on its own in AppTest) too; an operator's own
setting wins.
"""
import os

GIVE_BACK = "dirty_decay_ms:0,muzzy_decay_ms:0"
SETTINGS = {
    "DUCKDB_JE_MALLOC_CONF": GIVE_BACK,  # duckdb's bundled jemalloc
    "_RJEM_MALLOC_CONF": GIVE_BACK,      # polars' jemalloc (tikv-jemallocator's prefixed name)
}

for name, value in SETTINGS.items():
    os.environ.setdefault(name, value)
