"""The dashboard's data: the store and engine (opened per operation) and every view cached by the
store's data version, so that a write from any session or from the command line makes them stale.
Pages call `view(fn, ...)` with a function of scoring.views (or scoring.engine.commend …) that takes the
engine first.
"""
from __future__ import annotations

import functools
import os
import time
from datetime import date
from pathlib import Path
from typing import Callable

import web.allocators  # noqa: E402,F401 - before duckdb and polars load (see there)

import streamlit as st  # noqa: E402

from scoring.engine import Engine, today_in  # noqa: E402
from scoring.profile.settings import merged  # noqa: E402
from scoring.store import Store  # noqa: E402
from scoring.views.common import data_span  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def db_path() -> str:
    return os.environ.get("SCORING_DB") or str(ROOT / "data" / "demo.duckdb")


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    # A Store object holds no connection: each of its methods opens the file and closes it again.
    return Store(path)


def store() -> Store:
    return _store(db_path())


class _Versions:
    """The store's data version per file, re-read at most once a second (so an import from the
    command line shows up). A plain memo, not st.cache_data: a page run asks for the version a few
    dozen times (every view, drawing and date does), and each Streamlit cache lookup hashes its
    arguments and inspects the function, which cost more than the rest of a cached view."""

    TTL = 1.0

    def __init__(self):
        self._seen: dict[str, tuple[float, str]] = {}

    def __call__(self, path: str) -> str:
        now = time.monotonic()
        seen = self._seen.get(path)
        if seen is None or now - seen[0] >= self.TTL:
            seen = (now, _store(path).data_version())
            self._seen[path] = seen
        return seen[1]

    def clear(self) -> None:
        """Forget every version read: the next call reads the store (after a write)."""
        self._seen.clear()


_version = _Versions()


def version() -> str:
    return _version(db_path())


@functools.lru_cache(maxsize=8)
def _timezone(path: str, data_version: str) -> str:
    return merged(_store(path).stored_settings())["timezone"]  # a changed setting is a new version


def timezone() -> str:
    """The 时区 setting: today's date and every displayed time are in it."""
    return _timezone(db_path(), version())


def today() -> date:
    """Today where the office is (the 时区 setting): months end, and times show, in its time."""
    return today_in(timezone())


@st.cache_resource(max_entries=3, show_spinner=False)
def _engine(path: str, data_version: str, today: date) -> Engine:
    return Engine.open(_store(path))


_last_engine: tuple = ((), None)  # (key, engine): a page run asks for the engine a few times


def engine() -> Engine:
    global _last_engine
    key = (db_path(), version(), today())
    last = _last_engine  # read once: another session's run may replace it meanwhile
    if last[0] != key:
        last = _last_engine = (key, _engine(*key))
    return last[1]


def _key(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


@st.cache_data(max_entries=256, show_spinner=False)
def _view(path: str, data_version: str, today: date, key: str, args: tuple, kwargs: tuple, _fn: Callable):
    return _fn(_engine(path, data_version, today), *args, **dict(kwargs))


def view(fn: Callable, *args, **kwargs):
    """fn(engine, *args, **kwargs), cached (across sessions) until the data changes."""
    return _view(db_path(), version(), today(), _key(fn), args, tuple(sorted(kwargs.items())), fn)


@st.cache_data(max_entries=64, show_spinner=False)
def _store_view(path: str, data_version: str, key: str, args: tuple, _fn: Callable):
    return _fn(_store(path), *args)


def store_view(fn: Callable, *args):
    """fn(store, *args), cached until the data changes."""
    return _store_view(db_path(), version(), _key(fn), args, fn)


def has_data() -> bool:
    return store_view(data_span)[0] is not None


def unit_options() -> dict[int, str]:
    return {u.id: u.name for u in engine().units.units}


def groups() -> tuple[str, ...]:
    """The groups units are ranked within, in display order (the profile's)."""
    return engine().profile.group_codes
