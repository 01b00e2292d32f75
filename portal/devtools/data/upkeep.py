"""Around a built data set: is the database empty, statistics, shared passwords, counts, removal."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.devtools.data.shape import PREFIX, DataSet
from portal.tasks.models import Comment, Tag, Task
from portal.teams.models import Membership, Team


def holds_data() -> dict[str, int]:
    """What the database holds that a benchmark run would mix with (empty when nothing)."""
    found = {
        "teams": Team.objects.count(),
        "tasks": Task.objects.count(),
        "people": User.objects.count(),
    }
    return {name: count for name, count in found.items() if count}


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
        # What the outbox measures left: webhook endpoints (their deliveries and attempts go
        # with them), the notifications and watchers a dispatch made, and the events.
        apps.get_model("webhooks", "Endpoint").objects.filter(team_id__in=team_ids).delete()
        apps.get_model("notifications", "Notification").objects.filter(
            team_id__in=team_ids
        )._raw_delete(connection.alias)
        apps.get_model("notifications", "Watch").objects.filter(task_id__in=task_ids)._raw_delete(
            connection.alias
        )
        apps.get_model("events", "Event").objects.filter(team_id__in=team_ids)._raw_delete(
            connection.alias
        )
        Task.objects.filter(team_id__in=team_ids).update(parent=None)
        Task.objects.filter(team_id__in=team_ids)._raw_delete(connection.alias)
        Membership.objects.filter(team_id__in=team_ids)._raw_delete(connection.alias)
        apps.get_model("jobs", "DailySummary").objects.filter(team_id__in=team_ids).delete()
        apps.get_model("tasks", "CustomField").objects.filter(team_id__in=team_ids)._raw_delete(
            connection.alias
        )
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
    # The order indexes no field needs any more (keys the database's own fields use stay).
    from portal.tasks.custom_indexes import sync_order_indexes

    sync_order_indexes()


def day_start(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
