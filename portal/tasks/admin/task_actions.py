"""The task list's bulk actions: each task through its service, so rules and history apply per
task, and one message for what changed and what was refused."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from unfold.decorators import action

from portal.core.text import count
from portal.tasks import services
from portal.tasks.admin.forms import PickTagForm, PickUserForm
from portal.tasks.models import Status
from portal.tasks.selectors import (
    tags_visible_to,
)
from portal.tasks.services import BulkResult
from portal.teams.selectors import assignable_people

BULK_CHANGED = "{verb} {tasks}."
BULK_REFUSED = "{tasks} refused - {details}"
BULK_NOTHING = "No tasks were selected."


def report_bulk(modeladmin, request, result: BulkResult, verb: str) -> None:
    """Tell how many tasks changed and which were refused, and why."""
    if result.changed:
        tasks = count(len(result.changed), "task")
        modeladmin.message_user(
            request, BULK_CHANGED.format(verb=verb, tasks=tasks), messages.SUCCESS
        )
    if result.refused:
        tasks = count(len(result.refused), "task")
        details = result.refusals()
        modeladmin.message_user(
            request, BULK_REFUSED.format(tasks=tasks, details=details), messages.WARNING
        )
    if not result.changed and not result.refused:
        modeladmin.message_user(request, BULK_NOTHING, messages.INFO)


class TaskActions:
    """Bulk actions of `TaskAdmin` (a mixin: `self` is the task admin)."""

    def _set_status(self, request, queryset, status):
        result = services.tasks_bulk_apply(
            actor=request.user, tasks=queryset, operation=services.task_update, status=status
        )
        report_bulk(self, request, result, f"Set status to {Status(status).label} on")

    @action(description="Set status: To do", permissions=["change"], icon="radio_button_unchecked")
    def mark_todo(self, request, queryset):
        self._set_status(request, queryset, Status.TODO)

    @action(description="Set status: In progress", permissions=["change"], icon="pending")
    def mark_in_progress(self, request, queryset):
        self._set_status(request, queryset, Status.IN_PROGRESS)

    @action(description="Set status: Blocked", permissions=["change"], icon="block")
    def mark_blocked(self, request, queryset):
        self._set_status(request, queryset, Status.BLOCKED)

    @action(description="Set status: Done", permissions=["change"], icon="task_alt")
    def mark_done(self, request, queryset):
        self._set_status(request, queryset, Status.DONE)

    @action(description="Archive", permissions=["archive"], icon="archive")
    def archive(self, request, queryset):
        result = services.tasks_bulk_apply(
            actor=request.user, tasks=queryset, operation=services.task_archive
        )
        report_bulk(self, request, result, "Archived")

    @action(description="Unarchive", permissions=["archive"], icon="unarchive")
    def unarchive(self, request, queryset):
        result = services.tasks_bulk_apply(
            actor=request.user, tasks=queryset, operation=services.task_unarchive
        )
        report_bulk(self, request, result, "Unarchived")

    def _pick(self, request, queryset, form, title, apply):
        """Intermediate page: choose a value, then apply it to the selected tasks."""
        if request.POST.get("apply") and form.is_valid():
            return apply(form.cleaned_data)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "tasks": queryset,
            "action": request.POST.get("action"),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/tasks/task/bulk_pick.html", context)

    @action(description="Assign to…", permissions=["change"], icon="person_add")
    def assign_to(self, request, queryset):
        form = PickUserForm(request.POST if request.POST.get("apply") else None)
        team_ids = set(queryset.values_list("team_id", flat=True))
        form.fields["user"].queryset = assignable_people(fetched_by=request.user, team_ids=team_ids)

        def apply(data):
            result = services.tasks_bulk_apply(
                actor=request.user,
                tasks=queryset,
                operation=services.task_add_assignees,
                assignees=[data["user"]],
            )
            report_bulk(self, request, result, f"Assigned {data['user'].get_username()} to")

        return self._pick(request, queryset, form, "Assign the selected tasks", apply)

    @action(description="Add tag…", permissions=["change"], icon="sell")
    def add_tag(self, request, queryset):
        form = PickTagForm(request.POST if request.POST.get("apply") else None)
        form.fields["tag"].queryset = tags_visible_to(fetched_by=request.user)

        def apply(data):
            result = services.tasks_bulk_apply(
                actor=request.user,
                tasks=queryset,
                operation=services.task_add_tags,
                tags=[data["tag"]],
            )
            report_bulk(self, request, result, f"Tagged '{data['tag'].name}' on")

        return self._pick(request, queryset, form, "Tag the selected tasks", apply)
