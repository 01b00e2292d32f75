"""The admin index: a dashboard about the teams of the person signed in."""

import json
from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from portal.reports import selectors
from portal.tasks.admin.filters import range_parameters
from portal.tasks.querysets import DUE_SOON_DAYS, RECENTLY_DONE_DAYS
from portal.teams.selectors import teams_visible_to

PRIMARY = "var(--color-primary-600)"
SUCCESS = "#16a34a"
STATUS_COLOURS = ["#3b82f6", "#f59e0b", "#ef4444"]
# Axis values and legends: a grey that reads on light and dark backgrounds (as unfold's).
TICKS = "#9ca3af"


def chart_options(
    *,
    legend: bool = False,
    values: bool = False,
    horizontal: bool = False,
    days: bool = False,
):
    """Chart.js options for the dashboard's charts: counts on the value axis (whole numbers
    from zero), a legend when a chart has several series, and for bar charts the value at the
    end of each bar (the `barValues` plugin in static/portal/admin.js).

    unfold's own defaults hide the value axis and the legend; options given to a chart replace
    them entirely, so everything a chart needs is here. A chart over `days` shows a few of
    its dates; the others name every bar (a person or a status).
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
            "responsive": True,
            "maintainAspectRatio": False,
            "indexAxis": "y" if horizontal else "x",
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
            "plugins": _plugins(legend=legend, values=values),
        }
    )


def _plugins(*, legend: bool, values: bool) -> dict:
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


# Each card's link is the task list filtered by the same words of the query vocabulary that
# counted it, so the number on the card and the rows behind the link cannot disagree.
OPEN_QUERY = "open=true"
DUE_SOON_QUERY = f"due_within={DUE_SOON_DAYS}"


def _done_recently_query(now) -> str:
    return urlencode(range_parameters(completed_after=now - timedelta(days=RECENTLY_DONE_DAYS)))


def _kpi_cards(user, now, tasks_url: str) -> list[dict]:
    """The four numbers at the top, each linking to the task list that shows its rows."""
    numbers = selectors.kpis(fetched_by=user, now=now)
    cards = [
        ("Open", numbers["open"], "Not done, not archived", f"{tasks_url}?{OPEN_QUERY}", "inbox"),
        (
            "Overdue",
            numbers["overdue"],
            "Past their due date",
            f"{tasks_url}?overdue=true",
            "alarm",
        ),
        (
            f"Due in {DUE_SOON_DAYS} days",
            numbers["due_soon"],
            "Open and due this week",
            f"{tasks_url}?{DUE_SOON_QUERY}",
            "event_upcoming",
        ),
        (
            f"Done in {RECENTLY_DONE_DAYS} days",
            numbers["done_recently"],
            "Completed this week",
            f"{tasks_url}?status=done&is_archived=all&{_done_recently_query(now)}",
            "task_alt",
        ),
    ]
    return [
        {"title": t, "value": v, "hint": h, "href": href, "icon": i} for t, v, h, href, i in cards
    ]


def _chart(labels: list, *datasets: dict) -> str:
    return json.dumps({"labels": labels, "datasets": list(datasets)})


def _charts(user, now) -> dict:
    """The three charts: created and done per day, open tasks by status and by person."""
    flow = selectors.created_vs_done(fetched_by=user, days=30, now=now)
    status = selectors.open_by_status(fetched_by=user)
    workload = selectors.workload_by_assignee(fetched_by=user)
    line = {"borderColor": PRIMARY, "backgroundColor": PRIMARY}
    done = {"borderColor": SUCCESS, "backgroundColor": SUCCESS}
    return {
        "flow_chart": _chart(
            flow["labels"],
            {"label": "Created", "data": flow["created"], **line},
            {"label": "Done", "data": flow["done"], **done},
        ),
        "status_chart": _chart(
            list(status),
            {
                "label": "Open tasks",
                "data": list(status.values()),
                "backgroundColor": STATUS_COLOURS,
            },
        ),
        "workload_chart": _chart(
            [name for name, _ in workload],
            {"label": "Open tasks", "data": [n for _, n in workload], "backgroundColor": PRIMARY},
        ),
        "flow_options": chart_options(legend=True, days=True),
        "status_options": chart_options(values=True),
        "workload_options": chart_options(values=True, horizontal=True),
        "has_workload": bool(workload),
    }


def dashboard_callback(request, context):
    user = request.user
    now = timezone.now()
    tasks_url = reverse("admin:tasks_task_changelist")
    context.update(
        {
            "kpi_cards": _kpi_cards(user, now, tasks_url),
            **_charts(user, now),
            "my_tasks": list(selectors.my_tasks(fetched_by=user)),
            "my_teams": list(teams_visible_to(fetched_by=user)),
            "now": now,
            "tasks_url": tasks_url,
        }
    )
    return context
