"""Admin for tasks, tags and comments: a thin door onto selectors, permissions and services."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from unfold.admin import StackedInline, TabularInline
from unfold.contrib.filters.admin import (
    ChoicesCheckboxFilter,
    RadioFilter,
    RangeDateTimeFilter,
)
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminTextareaWidget

from portal.accounts.models import User
from portal.core.admin import PortalModelAdmin, ScopedHistoryAdmin, TeamFilter, report_bulk
from portal.core.admin_fields import BoundedInlineFormSet, JSONFormField
from portal.tasks import services
from portal.tasks.models import Comment, Priority, Status, Tag, Task
from portal.tasks.selectors import (
    comments_visible_to,
    overdue,
    priority_rank,
    search_tasks,
    tags_visible_to,
    tags_with_task_counts,
    tasks_visible_to,
)
from portal.teams import permissions as perms
from portal.teams.selectors import (
    assignable_people,
    teams_visible_to,
    teams_writable_by,
    users_visible_to,
)

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
TASK_CHANGE_RE = re.compile(r"/tasks/task/(\d+)/change/")


# --- autocomplete scoping ----------------------------------------------------------------------
def task_team_for_autocomplete(request) -> int | None:
    """The team of the task form that asked for autocomplete choices, if it can be told.

    Django's autocomplete requests carry the field but not the object, so the page they come
    from (the Referer) tells which task, or which ?team= an add form was opened with.
    """
    referer = request.headers.get("referer", "")
    match = TASK_CHANGE_RE.search(referer)
    if match:
        visible = tasks_visible_to(request.user).filter(pk=match.group(1))
        return visible.values_list("team_id", flat=True).first()
    team = parse_qs(urlparse(referer).query).get("team", [None])[0]
    if not (team and team.isdigit()):
        return None
    # Only one of the person's own teams counts: a forged id must reveal nothing.
    return teams_visible_to(request.user).filter(pk=int(team)).values_list("pk", flat=True).first()


def is_autocomplete(request, app_label: str, model_name: str, field: str) -> bool:
    """Whether this is Django's autocomplete request for `app_label.model_name.field`."""
    return (
        request.path.endswith("/autocomplete/")
        and request.GET.get("app_label") == app_label
        and request.GET.get("model_name") == model_name
        and request.GET.get("field_name") == field
    )


