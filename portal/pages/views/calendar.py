"""The calendars: a team's (`/teams/<slug>/calendar/`) and My work's (`/tasks/calendar/`),
tasks by due day in a month or a week, filtered by the lists' filter set; and moving a task's
due day (`/teams/<slug>/tasks/<n>/due/`) and stopping a repeat
(`/teams/<slug>/tasks/<n>/repeat/stop/`), both through task_update."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portal.core.dates import day as day_text
from portal.core.zones import today_in, zone
from portal.savedviews.models import PageKind
from portal.tasks import permissions as task_perms
from portal.tasks.due import due_on_day
from portal.tasks.selectors import CALENDAR_MAX, tasks_by_due_day
from portal.tasks.services import error_text, task_update
from portal.teams.models import Team

from ..calendar_items import calendar_items
from ..saved_views import saved_views, saved_views_context
from .base import (
    bad_request,
    page_view,
    render_page,
    safe_next,
    team_context,
    team_or_404,
    team_task_or_404,
)
from .tasks import filter_context, filter_errors, list_filters

MONTH, WEEK = "month", "week"
VIEWS = (MONTH, WEEK)
# Parameters that belong to the calendar, not to the filter set.
CALENDAR_PARAMS = ("page", "view", "month", "week")
VIEW_INVALID = 'Enter "month" or "week" as the view.'
MONTH_INVALID = "Enter a month as 2026-12 (years 1900 to 2200)."
WEEK_INVALID = "Enter a week as 2026-W49 (ISO weeks, years 1900 to 2200)."
DUE_DAY_INVALID = "Enter the new due day as 2026-12-24."
MOVED = "{key} is now due {day}."
NOT_MOVED = "{key} was not moved: {reason}"
TOO_MANY = "Only the first {max:,} tasks are shown: narrow the filters to see the others."
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
YEARS = (1900, 2200)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass
class Day:
    date: date
    in_range: bool  # in the month shown (a month's grid starts and ends with whole weeks)
    today: bool
    tasks: list = field(default_factory=list)
    items: list = field(default_factory=list)  # the tasks as the page prints them

    @property
    def iso(self) -> str:
        return self.date.isoformat()


def parse_month(text: str) -> date | None:
    """The first day of the month `2026-12`, or None."""
    found = _MONTH.match(text.strip())
    if not found:
        return None
    year, month = int(found[1]), int(found[2])
    if not (YEARS[0] <= year <= YEARS[1] and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def parse_week(text: str) -> date | None:
    """The Monday of the ISO week `2026-W49`, or None."""
    found = _WEEK.match(text.strip())
    if not found or not YEARS[0] <= int(found[1]) <= YEARS[1]:
        return None
    try:
        return date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        return None


def month_text(first: date) -> str:
    return f"{first:%Y-%m}"


def week_text(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Period:
    view: str
    first: date  # first day shown
    last: date  # last day shown
    anchor: date  # the month's first day, or the week's Monday
    heading: str
    prev: dict
    next: dict
    current: dict  # the parameters that show this period
    this: dict  # the parameters that show today's period


def period_for(request, today: date) -> Period | str:
    """The month or week the address asks for (today's by default), or an error message."""
    view = request.GET.get("view", "") or MONTH
    if view not in VIEWS:
        return VIEW_INVALID
    if view == MONTH:
        given = request.GET.get("month", "")
        anchor = parse_month(given) if given else today.replace(day=1)
        if anchor is None:
            return MONTH_INVALID
        end = _add_months(anchor, 1) - timedelta(days=1)
        first = anchor - timedelta(days=anchor.weekday())
        last = end + timedelta(days=6 - end.weekday())

        def params(d):
            return {"view": None, "week": None, "month": month_text(d)}

        return Period(
            view,
            first,
            last,
            anchor,
            f"{anchor:%B %Y}",
            params(_add_months(anchor, -1)),
            params(_add_months(anchor, 1)),
            params(anchor),
            params(today.replace(day=1)),
        )
    given = request.GET.get("week", "")
    if given:
        anchor = parse_week(given)
        if anchor is None:
            return WEEK_INVALID
    else:
        month = parse_month(request.GET.get("month", "")) if request.GET.get("month") else None
        start = month or today
        anchor = start - timedelta(days=start.weekday())
    last = anchor + timedelta(days=6)

    def params(d):
        return {"view": WEEK, "month": None, "week": week_text(d)}

    week = anchor.isocalendar()[1]
    heading = f"Week {week}: {anchor:%b} {anchor.day} to {last:%b} {last.day}, {last.year}"
    return Period(
        view,
        anchor,
        last,
        anchor,
        heading,
        params(anchor - timedelta(days=7)),
        params(anchor + timedelta(days=7)),
        params(anchor),
        params(today - timedelta(days=today.weekday())),
    )


def calendar_url(team: Team | None) -> str:
    if team is None:
        return reverse("pages:my_calendar")
    return reverse("pages:calendar", args=[team.slug])


def _calendar(request, team: Team | None):
    user = request.user
    today = today_in(zone(team.time_zone)) if team else timezone.localdate()
    period = period_for(request, today)
    if isinstance(period, str):
        return bad_request(period)
    errors: list[str] = []
    found = None
    try:
        found = tasks_by_due_day(
            fetched_by=user,
            filters=list_filters(request, team, CALENDAR_PARAMS),
            first=period.first,
            last=period.last,
        )
    except ValidationError as exc:
        errors = filter_errors(exc)
    days = []
    current = period.first
    while current <= period.last:
        in_range = period.view == WEEK or current.month == period.anchor.month
        tasks = found.days.get(current, []) if found else []
        days.append(Day(current, in_range, current == today, tasks))
        current += timedelta(days=1)
    editable = {
        task.pk for day in days for task in day.tasks if task_perms.can_edit_task(user, task)
    }
    seen: dict = {}
    for day in days:
        day.items = calendar_items(day.tasks, editable, seen)
    context = team_context(user, team) if team else {}
    context.update(filter_context(request, team, calendar_url(team), CALENDAR_PARAMS))
    context.update(
        {
            "title": f"{team.name} calendar" if team else "My calendar",
            "section": "calendar" if team else "my_work",
            "calendar": True,
            "period": period,
            "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
            "weekdays": WEEKDAYS,
            "errors": errors,
            "too_many": TOO_MANY.format(max=CALENDAR_MAX) if found and found.more else "",
            "editable": editable,
            "any_tasks": any(day.tasks for day in days),
            "keep": [(k, v) for k, v in period.current.items() if v],
            "calendar_url": calendar_url(team),
            # Printed in every task's Move form: written once per page.
            "csrf_field": csrf_input(request) if editable else "",
            "next_path": request.get_full_path(),
        }
    )
    context.update(saved_views_context(request, team))
    return render_page(request, "teams/calendar.html", context)


@page_view
@require_GET
@saved_views(PageKind.CALENDAR)
def team_calendar(request, slug: str):
    return _calendar(request, team_or_404(request.user, slug))


@page_view
@require_GET
@saved_views(PageKind.CALENDAR)
def my_calendar(request):
    return _calendar(request, None)


class DueDayForm(forms.Form):
    due = forms.DateField(input_formats=["%Y-%m-%d"], error_messages={"invalid": DUE_DAY_INVALID})


def moved_due(task, new_day: date) -> date | datetime:
    """The new due date for a task moved to `new_day`: the day, or the same time of day (in
    the team's zone) on that day when the task is due at a time."""
    return due_on_day(task.team, task.due_date, task.due_day, new_day)


@page_view
@require_POST
def move_due(request, slug: str, number: int):
    """Move a task to another due day (members and leads, through task_update)."""
    user = request.user
    team, task = team_task_or_404(user, slug, number, rule=task_perms.EDIT_TASK)
    form = DueDayForm(request.POST)
    if not form.is_valid():
        return bad_request(DUE_DAY_INVALID)
    new_day = form.cleaned_data["due"]
    try:
        task = task_update(actor=user, task=task, due_date=moved_due(task, new_day))
    except ValidationError as exc:
        return bad_request(NOT_MOVED.format(key=task.key, reason=error_text(exc)))
    messages.success(request, MOVED.format(key=task.key, day=day_text(new_day)))
    return redirect(safe_next(request, calendar_url(team)))


REPEAT_STOPPED = "{key} no longer repeats."


@page_view
@require_POST
def repeat_stop(request, slug: str, number: int):
    """Stop repeating: clear the task's rule (members and leads, through task_update)."""
    user = request.user
    team, task = team_task_or_404(user, slug, number, rule=task_perms.EDIT_TASK)
    task_update(actor=user, task=task, repeat=None)
    messages.success(request, REPEAT_STOPPED.format(key=task.key))
    return redirect("pages:task", team.slug, task.number)
