"""Admin for job records, daily summaries and reminders, and django-q2's admin in unfold's skin.

django-q2's own admin classes are unregistered and registered again as subclasses with unfold's
ModelAdmin (unfold's documented way to skin a third-party admin). Queue internals are for
administrators only; summaries are readable by the members of their team.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django_q import admin as q_admin
from django_q.models import Failure, OrmQ, Schedule, Success
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from portal.adminkit.bases import PortalModelAdmin, SuperuserOnly, moment_column
from portal.core.dates import day
from portal.core.text import count
from portal.jobs.models import DailySummary, Job, JobStatus, OverdueReminder
from portal.jobs.registry import kind_label, kinds
from portal.jobs.selectors import jobs_visible_to, summaries_visible_to
from portal.jobs.services import job_rerun, schedule_run_now
from portal.tasks.admin.markup import markdown_with_task_links
from portal.teams.admin import TeamFilter
from portal.teams.permissions import is_superuser

STATUS_COLOURS = {
    JobStatus.QUEUED: "info",
    JobStatus.RUNNING: "warning",
    JobStatus.SUCCEEDED: "success",
    JobStatus.FAILED: "danger",
}
RERUN_DONE = "Started again as {jobs}."
RERUN_SKIPPED = "Skipped {jobs} that are still queued or running."
RUN_NOW_DONE = "Started {names}."


def _job_link(job: Job) -> str:
    url = reverse("admin:jobs_job_change", args=[job.pk])
    return format_html('<a class="underline" href="{}">#{}</a>', url, job.pk)


def progress_bar(value: int, status: str) -> str:
    colour = {"failed": "bg-red-600", "succeeded": "bg-green-600"}.get(status, "bg-primary-600")
    return format_html(
        '<div class="flex items-center gap-2" title="{}%">'
        '<div class="w-24 h-2 rounded bg-base-200 dark:bg-base-700 overflow-hidden">'
        '<div class="h-2 {}" style="width: {}%"></div></div>'
        '<span class="text-xs">{}%</span></div>',
        value,
        colour,
        value,
        value,
    )


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(k.name, k.label) for k in kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Job)
class JobAdmin(SuperuserOnly, ModelAdmin):
    list_display = [
        "id",
        "kind_display",
        "status_display",
        "progress_display",
        "requester",
        "attempts_display",
        "queued",
        "took",
        "error_short",
    ]
    list_display_links = ["id", "kind_display"]
    list_filter = ["status", KindFilter]
    search_fields = ["kind", "error", "requester__username"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["rerun"]
    actions_detail = ["rerun_detail"]
    readonly_fields = [
        "kind_display",
        "status_display",
        "progress_display",
        "message",
        "params",
        "requester",
        "attempts_display",
        "enqueues",
        "dedupe_key",
        "queued_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "worker",
        "result",
        "error_display",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["kind_display", "status_display", "progress_display", "message"]}),
        ("Request", {"fields": ["params", "requester", "dedupe_key"]}),
        (
            "Runs",
            {
                "fields": [
                    "attempts_display",
                    "enqueues",
                    "created_at",
                    "queued_at",
                    "started_at",
                    "heartbeat_at",
                    "finished_at",
                    "worker",
                ]
            },
        ),
        ("Outcome", {"fields": ["result", "error_display"]}),
    ]

    def get_queryset(self, request):
        return jobs_visible_to(fetched_by=request.user)

    def has_change_permission(self, request, obj=None):
        return False  # records are written by the runner only

    @display(description="kind", ordering="kind")
    def kind_display(self, obj: Job) -> str:
        return kind_label(obj.kind)

    @display(description="status", ordering="status", label=STATUS_COLOURS)
    def status_display(self, obj: Job) -> str:
        return obj.status

    @display(description="progress", ordering="progress")
    def progress_display(self, obj: Job) -> str:
        return progress_bar(obj.progress, obj.status)

    @display(description="attempts")
    def attempts_display(self, obj: Job) -> str:
        return f"{obj.attempts} / {obj.max_attempts}"

    queued = moment_column("queued_at", "queued")

    @display(description="took")
    def took(self, obj: Job) -> str:
        """Run time of the last attempt (or so far, while it runs)."""
        if not obj.started_at:
            return "-"
        end = obj.finished_at or timezone.now()
        return f"{max(0.0, (end - obj.started_at).total_seconds()):.1f} s"

    @display(description="error")
    def error_short(self, obj: Job) -> str:
        return (obj.error.splitlines() or [""])[0][:120]

    @display(description="error")
    def error_display(self, obj: Job) -> str:
        if not obj.error:
            return "-"
        return format_html('<pre class="whitespace-pre-wrap text-xs">{}</pre>', obj.error)

    def _rerun(self, request: HttpRequest, jobs) -> None:
        started, skipped = [], 0
        for job in jobs:
            if not job.is_finished:
                skipped += 1
                continue
            started.append(job_rerun(job=job, requester=request.user))
        if started:
            links = format_html(", ".join(["{}"] * len(started)), *map(_job_link, started))
            self.message_user(request, format_html(RERUN_DONE, jobs=links), messages.SUCCESS)
        if skipped:
            self.message_user(
                request, RERUN_SKIPPED.format(jobs=count(skipped, "job")), messages.WARNING
            )

    @action(description="Run again", icon="replay", permissions=["rerun"])
    def rerun(self, request: HttpRequest, queryset: QuerySet[Job]):
        self._rerun(request, queryset)

    @action(description="Run again", icon="replay", permissions=["rerun"])
    def rerun_detail(self, request: HttpRequest, object_id: int):
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        self._rerun(request, [job])
        return HttpResponseRedirect(reverse("admin:jobs_job_changelist"))

    def has_rerun_permission(self, request, obj=None):
        return is_superuser(request.user)


# What a summary counts, in words, in the order people read them.
SUMMARY_COUNTS = [
    ("open", "open"),
    ("overdue", "overdue"),
    ("due_today", "due today"),
    ("done_yesterday", "done yesterday"),
    ("created_yesterday", "created yesterday"),
]


def counts_in_words(counts: dict) -> str:
    """{"open": 49, "overdue": 11, ...} as "49 open · 11 overdue · ..."."""
    return " · ".join(f"{counts.get(key, 0)} {words}" for key, words in SUMMARY_COUNTS)


@admin.register(DailySummary)
class DailySummaryAdmin(PortalModelAdmin):
    list_display = ["day_display", "team", "counts_display", "emailed_to", "file_display"]
    list_filter = [TeamFilter]
    date_hierarchy = "date"
    readonly_fields = [
        "team",
        "day_display",
        "counts_display",
        "file_display",
        "emailed_at_display",
        "emailed_to",
        "body_display",
    ]
    fields = readonly_fields
    list_select_related = ["team"]

    emailed_at_display = moment_column("emailed_at", "emailed")

    def get_queryset(self, request):
        return summaries_visible_to(fetched_by=request.user)

    def get_object(self, request, object_id, from_field=None):
        summary = super().get_object(request, object_id, from_field)
        if summary is not None:
            # The Markdown as HTML, its task keys linking to the tasks this person may see.
            summary.body_html = markdown_with_task_links(request.user, summary.body)
        return summary

    @display(description="date", ordering="date")
    def day_display(self, obj: DailySummary) -> str:
        return day(obj.date)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request.user)

    @display(description="counts")
    def counts_display(self, obj: DailySummary) -> str:
        return counts_in_words(obj.counts or {})

    @display(description="file (in the shared folder)", ordering="path")
    def file_display(self, obj: DailySummary) -> str:
        return obj.path

    @display(description="summary")
    def body_display(self, obj: DailySummary) -> str:
        return format_html('<div class="portal-markdown">{}</div>', obj.body_html)


@admin.register(OverdueReminder)
class OverdueReminderAdmin(SuperuserOnly, ModelAdmin):
    list_display = ["task", "due_display", "sent_display", "recipients"]
    list_select_related = ["task", "task__team"]
    search_fields = ["task__title"]
    readonly_fields = ["task", "due_date", "sent_at", "recipients"]
    due_display = moment_column("due_date", "due")
    sent_display = moment_column("sent_at", "sent")

    def has_change_permission(self, request, obj=None):
        return False


# --- django-q2, re-skinned -----------------------------------------------------------------
for _model in (Schedule, Success, Failure, OrmQ):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Schedule)
class ScheduleAdmin(SuperuserOnly, q_admin.ScheduleAdmin, ModelAdmin):
    # django-q2's columns, with labels and values in words ("forever", not "-1").
    list_display = [
        "id",
        "name",
        "func",
        "schedule_type",
        "repeats_display",
        "cluster",
        "next_run_display",
        "last_run",
        "get_success",
    ]
    actions = ["run_now"]
    actions_row = ["run_now_row"]

    next_run_display = moment_column("next_run", "next run")

    @display(description="repeats", ordering="repeats")
    def repeats_display(self, obj: Schedule) -> str:
        if obj.repeats < 0:
            return "forever"
        return f"{count(obj.repeats, 'more time')}" if obj.repeats else "no more"

    @display(description="last run")
    def last_run(self, obj: Schedule):
        return self.get_last_run(obj)

    def has_add_permission(self, request, obj=None):
        return is_superuser(request.user)

    def has_run_now_permission(self, request, obj=None):
        return is_superuser(request.user)

    def _run(self, request: HttpRequest, schedules) -> None:
        started = []
        for schedule in schedules:
            job = schedule_run_now(actor=request.user, schedule=schedule)
            if job:
                started.append(format_html("{} ({})", schedule.name, _job_link(job)))
            else:
                started.append(format_html("{}", schedule.name or schedule.func))
        if started:
            names = format_html(", ".join(["{}"] * len(started)), *started)
            self.message_user(request, format_html(RUN_NOW_DONE, names=names), messages.SUCCESS)

    @action(description="Run now", icon="play_arrow", permissions=["run_now"])
    def run_now(self, request: HttpRequest, queryset: QuerySet[Schedule]):
        self._run(request, queryset)

    @action(description="Run now", icon="play_arrow", permissions=["run_now"])
    def run_now_row(self, request: HttpRequest, object_id: int):
        self._run(request, [get_object_or_404(Schedule, pk=object_id)])
        return HttpResponseRedirect(reverse("admin:django_q_schedule_changelist"))


@admin.register(Success)
class SuccessAdmin(SuperuserOnly, q_admin.TaskAdmin, ModelAdmin):
    pass


@admin.register(Failure)
class FailureAdmin(SuperuserOnly, q_admin.FailAdmin, ModelAdmin):
    pass


if q_admin.Conf.ORM:

    @admin.register(OrmQ)
    class QueueAdmin(SuperuserOnly, q_admin.QueueAdmin, ModelAdmin):
        pass
