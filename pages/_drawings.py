"""What a page draws from the data alone — a Plotly figure, a print table's HTML — built once per
data version and arguments and shared by every session, like the frames of `_data.view`.

Building a figure costs 20–30 ms of Python (plotly validates every property it is given); handing a
built one to st.plotly_chart costs about 2 ms (a copy and its JSON). A page switch used to build
every chart of the page for every viewer; now the first viewer of a period builds it.

A build function takes cheap arguments (a period, a group, a unit id) and reads its frames
through `_data.view`, so the arguments and the data version name everything the drawing shows;
it must not depend on who is looking (the session), and nobody may change what it returns: the
same object is handed to every session.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

import streamlit as st

from . import _data


@st.cache_resource(max_entries=256, show_spinner=False)
def _built(path: str, data_version: str, today: date, key: str, args: tuple, _build: Callable):
    return _build(*args)


def drawing(build: Callable, *args):
    """build(*args), once per data version, today's date and arguments, for every session."""
    return _built(_data.db_path(), _data.version(), _data.today(), _data._key(build), args, build)


def chart(build: Callable, *args, key: str, **kwargs):
    """st.plotly_chart of the shared figure build(*args); kwargs go to st.plotly_chart."""
    return st.plotly_chart(drawing(build, *args), key=key, **kwargs)

