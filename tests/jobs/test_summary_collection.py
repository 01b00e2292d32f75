"""The daily summary's collection: the same Markdown as the per-section queries it replaced,
at a constant number of queries per run however many tasks and teams there are."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts.models import User
from portal.jobs.models import JobStatus
from portal.jobs.runner import run_job
from portal.jobs.selectors import team_summary, teams_summaries
from portal.jobs.services import job_start
from portal.jobs.summaries import LIST_LIMIT, Section, TeamSummary, day_bounds, render_markdown
from portal.tasks import services as ts
from portal.tasks.models import Priority, Status, Task
from portal.tasks.querysets import open_q, overdue_q
from portal.teams.models import Role, Team
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- the collection as it was: one query per section, its COUNT, and three more per team ------
def _old_section(title: str, qs: QuerySet[Task]) -> Section:
    rows = list(qs[: LIST_LIMIT + 1])
    total = len(rows) if len(rows) <= LIST_LIMIT else qs.count()
    return Section(title=title, tasks=rows[:LIST_LIMIT], total=total)


def old_team_summary(*, team: Team, day: date) -> TeamSummary:
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
        _old_section(
            "Due today",
            tasks.open()
            .filter(due_date__gte=today, due_date__lt=tomorrow)
            .order_by("due_date", "number"),
        ),
        _old_section("Overdue", tasks.overdue(today).order_by("due_date", "number")),
        _old_section(
            "Done yesterday",
            tasks.done_since(yesterday, today).order_by("completed_at", "number"),
        ),
        _old_section(
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


# --- a varied pair of teams -------------------------------------------------------------------
def local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


def build_world(day: date) -> list[Team]:
    """Two teams whose tasks sit on every edge of the summary's sections, in local time."""
    ops = TeamFactory(name="Operations", slug="operations", key="OPS")
    des = TeamFactory(name="Design", slug="design", key="DES")
    lead = UserFactory(username="lead", first_name="Lena", last_name="Lead")
    anna = UserFactory(username="anna", first_name="", last_name="")
    bob = UserFactory(username="bob", first_name="Bob", last_name="")
    zed = UserFactory(username="zed", first_name="Zed", last_name="Zulu")
    # Equal counts, names whose order depends on case and punctuation: sorted as before.
    ties = [UserFactory(username=name) for name in ("Max", "ada", "_ian", "max.b")]
    pairs = [(lead, ops), (anna, ops), (bob, ops), (zed, des), (lead, des)]
    for person, team in pairs + [(tie, ops) for tie in ties]:
        MembershipFactory(user=person, team=team, role=Role.LEAD if person == lead else "member")
    yesterday, tomorrow = day - timedelta(days=1), day + timedelta(days=1)
    priorities = list(Priority)
    rows, edits = [], []

    def task(title, who=(), team=ops, due=None, **later):
        rows.append(
            (
                team,
                {"title": title, "due_date": due, "assignees": list(who)},
            )
        )
        edits.append(later)

    # Due today: the first and the last moment of the local day; tomorrow's midnight is not.
    task("Starts the day", [anna, bob], due=local(day))
    task("Ends the day", [bob], due=local(day, 23, 59, 59))
    task("Tomorrow", [anna], due=local(tomorrow))
    task("Due today but done", [anna], due=local(day, 9), status=Status.DONE)
    task("Due today, archived", [anna], due=local(day, 9), is_archived=True)
    task("Due today, nobody", due=local(day, 12))
    # Overdue: more than the list holds, the last second of yesterday among them.
    task("Last second of yesterday", [lead], due=local(yesterday, 23, 59, 59))
    for n in range(LIST_LIMIT + 2):
        who = [[anna], [bob, lead], []][n % 3]
        task(f"Late {n}", who, due=local(day - timedelta(days=2 + n % 9), n % 24))
    task("Late but done", [anna], due=local(yesterday, 8), status=Status.DONE)
    task("Late and archived", [anna], due=local(yesterday, 8), is_archived=True)
    # Done yesterday: from its first moment up to, not including, today's midnight.
    task("Done at yesterday's midnight", [bob], status=Status.DONE, completed_at=local(yesterday))
    task(
        "Done at the end of yesterday",
        [anna, lead],
        status=Status.DONE,
        completed_at=local(yesterday, 23, 59, 59),
    )
    task("Done at today's midnight", [bob], status=Status.DONE, completed_at=local(day))
    task(
        "Done the day before",
        status=Status.DONE,
        completed_at=local(yesterday - timedelta(days=1), 23, 59),
    )
    # Created yesterday, edges likewise; the rest were created long ago (set below).
    task("Made at yesterday's midnight", [anna], created_at=local(yesterday))
    task("Made at the end of yesterday", created_at=local(yesterday, 23, 59, 59))
    task("Made at today's midnight", [bob], created_at=local(day))
    task("Made the day before", created_at=local(yesterday - timedelta(days=1), 23, 59, 59))
    task("No due date", [anna, bob, lead])
    task("Shared by equals", ties)
    # The other team: its own rows, and a person shared with the first.
    task("Design due today", [zed, lead], team=des, due=local(day, 10))
    task("Design late", [zed], team=des, due=local(yesterday, 10))
    task("Design done", [zed], team=des, status=Status.DONE, completed_at=local(yesterday, 10))

    long_ago = local(day - timedelta(days=30))
    for team in (ops, des):
        mine = [(i, f) for i, (t, f) in enumerate(rows) if t == team]
        made = ts.tasks_create_bulk(actor=lead, team=team, rows=[f for _, f in mine])
        for (index, _), row in zip(mine, made, strict=True):
            change = {"created_at": long_ago, "priority": priorities[index % 4], **edits[index]}
            if change.get("status") == Status.DONE:
                change.setdefault("completed_at", local(yesterday, 15))
            if change.get("is_archived"):
                change["archived_at"] = long_ago
            Task.objects.filter(pk=row.pk).update(**change)
    return [des, ops]


