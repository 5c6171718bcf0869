"""The dashboard's data: the store and engine (opened per operation) and every view cached by the
store's data version, so that a write from any session or from the command line makes them stale.
Pages call `view(fn, ...)` with a function of scoring.views (or scoring.engine.commend …) that takes the
engine first.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from datetime import date
from typing import Callable

import web.allocators  # noqa: E402,F401 - before duckdb and polars load (see there)


from scoring.engine import Engine, today_in  # noqa: E402
from scoring.store import Store  # noqa: E402
from scoring.views.common import data_span  # noqa: E402
from web.database import ROOT, db_path  # noqa: E402,F401 - pages use both through here

class Shared:
    """Results kept for every session of this process, by key, and handed out as they are.

    In place of st.cache_data, which on every hit hashes each argument, inspects the function's
    signature and unpickles a copy of the frame: 0.5–2 ms a view, and a page run asks for a dozen.
    Here a hit is a dictionary lookup. The key names everything the result depends on (data
    version, function, arguments: all hashable); the function itself is not part of it, since a
    page's own drawing functions are made anew on every run of its script. Nobody may change what
    they get: Polars frames are not changed in place, and a page that wants another frame makes a
    new one. Callers that ask for the same key at once wait for one computation, so concurrent
    first visits neither repeat the work nor hold several copies. At most `entries` results are
    kept; the oldest go first."""

    def __init__(self, entries: int):
        self.entries = entries
        self._done: OrderedDict = OrderedDict()
        self._busy: dict = {}  # key -> the lock held while it is computed
        self._guard = threading.Lock()

    def get(self, key: tuple, compute: Callable[[], object]):
        found = self._done.get(key, _MISSING)
        if found is not _MISSING:
            return found
        with self._guard:
            lock = self._busy.setdefault(key, threading.Lock())
        try:
            with lock:
                found = self._done.get(key, _MISSING)
                if found is _MISSING:
                    found = compute()
                    with self._guard:
                        self._done[key] = found
                        while len(self._done) > self.entries:
                            self._done.popitem(last=False)
        finally:
            with self._guard:
                self._busy.pop(key, None)
        return found


_MISSING = object()
_STORES, _ENGINES, _VIEWS, _STORE_VIEWS = Shared(8), Shared(3), Shared(256), Shared(64)


def _store(path: str) -> Store:
    # A Store object holds no connection: each of its methods opens the file and closes it again.
    return _STORES.get((path,), lambda: Store(path))


def store() -> Store:
    return _store(db_path())


def version() -> str:
    """The data version: every write of any process (a command-line import too) moves it on, so
    it keys every view and drawing. Asked a few dozen times a run: Store.data_version answers
    from memory while the file is unchanged (two stat calls), so a change shows at once."""
    return _store(db_path()).data_version()


@functools.lru_cache(maxsize=8)
def _timezone(path: str, data_version: str) -> str:
    return _store(path).settings()["timezone"]  # a changed setting is a new version


def timezone() -> str:
    """The 时区 setting: today's date and every displayed time are in it."""
    return _timezone(db_path(), version())


def today() -> date:
    """Today where the office is (the 时区 setting): months end, and times show, in its time."""
    return today_in(timezone())


def _engine(path: str, data_version: str, today: date) -> Engine:
    return _ENGINES.get((path, data_version, today), lambda: Engine.open(_store(path)))


def engine() -> Engine:
    return _engine(db_path(), version(), today())


def frozen(args: tuple) -> tuple:
    """Arguments as a key: a list (say of quarters) as a tuple."""
    return tuple(tuple(a) if isinstance(a, list) else a for a in args)


def fn_key(fn: Callable) -> str:
    """A function's name in a cache key. By its file, not its module: Streamlit runs every page
    file as the module __main__, so pages/rank.py and pages/unit.py both define
    __main__.print_tables."""
    code = getattr(fn, "__code__", None)
    return f"{code.co_filename if code else fn.__module__}:{fn.__qualname__}"


def view(fn: Callable, *args, **kwargs):
    """fn(engine, *args, **kwargs), kept (for every session) until the data changes."""
    path, data_version, day = db_path(), version(), today()
    key = (path, data_version, day, fn_key(fn), frozen(args), tuple(sorted(kwargs.items())))
    return _VIEWS.get(key, lambda: fn(_engine(path, data_version, day), *args, **kwargs))


def store_view(fn: Callable, *args):
    """fn(store, *args), kept until the data changes."""
    path = db_path()
    return _STORE_VIEWS.get((path, version(), fn_key(fn), frozen(args)), lambda: fn(_store(path), *args))


def has_data() -> bool:
    return store_view(data_span)[0] is not None


def unit_options() -> dict[int, str]:
    return {u.id: u.name for u in engine().units.units}


def groups() -> tuple[str, ...]:
    """The groups units are ranked within, in display order (the profile's)."""
    return engine().profile.group_codes
