"""Admin doors: job list with progress, run again, schedules' run now, summaries per team."""

import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from django_q.models import Task as QTask

from portal.jobs.admin import RERUN_SKIPPED
from portal.jobs.models import DailySummary, Job, JobStatus
from portal.jobs.schedules import setup_schedules

pytestmark = pytest.mark.django_db

Q_ADMIN = [
    "admin:jobs_job_changelist",
    "admin:jobs_overduereminder_changelist",
    "admin:django_q_schedule_changelist",
    "admin:django_q_success_changelist",
    "admin:django_q_failure_changelist",
]


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def make_jobs(n, requester):
    return [
        Job.objects.create(
            kind="probe",
            requester=requester,
            status=JobStatus.FAILED if i % 2 else JobStatus.RUNNING,
            progress=40,
            error="RuntimeError: boom" if i % 2 else "",
            finished_at=timezone.now() if i % 2 else None,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("url", Q_ADMIN)
def test_pages_open_for_superusers(admin_client, url):
    assert admin_client.get(reverse(url)).status_code == 200


@pytest.mark.parametrize("url", Q_ADMIN)
def test_pages_closed_to_everyone_else(client, lead, url):
    lead.is_staff = True
    lead.save()
    client.force_login(lead)
    assert client.get(reverse(url)).status_code == 403


def test_job_list_shows_status_progress_and_error(admin_client, superuser):
    make_jobs(2, superuser)
    html = admin_client.get(reverse("admin:jobs_job_changelist")).content.decode()
    assert 'style="width: 40%"' in html and "RuntimeError: boom" in html
    assert "Test job (cluster check)" in html


def make_rows(n, superuser, team):
    from portal.jobs.models import OverdueReminder
    from tests.factories import TaskFactory, TeamFactory

    make_jobs(n, superuser)
    for i in range(n):
        other = TeamFactory()
        DailySummary.objects.create(team=other, date="2026-11-26", body="#", path=f"p{i}")
        task = TaskFactory(team=team, due_date=timezone.now())
        OverdueReminder.objects.create(task=task, due_date=task.due_date, recipients=["a@b.c"])
        schedule = Schedule.objects.create(name=f"s{i}", func="portal.jobs.runner.watchdog")
        for success in (True, False):
            q_task = QTask.objects.create(
                id=uuid.uuid4().hex,
                name=f"q{i}{success}",
                func=schedule.func,
                started=timezone.now(),
                stopped=timezone.now(),
                success=success,
                group=schedule.name,
            )
        Schedule.objects.filter(pk=schedule.pk).update(task=q_task.id)


@pytest.mark.parametrize(
    "url",
    [*Q_ADMIN, "admin:jobs_dailysummary_changelist"],
)
def test_list_query_count_is_constant(
    admin_client, superuser, team, url, django_assert_max_num_queries
):
    make_rows(2, superuser, team)
    admin_client.get(reverse(url))  # warm caches (content types, session)
    with django_assert_max_num_queries(15) as few:
        assert admin_client.get(reverse(url)).status_code == 200
    make_rows(25, superuser, team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client.get(reverse(url)).status_code == 200


def test_job_detail_shows_the_error(admin_client, superuser):
    job = make_jobs(2, superuser)[1]
    html = admin_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "RuntimeError: boom" in html and "<pre" in html


def test_run_again_action(admin_client, superuser, django_capture_on_commit_callbacks):
    failed, running = make_jobs(2, superuser)[::-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:jobs_job_changelist"),
            {"action": "rerun", "_selected_action": [failed.pk, running.pk]},
            follow=True,
        )
    assert response.status_code == 200
    new = Job.objects.exclude(pk__in=[failed.pk, running.pk]).get()
    assert new.kind == "probe" and new.status == JobStatus.QUEUED and new.requester == superuser
    text = response.content.decode()
    assert f"#{new.pk}" in text and RERUN_SKIPPED.format(jobs="1 job") in text


def test_run_again_from_the_job_page(admin_client, superuser):
    failed = make_jobs(2, superuser)[1]
    url = reverse("admin:jobs_job_rerun_detail", args=[failed.pk])
    assert admin_client.get(url).status_code == 302
    assert Job.objects.count() == 3


@time_machine.travel("2026-11-26T09:15:00+00:00", tick=False)
def test_schedule_run_now_starts_a_recorded_job(admin_client, superuser, settings):
    setup_schedules()
    summary = Schedule.objects.get(name="daily-summary")
    response = admin_client.get(reverse("admin:django_q_schedule_run_now_row", args=[summary.pk]))
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.kind == "daily_summary" and job.requester == superuser
    assert job.params == {"at": timezone.now().isoformat()}


def test_schedule_bulk_run_now_includes_plain_functions(admin_client, queue):
    setup_schedules()
    ids = list(
        Schedule.objects.filter(name__in=["job-watchdog", "token-flush"]).values_list(
            "pk", flat=True
        )
    )
    response = admin_client.post(
        reverse("admin:django_q_schedule_changelist"),
        {"action": "run_now", "_selected_action": ids},
        follow=True,
    )
    assert "Started " in response.content.decode()
    assert Job.objects.get().kind == "token_flush"
    # The job went to the queue (on commit); the watchdog ran at once, as in the scheduler.
    assert QTask.objects.filter(group="job-watchdog").exists()
    assert queue.queue_size() == 0


def test_summaries_are_scoped_to_the_viewers_teams(client, team, other_team, lead, superuser):
    mine = DailySummary.objects.create(team=team, date="2026-11-26", body="# ops", path="a")
    theirs = DailySummary.objects.create(team=other_team, date="2026-11-26", body="# des", path="b")
    lead.is_staff = True
    lead.save()
    client.force_login(lead)
    url = reverse("admin:jobs_dailysummary_changelist")
    html = client.get(url).content.decode()
    assert reverse("admin:jobs_dailysummary_change", args=[mine.pk]) in html
    assert reverse("admin:jobs_dailysummary_change", args=[theirs.pk]) not in html
    assert other_team.name not in html  # not even in the team filter
    assert (
        client.get(reverse("admin:jobs_dailysummary_change", args=[theirs.pk])).status_code == 404
    )
    assert client.get(reverse("admin:jobs_dailysummary_change", args=[mine.pk])).status_code == 200
