"""Building the data set in bulk, with its own timestamps."""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from portal.accounts.models import User
from portal.devtools.data import custom
from portal.devtools.data.shape import (
    BATCH,
    COMMENTS,
    DEPLOY_SHARE,
    PREFIX,
    PRIORITIES,
    RUNNER,
    STATUSES,
    TAG_NAMES,
    TEAM_NAMES,
    DataSet,
    Shape,
    _team_key,
    _text,
    _weighted,
)
from portal.devtools.data.upkeep import analyze, counts
from portal.tasks.custom_indexes import sync_order_indexes
from portal.tasks.models import Comment, Tag, Task
from portal.teams.models import Membership, Role, Team


@contextmanager
def _own_timestamps(*models: type[Model]) -> Iterator[None]:
    """Let bulk inserts write created_at/updated_at as given (a year of history, not "now")."""
    saved = []
    for model in models:
        for name in ("created_at", "updated_at"):
            f = model._meta.get_field(name)
            saved.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _insert(objs: list[Model]) -> list[Model]:
    """Insert model instances in bulk: COPY on PostgreSQL (ids drawn from the sequence first,
    so concurrent writers never collide), bulk_create elsewhere. Returns them with their ids.

    Every concrete field is written with the value Django would save, so a field added to a
    model later is written too.
    """
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=BATCH)
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated]
    table = connection.ops.quote_name(opts.db_table)
    with connection.cursor() as cursor:
        if opts.pk.attname and getattr(objs[0], opts.pk.attname) is None:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                setattr(obj, opts.pk.attname, pk)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )
    return objs


class _Phases:
    """Seconds spent in each step of the build, each measured from the end of the one before."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 2)
        self._last = now


@dataclass
class _Moments:
    """The times the task rows are drawn around."""

    now: datetime
    today: datetime
    yesterday: datetime

    @classmethod
    def at(cls, now: datetime) -> _Moments:
        today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(now=now, today=today, yesterday=today - timedelta(days=1))


def _teams(shape: Shape) -> list[Team]:
    return Team.objects.bulk_create(
        [
            Team(
                name=f"Bench {TEAM_NAMES[i % len(TEAM_NAMES)]} {i + 1}",
                slug=f"{PREFIX}{i + 1}",
                key=_team_key(i),
                description="A team of the benchmark's scratch data set.",
            )
            for i in range(shape.teams)
        ]
    )


def _people(rng: random.Random, shape: Shape, password: str) -> list[User]:
    """The measuring person first, then the others (who cannot sign in)."""
    # One real password hash (the project's first hasher): the measuring person signs in.
    unusable = make_password(None)
    runner = User(username=RUNNER, email=f"{RUNNER}@example.com", password=make_password(password))
    people = [runner] + [
        User(
            username=f"{PREFIX}{i:05d}",
            email=f"{PREFIX}{i:05d}@example.com",
            first_name=rng.choice(("Ada", "Grace", "Alan", "Linus", "Barbara", "Ken")),
            last_name=rng.choice(("Lovelace", "Hopper", "Turing", "Liskov", "Thompson")),
            password=unusable,
            receive_daily_summary=rng.random() < 0.2,
        )
        for i in range(1, shape.people)
    ]
    return User.objects.bulk_create(people, batch_size=BATCH)


def _memberships(rng: random.Random, teams: list[Team], people: list[User]) -> dict[int, list[int]]:
    """Every person joins a team (the runner all of them, as a member); the first person of a
    team leads it. Returns the writers (leads and members) of each team by team id."""
    runner = people[0]
    memberships = [Membership(user=runner, team=t, role=Role.MEMBER) for t in teams]
    writers: dict[int, list[int]] = {t.pk: [runner.pk] for t in teams}
    members: dict[int, list[int]] = {t.pk: [runner.pk] for t in teams}
    for i, person in enumerate(people[1:]):
        # Every team gets people in turn; a third of them are in a second team too.
        homes = {teams[i % len(teams)]}
        if rng.random() < 0.33:
            homes.add(rng.choice(teams))
        for team in homes:
            first = len(members[team.pk]) == 1
            role = Role.LEAD if first else (Role.VIEWER if rng.random() < 0.1 else Role.MEMBER)
            memberships.append(Membership(user=person, team=team, role=role))
            members[team.pk].append(person.pk)
            if role != Role.VIEWER:
                writers[team.pk].append(person.pk)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    return writers


def _tags(rng: random.Random, shape: Shape) -> list[Tag]:
    return Tag.objects.bulk_create(
        [
            Tag(name=f"{PREFIX}{name}", color=f"#{rng.randrange(0x1000000):06X}")
            for name in TAG_NAMES[: shape.tags]
        ]
    )


def _task_times(
    rng: random.Random, at: _Moments
) -> tuple[datetime, str, datetime | None, datetime | None]:
    """A task's creation, status, completion and due date: a year of history, with a few rows
    yesterday and today so the daily numbers have something to count."""
    now, today, yesterday = at.now, at.today, at.yesterday
    created = now - timedelta(seconds=rng.randrange(365 * 86400))
    if rng.random() < 0.01:
        created = yesterday + timedelta(seconds=rng.randrange(86400))
    status = _weighted(rng, STATUSES)
    completed = None
    if status == "done":
        completed = created + (now - created) * rng.random()
        if rng.random() < 0.04:
            completed = max(created, yesterday + timedelta(seconds=rng.randrange(86400)))
    due = None
    roll = rng.random()
    if roll < 0.02:
        due = today + timedelta(seconds=rng.randrange(86400))
    elif roll < 0.75:
        due = created + timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
    return created, status, completed, due


def _task(rng: random.Random, at: _Moments, team: Team, number: int, writers: list[int]) -> Task:
    created, status, completed, due = _task_times(rng, at)
    title, description = _text(rng, rng.random() < DEPLOY_SHARE)
    archived = rng.random() < 0.03
    return Task(
        team=team,
        number=number,
        title=title,
        description=description,
        status=status,
        priority=_weighted(rng, PRIORITIES),
        due_date=due,
        estimated_hours=Decimal(rng.randint(1, 80)) if rng.random() < 0.6 else None,
        created_by_id=rng.choice(writers),
        is_archived=archived,
        archived_at=at.now if archived else None,
        completed_at=completed,
        created_at=created,
        updated_at=max(created, completed or created),
    )


_Links = list[tuple[list[int], list[Tag]]]


def _task_rows(
    rng: random.Random,
    shape: Shape,
    at: _Moments,
    teams: list[Team],
    writers: dict[int, list[int]],
    tags: list[Tag],
    severities: dict[int, dict[str, str]],
) -> tuple[list[Task], _Links, dict[int, int]]:
    """The tasks (not saved), each one's assignees and tags, and the last number of each team."""
    rows, links = [], []
    numbers = {t.pk: 0 for t in teams}
    # The custom values draw from their own sequence: the rest of the set stays as it was.
    values_rng = random.Random(rng.random())
    for _ in range(shape.tasks):
        team = rng.choice(teams)
        numbers[team.pk] += 1
        pool = writers[team.pk]
        task = _task(rng, at, team, numbers[team.pk], pool)
        task.custom_fields = custom.values(values_rng, task, severities[team.pk], pool)
        rows.append(task)
        assignees = rng.sample(pool, min(rng.choice((0, 1, 2, 2, 3, 4)), len(pool)))
        task_tags = rng.sample(tags, rng.choice((0, 1, 1, 2, 2, 3)))
        links.append((assignees, task_tags))
    return rows, links, numbers


