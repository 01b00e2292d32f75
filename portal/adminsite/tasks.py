"""The task admin page with watching: the tasks app's admin plus what the notifications app
adds to it (the Watch / Unwatch action and the list of watchers).

It lives in the admin door because it spans two apps: the tasks app sits below the
notifications app and may not import it. Watching goes through the notifications services
(`watch_add`, `watch_remove`), which check that the person may see the task.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from unfold.decorators import action, display

from portal.accounts.models import name_of
from portal.adminsite.task_attachments import TaskAttachmentsAdminMixin
from portal.notifications import services as watching
from portal.notifications.selectors import is_watching, watchers_of
from portal.tasks.admin.task import TaskAdmin
from portal.tasks.models import Task
from portal.tasks.selectors import tasks_visible_to

WATCHING = "You watch {key}: you hear of its comments and status changes."
NOT_WATCHING = "You no longer watch {key}."
NO_WATCHERS = "Nobody watches this task."

admin.site.unregister(Task)


@admin.register(Task)
class WatchedTaskAdmin(TaskAttachmentsAdminMixin, TaskAdmin):
    actions_detail = ["watch", "unwatch"]

    # -- Watch / Unwatch: a confirm dialog that POSTs (never a change on GET) --
    def _watch_state(self, request, object_id) -> tuple[Task | None, bool]:
        """The task and whether the person watches it, once per request (404 if they may
        not see it)."""
        cache = request.__dict__.setdefault("_portal_watch_state", {})
        key = str(object_id)
        if key not in cache:
            task = None
            if key.isascii() and key.isdigit():
                task = tasks_visible_to(fetched_by=request.user).filter(pk=int(key)).first()
            if task is None:  # another team's task (or none): as the change page, 404
                raise Http404("No such task.")
            cache[key] = (task, is_watching(request.user, task))
        return cache[key]

    def has_watch_permission(self, request, object_id=None):
        return not self._watch_state(request, object_id)[1]

    def has_unwatch_permission(self, request, object_id=None):
        return self._watch_state(request, object_id)[1]

    def _back(self, request, task):
        url = reverse("admin:tasks_task_change", args=[task.pk])
        if getattr(request, "htmx", False):
            return HttpResponse(headers={"HX-Redirect": url})
        return redirect(url)

    @action(
        description="Watch",
        icon="visibility",
        permissions=["watch"],
        dialog={
            "title": "Watch this task",
            "description": "You will hear of its comments and status changes in your inbox.",
            "form_submit_text": "Watch",
        },
    )
    def watch(self, request, form, object_id):
        task, _ = self._watch_state(request, object_id)
        watching.watch_add(actor=request.user, task=task)
        messages.success(request, WATCHING.format(key=task.key))
        return self._back(request, task)

    @action(
        description="Unwatch",
        icon="visibility_off",
        permissions=["unwatch"],
        dialog={
            "title": "Stop watching this task",
            "description": "You will no longer hear of its comments and status changes.",
            "form_submit_text": "Unwatch",
        },
    )
    def unwatch(self, request, form, object_id):
        task, _ = self._watch_state(request, object_id)
        watching.watch_remove(actor=request.user, task=task)
        messages.success(request, NOT_WATCHING.format(key=task.key))
        return self._back(request, task)

    # -- the watchers, read-only (not an inline: no formset for every task form to carry) --
    @display(description="watchers")
    def watchers_display(self, obj):
        if obj is None or not obj.pk:
            return "-"
        return ", ".join(name_of(person) for person in watchers_of(obj)) or NO_WATCHERS

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append(("Watchers", {"fields": ["watchers_display"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("watchers_display")
        return fields
