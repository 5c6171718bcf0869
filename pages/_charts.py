"""How every chart looks: the CJK font, one colour per score tier (the same in every chart), the
legend and title placed for screen and paper, and every string from data shown as plain text.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go

from scoring.profile.names import visible

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
PALETTE = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#9d755d", "#b279a2", "#ff9da6", "#bab0ac")


def tier_color(tier: str) -> str:
    """A tier's colour: by its place in the profile's tier list, so every chart agrees."""
    from ._data import engine

    tiers = engine().profile.score_tiers
    return PALETTE[tiers.index(tier) % len(PALETTE)] if tier in tiers else PALETTE[-1]


# What a chart shows from data: category labels (axis ticks), bar texts, hover values and the
# trace names in the legend. Plotly renders a subset of HTML in all of them (a link, bold, a line
# break), so each is written as text: < > & as entities, which Plotly shows as the characters.
_CHART_DATA = ("name", "x", "y", "text", "hovertext", "customdata", "meta")


def chart_text(value):
    """A string for a chart, shown as the characters it is (lists: each string in them)."""
    if isinstance(value, str):
        return html.escape(visible(value), quote=False)
    if isinstance(value, (list, tuple)):
        return [chart_text(v) for v in value]
    return value


def style(fig: go.Figure, height: int | None = None, legend: bool = True, title: str | None = None) -> go.Figure:
    """CJK font everywhere, compact margins, horizontal legend above the plot area; every string
    from data in it made plain text (chart_text). Call it once per figure, after adding the traces:
    a hovertemplate names data by reference (%{x}, %{fullData.name}), never by value.

    The legend is placed in the top margin and the margin grows with it, so a legend that wraps
    onto a second line on a narrow screen pushes the plot down instead of covering the first bar.
    A title goes above the legend, inside the figure, so that a printed page never separates a
    chart from its heading.
    """
    for trace in fig.data:
        for attr in _CHART_DATA:
            value = getattr(trace, attr, None)
            if value is not None:
                trace[attr] = chart_text(value)
    title = chart_text(title)
    top = 30 if title else 0
    fig.update_layout(font={"family": FONT, "size": 13}, hoverlabel={"font": {"family": FONT}},
                      title={"font": {"family": FONT}},
                      margin={"l": 10, "r": 10, "t": 10 if legend else 20, "b": 10, "autoexpand": True},
                      legend={"orientation": "h", "yanchor": "top", "y": 1, "yref": "container", "x": 0, "xref": "container",
                              "xanchor": "left", "title": None},
                      showlegend=legend)
    if height:
        fig.update_layout(height=height)
    if title:
        fig.update_layout(title={"text": title, "x": 0, "xref": "container", "xanchor": "left", "y": 1,
                                 "yref": "container", "yanchor": "top", "pad": {"t": 6, "l": 2},
                                 "font": {"family": FONT, "size": 15, "weight": "bold"}},
                          legend={"y": 1 - top / (height or fig.layout.height or 450)})
    return fig
