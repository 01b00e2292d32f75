"""Job services: starting jobs (record first, message on commit), summaries, reminders, purges."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule, Success
from django_q.signing import SignedPackage

from portal.accounts.services import tokens_purge_expired
from portal.jobs import services
from portal.jobs.models import DailySummary, Job, JobStatus, OverdueReminder
from portal.jobs.registry import UNKNOWN_KIND, UnknownJobKind
from portal.jobs.runner import run_job
from portal.jobs.schedules import RUN_SCHEDULED, setup_schedules
from portal.tasks import services as ts
from portal.teams.permissions import DENIED_SUPERUSER

pytestmark = pytest.mark.django_db


def test_job_start_records_then_enqueues_on_commit(
    superuser, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.job_start("probe", requester=superuser, seconds=0)
        # Nothing reaches the broker before the transaction commits.
        assert queue.queue_size() == 0
    assert job.status == JobStatus.QUEUED and job.params == {"seconds": 0}
    assert job.requester == superuser and job.max_attempts == 2  # the kind's own limit
    assert len(callbacks) == 1
    callbacks[0]()
    assert queue.queue_size() == 1
    job.refresh_from_db()
    assert job.enqueues == 1


def test_job_start_rolled_back_enqueues_nothing(queue, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.job_start("probe", requester=None)
        raise RuntimeError("boom")
    assert callbacks == [] and Job.objects.count() == 0
    assert queue.queue_size() == 0


def test_unknown_kind_is_refused():
    with pytest.raises(UnknownJobKind, match=UNKNOWN_KIND.format(kind="nope")):
        services.job_start("nope", requester=None)
    assert Job.objects.count() == 0


class DownBroker:
    list_key = "down"

    def enqueue(self, pack):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")


def test_broker_down_leaves_job_queued_with_a_note(monkeypatch, django_capture_on_commit_callbacks):
    # Fault injection: the broker object itself refuses, as redis-py does when Redis is down.
    monkeypatch.setattr("django_q.tasks.get_broker", lambda *a, **k: DownBroker())
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start("probe", requester=None)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.enqueues == 0
    assert job.message == services.BROKER_DOWN.format(error="ConnectionError")


def test_rerun_starts_a_new_job_with_the_same_params(superuser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start("probe", requester=None, seconds=0)
    run_job(job.pk)
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.job_rerun(job=job, requester=superuser)
    assert again.pk != job.pk and again.params == job.params and again.requester == superuser
    assert again.status == JobStatus.QUEUED


def test_rerun_refuses_unfinished_jobs():
    job = Job.objects.create(kind="probe")
    message = services.RERUN_NOT_FINISHED.format(pk=job.pk, status="queued")
    with pytest.raises(ValueError, match=re.escape(message)):
        services.job_rerun(job=job, requester=None)


def test_jobs_purge_finished_keeps_unfinished_and_recent_records():
    now = timezone.now()
    old = now - timedelta(days=100)
    gone = [
        Job.objects.create(kind="probe", status=JobStatus.SUCCEEDED, finished_at=old),
        Job.objects.create(kind="probe", status=JobStatus.FAILED, finished_at=old),
    ]
    kept = [
        Job.objects.create(kind="probe", status=JobStatus.SUCCEEDED, finished_at=now),
        Job.objects.create(kind="probe", status=JobStatus.RUNNING, finished_at=old),
    ]
    assert services.jobs_purge_finished(before=now - timedelta(days=90)) == 2
    assert set(Job.objects.values_list("pk", flat=True)) == {j.pk for j in kept}
    assert not Job.objects.filter(pk__in=[j.pk for j in gone]).exists()


def test_daily_summary_store_replaces_the_file_and_the_record(team, lead, settings):
    day = timezone.localdate()
    first = services.daily_summary_store(team=team, day=day)
    ts.task_create(actor=lead, team=team, title="Due today", due_date=timezone.now())
    second = services.daily_summary_store(team=team, day=day)
    assert second.pk == first.pk and DailySummary.objects.count() == 1
    assert second.counts["open"] == 1 and "Due today" in second.body
    assert (Path(settings.SHARED_DIR) / second.path).read_text() == second.body


def test_daily_summary_email_goes_out_once(team, member, member2, settings):
    for person in (member, member2):
        person.receive_daily_summary = True
        person.save()
    record = services.daily_summary_store(team=team, day=timezone.localdate())
    assert services.daily_summary_email(summary=record) == 2
    assert services.daily_summary_email(summary=record) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["member2@example.com", "member@example.com"]
    record.refresh_from_db()
    assert record.emailed_at is not None and record.emailed_to == 2


def test_overdue_reminder_send_records_and_sends_once(team, lead, member):
    task = ts.task_create(
        actor=lead, team=team, title="Renew", due_date=timezone.now() - timedelta(hours=1)
    )
    emails = ["member@example.com"]
    assert services.overdue_reminder_send(task=task, recipients=emails) is True
    assert services.overdue_reminder_send(task=task, recipients=emails) is False
    assert OverdueReminder.objects.get().recipients == emails
    assert [m.to for m in mail.outbox] == [emails]


def test_tokens_purge_expired_deletes_expired_tokens_and_their_blacklist_rows(superuser):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    now = timezone.now()
    for jti, expires in (("old", now - timedelta(seconds=1)), ("new", now + timedelta(hours=1))):
        token = OutstandingToken.objects.create(
            user=superuser, jti=jti, token=f"t-{jti}", expires_at=expires
        )
        BlacklistedToken.objects.create(token=token)
    deleted, by_model = tokens_purge_expired(now=now)
    assert deleted == 2 and by_model == {
        "token_blacklist.BlacklistedToken": 1,
        "token_blacklist.OutstandingToken": 1,
    }
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["new"]


class TestScheduleRunNow:
    @time_machine.travel("2026-11-26T09:15:00+00:00", tick=False)
    def test_a_job_schedule_starts_a_job_requested_by_the_administrator(self, superuser):
        setup_schedules()
        summary = Schedule.objects.get(name="daily-summary")
        job = services.schedule_run_now(actor=superuser, schedule=summary)
        assert job.kind == "daily_summary" and job.requester == superuser
        assert job.params == {"at": timezone.now().isoformat()}

    def test_arguments_stored_as_a_tuple_are_understood(self, superuser):
        schedule = Schedule.objects.create(
            name="flush", func=RUN_SCHEDULED, args="('token_flush',)"
        )
        assert services.schedule_run_now(actor=superuser, schedule=schedule).kind == "token_flush"

    def test_the_watchdog_runs_at_once_not_through_the_queue(self, superuser, queue):
        setup_schedules()
        watchdog = Schedule.objects.get(name="job-watchdog")
        assert services.schedule_run_now(actor=superuser, schedule=watchdog) is None
        assert queue.queue_size() == 0 and not Job.objects.exists()
        run = Success.objects.get(group="job-watchdog")
        assert run.result == {"requeued": 0, "failed": 0, "waiting": 0}

    def test_another_plain_function_goes_to_the_queue_with_its_arguments(self, superuser, queue):
        schedule = Schedule.objects.create(name="power", func="math.pow", args="(2, 3)")
        assert services.schedule_run_now(actor=superuser, schedule=schedule) is None
        [(_ack, payload)] = queue.dequeue()
        task = SignedPackage.loads(payload)
        assert (task["func"], task["args"], task["group"]) == ("math.pow", (2, 3), "power")

    def test_only_administrators_may(self, lead, queue):
        setup_schedules()
        lead.is_staff = True
        lead.save()
        for schedule in Schedule.objects.filter(name__in=["daily-summary", "job-watchdog"]):
            with pytest.raises(PermissionDenied, match=DENIED_SUPERUSER):
                services.schedule_run_now(actor=lead, schedule=schedule)
        assert not Job.objects.exists() and queue.queue_size() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Renew\nTLS", "Renew TLS"),
        ("Renew\r\nTLS\r", "Renew TLS"),
        ("  a \t b\u2028c  ", "a b c"),
        ("plain", "plain"),
    ],
)
def test_single_line(text, expected):
    assert services.single_line(text) == expected
