"""What a page draws from the data alone — a Plotly figure, a print table's HTML — built once per
data version and arguments and shared by every session, like the frames of `_data.view`.

Building a figure costs 20–30 ms of Python (plotly validates every property it is given). Handing
a built one to st.plotly_chart still cost 3–5 ms on every page run: Streamlit deep-copies it into
a dictionary and plotly walks that dictionary before writing its JSON. A shared figure is
therefore kept with its JSON written once (`Prepared`), and st.plotly_chart takes both as they
are; the chart element it sends is the same.

A build function takes cheap arguments (a period, a group, a unit id) and reads its frames
through `_data.view`, so the arguments and the data version name everything the drawing shows;
it must not depend on who is looking (the session), and nobody may change what it returns: the
same object is handed to every session.
"""
from __future__ import annotations

from typing import Callable

import plotly.graph_objects as go
import plotly.io
import streamlit as st

from . import _data


class Spec(dict):
    """A figure's dictionary together with its JSON, written once."""

    json: str


class Prepared(go.Figure):
    """A figure that is not changed any more: its dictionary and JSON are made once.

    st.plotly_chart asks the figure for its dictionary (`to_dict`, a deep copy for a plain
    figure) and passes that to plotly.io.to_json; `_to_json` below answers a Spec with the JSON
    it carries. Anything else still goes to plotly's own to_json."""

    def __init__(self, figure: go.Figure):
        super().__init__(figure)
        spec = Spec(figure.to_dict())  # the original's: the same JSON, keys in the same order
        spec.json = _PLOTLY_TO_JSON(spec, validate=False)
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


_PLOTLY_TO_JSON = plotly.io.to_json


def _to_json(fig, *args, **kwargs) -> str:
    return fig.json if isinstance(fig, Spec) else _PLOTLY_TO_JSON(fig, *args, **kwargs)


plotly.io.to_json = _to_json


_DRAWN = _data.Shared(256)


def drawing(build: Callable, *args):
    """build(*args), once per data version, today's date and arguments, for every session."""
    key = (_data.db_path(), _data.version(), _data.today(), _data.fn_key(build), _data.frozen(args))
    return _DRAWN.get(key, lambda: _prepared(build(*args)))


def _prepared(drawn):
    return Prepared(drawn) if isinstance(drawn, go.Figure) else drawn


def chart(build: Callable, *args, key: str, **kwargs):
    """st.plotly_chart of the shared figure build(*args); kwargs go to st.plotly_chart."""
    return st.plotly_chart(drawing(build, *args), key=key, **kwargs)
