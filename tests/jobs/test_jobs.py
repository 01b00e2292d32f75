"""The scheduled jobs' effects: summary content and files, clean-up cut-off, reminders once."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from portal.jobs import runner
from portal.jobs.jobs import REMINDERS_FAILED, SUMMARY_EMAIL_FAILED, overdue_reminders
from portal.jobs.models import DailySummary, Job, JobStatus, OverdueReminder
from portal.jobs.runner import run_job, run_scheduled
from portal.jobs.services import (
    REMINDER_SUBJECT,
    SUMMARY_SUBJECT,
    daily_summary_email,
    daily_summary_store,
    job_record_for_slot,
    job_rerun,
    job_start,
)
from portal.tasks import services as ts
from portal.tasks.models import Status, Task

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2026-11-26T08:00:00+00:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def job_result(kind: str) -> dict:
    job = Job.objects.filter(kind=kind).latest("pk")
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job.result


@pytest.fixture
def summary_world(team, other_team, lead, member, member2, outsider):
    member.receive_daily_summary = True
    member.save()
    with time_machine.travel(at("2026-11-25T10:00:00+00:00"), tick=False):
        made = {
            "due_today": ts.task_create(
                actor=lead, team=team, title="Due today", due_date=at("2026-11-26T15:00+00:00")
            ),
            "overdue": ts.task_create(
                actor=lead, team=team, title="Late", due_date=at("2026-11-24T09:00+00:00")
            ),
            "done_late": ts.task_create(
                actor=lead, team=team, title="Done late", due_date=at("2026-11-20T09:00+00:00")
            ),
            "archived_late": ts.task_create(
                actor=lead, team=team, title="Archived", due_date=at("2026-11-20T09:00+00:00")
            ),
        }
        ts.task_assign(actor=lead, task=made["due_today"], assignees=[member, member2])
        ts.task_assign(actor=lead, task=made["overdue"], assignees=[member2])
        ts.task_archive(actor=lead, task=made["archived_late"])
        ts.task_update(actor=lead, task=made["done_late"], status=Status.DONE)
        ts.task_create(actor=outsider, team=other_team, title="Other team", due_date=NOW)
    with time_machine.travel(at("2026-11-24T10:00:00+00:00"), tick=False):
        made["old"] = ts.task_create(actor=lead, team=team, title="Made before yesterday")
    return made


@time_machine.travel(NOW, tick=False)
def test_daily_summary_content_file_record_and_email(summary_world, team, settings):
    run_scheduled("daily_summary", slot=NOW.isoformat())
    result = job_result("daily_summary")
    assert result["dates"] == ["2026-11-26"] and result["teams"] == 2

    record = DailySummary.objects.get(team=team)
    assert record.counts == {
        "due_today": 1,
        "overdue": 1,
        "done_yesterday": 1,
        "created_yesterday": 4,
        "open": 3,  # due today, overdue, and the one made the day before
    }
    path = Path(settings.SHARED_DIR) / "summaries/2026-11-26/operations.md"
    assert record.path == "summaries/2026-11-26/operations.md"
    assert path.read_text() == record.body
    body = record.body
    due, late, done = (summary_world[k] for k in ("due_today", "overdue", "done_late"))
    sections = body.split("## ")
    assert f"**{due.key}** Due today (medium, due Nov 26, 15:00; @member, @member2)" in body
    assert late.key in sections[2] and sections[2].startswith("Overdue (1)")
    assert done.key in sections[3] and sections[3].startswith("Done yesterday (1)")
    assert summary_world["archived_late"].key not in sections[2]
    assert "Other team" not in body
    assert "| member2 (@member2) | 2 | 1 |" in body and "| member (@member) | 1 | 0 |" in body
    assert "| Unassigned | 1 | |" in body

    # Only the member who opted in gets it.
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    assert mail.outbox[0].subject == SUMMARY_SUBJECT.format(
        site=settings.SITE_NAME, team=team.name, day="2026-11-26"
    )
    assert record.emailed_to == 1


def test_rerunning_the_day_replaces_and_does_not_email_twice(summary_world, team, lead, settings):
    with time_machine.travel(NOW, tick=False):
        run_scheduled("daily_summary", slot=NOW.isoformat())
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        ts.task_update(actor=lead, task=summary_world["overdue"], status=Status.DONE)
        # "Run now" from the admin, and the next hours' slots: every summary has gone out.
        run_scheduled("daily_summary")
        assert job_result("daily_summary")["teams"] == 0
        run_scheduled("daily_summary", slot=(NOW + timedelta(hours=3)).isoformat())
        assert job_result("daily_summary")["teams"] == 0
        assert DailySummary.objects.get(team=team).counts["overdue"] == 1
        # The day asked for by its date is made again.
        run_job(job_start("daily_summary", requester=None, date="2026-11-26").pk)
    assert DailySummary.objects.filter(team=team).count() == 1
    record = DailySummary.objects.get(team=team)
    assert record.counts["overdue"] == 0
    path = Path(settings.SHARED_DIR) / record.path
    assert path.read_text() == record.body
    assert sorted(p.name for p in path.parent.iterdir()) == ["design.md", "operations.md"]
    assert len(mail.outbox) == 1


def test_archive_cleanup_deletes_only_past_the_cut_off(team, other_team, lead, outsider, settings):
    settings.ARCHIVE_RETENTION_DAYS = 30

    def archived(actor, t, days_ago):
        with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
            task = ts.task_create(actor=actor, team=t, title=f"archived {days_ago}d ago")
            return ts.task_archive(actor=actor, task=task)

    gone = [archived(lead, team, 31), archived(lead, team, 45), archived(outsider, other_team, 31)]
    kept = [archived(lead, team, 29)]
    with time_machine.travel(NOW - timedelta(days=90), tick=False):
        kept.append(ts.task_create(actor=lead, team=team, title="old but not archived"))
    child = ts.task_create(actor=lead, team=team, title="child", parent=gone[0])
    with time_machine.travel(NOW, tick=False):
        run_scheduled("archive_cleanup", slot=NOW.isoformat())
    result = job_result("archive_cleanup")
    assert result["deleted"] == 3 and result["per_team"] == {"OPS": 2, "DES": 1}
    assert set(Task.objects.values_list("pk", flat=True)) == {t.pk for t in [*kept, child]}
    child.refresh_from_db()
    assert child.parent is None
    # History keeps a deletion record for each purged task.
    assert Task.history.filter(id=gone[0].pk, history_type="-").exists()


def test_archive_cleanup_removes_old_job_records(settings):
    settings.JOBS_RECORD_RETENTION_DAYS = 90
    old = Job.objects.create(
        kind="probe", status=JobStatus.SUCCEEDED, finished_at=NOW - timedelta(days=91)
    )
    recent = Job.objects.create(
        kind="probe", status=JobStatus.FAILED, finished_at=NOW - timedelta(days=89)
    )
    with time_machine.travel(NOW, tick=False):
        run_scheduled("archive_cleanup")
    assert not Job.objects.filter(pk=old.pk).exists()
    assert Job.objects.filter(pk=recent.pk).exists()
    assert job_result("archive_cleanup")["job_records_deleted"] == 1


class TestOverdueReminders:
    @pytest.fixture
    def late(self, team, lead, member, member2):
        with time_machine.travel(NOW - timedelta(days=2), tick=False):
            task = ts.task_create(
                actor=lead, team=team, title="Renew TLS", due_date=NOW - timedelta(hours=2)
            )
        return ts.task_assign(actor=lead, task=task, assignees=[member, member2])

    def run(self, when=NOW):
        with time_machine.travel(when, tick=False):
            run_scheduled("overdue_reminders")
        return job_result("overdue_reminders")["sent"]

    def test_assignees_are_told_once(self, late, settings):
        assert self.run() == 1
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert sorted(message.to) == ["member2@example.com", "member@example.com"]
        assert message.subject == REMINDER_SUBJECT.format(
            site=settings.SITE_NAME, key=late.key, title=late.title
        )
        assert self.run(NOW + timedelta(hours=1)) == 0
        assert self.run(NOW + timedelta(hours=2)) == 0
        assert len(mail.outbox) == 1
        reminder = OverdueReminder.objects.get()
        assert reminder.task == late and reminder.due_date == late.due_date

    def test_a_new_due_date_that_passes_reminds_again(self, late, lead):
        self.run()
        with time_machine.travel(NOW, tick=False):
            ts.task_update(actor=lead, task=late, due_date=NOW + timedelta(hours=5))
        assert self.run(NOW + timedelta(hours=4)) == 0
        assert self.run(NOW + timedelta(hours=6)) == 1
        assert OverdueReminder.objects.count() == 2 and len(mail.outbox) == 2

    def test_no_reminder_for_done_archived_unassigned_or_long_gone(self, team, lead, settings):
        settings.OVERDUE_REMINDER_LOOKBACK_DAYS = 7
        past = NOW - timedelta(hours=1)
        with time_machine.travel(NOW - timedelta(days=30), tick=False):
            done = ts.task_create(actor=lead, team=team, title="done", due_date=past)
            ts.task_update(actor=lead, task=done, status=Status.DONE, assignees=[lead])
            archived = ts.task_create(actor=lead, team=team, title="arch", due_date=past)
            ts.task_update(actor=lead, task=archived, is_archived=True, assignees=[lead])
            ts.task_create(actor=lead, team=team, title="nobody", due_date=past)
            ancient = ts.task_create(
                actor=lead, team=team, title="ancient", due_date=NOW - timedelta(days=8)
            )
            ts.task_assign(actor=lead, task=ancient, assignees=[lead])
            future = ts.task_create(
                actor=lead, team=team, title="future", due_date=NOW + timedelta(hours=1)
            )
            ts.task_assign(actor=lead, task=future, assignees=[lead])
        assert self.run() == 0 and mail.outbox == []


def test_token_flush_removes_only_expired_tokens(superuser):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    def token(jti, expires):
        return OutstandingToken.objects.create(
            user=superuser, jti=jti, token=f"t-{jti}", expires_at=expires
        )

    expired = token("a", timezone.now() - timedelta(minutes=1))
    BlacklistedToken.objects.create(token=expired)
    token("b", timezone.now() + timedelta(days=1))
    run_scheduled("token_flush")
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["b"]
    assert BlacklistedToken.objects.count() == 0
    assert job_result("token_flush")["deleted"] == 2


def refused(email: str) -> str:
    return f"SMTPRecipientsRefused: {{'{email}': (550, b'no such user')}}"


def test_summary_email_failure_keeps_the_files_and_a_rerun_sends_only_what_is_missing(
    summary_world, team, other_team, flaky_email, settings
):
    flaky_email.add("member@example.com")
    with time_machine.travel(NOW, tick=False):
        run_scheduled("daily_summary", slot=NOW.isoformat())
    job = Job.objects.get(kind="daily_summary")
    assert job.status == JobStatus.FAILED
    first_line = SUMMARY_EMAIL_FAILED.format(teams="OPS", error=refused("member@example.com"))
    assert job.error.splitlines()[0] == f"RuntimeError: {first_line}"
    assert DailySummary.objects.filter(date="2026-11-26").count() == 2
    assert all((Path(settings.SHARED_DIR) / s.path).is_file() for s in DailySummary.objects.all())
    assert DailySummary.objects.get(team=team).emailed_at is None and mail.outbox == []

    flaky_email.clear()
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        run_scheduled("daily_summary")
    assert [m.to for m in mail.outbox] == [["member@example.com"]]


def test_a_refused_reminder_does_not_stop_the_others_and_is_retried(
    team, lead, member, member2, flaky_email
):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        first = ts.task_create(
            actor=lead, team=team, title="one", due_date=NOW - timedelta(hours=1)
        )
        second = ts.task_create(
            actor=lead, team=team, title="two", due_date=NOW - timedelta(hours=1)
        )
        ts.task_assign(actor=lead, task=first, assignees=[member])
        ts.task_assign(actor=lead, task=second, assignees=[member2])
    flaky_email.add("member@example.com")
    with time_machine.travel(NOW, tick=False):
        run_scheduled("overdue_reminders")
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    first_line = REMINDERS_FAILED.format(failed=1, error=refused("member@example.com"))
    assert job.error.splitlines()[0] == f"RuntimeError: {first_line}"
    assert list(OverdueReminder.objects.values_list("task", flat=True)) == [second.pk]
    assert [m.to for m in mail.outbox] == [["member2@example.com"]]

    flaky_email.clear()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        run_scheduled("overdue_reminders")
    assert job_result("overdue_reminders")["sent"] == 1
    assert [m.to for m in mail.outbox][1:] == [["member@example.com"]]


def test_titles_and_team_names_with_line_breaks_make_single_line_subjects(
    team, other_team, lead, member, outsider, settings
):
    team.name = "Oper\r\nations"
    team.save()
    for person in (member, outsider):
        person.receive_daily_summary = True
        person.save()
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        broken = ts.task_create(
            actor=lead, team=team, title="Renew", due_date=NOW - timedelta(hours=1)
        )
        # Stored before titles refused line breaks: subjects must still be one line.
        Task.objects.filter(pk=broken.pk).update(title="Renew\nTLS\r\n  now")
        plain = ts.task_create(
            actor=lead, team=team, title="Plain", due_date=NOW - timedelta(hours=1)
        )
        for task in (broken, plain):
            ts.task_assign(actor=lead, task=task, assignees=[member])
    with time_machine.travel(NOW, tick=False):
        run_scheduled("overdue_reminders")
        run_scheduled("daily_summary", slot=NOW.isoformat())
    assert job_result("overdue_reminders")["sent"] == 2
    assert job_result("daily_summary")["emailed"] == 2
    site = settings.SITE_NAME
    assert sorted(m.subject for m in mail.outbox) == sorted(
        [
            REMINDER_SUBJECT.format(site=site, key=broken.key, title="Renew TLS now"),
            REMINDER_SUBJECT.format(site=site, key=plain.key, title="Plain"),
            SUMMARY_SUBJECT.format(site=site, team="Oper ations", day="2026-11-26"),
            SUMMARY_SUBJECT.format(site=site, team=other_team.name, day="2026-11-26"),
        ]
    )
    assert OverdueReminder.objects.count() == 2


class TestResumedSummaryCountsEveryEmail:
    """`emailed` is how many people the summaries the run covers reached, whichever attempt
    sent them; a new run of a slot covers only the teams whose summary had not gone out."""

    @pytest.fixture
    def readers(self, team, other_team, member, outsider):
        for person in (member, outsider):  # one reader in each team
            person.receive_daily_summary = True
            person.save()

    def test_run_again_after_a_refused_address(self, readers, flaky_email, superuser):
        flaky_email.add("member@example.com")
        with time_machine.travel(NOW, tick=False):
            run_scheduled("daily_summary", slot=NOW.isoformat())
        failed = Job.objects.get(kind="daily_summary")
        assert failed.status == JobStatus.FAILED and len(mail.outbox) == 1  # Design's
        flaky_email.clear()
        with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
            again = job_rerun(job=failed, requester=superuser)
            run_job(again.pk)
        assert len(mail.outbox) == 2
        result = job_result("daily_summary")
        assert (result["teams"], result["emailed"], result["emailed_now"]) == (1, 1, 1)

    def test_a_slot_resumed_by_the_watchdog_still_counts_its_first_attempt(
        self, readers, other_team, settings
    ):
        settings.JOBS_STALE_SECONDS = 60
        with time_machine.travel(NOW, tick=False):
            job, _ = job_record_for_slot(kind="daily_summary", slot=NOW)
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.RUNNING, attempts=1, heartbeat_at=NOW
            )
        with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
            # Attempt 1 summarised and emailed Design, then its worker died.
            daily_summary_email(summary=daily_summary_store(team=other_team, day=NOW.date()))
        with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
            assert runner.watchdog()["requeued"] == 1
            assert run_job(job.pk) == "succeeded"
        job.refresh_from_db()
        assert len(mail.outbox) == 2
        assert (job.result["teams"], job.result["emailed"], job.result["emailed_now"]) == (2, 2, 1)

    def test_a_run_resumed_by_the_watchdog(self, readers, team, other_team, settings):
        settings.JOBS_STALE_SECONDS = 60
        day = NOW.date()
        with time_machine.travel(NOW, tick=False):
            job = job_start("daily_summary", requester=None, date=day.isoformat())
            # Attempt 1 summarised and emailed Design, then its worker died.
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.RUNNING, attempts=1, heartbeat_at=NOW
            )
            daily_summary_email(summary=daily_summary_store(team=other_team, day=day))
        with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
            assert runner.watchdog()["requeued"] == 1
            assert run_job(job.pk) == "succeeded"
        job.refresh_from_db()
        assert job.attempts == 2 and len(mail.outbox) == 2
        assert (job.result["emailed"], job.result["emailed_now"]) == (2, 1)


class TestFiguresAddUpAcrossAttempts:
    """A run whose worker died and that the watchdog resumed reports what every attempt did."""

    @pytest.fixture(autouse=True)
    def limits(self, settings):
        settings.JOBS_STALE_SECONDS = 60
        settings.ARCHIVE_RETENTION_DAYS = 30

    def died_running(self, job):
        """Attempt 1 started, did its part below, then its worker died."""
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, heartbeat_at=NOW)
        return runner.JobContext(Job.objects.get(pk=job.pk))

    def resume(self, job):
        with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
            assert runner.watchdog()["requeued"] == 1
            assert run_job(job.pk) == "succeeded"
        job.refresh_from_db()
        assert job.attempts == 2
        return job.result

    def test_a_cleanup_counts_the_batches_of_the_attempt_that_died(
        self, team, other_team, lead, outsider
    ):
        def archived(actor, t, days_ago):
            with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
                task = ts.task_create(actor=actor, team=t, title=f"archived {days_ago}d ago")
                return ts.task_archive(actor=actor, task=task)

        for _ in range(3):
            archived(lead, team, 50)
        archived(outsider, other_team, 50)
        archived(lead, team, 40)
        archived(outsider, other_team, 40)
        with time_machine.travel(NOW, tick=False):
            job = job_start("archive_cleanup", requester=None, batch_size=2)
            self.died_running(job)
            # Its first batches (the oldest tasks) were committed before it died.
            assert ts.tasks_purge_archived(before=NOW - timedelta(days=45), batch_size=2) == {
                "OPS": 3,
                "DES": 1,
            }
        result = self.resume(job)
        assert result["deleted"] == 6 and result["per_team"] == {"OPS": 4, "DES": 2}
        assert result["deleted_now"] == 2
        assert not Task.objects.exists()

    def test_reminders_count_what_the_attempt_that_died_sent(self, team, lead, member):
        def due(title, when):
            task = ts.task_create(actor=lead, team=team, title=title, due_date=when)
            return ts.task_assign(actor=lead, task=task, assignees=[member])

        with time_machine.travel(NOW - timedelta(days=1), tick=False):
            due("Late already", NOW - timedelta(hours=1))
            due("Late a minute later", NOW + timedelta(minutes=1))
        with time_machine.travel(NOW, tick=False):
            job = job_start("overdue_reminders", requester=None)
            ctx = self.died_running(job)
            # It sent the reminder of the task then overdue; the worker died before finishing.
            overdue_reminders(ctx)
        assert len(mail.outbox) == 1
        result = self.resume(job)
        assert len(mail.outbox) == 2
        assert result["sent"] == 2
        assert result["sent_now"] == 1