DAYS = [
    pytest.param("UTC", date(2026, 11, 26), id="utc"),
    pytest.param("America/New_York", date(2026, 11, 26), id="new-york"),
    # The clocks went back overnight: yesterday had 25 hours in Berlin.
    pytest.param("Europe/Berlin", date(2026, 10, 26), id="berlin-after-dst"),
]


@pytest.mark.parametrize(("zone", "day"), DAYS)
def test_the_markdown_is_the_same_as_before(settings, zone, day):
    settings.TIME_ZONE = zone
    with time_machine.travel(local(day, 7), tick=False):
        teams = build_world(day)
        before = {team.key: render_markdown(old_team_summary(team=team, day=day)) for team in teams}
        after = {s.team.key: render_markdown(s) for s in teams_summaries(teams=teams, day=day)}
        alone = render_markdown(team_summary(team=teams[1], day=day))
    assert after == before
    assert alone == before["OPS"]
    # The world does reach every edge it was built for.
    ops = before["OPS"]
    assert "## Due today (3)" in ops and "## Overdue (53)" in ops and "- ... and 3 more" in ops
    assert "## Done yesterday (4)" in ops and "## Created yesterday (2)" in ops
    assert "Starts the day" in ops and "Done at yesterday's midnight" in ops
    assert "Tomorrow" not in ops and "today's midnight" not in ops
    assert "| Unassigned | 20 | |" in ops and "| anna (@anna) | 22 | 18 |" in ops
    # Names are text: Markdown's own characters in them are escaped.
    assert "| ada (@ada) | 1 | 0 |" in ops and r"| \_ian (@\_ian) | 1 | 0 |" in ops


def test_a_team_without_tasks_gets_an_empty_summary(team, lead):
    day = timezone.localdate()
    summary = team_summary(team=team, day=day)
    assert [s.total for s in summary.sections] == [0, 0, 0, 0]
    assert (summary.people, summary.open_total, summary.unassigned_open) == ([], 0, 0)
    assert render_markdown(summary) == render_markdown(old_team_summary(team=team, day=day))
    assert teams_summaries(teams=[], day=day) == []


# --- query counts -----------------------------------------------------------------------------
def add_tasks(team: Team, people: list[User], count: int, day: date) -> None:
    """`count` tasks spread over every section, each with two of `people` (rows only)."""
    yesterday = local(day - timedelta(days=1), 12)
    shapes = [
        {"due_date": local(day, 12)},
        {"due_date": yesterday},
        {"status": Status.DONE, "completed_at": yesterday},
        {"created_at": yesterday},
        {},
    ]
    first = Task.objects.filter(team=team).count()
    tasks = Task.objects.bulk_create(
        Task(team=team, number=first + n, title=f"Task {n}", **shapes[n % len(shapes)])
        for n in range(1, count + 1)
    )
    # created_at is set on insert whatever it is given.
    made_yesterday = [t.pk for n, t in enumerate(tasks, 1) if "created_at" in shapes[n % 5]]
    Task.objects.filter(pk__in=made_yesterday).update(created_at=yesterday)
    links = Task.assignees.through
    links.objects.bulk_create(
        links(task_id=task.pk, user_id=people[(index + k) % len(people)].pk)
        for index, task in enumerate(tasks)
        for k in range(2)
    )


