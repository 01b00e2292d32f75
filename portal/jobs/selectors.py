"""Reads about jobs, summaries and reminders: what the job functions and the admin look at."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import RowNumber

from portal.accounts.models import User
from portal.core.replica import replica_reads
from portal.core.zones import today_in, zone
from portal.events import kinds
from portal.events.models import Event
from portal.jobs.models import DailySummary, Job, OverdueReminder
from portal.jobs.summaries import LIST_LIMIT, Section, TeamSummary, day_bounds, summary_day
from portal.tasks.models import Task
from portal.tasks.querysets import done_since_q, open_q, overdue_q
from portal.teams.models import Team
from portal.teams.permissions import in_my_teams, is_superuser


def jobs_visible_to(*, fetched_by) -> QuerySet[Job]:
    """Job records: administrators see all; others see the jobs they started."""
    qs = Job.objects.select_related("requester")
    if is_superuser(fetched_by):
        return qs
    if not (fetched_by and fetched_by.is_authenticated):
        return qs.none()
    return qs.filter(requester=fetched_by)


def summaries_visible_to(*, fetched_by) -> QuerySet[DailySummary]:
    """Daily summaries of the user's teams (all for superusers)."""
    return DailySummary.objects.select_related("team").filter(in_my_teams(fetched_by))


def summary_teams(*, slug: str | None = None) -> QuerySet[Team]:
    """The teams a daily summary covers: all of them, or the one with `slug`."""
    teams = Team.objects.order_by("name")
    return teams.filter(slug=slug) if slug else teams


def summary_teams_due(
    *, at: datetime, slug: str | None = None, sent_before: datetime | None = None
) -> list[tuple[Team, date]]:
    """The teams whose daily summary is due at `at`, each with its day (`summary_day`).

    A team is due once DAILY_SUMMARY_HOUR has come on its day in its own zone, until that
    day's summary has gone out (its record is marked emailed, even to nobody): the hourly
    run after the hour makes it, and a run that missed the hour (the cluster was down) or
    failed to email catches up on the next one. With `sent_before` (when the job was
    recorded), only summaries sent before then count as gone out, so a resumed attempt of a
    job still covers the teams its earlier attempt sent. Two queries: teams, sent summaries.
    """
    due = [(team, day) for team in summary_teams(slug=slug) if (day := summary_day(team, at))]
    if not due:
        return []
    sent = set(
        DailySummary.objects.filter(
            team_id__in=[team.pk for team, _ in due],
            date__in={day for _, day in due},
            emailed_at__isnull=False,
            **({"emailed_at__lt": sent_before} if sent_before else {}),
        ).values_list("team_id", "date")
    )
    return [(team, day) for team, day in due if (team.pk, day) not in sent]


def summary_teams_today(*, slug: str | None = None, day: date | None = None):
    """Every team (or the one with `slug`) with `day`, or the team's today in its own zone."""
    return [(team, day or today_in(zone(team.time_zone))) for team in summary_teams(slug=slug)]


def _summary_readers() -> QuerySet[User]:
    """Who reads daily summaries by email: active people who opted in and have an address."""
    return User.objects.filter(receive_daily_summary=True, is_active=True).exclude(email="")


def summary_recipients(*, team_id: int) -> QuerySet[User]:
    """Active members of the team who opted in to the daily summary and have an address."""
    return _summary_readers().filter(memberships__team_id=team_id).order_by("username")


def summary_recipients_by_team(*, team_ids: list[int]) -> dict[int, list[User]]:
    """`summary_recipients` of several teams in one query: team id -> people, by username."""
    rows = (
        _summary_readers()
        .filter(memberships__team_id__in=team_ids)
        .annotate(summary_team_id=F("memberships__team_id"))
        .order_by("username")
    )
    by_team: dict[int, list[User]] = {team_id: [] for team_id in team_ids}
    for person in rows:
        by_team[person.summary_team_id].append(person)
    return by_team


def summaries_emailed_to(*, day: date, team_ids: list[int]) -> int:
    """How many people the day's summaries of these teams were emailed to, by any run."""
    rows = DailySummary.objects.filter(date=day, team_id__in=team_ids, emailed_at__isnull=False)
    return rows.aggregate(total=Sum("emailed_to"))["total"] or 0


