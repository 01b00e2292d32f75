"""The task admin: list, form, comments and bulk actions, all through selectors and services."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from unfold.decorators import display

from portal.adminkit.bases import (
    PortalModelAdmin,
    ScopedHistoryAdmin,
    moment_column,
)
from portal.adminkit.lean import LeanRowsAdmin, label_html, tags_html
from portal.adminkit.searchable import SearchableFiltersAdmin
from portal.tasks import permissions as task_perms
from portal.tasks import services
from portal.tasks.admin.autocomplete import is_autocomplete, task_team_for_autocomplete
from portal.tasks.admin.custom_columns import (
    CustomColumnsFilter,
    chosen_columns,
    visible_columns,
)
from portal.tasks.admin.filters import (
    ArchivedFilter,
    AssigneeFilter,
    CompletedRangeFilter,
    CreatedByFilter,
    DueRangeFilter,
    DueWithinFilter,
    OpenFilter,
    OverdueFilter,
    PriorityFilter,
    StatusFilter,
    TagFilter,
    TeamFilter,
    custom_field_filters,
)
from portal.tasks.admin.forms import TaskAdminForm
from portal.tasks.admin.task_actions import TaskActions
from portal.tasks.admin.task_parts import CommentsInline, TaskChangeList
from portal.tasks.due import due_given, due_words
from portal.tasks.models import Comment, Priority, Status, Task
from portal.tasks.resources import TaskResource
from portal.tasks.selectors import (
    TASK_HISTORY_M2M,
    history_readable,
    tags_visible_to,
    task_history,
    task_history_entries,
    tasks_visible_to,
)
from portal.teams import permissions as perms
from portal.teams.selectors import teams_writable_by, users_visible_to

STATUS_COLOURS = {
    Status.TODO: "info",
    Status.IN_PROGRESS: "warning",
    Status.BLOCKED: "danger",
    Status.DONE: "success",
}
PRIORITY_COLOURS = {
    Priority.LOW: "info",
    Priority.MEDIUM: "primary",
    Priority.HIGH: "warning",
    Priority.URGENT: "danger",
}


@admin.register(Task)
class TaskAdmin(
    TaskActions,
    LeanRowsAdmin,
    SearchableFiltersAdmin,
    ScopedHistoryAdmin,
    PortalModelAdmin,
):
    form = TaskAdminForm
    spreadsheet = "import"
    resource_classes = [TaskResource]
    list_display = [
        "key_display",
        "title",
        "team_display",
        "status_display",
        "priority_display",
        "assignees_display",
        "due_display",
        "tags_display",
        "updated_display",
    ]
    list_display_links = ["key_display", "title"]
    list_filter = [
        TeamFilter,
        StatusFilter,
        PriorityFilter,
        AssigneeFilter,
        CreatedByFilter,
        TagFilter,
        ("due_date", DueRangeFilter),
        ("completed_at", CompletedRangeFilter),
        OpenFilter,
        OverdueFilter,
        DueWithinFilter,
        ArchivedFilter,
    ]
    search_fields = ["title"]  # shows the search box; get_search_results does the work

    def get_list_filter(self, request):
        # Then a filter per custom choice or checkbox field of the person's teams.
        cached = getattr(request, "_custom_list_filters", None)
        if cached is None:
            cached = request._custom_list_filters = custom_field_filters(request)
        columns = [CustomColumnsFilter] if visible_columns(request) else []
        return [*super().get_list_filter(request), *cached, *columns]

    def get_list_display(self, request):
        # Then the custom fields the person chose as columns (`?columns=<key>`).
        return [*super().get_list_display(request), *chosen_columns(request)]

    search_help_text = "Search by key (OPS-42), title or description."
    ordering = ["-updated_at", "-id"]
    autocomplete_fields = ["assignees", "tags", "parent"]
    inlines = [CommentsInline]
    readonly_fields = [
        "key",
        "created_by",
        "created_at_display",
        "updated_at_display",
        "completed_at_display",
        "archived_at_display",
        "subtasks_display",
    ]
    actions = [
        "mark_todo",
        "mark_in_progress",
        "mark_blocked",
        "mark_done",
        "assign_to",
        "add_tag",
        "archive",
        "unarchive",
    ]

    # -- scoping and permissions (all from the domain) --
    def get_queryset(self, request):
        return tasks_visible_to(fetched_by=request.user).with_priority_rank().with_overdue()

    def get_changelist(self, request, **kwargs):
        return TaskChangeList

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return task_perms.can_view_task(request.user, obj)
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return perms.can_write_somewhere(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return task_perms.can_edit_task(request.user, obj)
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            return task_perms.can_delete_task(request.user, obj)
        return perms.can_lead_somewhere(request.user)

    def has_archive_permission(self, request):
        return self.has_add_permission(request)

    # -- list columns --
    @display(description="key", ordering="number")
    def key_display(self, obj):
        return obj.key  # no wrapping, medium weight: .portal-rows .field-key_display

    updated_display = moment_column("updated_at", "updated")
    created_at_display = moment_column("created_at", "created")
    updated_at_display = moment_column("updated_at", "updated")
    completed_at_display = moment_column("completed_at", "completed")
    archived_at_display = moment_column("archived_at", "archived")

    @display(description="team", ordering="team__name")
    def team_display(self, obj):
        return obj.team.key

    @display(description="status", ordering="status")
    def status_display(self, obj):
        return label_html(STATUS_COLOURS.get(obj.status), obj.get_status_display())

    @display(description="priority", ordering="priority_rank")
    def priority_display(self, obj):
        return label_html(PRIORITY_COLOURS.get(obj.priority), obj.get_priority_display())

    @display(description="assignees")
    def assignees_display(self, obj):
        return ", ".join(u.get_username() for u in obj.assignees.all()) or "-"

    @display(description="due", ordering="due_date")
    def due_display(self, obj):
        if not obj.due_date:
            return "-"
        # "Overdue" as the query vocabulary says it (open: not done, not archived), in the
        # words every door uses: "Overdue (due Nov 29)"; a day without a time is just the day.
        overdue = getattr(obj, "is_overdue", False)
        words = due_words(obj.due_date, obj.due_day, overdue)
        given = due_given(obj.due_date, obj.due_day)
        css = "font-semibold text-red-600 dark:text-red-400" if overdue else ""
        return format_html(
            '<time class="whitespace-nowrap {}" datetime="{}"{}>{}</time>',
            css,
            given.isoformat(),
            format_html(' title="{}"', "overdue") if overdue else "",
            words,
        )

    @display(description="tags", empty_value="")  # no "-" after the assignees on a phone
    def tags_display(self, obj):
        return tags_html(obj.tags.all())

    @display(description="subtasks")
    def subtasks_display(self, obj):
        if not obj.pk:
            return "-"
        rows = obj.subtasks.select_related("team").order_by("number")
        links = [
            (
                reverse("admin:tasks_task_change", args=[t.pk]),
                t.key,
                t.title,
                t.get_status_display(),
            )
            for t in rows
        ]
        if not links:
            return "No subtasks."
        return format_html_join(
            mark_safe("<br>"), '<a class="text-primary-600" href="{}">{}</a> {} ({})', links
        )

    # -- history: the one diff of a task's history, as on the API and the activity feed --
    def set_history_delta_changes(self, request, page_obj, foreign_keys_are_objs=True):
        page = list(page_obj.object_list)
        entries = task_history_entries(task_history(page[0].instance), page) if page else []
        for record, rows in zip(page, history_readable(entries), strict=True):
            record.history_delta_changes = rows

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .prefetch_related(*(relation for relation, _ in TASK_HISTORY_M2M.values()))
        )

    # -- search --
    def get_search_results(self, request, queryset, search_term):
        if is_autocomplete(request, "tasks", "task", "parent"):
            team_id = task_team_for_autocomplete(request)
            if team_id:
                queryset = queryset.filter(team_id=team_id)
        return queryset.search(search_term), False

    # -- form --
    def get_fieldsets(self, request, obj=None):
        # Sections and lines come from the task's field description.
        from portal.tasks.custom_fields import fields_of
        from portal.tasks.custom_forms import form_name
        from portal.tasks.fields import admin_fieldsets

        fieldsets = admin_fieldsets(adding=obj is None)
        team_id = self._custom_team_id(request, obj)
        custom = [form_name(f) for f in fields_of(team_id)] if team_id else []
        if custom:
            fieldsets.append(("Custom fields", {"fields": custom, "classes": ["tab"]}))
        return fieldsets

    def _custom_team_id(self, request, obj=None) -> int | None:
        """Whose custom fields the form shows: the task's team; for a new task, the team
        chosen (?team=<id>, or the form's team when it is sent), or the only one writable."""
        if obj is not None:
            return obj.team_id
        if request is None:
            return None
        chosen = request.POST.get("team") or request.GET.get("team")
        writable = teams_writable_by(fetched_by=request.user)
        if chosen:
            return (
                writable.filter(pk=chosen).values_list("pk", flat=True).first()
                if str(chosen).isdigit()
                else None
            )
        ids = list(writable.values_list("pk", flat=True)[:2])
        return ids[0] if len(ids) == 1 else None

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # comment once the task exists

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("team")  # a task cannot move to another team
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The custom fields (cf_<key>) are added by the form itself, per team.
        from django.contrib.admin.utils import flatten_fieldsets

        names = kwargs.get("fields") or flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [n for n in names if not n.startswith("cf_")]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # a fresh class per call, so this is per request
        form.custom_team_id = self._custom_team_id(request, obj)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "team":
            kwargs["queryset"] = teams_writable_by(fetched_by=request.user)
        elif db_field.name == "parent":
            kwargs["queryset"] = tasks_visible_to(fetched_by=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "assignees":
            kwargs["queryset"] = users_visible_to(fetched_by=request.user)
        elif db_field.name == "tags":
            kwargs["queryset"] = tags_visible_to(fetched_by=request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        writable = list(teams_writable_by(fetched_by=request.user).values_list("pk", flat=True)[:2])
        if "team" not in initial and len(writable) == 1:
            initial["team"] = writable[0]
        return initial

    # -- writes: every save goes through the services --
    def service_create(self, request, data):
        fields = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        return services.task_create(actor=request.user, team=data["team"], **fields)

    def service_update(self, request, obj, changes):
        editable = {name: v for name, v in changes.items() if name in services.EDITABLE_FIELDS}
        return services.task_update(actor=request.user, task=obj, **editable)

    def service_delete(self, request, obj):
        services.task_delete(actor=request.user, task=obj)

    def save_related(self, request, form, formsets, change):
        # Assignees and tags were saved by the service; only the comment form remains.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Comment:
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            body = inline_form.cleaned_data.get("body") if inline_form.has_changed() else None
            if body:
                formset.new_objects.append(
                    services.comment_add(actor=request.user, task=form.instance, body=body)
                )
        return None
