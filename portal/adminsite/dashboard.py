"""The admin index: a dashboard about the teams of the person signed in."""

from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from portal.core.charts import (
    PRIMARY,
    STATUS_COLOURS,
    SUCCESS,
    chart_data,
    compact_options,
    series,
)
from portal.reports import selectors
from portal.tasks.admin.filters import range_parameters
from portal.tasks.querysets import DUE_SOON_DAYS, RECENTLY_DONE_DAYS
from portal.teams.selectors import teams_visible_to

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


def _charts(user, now) -> dict:
    """The three charts: created and done per day, open tasks by status and by person."""
    flow = selectors.created_vs_done(fetched_by=user, days=30, now=now)
    status = selectors.open_by_status(fetched_by=user)
    workload = selectors.workload_by_assignee(fetched_by=user)
    return {
        "flow_chart": chart_data(
            flow["labels"],
            series("Created", flow["created"], PRIMARY),
            series("Done", flow["done"], SUCCESS),
        ),
        "status_chart": chart_data(
            status, series("Open tasks", list(status.values()), STATUS_COLOURS, border=False)
        ),
        "workload_chart": chart_data(
            [name for name, _ in workload],
            series("Open tasks", [n for _, n in workload], PRIMARY, border=False),
        ),
        "flow_options": compact_options(legend=True, days=True),
        "status_options": compact_options(values=True),
        "workload_options": compact_options(values=True, horizontal=True),
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
