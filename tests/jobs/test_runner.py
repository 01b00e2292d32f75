"""Running job records: claim, heartbeat, failure, duplicates, scheduled slots, the watchdog."""

import pydoc
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_q.models import Schedule
from django_q.models import Task as QTask
from django_q.scheduler import scheduler
from django_q.signing import SignedPackage

from portal.jobs import runner, services
from portal.jobs.jobs import PROBE_FAILED
from portal.jobs.models import Job, JobStatus
from portal.jobs.schedules import setup_schedules

pytestmark = pytest.mark.django_db


def make_job(**fields):
    return Job.objects.create(kind=fields.pop("kind", "probe"), **fields)


def test_run_job_succeeds_and_records_result():
    job = make_job(params={"seconds": 0})
    assert runner.run_job(job.pk) == "succeeded"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100 and job.attempts == 1
    assert job.result["attempt"] == 1 and job.started_at <= job.finished_at
    assert job.worker and job.error == ""


def test_failing_job_is_failed_with_the_error_and_not_retried():
    job = make_job(params={"fail": True})
    assert runner.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert job.error.startswith(f"RuntimeError: {PROBE_FAILED}")
    assert "Traceback" in job.error


def test_a_duplicate_message_does_nothing():
    job = make_job()
    runner.run_job(job.pk)
    assert runner.run_job(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1


def test_superseded_run_cannot_overwrite_the_new_attempt():
    job = make_job()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    job.refresh_from_db()
    ctx = runner.JobContext(job)
    ctx.progress(10)
    # The watchdog gave up on attempt 1 and another worker claimed attempt 2.
    Job.objects.filter(pk=job.pk).update(attempts=2)
    with pytest.raises(runner.JobSuperseded):
        ctx.progress(20)
    assert Job.objects.get(pk=job.pk).progress == 10


def test_run_scheduled_runs_each_slot_once():
    slot = "2026-11-26T07:00:00+00:00"
    assert runner.run_scheduled("token_flush", slot=slot) == "succeeded"
    assert runner.run_scheduled("token_flush", slot=slot) == "duplicate"
    assert runner.run_scheduled("token_flush", slot="2026-11-27T07:00:00+00:00") == "succeeded"
    keys = sorted(Job.objects.values_list("dedupe_key", flat=True))
    assert keys == [f"token_flush@{slot}", "token_flush@2026-11-27T07:00:00+00:00"]


@time_machine.travel("2026-11-26T06:40:00+00:00", tick=False)
def test_scheduled_summary_takes_its_moment_from_the_slot():
    runner.run_scheduled("daily_summary", slot="2026-11-26T06:00:00+00:00")
    assert Job.objects.get().params == {"at": "2026-11-26T06:00:00+00:00"}  # run late


@time_machine.travel("2026-11-26T10:00:00+00:00", tick=False)
def test_a_slot_older_than_an_hour_looks_at_now():
    # The cluster was down for hours; catch-up is off, the slot fires once: every team whose
    # summary hour passed meanwhile is summarised now (test_summary_zones).
    runner.run_scheduled("daily_summary", slot="2026-11-26T07:00:00+00:00")
    assert Job.objects.get().params == {"at": "2026-11-26T10:00:00+00:00"}


class TestWatchdog:
    @pytest.fixture(autouse=True)
    def limits(self, settings):
        settings.JOBS_STALE_SECONDS = 60
        settings.JOBS_QUEUED_STALE_SECONDS = 600
        settings.JOBS_MAX_ENQUEUES = 3

    def running(self, attempts, beat_ago):
        return make_job(
            status=JobStatus.RUNNING,
            attempts=attempts,
            max_attempts=3,
            heartbeat_at=timezone.now() - timedelta(seconds=beat_ago),
        )

    def test_fresh_heartbeat_is_left_alone(self, django_capture_on_commit_callbacks):
        job = self.running(1, beat_ago=30)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert runner.watchdog() == {"requeued": 0, "failed": 0, "waiting": 0}
        assert callbacks == []
        assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING

    def test_stale_job_is_requeued_then_runs_again(self, django_capture_on_commit_callbacks):
        job = self.running(1, beat_ago=61)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert runner.watchdog() == {"requeued": 1, "failed": 0, "waiting": 0}
        assert len(callbacks) == 1
        job.refresh_from_db()
        assert job.status == JobStatus.QUEUED and job.message == runner.REQUEUED_STALE
        assert job.enqueues == 1
        assert runner.run_job(job.pk) == "succeeded"
        job.refresh_from_db()
        assert job.attempts == 2 and job.status == JobStatus.SUCCEEDED

    def test_stale_job_out_of_attempts_fails_with_reason(self):
        job = self.running(3, beat_ago=61)
        assert runner.watchdog() == {"requeued": 0, "failed": 1, "waiting": 0}
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
        assert job.error == runner.JOB_LOST.format(attempts=3)
        assert job.finished_at is not None

    def test_lost_queue_message_is_handed_over_again_then_given_up(
        self, queue, django_capture_on_commit_callbacks
    ):
        with time_machine.travel("2026-11-26 09:00Z", tick=False):
            job = make_job(enqueues=1)  # its message was lost: the queue holds nothing
        with time_machine.travel("2026-11-26 09:05Z", tick=False):
            assert runner.watchdog()["requeued"] == 0  # still within the patience window
        for minute, enqueues in ((11, 2), (22, 3)):
            with (
                time_machine.travel(f"2026-11-26 09:{minute}Z", tick=False),
                django_capture_on_commit_callbacks(execute=True),
            ):
                assert runner.watchdog()["requeued"] == 1
            job.refresh_from_db()
            assert job.enqueues == enqueues and job.status == JobStatus.QUEUED
            assert job.message == runner.REQUEUED_WAITING
            assert queue.queue_size() == 1
            queue.purge_queue()  # lost again (Redis restarted empty)
        with time_machine.travel("2026-11-26 09:33Z", tick=False):
            assert runner.watchdog() == {"requeued": 0, "failed": 1, "waiting": 0}
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
        assert job.error == runner.JOB_NEVER_STARTED.format(enqueues=3)

    def test_a_job_still_in_the_queue_is_waiting_not_lost(
        self, queue, django_capture_on_commit_callbacks
    ):
        """Workers busy for an hour: the job's message waits its turn and is never sent twice."""
        with (
            time_machine.travel("2026-11-26 09:00Z", tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            job = services.job_start("probe", requester=None)
        for minute in range(11, 60, 11):  # more turns than JOBS_MAX_ENQUEUES
            with (
                time_machine.travel(f"2026-11-26 09:{minute}Z", tick=False),
                django_capture_on_commit_callbacks(execute=True) as callbacks,
            ):
                assert runner.watchdog() == {"requeued": 0, "failed": 0, "waiting": 1}
            assert callbacks == [] and queue.queue_size() == 1
        job.refresh_from_db()
        assert (job.status, job.enqueues, job.message) == (JobStatus.QUEUED, 1, runner.WAITING)
        assert deliver(queue) == ["succeeded"]
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 1

    def test_a_waiting_schedule_slot_is_recognised_by_its_message(self, queue, settings):
        """The scheduler's own message names the slot, not the job record."""
        settings.JOBS_QUEUED_STALE_SECONDS = 0
        slot = "2026-11-26T07:00:00+00:00"
        job, _ = services.job_record_for_slot(
            kind="token_flush", slot=timezone.datetime.fromisoformat(slot)
        )
        queue.enqueue(
            SignedPackage.dumps(
                {"func": runner.RUN_SCHEDULED, "args": ("token_flush",), "kwargs": {"slot": slot}}
            )
        )
        assert runner.watchdog() == {"requeued": 0, "failed": 0, "waiting": 1}
        assert Job.objects.get(pk=job.pk).enqueues == 1

    def test_finished_jobs_are_never_touched(self):
        old = timezone.now() - timedelta(days=1)
        make_job(status=JobStatus.SUCCEEDED, heartbeat_at=old, queued_at=old)
        make_job(status=JobStatus.FAILED, heartbeat_at=old, queued_at=old)
        assert runner.watchdog() == {"requeued": 0, "failed": 0, "waiting": 0}


def deliver(queue) -> list:
    """Run the messages waiting in the broker as a worker would (func(*args, **kwargs))."""
    results = []
    for _ in range(queue.queue_size()):
        for _ack, payload in queue.dequeue() or []:
            task = SignedPackage.loads(payload)
            results.append(pydoc.locate(task["func"])(*task["args"], **task["kwargs"]))
    return results


@pytest.mark.django_db(transaction=True)  # a scheduler pass closes old connections
class TestScheduledSlots:
    """A slot's job record is written as the scheduler fires it, not when a worker runs it."""

    @pytest.fixture
    def due(self):
        setup_schedules()
        slot = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
        Schedule.objects.exclude(name="archive-cleanup").update(next_run=slot + timedelta(days=1))
        Schedule.objects.filter(name="archive-cleanup").update(next_run=slot)
        return slot

    def test_the_record_exists_once_the_slot_fired_and_the_message_runs_it(self, queue, due):
        scheduler(broker=queue)
        job = Job.objects.get()
        assert (job.kind, job.status, job.enqueues) == ("archive_cleanup", JobStatus.QUEUED, 1)
        assert job.dedupe_key == f"archive_cleanup@{due.isoformat()}"
        assert Schedule.objects.get(name="archive-cleanup").next_run > timezone.now()
        assert deliver(queue) == ["succeeded"]
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and Job.objects.count() == 1

    def test_a_slot_whose_message_was_lost_is_handed_over_again(
        self, queue, due, settings, django_capture_on_commit_callbacks
    ):
        settings.JOBS_QUEUED_STALE_SECONDS = 600
        scheduler(broker=queue)
        queue.purge_queue()  # the broker lost the message (Redis restarted empty)
        assert queue.queue_size() == 0
        later = timezone.now() + timedelta(seconds=601)
        with (
            time_machine.travel(later, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert runner.watchdog() == {"requeued": 1, "failed": 0, "waiting": 0}
        job = Job.objects.get()
        assert job.message == runner.REQUEUED_WAITING and job.enqueues == 2
        with time_machine.travel(later + timedelta(seconds=1), tick=False):
            assert deliver(queue) == ["succeeded"]
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 1

    def test_a_slot_fired_twice_runs_once(self, queue, due):
        scheduler(broker=queue)
        Schedule.objects.filter(name="archive-cleanup").update(next_run=due)  # SQLite: no locks
        scheduler(broker=queue)
        assert Job.objects.count() == 1
        assert sorted(deliver(queue)) == ["duplicate", "succeeded"]


@pytest.mark.django_db(transaction=True)  # a scheduler pass closes old connections
def test_the_scheduler_runs_the_watchdog_itself_without_the_queue(queue, settings):
    """Recovery does not wait behind queued jobs or for a free worker."""
    settings.JOBS_STALE_SECONDS = 60
    setup_schedules()
    Schedule.objects.exclude(name="job-watchdog").update(
        next_run=timezone.now() + timedelta(days=1)
    )
    Schedule.objects.filter(name="job-watchdog").update(
        next_run=timezone.now() - timedelta(seconds=1)
    )
    waiting = [services.job_start("probe", requester=None, seconds=6) for _ in range(3)]
    lost = make_job(
        status=JobStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(seconds=61),
    )
    assert queue.queue_size() == 3
    scheduler(broker=queue)
    lost.refresh_from_db()
    assert lost.status == JobStatus.QUEUED and lost.message == runner.REQUEUED_STALE
    assert QTask.objects.get(group="job-watchdog").result == {
        "requeued": 1,
        "failed": 0,
        "waiting": 0,
    }
    # Only the lost job's new message joined the queue: the watchdog itself never queued.
    payloads = [SignedPackage.loads(p) for _, p in queue.dequeue() or []]
    while len(payloads) < 4 and queue.queue_size():
        payloads += [SignedPackage.loads(p) for _, p in queue.dequeue() or []]
    assert sorted(p["args"][0] for p in payloads) == sorted(j.pk for j in [*waiting, lost])


def test_a_failing_watchdog_run_by_the_scheduler_is_logged_not_raised(settings, caplog):
    settings.JOBS_STALE_SECONDS = None  # a broken setting makes the watchdog itself fail
    outcome = runner.scheduled_watchdog()
    assert outcome["error"].startswith("TypeError: unsupported type for timedelta")
    assert "watchdog failed" in caplog.text


class TestFailedJobsShowWhereTheyStopped:
    def test_a_job_that_raises_after_its_last_step_is_not_shown_complete(self):
        job = make_job(params={"seconds": 0.2, "fail": True})
        assert runner.run_job(job.pk) == "failed"
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
        assert job.progress == 99 and job.message == services.FAILED_AFTER + "step 1 of 1"

    def test_a_run_lost_after_its_last_step_is_not_shown_complete(self, settings):
        settings.JOBS_STALE_SECONDS = 60
        job = make_job(
            status=JobStatus.RUNNING,
            attempts=3,
            max_attempts=3,
            progress=100,
            message="step 4 of 4",
            heartbeat_at=timezone.now() - timedelta(seconds=61),
        )
        assert runner.watchdog() == {"requeued": 0, "failed": 1, "waiting": 0}
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and job.error == runner.JOB_LOST.format(attempts=3)
        assert job.progress == 99 and job.message == services.FAILED_AFTER + "step 4 of 4"

    def test_progress_below_the_end_and_a_long_step_are_kept(self):
        job = make_job(status=JobStatus.RUNNING, attempts=1, progress=40, message="x" * 200)
        assert services.job_fail(job=job, error="boom", attempt=1)
        job.refresh_from_db()
        assert job.progress == 40 and job.message == (services.FAILED_AFTER + "x" * 200)[:200]

    def test_a_job_that_never_started_keeps_no_step(self, settings):
        settings.JOBS_QUEUED_STALE_SECONDS = 600
        settings.JOBS_MAX_ENQUEUES = 1
        job = make_job(enqueues=1, message=runner.REQUEUED_WAITING)
        with time_machine.travel(timezone.now() + timedelta(seconds=601)):
            assert runner.watchdog() == {"requeued": 0, "failed": 1, "waiting": 0}
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and (job.progress, job.message) == (0, "")

    def test_a_superseded_attempt_cannot_fail_the_job(self):
        job = make_job(status=JobStatus.RUNNING, attempts=2)
        assert not services.job_fail(job=job, error="late", attempt=1)
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING and job.error == ""