@pytest.fixture
def crowd(team):
    people = UserFactory.create_batch(5)
    for person in people:
        MembershipFactory(user=person, team=team)
    return people


# The sections with their totals, the listed tasks' assignees, the open work per person, those
# people's names, the open and unassigned totals.
COLLECTION_QUERIES = 5


def test_collection_queries_do_not_grow_with_tasks(team, crowd, django_assert_num_queries):
    day = timezone.localdate()
    add_tasks(team, crowd, 10, day)
    with django_assert_num_queries(COLLECTION_QUERIES):
        few = team_summary(team=team, day=day)
    add_tasks(team, crowd, 490, day)
    with django_assert_num_queries(COLLECTION_QUERIES):
        many = team_summary(team=team, day=day)
    assert [s.total for s in few.sections] == [2, 2, 2, 2]
    assert [s.total for s in many.sections] == [100, 100, 100, 100]
    assert [len(s.tasks) for s in many.sections] == [LIST_LIMIT] * 4
    assert many.open_total == 400 and len(many.people) == 5


def test_collection_queries_do_not_grow_with_teams(crowd, team, django_assert_num_queries):
    day = timezone.localdate()
    add_tasks(team, crowd, 20, day)
    others = TeamFactory.create_batch(5)
    for other in others:
        add_tasks(other, crowd, 20, day)
    with django_assert_num_queries(COLLECTION_QUERIES):
        summaries = teams_summaries(teams=[team, *others], day=day)
    assert [s.team for s in summaries] == [team, *others]
    assert all(s.open_total == 16 for s in summaries)


# Per batch of teams in a run: the five of the collection, the upsert of the records, the
# readers, locking the batch's records, marking them emailed (one UPDATE), the progress beat;
# tests run inside a transaction, so the emailing's own transaction adds a savepoint and its
# release (in production a plain BEGIN/COMMIT, which no query count sees).
RUN_QUERIES_PER_BATCH = 12


def run_summary(day: date) -> tuple[int, dict]:
    job = job_start("daily_summary", requester=None, date=day.isoformat())
    with CaptureQueriesContext(connection) as queries:
        run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return len(queries.captured_queries), job.result


def _summary_world(crowd, team, day, others: int) -> None:
    for person in crowd:
        person.receive_daily_summary = True
        person.save()
    add_tasks(team, crowd, 10, day)
    for other in TeamFactory.create_batch(others):
        for person in crowd:
            MembershipFactory(user=person, team=other)
        add_tasks(other, crowd, 20, day)


def test_a_run_costs_the_same_queries_for_one_team_or_many(crowd, team):
    day = timezone.localdate()
    add_tasks(team, crowd, 10, day)
    for person in crowd:
        person.receive_daily_summary = True
        person.save()
    few, result = run_summary(day - timedelta(days=1))
    assert result["teams"] == 1 and result["emailed"] == 5
    for other in TeamFactory.create_batch(6):
        for person in crowd:
            MembershipFactory(user=person, team=other)
        add_tasks(other, crowd, 100, day)
    many, result = run_summary(day)
    assert result["teams"] == 7 and result["emailed"] == 35
    assert many == few
    # The job record and its claim, the teams, one batch, the emailed total, the finish.
    assert few <= 9 + RUN_QUERIES_PER_BATCH


def test_a_run_costs_a_constant_few_queries_per_batch(crowd, team, monkeypatch):
    from portal.jobs import jobs

    day = timezone.localdate()
    monkeypatch.setattr(jobs, "SUMMARY_BATCH", 2)
    _summary_world(crowd, team, day, others=1)
    one_batch, result = run_summary(day - timedelta(days=1))
    assert result["teams"] == 2 and result["emailed"] == 10
    for other in TeamFactory.create_batch(4):
        for person in crowd:
            MembershipFactory(user=person, team=other)
        add_tasks(other, crowd, 50, day)
    three_batches, result = run_summary(day)
    assert result["teams"] == 6 and result["emailed"] == 30
    assert three_batches - one_batch == 2 * RUN_QUERIES_PER_BATCH
