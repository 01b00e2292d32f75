"""Charts drawn by unfold's Chart.js script: their data and options, as the JSON it reads.

The admin's dashboard and the team reports draw their charts through these functions, so a
chart's look is decided here once. Options given to a chart replace unfold's defaults (which
hide the value axis and the legend) entirely, so each look returns everything a chart needs.
Two looks: `compact_options` for the dashboard's small cards (grey axes, no titles, a legend
at the top) and `titled_options` for the report pages (both axes titled, a legend below).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

# The theme's colours (CSS variables, so they follow the admin's colour settings).
PRIMARY = "var(--color-primary-600)"
GREEN = "var(--color-green-600)"
RED = "var(--color-red-600)"
ORANGE = "var(--color-orange-500)"
# Fixed colours of the dashboard: done, and the open statuses (to do, in progress, blocked).
SUCCESS = "#16a34a"
STATUS_COLOURS = ["#3b82f6", "#f59e0b", "#ef4444"]
# Axis values and legends: a grey that reads on light and dark backgrounds (as unfold's).
TICKS = "#9ca3af"


def chart_data(labels: Iterable, *datasets: dict) -> str:
    """A chart's data: the labels along the category axis and one dataset per series."""
    return json.dumps({"labels": list(labels), "datasets": list(datasets)})


def series(
    label: str,
    values: list,
    colour: str | list[str],
    *,
    line: bool = False,
    border: bool = True,
) -> dict:
    """One dataset, drawn and outlined in `colour` (without `border`, Chart.js's faint grey
    outlines its swatch in the tooltip). A `line` of the reports is straight-ish, unfilled, and
    bridges gaps."""
    data = {"label": label, "data": values, "backgroundColor": colour}
    if border:
        data["borderColor"] = colour
    if line:
        data.update({"fill": False, "tension": 0.2, "spanGaps": True})
    return data


def _frame(horizontal: bool) -> dict:
    """What every chart shares: it fills its box, and bars lie down when `horizontal`."""
    return {
        "responsive": True,
        "maintainAspectRatio": False,
        "indexAxis": "y" if horizontal else "x",
    }


def compact_options(
    *,
    legend: bool = False,
    values: bool = False,
    horizontal: bool = False,
    days: bool = False,
) -> str:
    """The dashboard's look: counts on the value axis (whole numbers from zero), a legend when
    a chart has several series, and for bar charts the value at the end of each bar (the
    `barValues` plugin in static/portal/admin.js). A chart over `days` shows a few of its dates;
    the others name every bar (a person or a status).
    """
    grid = {"display": True, "color": TICKS, "lineWidth": 0.5}
    counts = {
        "beginAtZero": True,
        "grace": "10%",
        "ticks": {"color": TICKS, "precision": 0, "maxTicksLimit": 6},
        "grid": grid,
        "border": {"display": False},
    }
    labels = {"autoSkip": True, "maxTicksLimit": 8} if days else {"autoSkip": False}
    categories = {
        "ticks": {"color": TICKS, "maxRotation": 0, **labels},
        "grid": {**grid, "display": False},
        "border": {"display": False},
    }
    padding = {"top": 18 if values and not horizontal else 4, "right": 28 if horizontal else 8}
    return json.dumps(
        {
            "animation": False,
            **_frame(horizontal),
            "layout": {"padding": padding},
            "scales": {"x": counts, "y": categories}
            if horizontal
            else {"x": categories, "y": counts},
            "datasets": {
                "bar": {"borderRadius": 6, "maxBarThickness": 36},
                "line": {
                    "borderWidth": 2,
                    "pointRadius": 0,
                    "pointHitRadius": 8,
                    # smooth, without dipping below zero between days
                    "cubicInterpolationMode": "monotone",
                },
            },
            "interaction": {"mode": "index", "intersect": False},
            "plugins": _compact_plugins(legend=legend, values=values),
        }
    )


def _compact_plugins(*, legend: bool, values: bool) -> dict:
    """The legend (small round markers, top right), tooltips and the bars' values."""
    markers = {"usePointStyle": True, "pointStyle": "circle", "boxWidth": 6, "boxHeight": 6}
    return {
        "legend": {
            "display": legend,
            "position": "top",
            "align": "end",
            "labels": {"color": TICKS, **markers},
        },
        "tooltip": {"enabled": True},
        "barValues": {"display": values, "color": TICKS},
    }


def titled_options(category_title: str, value_title: str, *, horizontal: bool = False) -> str:
    """The reports' look: both axes titled, the value axis from zero, the legend below."""
    x_title, y_title = (
        (value_title, category_title) if horizontal else (category_title, value_title)
    )
    return json.dumps(
        {
            **_frame(horizontal),
            "plugins": {"legend": {"display": True, "position": "bottom"}},
            "scales": {
                "x": {"title": {"display": True, "text": x_title}, "grid": {}},
                "y": {
                    "title": {"display": True, "text": y_title},
                    "grid": {},
                    "beginAtZero": True,
                },
            },
        }
    )
