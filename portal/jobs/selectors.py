"""Reads about jobs, summaries and reminders: what the job functions and the admin look at."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from portal.accounts.models import User
from portal.jobs.models import DailySummary, Job, OverdueReminder
from portal.jobs.summaries import LIST_LIMIT, Section, TeamSummary, day_bounds
from portal.tasks.models import Task
from portal.tasks.querysets import open_q, overdue_q
from portal.teams.models import Team
from portal.teams.permissions import is_superuser, team_ids_for


def jobs_visible_to(user) -> QuerySet[Job]:
    """Job records: administrators see all; others see the jobs they started."""
    qs = Job.objects.select_related("requester")
    if is_superuser(user):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(requester=user)


def summaries_visible_to(user) -> QuerySet[DailySummary]:
    """Daily summaries of the user's teams (all for superusers)."""
    qs = DailySummary.objects.select_related("team")
    if is_superuser(user):
        return qs
    return qs.filter(team_id__in=team_ids_for(user))


def summary_teams(*, slug: str | None = None) -> QuerySet[Team]:
    """The teams a daily summary covers: all of them, or the one with `slug`."""
    teams = Team.objects.order_by("name")
    return teams.filter(slug=slug) if slug else teams


def summary_recipients(*, team_id: int) -> QuerySet[User]:
    """Active members of the team who opted in to the daily summary and have an address."""
    return (
        User.objects.filter(
            memberships__team_id=team_id, receive_daily_summary=True, is_active=True
        )
        .exclude(email="")
        .order_by("username")
    )


def summaries_emailed_to(*, day: date, team_ids: list[int]) -> int:
    """How many people the day's summaries of these teams were emailed to, by any run."""
    rows = DailySummary.objects.filter(date=day, team_id__in=team_ids, emailed_at__isnull=False)
    return rows.aggregate(total=Sum("emailed_to"))["total"] or 0


def _section(title: str, qs: QuerySet[Task]) -> Section:
    rows = list(qs[: LIST_LIMIT + 1])
    total = len(rows) if len(rows) <= LIST_LIMIT else qs.count()
    return Section(title=title, tasks=rows[:LIST_LIMIT], total=total)


def team_summary(*, team: Team, day: date) -> TeamSummary:
    """Collect the summary of `team` for `day` (a constant number of queries per team)."""
    today, tomorrow = day_bounds(day)
    yesterday = today - timedelta(days=1)
    people = User.objects.only("id", "username", "first_name", "last_name")
    tasks = (
        Task.objects.filter(team=team)
        .select_related("team")
        .prefetch_related(Prefetch("assignees", people))
    )
    summary = TeamSummary(team=team, day=day)
    summary.sections = [
        _section(
            "Due today",
            tasks.open()
            .filter(due_date__gte=today, due_date__lt=tomorrow)
            .order_by("due_date", "number"),
        ),
        _section("Overdue", tasks.overdue(today).order_by("due_date", "number")),
        _section(
            "Done yesterday",
            tasks.done_since(yesterday, today).order_by("completed_at", "number"),
        ),
        _section(
            "Created yesterday",
            tasks.filter(created_at__gte=yesterday, created_at__lt=today).order_by("number"),
        ),
    ]
    in_team = Q(assigned_tasks__team=team)
    open_assigned = in_team & open_q("assigned_tasks__")
    rows = (
        User.objects.filter(open_assigned)
        .annotate(
            open_count=Count("assigned_tasks", filter=open_assigned, distinct=True),
            overdue_count=Count(
                "assigned_tasks",
                filter=in_team & overdue_q(today, "assigned_tasks__"),
                distinct=True,
            ),
        )
        .order_by("-open_count", "username")
        .only("id", "username", "first_name", "last_name")
    )
    summary.people = [(u, u.open_count, u.overdue_count) for u in rows]
    still_open = tasks.open()
    summary.open_total = still_open.count()
    summary.unassigned_open = still_open.filter(assignees__isnull=True).count()
    return summary


def overdue_reminder_candidates(*, now: datetime) -> QuerySet[Task]:
    """Tasks that fell due in the look-back window, are not done, have assignees, no reminder.

    Each task carries `recipients`: its active assignees with an address (possibly none).
    """
    since = now - timedelta(days=settings.OVERDUE_REMINDER_LOOKBACK_DAYS)
    already = OverdueReminder.objects.filter(task=OuterRef("pk"), due_date=OuterRef("due_date"))
    people = User.objects.filter(is_active=True).exclude(email="").order_by("username")
    return (
        Task.objects.filter(due_date__gte=since)
        .overdue(now)
        .filter(~Exists(already), assignees__isnull=False)
        .distinct()
        .select_related("team")
        .prefetch_related(Prefetch("assignees", people, to_attr="recipients"))
        .order_by("due_date", "pk")
    )
