"""Job records, daily summaries and sent overdue reminders.

A `Job` is the durable record of one piece of background work. django-q2 only carries the job's
id; the record holds the state, so a message lost by the broker or a worker killed mid-run is
found by the watchdog (portal.jobs.runner.watchdog) and the job is run again or failed with a
reason, never silently dropped.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from portal.core.models import TimeStampedModel
from portal.jobs.registry import kind_label
from portal.teams.models import Team


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(TimeStampedModel):
    kind = models.CharField(max_length=50, help_text="What the job does (see docs/jobs.md).")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    message = models.CharField("current step", max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        help_text="Who started the job; empty for scheduled jobs.",
    )
    # Scheduled jobs carry "<kind>@<slot time>": a second cluster firing the same slot hits
    # the unique constraint and does nothing.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started so far.")
    max_attempts = models.PositiveSmallIntegerField(default=3)
    enqueues = models.PositiveSmallIntegerField(
        default=0, help_text="Times the job was handed to the queue."
    )
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField("last heartbeat", null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True, help_text="host:pid of the last run.")
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "job"
        verbose_name_plural = "jobs"
        indexes = [
            # The watchdog's two look-ups and the admin's default filters.
            models.Index(fields=["status", "heartbeat_at"], name="jobs_job_status_heartbeat"),
            models.Index(fields=["status", "queued_at"], name="jobs_job_status_queued"),
            models.Index(fields=["kind", "-created_at"], name="jobs_job_kind_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="jobs_job_progress_lte_100"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {kind_label(self.kind)} ({self.get_status_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class DailySummary(TimeStampedModel):
    """One team's summary for one day; re-running the day replaces it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="daily_summaries")
    date = models.DateField()
    body = models.TextField("Markdown")
    counts = models.JSONField(default=dict, blank=True)
    path = models.CharField("file", max_length=300, help_text="Relative to SHARED_DIR.")
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.PositiveIntegerField("emailed to (people)", default=0)

    class Meta:
        ordering = ["-date", "team__name"]
        verbose_name = "daily summary"
        verbose_name_plural = "daily summaries"
        constraints = [
            models.UniqueConstraint(fields=["team", "date"], name="jobs_summary_team_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.team.name} {self.date:%Y-%m-%d}"


class OverdueReminder(models.Model):
    """A reminder sent for a task and due date; its presence stops a second one."""

    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="overdue_reminders"
    )
    due_date = models.DateTimeField("due")
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "overdue reminder"
        verbose_name_plural = "overdue reminders"
        constraints = [
            models.UniqueConstraint(
                fields=["task", "due_date"], name="jobs_reminder_task_due_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder for task {self.task_id} due {self.due_date:%Y-%m-%d %H:%M}"
