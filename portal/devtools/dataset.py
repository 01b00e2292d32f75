"""The benchmark's scratch data set: built in bulk, removed with a few DELETE statements.

The shape scales from the one measured in the performance issue at 100,000 tasks: 20 teams,
500 people, 2 assignees, 1.5 tags and 0.5 comments per task on average, varied statuses,
priorities and dates (some overdue, some due today, some done or created yesterday, for the
daily summary), and words that make `search=deploy` hit about 18% of the tasks.

Everything the set holds is recognisable by its prefix (people `bench-...`, teams with slugs
`bench-...`, tags `bench-...`), so a later run with --force can remove an earlier kept set, and
the set is removed without touching anything else in the database.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from portal.accounts.models import User
from portal.tasks.models import Comment, Tag, Task
from portal.teams.models import Membership, Role, Team

PREFIX = "bench-"
RUNNER = f"{PREFIX}runner"
SCALE = 100_000
TEAMS = 20
PEOPLE_AT_SCALE = 500
TAG_NAMES = [
    "backend",
    "frontend",
    "infra",
    "security",
    "billing",
    "mobile",
    "api",
    "docs",
    "ux",
    "performance",
    "database",
    "network",
    "release",
    "hotfix",
    "research",
    "design",
    "legal",
    "support",
    "analytics",
    "payments",
    "search",
    "auth",
    "email",
    "queue",
    "storage",
    "monitoring",
    "compliance",
    "onboarding",
    "i18n",
    "accessibility",
]
TEAM_NAMES = [
    "Platform",
    "Payments",
    "Mobile",
    "Web",
    "Data",
    "Growth",
    "Security",
    "Infrastructure",
    "Support",
    "Search",
    "Identity",
    "Billing",
    "Analytics",
    "Design",
    "Docs",
    "Quality",
    "Release",
    "Networking",
    "Storage",
    "Integrations",
]
VERBS = [
    "Fix",
    "Update",
    "Refactor",
    "Investigate",
    "Review",
    "Document",
    "Migrate",
    "Remove",
    "Add",
    "Improve",
    "Test",
    "Upgrade",
    "Monitor",
    "Automate",
    "Rewrite",
    "Configure",
    "Audit",
    "Measure",
    "Design",
]
OBJECTS = [
    "login form",
    "billing page",
    "search index",
    "email queue",
    "invoice export",
    "cache layer",
    "user settings",
    "mobile menu",
    "report job",
    "audit log",
    "password reset",
    "rate limiter",
    "webhook handler",
    "onboarding flow",
    "dashboard charts",
    "API pagination",
    "tag editor",
    "file upload",
    "session store",
    "backup script",
    "alert rules",
    "error page",
    "sign-up form",
    "team page",
    "date picker",
]
QUALIFIERS = [
    "for the new plan",
    "before the release",
    "on staging",
    "for large teams",
    "after the outage",
    "in the admin",
    "for screen readers",
    "on slow networks",
    "for the audit",
    "in production",
]
SENTENCES = (
    "Customers reported this twice last week.",
    "See the notes from the planning meeting for the details.",
    "The current behaviour is confusing and slow on large accounts.",
    "Check the logs from the last incident before changing anything.",
    "Keep the old path working until every client has moved.",
    "This blocks the quarterly report for the finance team.",
    "Add tests that cover the empty case and the error case.",
    "Ask the support team which customers are affected.",
    "Measure before and after, and write the numbers in the ticket.",
    "The design is in the shared folder; comments welcome.",
)
# Words that make `search=deploy` find about 18% of the tasks (in the title or description).
DEPLOY_SHARE = 0.18
DEPLOY_TITLES = ("Deploy", "Plan the deploy of", "Roll back the deploy of")
DEPLOY_SENTENCE = "Needs a deployment window with the operations team."
COMMENTS = (
    "Looks good to me.",
    "I can take this one tomorrow.",
    "Blocked on the review, pinged the owner.",
    "Done on staging, waiting for production.",
    "Can we split this into two tasks?",
    "Added a screenshot of the error.",
    "Moved the due date, the release slipped.",
)
STATUSES = (("todo", 40), ("in_progress", 25), ("blocked", 10), ("done", 25))
PRIORITIES = (("low", 25), ("medium", 40), ("high", 25), ("urgent", 10))
BATCH = 5000


@dataclass
class Shape:
    """How many rows of each kind a data set of `tasks` tasks holds."""

    tasks: int
    teams: int = TEAMS
    people: int = 0
    tags: int = len(TAG_NAMES)

    def __post_init__(self):
        # At least a few people per team, so every team has members to assign.
        self.people = self.people or max(3 * self.teams, PEOPLE_AT_SCALE * self.tasks // SCALE)


@dataclass
class DataSet:
    """What was built: the measuring person, the teams and counts, for the measurements."""

    runner: User
    password: str
    teams: list[Team]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Writers (leads and members) per team id, for assignees in the create measurement.
    writers: dict[int, list[int]] = field(default_factory=dict)
    tag_ids: list[int] = field(default_factory=list)
    # Seconds spent in each step of the build (where set-up time goes).
    phases: dict[str, float] = field(default_factory=dict)


def holds_data() -> dict[str, int]:
    """What the database holds that a benchmark run would mix with (empty when nothing)."""
    found = {
        "teams": Team.objects.count(),
        "tasks": Task.objects.count(),
        "people": User.objects.count(),
    }
    return {name: count for name, count in found.items() if count}


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


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _team_key(index: int) -> str:
    # BNA, BNB, ... BNZ, BNAA: upper-case letters only, as team keys must be.
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return f"BN{letters}"


def _text(rng: random.Random, deploy: bool) -> tuple[str, str]:
    thing = rng.choice(OBJECTS)
    where = rng.choice(QUALIFIERS)
    words = rng.sample(SENTENCES, rng.randint(1, 3))
    if deploy and rng.random() < 0.5:
        title = f"{rng.choice(DEPLOY_TITLES)} the {thing} {where}"
    else:
        title = f"{rng.choice(VERBS)} the {thing} {where}"
        if deploy:
            words.insert(rng.randint(0, len(words)), DEPLOY_SENTENCE)
    return title[:200], " ".join(words)


def build(tasks: int, *, password: str | None = None, seed: int = 13) -> DataSet:
    """Build the data set of `tasks` tasks in bulk; one transaction, committed at the end."""
    rng = random.Random(seed)
    phases: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        now_ = time.perf_counter()
        phases[name] = round(now_ - clock[0], 2)
        clock[0] = now_

    shape = Shape(tasks)
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = today - timedelta(days=1)
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic(), _own_timestamps(Task, Comment):
        teams = Team.objects.bulk_create(
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
        # One real password hash (the project's first hasher): the measuring person signs in.
        unusable = make_password(None)
        runner = User(
            username=RUNNER, email=f"{RUNNER}@example.com", password=make_password(password)
        )
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
        people = User.objects.bulk_create(people, batch_size=BATCH)
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
        tags = Tag.objects.bulk_create(
            [
                Tag(name=f"{PREFIX}{name}", color=f"#{rng.randrange(0x1000000):06X}")
                for name in TAG_NAMES[: shape.tags]
            ]
        )

        rows, links = [], []
        numbers = {t.pk: 0 for t in teams}
        for _ in range(shape.tasks):
            team = rng.choice(teams)
            numbers[team.pk] += 1
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
            title, description = _text(rng, rng.random() < DEPLOY_SHARE)
            archived = rng.random() < 0.03
            rows.append(
                Task(
                    team=team,
                    number=numbers[team.pk],
                    title=title,
                    description=description,
                    status=status,
                    priority=_weighted(rng, PRIORITIES),
                    due_date=due,
                    estimated_hours=Decimal(rng.randint(1, 80)) if rng.random() < 0.6 else None,
                    created_by_id=rng.choice(writers[team.pk]),
                    is_archived=archived,
                    archived_at=now if archived else None,
                    completed_at=completed,
                    created_at=created,
                    updated_at=max(created, completed or created),
                )
            )
            pool = writers[team.pk]
            assignees = rng.sample(pool, min(rng.choice((0, 1, 2, 2, 3, 4)), len(pool)))
            task_tags = rng.sample(tags, rng.choice((0, 1, 1, 2, 2, 3)))
            links.append((assignees, task_tags))
        lap("people, teams and task rows in Python")
        rows = _insert(rows)
        lap("tasks inserted")
        for team in teams:
            team.last_task_number = numbers[team.pk]
        # The per-team counter task_create reserves from: the next task gets the next number.
        Team.objects.bulk_update(teams, ["last_task_number"])

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
        lap("assignee and tag links inserted")
        comments = []
        for _ in range(shape.tasks // 2):
            task = rows[rng.randrange(len(rows))]
            at = task.created_at + (now - task.created_at) * rng.random()
            author = rng.choice(writers[task.team_id])
            comments.append(
                Comment(
                    task_id=task.pk,
                    author_id=author,
                    body=rng.choice(COMMENTS),
                    created_at=at,
                    updated_at=at,
                )
            )
        _insert(comments)
        lap("comments inserted")
    lap("committed")
    analyze()
    lap("vacuumed and analyzed")
    return DataSet(
        runner=runner,
        password=password,
        teams=teams,
        counts=counts(),
        phases=phases,
        writers=writers,
        tag_ids=[t.pk for t in tags],
    )


def analyze() -> None:
    """Fresh planner statistics and visibility map, as autovacuum gives a table loaded long ago.

    VACUUM marks the freshly loaded pages all-visible, so index-only scans (the lists' capped
    count) read the index alone, as they do on a table that has been in use.
    """
    if connection.vendor != "postgresql":
        return
    tables = [
        m._meta.db_table
        for m in (
            Team,
            Membership,
            User,
            Tag,
            Task,
            Comment,
            Task.assignees.through,
            Task.tags.through,
        )
    ]
    with connection.cursor() as cursor:
        # VACUUM cannot run inside a transaction (the command's tests run in one).
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        cursor.execute(f"{verb} {', '.join(tables)}")


def share_password(data: DataSet, *, count: int) -> list[str]:
    """Give `count` people who may write (the runner first) the runner's password.

    For a load test that signs in as many persons. One hash serves them all: it is a scratch
    data set, and hashing fifty passwords would cost seconds for nothing.
    """
    wanted: list[int] = []
    for ids in data.writers.values():
        for pk in ids:
            if pk not in wanted:
                wanted.append(pk)
    wanted = wanted[:count]
    User.objects.filter(pk__in=wanted).update(password=data.runner.password)
    names = dict(User.objects.filter(pk__in=wanted).values_list("pk", "username"))
    return [names[pk] for pk in wanted]


def _bench_teams():
    return Team.objects.filter(slug__startswith=PREFIX)


def _bench_people():
    return User.objects.filter(username__startswith=PREFIX)


def counts() -> dict[str, int]:
    """The rows of the data set (the ones a run builds), by kind."""
    tasks = Task.objects.filter(team__in=_bench_teams())
    return {
        "teams": _bench_teams().count(),
        "people": _bench_people().count(),
        "memberships": Membership.objects.filter(team__in=_bench_teams()).count(),
        "tasks": tasks.count(),
        "assignee_links": Task.assignees.through.objects.filter(task__in=tasks).count(),
        "tag_links": Task.tags.through.objects.filter(task__in=tasks).count(),
        "comments": Comment.objects.filter(task__in=tasks).count(),
        "tags": Tag.objects.filter(name__startswith=PREFIX).count(),
    }


def exists() -> bool:
    return _bench_teams().exists() or _bench_people().exists()


def remove() -> None:
    """Delete the data set and what the measurements added to it (history, tokens, summaries).

    Raw deletes (`QuerySet._raw_delete`, one DELETE each) on the big tables: the ORM's delete
    would load every task to cascade and let simple-history write a "deleted" record for each.
    """
    from django.apps import apps

    team_ids = list(_bench_teams().values_list("pk", flat=True))
    people_ids = list(_bench_people().values_list("pk", flat=True))
    tag_ids = list(Tag.objects.filter(name__startswith=PREFIX).values_list("pk", flat=True))
    historical = apps.get_model("tasks", "HistoricalTask")
    task_ids = Task.objects.filter(team_id__in=team_ids).values("pk")
    with transaction.atomic():
        history_ids = historical.objects.filter(team_id__in=team_ids).values("pk")
        for link in ("HistoricalTask_assignees", "HistoricalTask_tags"):
            apps.get_model("tasks", link).objects.filter(history_id__in=history_ids)._raw_delete(
                connection.alias
            )
        historical.objects.filter(team_id__in=team_ids)._raw_delete(connection.alias)
        apps.get_model("tasks", "HistoricalComment").objects.filter(
            task_id__in=task_ids
        )._raw_delete(connection.alias)
        for model in (Comment, Task.assignees.through, Task.tags.through):
            model.objects.filter(task_id__in=task_ids)._raw_delete(connection.alias)
        apps.get_model("jobs", "OverdueReminder").objects.filter(task_id__in=task_ids).delete()
        Task.objects.filter(team_id__in=team_ids).update(parent=None)
        Task.objects.filter(team_id__in=team_ids)._raw_delete(connection.alias)
        Membership.objects.filter(team_id__in=team_ids)._raw_delete(connection.alias)
        apps.get_model("jobs", "DailySummary").objects.filter(team_id__in=team_ids).delete()
        Team.objects.filter(pk__in=team_ids)._raw_delete(connection.alias)
        for name in ("HistoricalTeam", "HistoricalMembership"):
            apps.get_model("teams", name).objects.filter(
                history_user_id__in=people_ids
            )._raw_delete(connection.alias)
        apps.get_model("teams", "HistoricalMembership").objects.filter(
            team_id__in=team_ids
        )._raw_delete(connection.alias)
        apps.get_model("token_blacklist", "OutstandingToken").objects.filter(
            user_id__in=people_ids
        ).delete()
        apps.get_model("axes", "AccessLog").objects.filter(username__startswith=PREFIX)._raw_delete(
            connection.alias
        )
        apps.get_model("jobs", "Job").objects.filter(requester_id__in=people_ids).delete()
        Tag.objects.filter(pk__in=tag_ids)._raw_delete(connection.alias)
        User.objects.filter(pk__in=people_ids).delete()


def day_start(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
