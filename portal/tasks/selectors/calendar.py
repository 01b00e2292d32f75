"""Tasks by due day, for a calendar of a range of days (a month, a week)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from portal.tasks.choices import PRIORITY_RANK
from portal.tasks.due import due_day_in_zone
from portal.tasks.models import Task
from portal.tasks.selectors.tasks import task_list, tasks_visible_to

# A calendar shows at most this many tasks (a month of a busy portal); the page says when
# more were left out and the list pages through all of them.
CALENDAR_MAX = 1000
# UTC offsets reach 14 hours either way: a day in any zone lies within a day of that day in UTC.
ZONE_MARGIN = timedelta(days=1)


@dataclass
class CalendarTasks:
    days: dict[date, list[Task]] = field(default_factory=dict)
    more: bool = False  # more than CALENDAR_MAX tasks are due in the range


def due_day_of(task: Task) -> date | None:
    """The day a task is due as its team sees it: the day given, or the day of the due moment
    in the team's time zone."""
    return due_day_in_zone(task.team, task.due_date, task.due_day)


def tasks_by_due_day(
    *, fetched_by, filters: Mapping | None, first: date, last: date, limit: int = CALENDAR_MAX
) -> CalendarTasks:
    """The tasks `fetched_by` may see, filtered by the one filter set, due from `first` to
    `last` (days in each task's team zone), grouped by day: urgent first, then by due moment.

    One query (the team joined, no preloads), however many tasks; a bad filter raises
    ValidationError as `task_list` does.
    """
    start = datetime.combine(first, time.min, tzinfo=UTC) - ZONE_MARGIN
    end = datetime.combine(last, time.max, tzinfo=UTC) + ZONE_MARGIN
    rows = list(
        task_list(fetched_by=fetched_by, filters=filters)
        .prefetch_related(None)
        .filter(due_date__gte=start, due_date__lte=end)
        .with_overdue()
        .order_by("due_date", "id")[: limit + 1]
    )
    found = CalendarTasks(more=len(rows) > limit)
    for task in rows[:limit]:
        day = due_day_of(task)
        if first <= day <= last:
            found.days.setdefault(day, []).append(task)
    for tasks in found.days.values():
        tasks.sort(key=lambda t: (-PRIORITY_RANK.get(t.priority, 0), t.due_date, t.pk))
    return found


# A calendar feed holds at most this many tasks, the latest due first (a calendar app reads
# the whole feed every few hours).
FEED_MAX = 5000


def tasks_for_feed(*, fetched_by, team=None) -> list[Task]:
    """The tasks of a calendar feed, in one query: with a due date, not archived; those
    assigned to `fetched_by` in all their teams, or all of `team`'s (a team they may see)."""
    qs = tasks_visible_to(fetched_by=fetched_by).prefetch_related(None).active()
    qs = qs.filter(due_date__isnull=False)
    qs = qs.filter(team=team) if team is not None else qs.assigned_to(fetched_by)
    return list(qs.order_by("-due_date", "-id")[:FEED_MAX])


def feed_addresses(user, build: Callable[[str], str]) -> dict[str, Any] | None:
    """The person's calendar feed addresses, absolute (`build` makes a path absolute), or None
    when they have no feed: `{"mine": url, "teams": [{"id", "name", "url"}, ...]}` with a
    team feed for each team they may see (two queries). The profile page and the API show
    these."""
    from django.urls import reverse

    from portal.accounts.selectors import feed_token_of
    from portal.teams.selectors import teams_visible_to

    feed = feed_token_of(user)
    if feed is None:
        return None
    teams = teams_visible_to(fetched_by=user).only("id", "name", "slug")
    return {
        "mine": build(reverse("pages:feed_mine", args=[feed.token])),
        "teams": [
            {
                "id": team.pk,
                "name": team.name,
                "url": build(reverse("pages:feed_team", args=[feed.token, team.slug])),
            }
            for team in teams
        ],
    }