# --- filters -----------------------------------------------------------------------------------
class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        people = [(str(u.pk), u.get_username()) for u in users_visible_to(request.user)]
        return [("me", "Assigned to me"), ("none", "Unassigned"), *people]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignees=request.user)
        if value == "none":
            return queryset.filter(assignees=None)
        if value and value.isdigit():
            return queryset.filter(assignees=int(value))
        return queryset


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [(str(t.pk), t.name) for t in tags_visible_to(request.user)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(tags=int(value)) if value and value.isdigit() else queryset


class OverdueFilter(RadioFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue only")]

    def queryset(self, request, queryset):
        return overdue(queryset) if self.value() == "yes" else queryset


class ArchivedFilter(RadioFilter):
    """Archived tasks are hidden unless asked for."""

    title = "archived"
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("no", "Active"), ("yes", "Archived"), ("all", "All")]

    def value(self):
        return super().value() or "no"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(is_archived=self.value() == "yes")


# --- forms -------------------------------------------------------------------------------------
class TaskAdminForm(forms.ModelForm):
    """Runs the domain's checks that a ModelForm alone cannot (assignees, archiving)."""

    request = None  # set per request in TaskAdmin.get_form

    class Meta:
        model = Task
        # What the services accept, plus the team of a new task (the fieldsets set the order).
        fields = ["team", *sorted(services.EDITABLE_FIELDS)]
        field_classes = {"metadata": JSONFormField}

    def clean(self):
        cleaned = super().clean()
        team = cleaned.get("team") or (self.instance.team if self.instance.team_id else None)
        if team is not None and "assignees" in cleaned:
            try:
                services.validate_assignees(team, list(cleaned["assignees"]))
            except ValidationError as exc:
                self.add_error("assignees", exc.message_dict["assignees"])
        if (
            self.instance.pk
            and "is_archived" in self.changed_data
            and not perms.can_archive_task(self.request.user, self.instance)
        ):
            self.add_error("is_archived", perms.DENIED_ARCHIVE_TASK)
        return cleaned


class PickUserForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Assign to")


class PickTagForm(forms.Form):
    tag = forms.ModelChoiceField(queryset=Tag.objects.none(), label="Tag")


# --- inlines -----------------------------------------------------------------------------------
class CommentInline(TabularInline):
    """Existing comments, read-only here (edit or delete them from the comment's own page)."""

    model = Comment
    formset = BoundedInlineFormSet
    fields = ["created_at", "author", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "comments"
    tab = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return obj is None or perms.can_view_task(request.user, obj)


class NewCommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "Comment"}
        widgets = {"body": UnfoldAdminTextareaWidget(attrs={"rows": 3})}


class NewCommentInline(StackedInline):
    """An empty form to add a comment from the task page (saved through comment_add)."""

    model = Comment
    form = NewCommentForm
    formset = BoundedInlineFormSet
    fields = ["body"]
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = "new comment"
    verbose_name_plural = "add a comment"

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj=None):
        return obj is not None and perms.can_comment(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return obj is not None and perms.can_comment(request.user, obj)


# --- task admin --------------------------------------------------------------------------------
@admin.register(Task)
class TaskAdmin(ScopedHistoryAdmin, PortalModelAdmin):
    form = TaskAdminForm
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
        ("status", ChoicesCheckboxFilter),
        ("priority", ChoicesCheckboxFilter),
        AssigneeFilter,
        TagFilter,
        ("due_date", RangeDateTimeFilter),
        OverdueFilter,
        ArchivedFilter,
    ]
    search_fields = ["title"]  # shows the search box; get_search_results does the work
    search_help_text = "Search by key (OPS-42), title or description."
    ordering = ["-updated_at", "-id"]
    autocomplete_fields = ["assignees", "tags", "parent"]
    inlines = [NewCommentInline, CommentInline]
    readonly_fields = [
        "key",
        "created_by",
        "created_at",
        "updated_at",
        "completed_at",
        "archived_at",
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
        return tasks_visible_to(request.user).annotate(priority_rank=priority_rank())

    def has_module_permission(self, request):
        return perms.can_use_portal(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return perms.can_view_task(request.user, obj)
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return perms.can_write_somewhere(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return perms.can_edit_task(request.user, obj)
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            return perms.can_delete_task(request.user, obj)
        return perms.can_lead_somewhere(request.user)

    def has_archive_permission(self, request):
        return self.has_add_permission(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through task_delete, one by one
        return actions

    # -- list columns --
    @display(description="key", ordering="number")
    def key_display(self, obj):
        return format_html('<span class="whitespace-nowrap font-medium">{}</span>', obj.key)

    @display(description="updated", ordering="updated_at")
    def updated_display(self, obj):
        local = timezone.localtime(obj.updated_at)
        return format_html(
            '<span class="whitespace-nowrap" title="{}">{}</span>',
            local.strftime("%Y-%m-%d %H:%M"),
            local.strftime("%b %d, %H:%M"),
        )

    @display(description="team", ordering="team__name")
    def team_display(self, obj):
        return obj.team.key

    @display(description="status", ordering="status", label=STATUS_COLOURS)
    def status_display(self, obj):
        return obj.status, obj.get_status_display()

    @display(description="priority", ordering="priority_rank", label=PRIORITY_COLOURS)
    def priority_display(self, obj):
        return obj.priority, obj.get_priority_display()

    @display(description="assignees")
    def assignees_display(self, obj):
        return ", ".join(u.get_username() for u in obj.assignees.all()) or "-"

    @display(description="due", ordering="due_date")
    def due_display(self, obj):
        if not obj.due_date:
            return "-"
        text = timezone.localtime(obj.due_date).strftime("%b %d, %H:%M")
        if obj.due_date < timezone.now() and obj.status != Status.DONE:
            return format_html(
                '<span class="whitespace-nowrap font-semibold text-red-600 dark:text-red-400" '
                'title="overdue">{} &#9888;</span>',
                text,
            )
        return format_html('<span class="whitespace-nowrap">{}</span>', text)

    @display(description="tags")
    def tags_display(self, obj):
        return format_html_join(
            " ",
            '<span class="inline-block px-2 rounded-default text-xs font-semibold" '
            'style="background:{}22;color:{};border:1px solid {}55">{}</span>',
            ((t.color, t.color, t.color, t.name) for t in obj.tags.all()),
        )

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

    # -- search --
    def get_search_results(self, request, queryset, search_term):
        if is_autocomplete(request, "tasks", "task", "parent"):
            team_id = task_team_for_autocomplete(request)
            if team_id:
                queryset = queryset.filter(team_id=team_id)
        return search_tasks(queryset, search_term), False

    # -- form --
    def get_fieldsets(self, request, obj=None):
        main = ["key", "team", "title", "description", "status", "priority"]
        if obj is None:
            main.remove("key")
        return [
            (None, {"fields": main}),
            (
                "Planning",
                {
                    "fields": [
                        "due_date",
                        ("estimated_hours", "actual_hours"),
                        "assignees",
                        "tags",
                        "parent",
                    ],
                    "classes": ["tab"],
                },
            ),
            (
                "Details",
                {
                    "fields": [
                        "subtasks_display",
                        "metadata",
                        "is_archived",
                        ("created_by", "created_at", "updated_at"),
                        ("completed_at", "archived_at"),
                    ],
                    "classes": ["tab"],
                },
            ),
        ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # comment once the task exists

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("team")  # a task cannot move to another team
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # a fresh class per call, so this is per request
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "team":
            kwargs["queryset"] = teams_writable_by(request.user)
        elif db_field.name == "parent":
            kwargs["queryset"] = tasks_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "assignees":
            kwargs["queryset"] = users_visible_to(request.user)
        elif db_field.name == "tags":
            kwargs["queryset"] = tags_visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        writable = list(teams_writable_by(request.user).values_list("pk", flat=True)[:2])
        if "team" not in initial and len(writable) == 1:
            initial["team"] = writable[0]
        return initial

    # -- writes: every save goes through the services --
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        editable = services.EDITABLE_FIELDS
        if change:
            fresh = Task.objects.select_related("team").get(pk=obj.pk)
            changes = {name: data[name] for name in form.changed_data if name in editable}
            saved = services.task_update(actor=request.user, task=fresh, **changes)
        else:
            fields = {
                name: data[name]
                for name in editable
                if name in data and name != "title" and name in form.fields
            }
            saved = services.task_create(
                actor=request.user, team=data["team"], title=data["title"], **fields
            )
        for field in Task._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

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

    def delete_model(self, request, obj):
        services.task_delete(actor=request.user, task=obj)

    # -- bulk actions (each task through the services, so rules and history apply per task) --
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
        form.fields["user"].queryset = assignable_people(request.user, team_ids)

        def apply(data):
            user = data["user"]
            result = services.BulkResult()
            for task in queryset:
                try:
                    current = list(task.assignees.all())
                    if user not in current:
                        services.task_assign(
                            actor=request.user, task=task, assignees=[*current, user]
                        )
                    result.changed.append(task)
                except (PermissionDenied, ValidationError) as exc:
                    result.refused.append((task, services.error_text(exc)))
            report_bulk(self, request, result, f"Assigned {user.get_username()} to")

        return self._pick(request, queryset, form, "Assign the selected tasks", apply)

    @action(description="Add tag…", permissions=["change"], icon="sell")
    def add_tag(self, request, queryset):
        form = PickTagForm(request.POST if request.POST.get("apply") else None)
        form.fields["tag"].queryset = tags_visible_to(request.user)

        def apply(data):
            result = services.tasks_bulk_apply(
                actor=request.user,
                tasks=queryset,
                operation=services.task_add_tags,
                tags=[data["tag"]],
            )
            report_bulk(self, request, result, f"Tagged '{data['tag'].name}' on")

        return self._pick(request, queryset, form, "Tag the selected tasks", apply)


# --- tags ----------------------------------------------------------------------------------------
@admin.register(Tag)
class TagAdmin(PortalModelAdmin):
    list_display = ["name", "colour_display", "task_count"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self, request):
        return tags_with_task_counts(request.user)

    def has_module_permission(self, request):
        return perms.can_use_portal(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return perms.can_create_tag(request.user)

    def has_change_permission(self, request, obj=None):
        return perms.can_change_tag(request.user)

    def has_delete_permission(self, request, obj=None):
        return perms.can_change_tag(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @display(description="colour")
    def colour_display(self, obj):
        return format_html(
            '<span class="inline-block w-4 h-4 rounded-full align-middle mr-2" '
            'style="background:{}"></span>{}',
            obj.color,
            obj.color,
        )

    @display(description="tasks", ordering="visible_tasks")
    def task_count(self, obj):
        return obj.visible_tasks

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            saved = services.tag_update(
                actor=request.user, tag=Tag.objects.get(pk=obj.pk), **changes
            )
        else:
            saved = services.tag_create(
                actor=request.user, name=obj.name, color=form.cleaned_data.get("color")
            )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.tag_delete(actor=request.user, tag=obj)


# --- comments ------------------------------------------------------------------------------------
@admin.register(Comment)
class CommentAdmin(ScopedHistoryAdmin, PortalModelAdmin):
    list_display = ["task_display", "author", "excerpt", "created_at"]
    list_select_related = ["task__team", "author"]
    search_fields = ["body"]
    fields = ["task", "author", "body", "created_at", "updated_at"]
    readonly_fields = ["task", "author", "created_at", "updated_at"]
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return comments_visible_to(request.user)

    def has_module_permission(self, request):
        return perms.can_use_portal(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return perms.can_view_task(request.user, obj.task)
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False  # comments are added from the task page

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return perms.can_edit_comment(request.user, obj, obj.task.team_id)
        return perms.can_write_somewhere(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @display(description="task", ordering="task__number")
    def task_display(self, obj):
        return f"{obj.task.key} {obj.task.title}"

    @display(description="comment")
    def excerpt(self, obj):
        return obj.body if len(obj.body) <= 80 else obj.body[:77] + "..."

    def save_model(self, request, obj, form, change):
        fresh = Comment.objects.select_related("task").get(pk=obj.pk)
        services.comment_update(actor=request.user, comment=fresh, body=form.cleaned_data["body"])

    def delete_model(self, request, obj):
        services.comment_delete(actor=request.user, comment=obj)
