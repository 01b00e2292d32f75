"""The hourly reminders and the weekly clean-up cost queries per batch, not per task."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.jobs.jobs import archive_cleanup, overdue_reminders
from portal.jobs.models import FINISHED, Job, JobStatus, OverdueReminder
from portal.jobs.runner import JobContext
from portal.jobs.services import overdue_reminders_send
from portal.tasks import services as ts
from portal.tasks.models import Task
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def Context(kind: str = "archive_cleanup") -> JobContext:
    """The context of a running job record, as the runner hands it to the job function."""
    job = Job.objects.create(kind=kind, status=JobStatus.RUNNING, attempts=1)
    return JobContext(Job.objects.get(pk=job.pk))


def count_queries(job) -> int:
    ctx = Context(job.__name__)
    with CaptureQueriesContext(connection) as queries:
        job(ctx)
    return len(queries.captured_queries)


def late_tasks(team, lead, people, count):
    due = timezone.now() - timedelta(hours=1)
    rows = [{"title": f"late {n}", "due_date": due, "assignees": people} for n in range(count)]
    return ts.tasks_create_bulk(actor=lead, team=team, rows=rows)


def test_overdue_reminders_cost_the_same_for_3_or_30_tasks(team, lead, member):
    late_tasks(team, lead, [lead, member], 3)
    few = count_queries(overdue_reminders)
    assert len(mail.outbox) == 3
    Task.objects.all().delete()
    late_tasks(team, lead, [lead, member], 30)
    many = count_queries(overdue_reminders)
    assert len(mail.outbox) == 33 and OverdueReminder.objects.count() == 30
    # The candidates and their assignees; one batch: insert, find its own rows (and the
    # savepoint pair, since tests run inside a transaction), add to the job's figures (lock,
    # write); the figures read at the end. 9 more record the due-soon and overdue events
    # (portal.events): the two candidate lists, one INSERT of the events, their count added to
    # the job's figures (lock, write), and two savepoint pairs.
    assert few == many == 18


def test_reminders_go_in_batches_and_a_failed_one_is_tried_again(
    team, lead, member, member2, flaky_email
):
    tasks = late_tasks(team, lead, [lead], 5)
    flaky_email.add("member2@example.com")
    reminders = [(task, ["lead@example.com"]) for task in tasks]
    reminders[3] = (tasks[3], ["member2@example.com"])
    with CaptureQueriesContext(connection) as queries:
        outcome = overdue_reminders_send(reminders=reminders, batch_size=2)
    assert outcome.sent == 4 and [t for t, _ in outcome.failed] == [tasks[3]]
    # Three batches of insert + own rows, the failed one's row deleted, savepoint pairs.
    assert len(queries.captured_queries) == 3 * 4 + 1
    kept = set(OverdueReminder.objects.values_list("task_id", flat=True))
    assert kept == {t.pk for t in tasks} - {tasks[3].pk}
    assert len(mail.outbox) == 4

    flaky_email.clear()
    again = overdue_reminders_send(reminders=reminders)
    assert (again.sent, again.skipped, again.failed) == (1, 4, [])
    assert OverdueReminder.objects.count() == 5 and len(mail.outbox) == 5


def test_a_reminder_another_run_holds_is_skipped_not_sent_twice(team, lead):
    (task,) = late_tasks(team, lead, [lead], 1)
    earlier = timezone.now() - timedelta(minutes=1)
    OverdueReminder.objects.create(task=task, due_date=task.due_date, sent_at=earlier)
    outcome = overdue_reminders_send(reminders=[(task, ["lead@example.com"])])
    assert (outcome.sent, outcome.skipped) == (0, 1) and mail.outbox == []
    assert OverdueReminder.objects.get().sent_at == earlier


def test_finished_job_records_are_purged_in_one_query(settings):
    settings.JOBS_RECORD_RETENTION_DAYS = 90
    old = timezone.now() - timedelta(days=91)

    def purge_with(count):
        Job.objects.bulk_create(
            Job(kind="probe", status=sorted(FINISHED)[n % 2], finished_at=old) for n in range(count)
        )
        ctx = Context()
        with CaptureQueriesContext(connection) as queries:
            result = archive_cleanup(ctx)
        assert result["job_records_deleted"] == count
        assert list(Job.objects.all()) == [ctx.job]
        ctx.job.delete()
        return len(queries.captured_queries)

    assert purge_with(2) == purge_with(40)
    assert JobStatus.RUNNING not in FINISHED


def test_archive_cleanup_costs_the_same_for_3_or_30_tasks(team, lead):
    def purge(count):
        rows = [{"title": f"old {n}", "assignees": [lead]} for n in range(count)]
        for task in ts.tasks_create_bulk(actor=lead, team=team, rows=rows):
            CommentFactory(task=task, author=lead)
        Task.objects.update(is_archived=True, archived_at=timezone.now() - timedelta(days=40))
        queries = count_queries(archive_cleanup)
        assert not Task.objects.exists()
        return queries

    assert purge(3) == purge(30)