def _insert_links(rows: list[Task], links: _Links) -> None:
    Assignee, Tagged = Task.assignees.through, Task.tags.through
    _insert(
        [
            Assignee(task_id=task.pk, user_id=user_id)
            for task, (assignees, _) in zip(rows, links, strict=True)
            for user_id in assignees
        ]
    )
    _insert(
        [
            Tagged(task_id=task.pk, tag_id=tag.pk)
            for task, (_, task_tags) in zip(rows, links, strict=True)
            for tag in task_tags
        ]
    )


def _insert_comments(
    rng: random.Random, at: _Moments, rows: list[Task], writers: dict[int, list[int]]
) -> None:
    """One comment for every second task, on random tasks, written after the task."""
    comments = []
    for _ in range(len(rows) // 2):
        task = rows[rng.randrange(len(rows))]
        when = task.created_at + (at.now - task.created_at) * rng.random()
        author = rng.choice(writers[task.team_id])
        comments.append(
            Comment(
                task_id=task.pk,
                author_id=author,
                body=rng.choice(COMMENTS),
                created_at=when,
                updated_at=when,
            )
        )
    _insert(comments)


def build(tasks: int, *, password: str | None = None, seed: int = 13) -> DataSet:
    """Build the data set of `tasks` tasks in bulk; one transaction, committed at the end."""
    rng = random.Random(seed)
    phases = _Phases()
    shape = Shape(tasks)
    at = _Moments.at(timezone.now())
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic(), _own_timestamps(Task, Comment):
        teams = _teams(shape)
        people = _people(rng, shape, password)
        writers = _memberships(rng, teams, people)
        tags = _tags(rng, shape)
        severities = custom.define(teams)
        rows, links, numbers = _task_rows(rng, shape, at, teams, writers, tags, severities)
        phases.lap("people, teams and task rows in Python")
        rows = _insert(rows)
        phases.lap("tasks inserted")
        for team in teams:
            team.last_task_number = numbers[team.pk]
        # The per-team counter task_create reserves from: the next task gets the next number.
        Team.objects.bulk_update(teams, ["last_task_number"])
        _insert_links(rows, links)
        phases.lap("assignee and tag links inserted")
        _insert_comments(rng, at, rows, writers)
        phases.lap("comments inserted")
    phases.lap("committed")
    # The custom fields' order indexes, as defining the fields through the service makes them.
    sync_order_indexes()
    phases.lap("custom field order indexes made")
    analyze()
    phases.lap("vacuumed and analyzed")
    return DataSet(
        runner=people[0],
        password=password,
        teams=teams,
        counts=counts(),
        phases=phases.seconds,
        writers=writers,
        tag_ids=[t.pk for t in tags],
    )