def tasks_purged_since(*, since: datetime) -> dict[str, int]:
    """Tasks the archive clean-up deleted since `since`, per team key, by any run.

    Read from the deletion records the clean-up writes (no person, unlike a deletion by
    someone), so the figure adds up across attempts of a run that was killed half-way.
    """
    rows = (
        Task.history.model.objects.filter(
            history_type="-", history_user__isnull=True, history_date__gte=since
        )
        .values("team_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    per_team = {row["team_id"]: row["count"] for row in rows}
    keys = dict(Team.objects.filter(pk__in=per_team).values_list("pk", "key"))
    return {keys.get(pk, f"#{pk}"): count for pk, count in per_team.items()}


# The summary's sections: title, which tasks (the query vocabulary's words), their order.
def _sections(day: date, in_zone: tzinfo) -> list[tuple[str, Q, tuple[str, ...]]]:
    today, tomorrow = day_bounds(day, in_zone)
    yesterday = today - timedelta(days=1)
    return [
        ("Due today", open_q() & Q(due_date__gte=today, due_date__lt=tomorrow), ("due_date",)),
        # Due before today: a task is never both due today and overdue.
        ("Overdue", overdue_q(today), ("due_date",)),
        ("Done yesterday", done_since_q(yesterday, today), ("completed_at",)),
        ("Created yesterday", Q(created_at__gte=yesterday, created_at__lt=today), ()),
    ]


# What a summary line shows (summaries._line) and what the sections filter and sort on.
SUMMARY_TASK_FIELDS = (
    "id",
    "team_id",
    "number",
    "title",
    "priority",
    "due_date",
    "due_day",
    "completed_at",
    "created_at",
)


def _section_rows(team_ids: list[int], day: date, in_zone: tzinfo) -> list[Task]:
    """The first LIST_LIMIT tasks of every section of every team, in one query.

    Each part numbers its rows per team (`position`) and counts them (`section_total`), so
    the totals come with the rows and a section longer than the list costs no COUNT of its own.
    """
    parts = []
    for index, (_, cond, order) in enumerate(_sections(day, in_zone)):
        terms = [F(name).asc() for name in (*order, "number")]
        parts.append(
            Task.objects.filter(cond, team_id__in=team_ids)
            .only(*SUMMARY_TASK_FIELDS)
            .annotate(
                section=Value(index, output_field=IntegerField()),
                position=Window(RowNumber(), partition_by=F("team_id"), order_by=terms),
                section_total=Window(Count("pk"), partition_by=F("team_id")),
            )
            .filter(position__lte=LIST_LIMIT)
            .order_by()  # compound parts may not be ordered (SQLite); sorted below
        )
    rows = list(parts[0].union(*parts[1:], all=True))
    rows.sort(key=lambda task: (task.team_id, task.section, task.position))
    return rows


def _open_work(team_ids: list[int], today) -> tuple[dict[int, list], dict[int, int]]:
    """Per team: each person with open tasks there and their open and overdue counts; and
    the team's open tasks with nobody assigned.

    One pass over the open tasks joined to their assignee links (a left join: a task with
    nobody assigned comes once, with no person), grouped by team and person id alone
    (grouping by the names too doubled the time); the names come next. The unassigned count
    is the group without a person: a NOT EXISTS per open task beside the open total cost
    more than both of these queries together.
    """
    rows = list(
        Task.objects.filter(open_q(), team_id__in=team_ids)
        .values("team_id", user_id=F("assignees"))
        .annotate(
            open_count=Count("pk"),
            overdue_count=Count("pk", filter=overdue_q(today)),
        )
        .order_by()
    )
    unassigned = {row["team_id"]: row["open_count"] for row in rows if row["user_id"] is None}
    rows = [row for row in rows if row["user_id"] is not None]
    # In the database's order of names (its collation), as the list has always been sorted.
    names = User.objects.only("id", "username", "first_name", "last_name").order_by("username")
    people = list(names.filter(pk__in={row["user_id"] for row in rows}))
    place = {person.pk: index for index, person in enumerate(people)}
    by_id = {person.pk: person for person in people}
    per_team: dict[int, list[tuple[User, int, int]]] = {}
    for row in sorted(rows, key=lambda row: (-row["open_count"], place[row["user_id"]])):
        per_team.setdefault(row["team_id"], []).append(
            (by_id[row["user_id"]], row["open_count"], row["overdue_count"])
        )
    return per_team, unassigned


def _add_assignee_names(tasks: list[Task]) -> None:
    """Give each task `assignee_names` (usernames in the people's order), in one query.

    Only the names are shown, so they are read as values: a prefetch built a related manager
    and a person per row, a third of the collection's time at 2,000 listed tasks.
    """
    links = Task.assignees.through.objects.filter(task_id__in={task.pk for task in tasks})
    names: dict[int, list[str]] = {}
    for task_id, username in links.order_by("user__username").values_list(
        "task_id", "user__username"
    ):
        names.setdefault(task_id, []).append(username)
    for task in tasks:
        task.assignee_names = names.get(task.pk, [])


@replica_reads()
def teams_summaries(*, teams: list[Team], day: date) -> list[TeamSummary]:
    """Collect the summaries of `teams` for `day`, in the teams' order, each team's day (its
    today, yesterday, overdue) in the team's own time zone. Read from the read replica when
    there is one (portal/core/replica.py).

    Five queries per time zone among the teams, whatever the number of teams and tasks: the
    sections' rows with their totals, the assignees of the listed tasks, the open work per
    person and those people's names, the open and unassigned totals.
    """
    by_zone: dict[str, list[Team]] = {}
    for team in teams:
        by_zone.setdefault(team.time_zone or settings.TIME_ZONE, []).append(team)
    made: dict[int, TeamSummary] = {}
    for name, group in by_zone.items():
        for summary in _zone_summaries(group, day, zone(name)):
            made[summary.team.pk] = summary
    return [made[team.pk] for team in teams]


def _zone_summaries(teams: list[Team], day: date, in_zone: tzinfo) -> list[TeamSummary]:
    """The summaries of teams that share the time zone `in_zone` (see `teams_summaries`)."""
    team_ids = [team.pk for team in teams]
    today, _ = day_bounds(day, in_zone)
    sections = _sections(day, in_zone)
    rows = _section_rows(team_ids, day, in_zone)
    _add_assignee_names(rows)
    totals = dict(
        Task.objects.filter(open_q(), team_id__in=team_ids)
        .values("team_id")
        .annotate(open_total=Count("pk"))
        .order_by()
        .values_list("team_id", "open_total")
    )
    per_person, unassigned = _open_work(team_ids, today)
    teams_by_id = {team.pk: team for team in teams}
    listed: dict[tuple[int, int], list[Task]] = {}
    section_totals: dict[tuple[int, int], int] = {}
    for task in rows:
        task.team = teams_by_id[task.team_id]  # the key (OPS-42) needs it: no query per row
        listed.setdefault((task.team_id, task.section), []).append(task)
        section_totals[task.team_id, task.section] = task.section_total
    summaries = []
    for team in teams:
        summary = TeamSummary(team=team, day=day)
        summary.sections = [
            Section(
                title=title,
                tasks=listed.get((team.pk, index), []),
                total=section_totals.get((team.pk, index), 0),
            )
            for index, (title, _, _) in enumerate(sections)
        ]
        summary.people = per_person.get(team.pk, [])
        summary.open_total = totals.get(team.pk, 0)
        summary.unassigned_open = unassigned.get(team.pk, 0)
        summaries.append(summary)
    return summaries


def team_summary(*, team: Team, day: date) -> TeamSummary:
    """Collect the summary of `team` for `day` (see `teams_summaries`)."""
    return teams_summaries(teams=[team], day=day)[0]


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


def due_event_candidates(*, now: datetime) -> tuple[QuerySet[Task], QuerySet[Task]]:
    """Open tasks to tell of (portal.events): those due within the next day (the portal's
    "due soon" rule with a one-day window; a due day is stored as the end of that day in the
    team's zone) with no `task.due_soon` event recorded for that due date, and those overdue
    within the reminders' look-back window with no `task.overdue` event since they fell due
    (one each per task and due date)."""
    told_soon = Event.objects.filter(
        task_id=OuterRef("pk"),
        kind=kinds.TASK_DUE_SOON,
        created_at__gte=OuterRef("due_date") - timedelta(days=1),
    )
    due_soon = (
        Task.objects.due_within(1, now)
        .filter(~Exists(told_soon))
        .select_related("team")
        .order_by("pk")
    )
    told_overdue = Event.objects.filter(
        task_id=OuterRef("pk"), kind=kinds.TASK_OVERDUE, created_at__gte=OuterRef("due_date")
    )
    since = now - timedelta(days=settings.OVERDUE_REMINDER_LOOKBACK_DAYS)
    overdue = (
        Task.objects.filter(due_date__gte=since)
        .overdue(now)
        .filter(~Exists(told_overdue))
        .select_related("team")
        .order_by("pk")
    )
    return due_soon, overdue
