"""Analytics over the tasks a person may see: a handful of aggregate queries, whatever the size."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from portal.core.dates import day
from portal.core.replica import on_replica
from portal.core.zones import start_of_day, today_in, zone
from portal.tasks.models import Priority, Status, Task
from portal.tasks.querysets import (
    DUE_SOON_DAYS,
    RECENTLY_DONE_DAYS,
    active_q,
    done_since_q,
    due_within_q,
    open_at_q,
    open_q,
    overdue_at_q,
    overdue_q,
)
from portal.tasks.selectors import tasks_visible_to


def _base(user) -> QuerySet[Task]:
    # Aggregates need no preloading: drop the selector's prefetches. Every report starts here,
    # so every report reads from the read replica when there is one (portal/core/replica.py).
    return on_replica(tasks_visible_to(fetched_by=user).prefetch_related(None).select_related(None))


def kpis(*, fetched_by, now=None) -> dict[str, int]:
    """Open, overdue, due in the next 7 days and done in the last 7 days (one query)."""
    now = now or timezone.now()
    return _base(fetched_by).aggregate(
        open=Count("id", filter=open_q()),
        overdue=Count("id", filter=overdue_q(now)),
        due_soon=Count("id", filter=due_within_q(DUE_SOON_DAYS, now)),
        done_recently=Count("id", filter=done_since_q(now - timedelta(days=RECENTLY_DONE_DAYS))),
    )


def team_counts(*, fetched_by, now=None) -> dict[int, dict[str, int]]:
    """Per visible team: open, overdue, and due in the next 7 days.

    One query for all teams; teams without open tasks are missing from the result. Only open
    tasks are read: an index-only scan of the open tasks by team on PostgreSQL. (How many
    of them are assigned to `user`: `open_tasks_assigned_by_team`.)
    """
    now = now or timezone.now()
    rows = (
        _base(fetched_by)
        .open()
        .values("team_id")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=overdue_q(now)),
            due_soon=Count("id", filter=due_within_q(DUE_SOON_DAYS, now)),
        )
        .order_by()
    )
    return {row.pop("team_id"): row for row in rows}


def created_vs_done(*, fetched_by, days: int = 30, now=None) -> dict[str, list]:
    """Tasks created and completed per day over the last `days` days (two queries).

    It spans every team the person sees, so its days are the viewer's (the current zone,
    their profile's), not one team's.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - timedelta(days=days - 1)
    since = now - timedelta(days=days + 1)
    qs = _base(fetched_by)

    def per_day(field: str) -> dict:
        rows = (
            qs.filter(**{f"{field}__gte": since})
            .annotate(day=TruncDate(field))
            .values("day")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {row["day"]: row["n"] for row in rows}

    created, done = per_day("created_at"), per_day("completed_at")
    labels = [start + timedelta(days=i) for i in range(days)]
    return {
        "labels": [day(d, now) for d in labels],
        "created": [created.get(d, 0) for d in labels],
        "done": [done.get(d, 0) for d in labels],
    }


def open_by_status(*, fetched_by) -> dict[str, int]:
    rows = _base(fetched_by).open().values("status").annotate(n=Count("id")).order_by()
    counts = {row["status"]: row["n"] for row in rows}
    return {label: counts.get(value, 0) for value, label in Status.choices if value != Status.DONE}


def workload_by_assignee(*, fetched_by, limit: int = 10) -> list[tuple[str, int]]:
    """Open tasks per assignee, busiest first."""
    rows = (
        _base(fetched_by)
        .open()
        .filter(assignees__isnull=False)
        .values(name=F("assignees__username"))
        .annotate(n=Count("id"))
        .order_by("-n", "name")[:limit]
    )
    return [(row["name"], row["n"]) for row in rows]


def my_tasks(*, fetched_by, limit: int = 10) -> QuerySet[Task]:
    """Open tasks assigned to `user`, due soonest first (no due date last)."""
    return (
        tasks_visible_to(fetched_by=fetched_by)
        .open()
        .assigned_to(fetched_by)
        .ordered(["due_date", "-priority"])[:limit]
    )


# --- a team's report over a date range ------------------------------------------------------
@dataclass(frozen=True)
class ReportRange:
    """Days `first`..`last` (inclusive) and their moments, in `zone`: a team's report reads
    its days and weeks in the team's time zone (`team_range`); without a zone, the current
    one (the viewer's, for what spans several teams)."""

    first: date
    last: date
    zone: tzinfo | None = None

    @property
    def tz(self) -> tzinfo:
        return self.zone or timezone.get_current_timezone()

    @property
    def start(self) -> datetime:
        return start_of_day(self.first, self.tz)

    @property
    def end(self) -> datetime:
        """The moment the range ends (midnight after its last day)."""
        return start_of_day(self.last + timedelta(days=1), self.tz)

    @property
    def weeks(self) -> list[date]:
        """The Mondays of the weeks the range touches (weeks start on Monday)."""
        monday = self.first - timedelta(days=self.first.weekday())
        return [monday + timedelta(weeks=n) for n in range((self.last - monday).days // 7 + 1)]

    def week_end(self, monday: date) -> datetime:
        """The moment a week ends, or the range's end if that comes first."""
        return min(start_of_day(monday + timedelta(days=7), self.tz), self.end)

    def week_of(self, field: str) -> TruncWeek:
        """The Monday of the week `field` falls in, in the range's zone."""
        return TruncWeek(field, output_field=DateField(), tzinfo=self.tz)


def team_zone(team) -> tzinfo:
    """The zone a team's days are counted in (its `time_zone`, or the portal's)."""
    return zone(team.time_zone)


def team_range(team, *, first: date | None = None, last: date | None = None, days: int = 90):
    """A team's report range: `first`..`last`, or the last `days` days up to the team's
    today, in the team's time zone."""
    in_zone = team_zone(team)
    if first is None or last is None:
        last = today_in(in_zone)
        first = last - timedelta(days=days - 1)
    return ReportRange(first=first, last=last, zone=in_zone)


def _team_tasks(user, team) -> QuerySet[Task]:
    return _base(user).filter(team=team)


def _per_week(qs: QuerySet, field: str, span: ReportRange) -> dict[date, int]:
    rows = qs.annotate(week=span.week_of(field)).values("week").annotate(n=Count("id")).order_by()
    return {row["week"]: row["n"] for row in rows}


def created_and_done_per_week(*, fetched_by, team, span: ReportRange) -> list[dict]:
    """Per week of the range: tasks created and tasks completed (two grouped queries)."""
    tasks = _team_tasks(fetched_by, team)
    created = _per_week(
        tasks.filter(created_at__gte=span.start, created_at__lt=span.end), "created_at", span
    )
    done = _per_week(tasks.filter(done_since_q(span.start, span.end)), "completed_at", span)
    return [
        {"week": week, "created": created.get(week, 0), "done": done.get(week, 0)}
        for week in span.weeks
    ]


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of an ordered set: PERCENTILE_CONT(f) WITHIN GROUP."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        # The fraction is ours (a float constant), never user input.
        super().__init__(expression, fraction=float(fraction), **extra)


class EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def percentile_cont(values: list[float], fraction: float) -> float:
    """PERCENTILE_CONT in Python (linear interpolation), the fallback for other databases."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


CYCLE_FRACTIONS = {"median": 0.5, "p85": 0.85}
DAY = 86_400


def cycle_time_per_week(*, fetched_by, team, span: ReportRange) -> list[dict]:
    """Per week of completion: tasks done, and the median and 85th percentile of the days
    from creation to completion.

    PostgreSQL computes the percentiles itself (one query); elsewhere one query reads the
    range's done tasks as (week, created, completed) values and Python interpolates the same
    way, bounded by the tasks done in the range.
    """
    done = _team_tasks(fetched_by, team).filter(done_since_q(span.start, span.end))
    week = span.week_of("completed_at")
    by_week: dict[date, dict] = {}
    if connection.vendor == "postgresql":
        seconds = EpochSeconds(F("completed_at") - F("created_at"))
        rows = (
            done.annotate(week=week)
            .values("week")
            .annotate(
                n=Count("id"),
                **{name: PercentileCont(seconds, f) for name, f in CYCLE_FRACTIONS.items()},
            )
            .order_by()
        )
        for row in rows:
            by_week[row["week"]] = {
                "n": row["n"],
                **{name: row[name] / DAY for name in CYCLE_FRACTIONS},
            }
    else:
        values: dict[date, list[float]] = defaultdict(list)
        for monday, created, completed in done.annotate(week=week).values_list(
            "week", "created_at", "completed_at"
        ):
            values[monday].append((completed - created).total_seconds())
        for monday, seconds_list in values.items():
            by_week[monday] = {
                "n": len(seconds_list),
                **{
                    name: percentile_cont(seconds_list, f) / DAY
                    for name, f in CYCLE_FRACTIONS.items()
                },
            }
    empty = {"n": 0, "median": None, "p85": None}
    return [{"week": monday, **by_week.get(monday, empty)} for monday in span.weeks]


def open_and_overdue_trend(*, fetched_by, team, span: ReportRange) -> list[dict]:
    """Open and overdue tasks at the end of each week of the range (one query).

    Rebuilt from each task's creation, completion, archive and due times: a task reopened
    after being done counts as open all along, and due dates are the current ones.
    """
    ends = {monday: span.week_end(monday) for monday in span.weeks}
    counts = {}
    for n, moment in enumerate(ends.values()):
        counts[f"open_{n}"] = Count("id", filter=open_at_q(moment))
        counts[f"overdue_{n}"] = Count("id", filter=overdue_at_q(moment))
    totals = _team_tasks(fetched_by, team).aggregate(**counts)
    return [
        {
            "week": monday,
            "end": ends[monday],
            "open": totals[f"open_{n}"],
            "overdue": totals[f"overdue_{n}"],
        }
        for n, monday in enumerate(ends)
    ]


def workload(*, fetched_by, team, span: ReportRange, now=None) -> list[dict]:
    """Per assignee (and "unassigned"): open and overdue now, done within the range (one query)."""
    now = now or timezone.now()
    rows = (
        _team_tasks(fetched_by, team)
        .values(
            "assignees__id",
            "assignees__username",
            "assignees__first_name",
            "assignees__last_name",
        )
        .annotate(
            open=Count("id", filter=open_q()),
            overdue=Count("id", filter=overdue_q(now)),
            done=Count("id", filter=done_since_q(span.start, span.end)),
        )
        .filter(Q(open__gt=0) | Q(done__gt=0))
        .order_by("-open", "-overdue", "assignees__username")
    )
    result = []
    for row in rows:
        full = f"{row['assignees__first_name'] or ''} {row['assignees__last_name'] or ''}".strip()
        result.append(
            {
                "user_id": row["assignees__id"],
                "name": full or row["assignees__username"] or "Unassigned",
                "open": row["open"],
                "overdue": row["overdue"],
                "done": row["done"],
            }
        )
    return result


def _distribution(user, team, span: ReportRange, field: str, choices) -> list[dict]:
    rows = (
        _team_tasks(user, team)
        .filter(active_q(), created_at__gte=span.start, created_at__lt=span.end)
        .values(field)
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row[field]: row["n"] for row in rows}
    return [
        {"value": value, "label": label, "count": counts.get(value, 0)} for value, label in choices
    ]


def status_distribution(*, fetched_by, team, span: ReportRange) -> list[dict]:
    """Tasks created in the range (not archived), by the status they have now (one query)."""
    return _distribution(fetched_by, team, span, "status", Status.choices)


def priority_distribution(*, fetched_by, team, span: ReportRange) -> list[dict]:
    """Tasks created in the range (not archived), by priority (one query)."""
    return _distribution(fetched_by, team, span, "priority", Priority.choices)
